from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "ERP ledger (embedded Sage 100 Contractor)"

    def ready(self):
        from apps.core.erp_profile import seed_cost_types
        from apps.ledger.services import seed_vendor_types

        post_migrate.connect(seed_cost_types("ledger.ERPCostType"), sender=self, weak=False)
        post_migrate.connect(seed_vendor_types, sender=self, weak=False)
