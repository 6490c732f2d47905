from django.apps import AppConfig


class ChangeOrdersConfig(AppConfig):
    name = "apps.change_orders"
    label = "change_orders"
    verbose_name = "Commitment change orders"

    def ready(self):
        from apps.change_orders.erp import ChangeOrderExporter
        from apps.erp_queue import registry

        registry.register_exporter(ChangeOrderExporter())
