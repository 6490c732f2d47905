from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "apps.vendors"
    label = "vendors"
    verbose_name = "Companies"

    def ready(self):
        from apps.erp_queue import registry
        from apps.vendors.erp import VendorExporter, VendorImporter

        registry.register_exporter(VendorExporter())
        registry.register_importer(VendorImporter())
