from django.apps import AppConfig


class ErpQueueConfig(AppConfig):
    name = "apps.erp_queue"
    label = "erp_queue"
    verbose_name = "ERP Integrations"

    def ready(self):
        from apps.core.workflow import register_steps
        from apps.erp_queue.models import ERPRequest, StagedRecord
        from apps.erp_queue.steps import REQUEST_STEPS, STAGED_STEPS

        register_steps(ERPRequest, REQUEST_STEPS)
        register_steps(StagedRecord, STAGED_STEPS)
