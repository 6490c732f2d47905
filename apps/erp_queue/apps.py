from django.apps import AppConfig


class ErpQueueConfig(AppConfig):
    name = "apps.erp_queue"
    label = "erp_queue"
    verbose_name = "ERP Integrations"
