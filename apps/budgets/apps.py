from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "apps.budgets"
    label = "budgets"
    verbose_name = "Budgets"

    def ready(self):
        from apps.budgets.erp import BudgetExporter, EstimateImporter
        from apps.erp_queue import registry

        registry.register_exporter(BudgetExporter())
        registry.register_importer(EstimateImporter())
