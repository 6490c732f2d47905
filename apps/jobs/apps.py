from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from apps.erp_queue import registry
        from apps.jobs.erp import JobExporter, JobImporter

        registry.register_exporter(JobExporter())
        registry.register_importer(JobImporter())
