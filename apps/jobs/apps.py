from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from apps.core.erp_profile import seed_cost_types
        from apps.erp_queue import registry
        from apps.jobs.erp import JobExporter, JobImporter

        registry.register_exporter(JobExporter())
        registry.register_importer(JobImporter())
        post_migrate.connect(seed_cost_types("jobs.CostType"), sender=self, weak=False)
