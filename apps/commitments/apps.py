from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "apps.commitments"
    label = "commitments"
    verbose_name = "Commitments"

    def ready(self):
        from apps.commitments.erp import CommitmentExporter
        from apps.erp_queue import registry

        registry.register_exporter(CommitmentExporter())
