"""The embedded ledger behind the connector interface: exports run in-process right after accept."""

from apps.erp_queue.connectors import Connector, ExportResult
from apps.ledger import services


class LedgerConnector(Connector):
    name = "ledger"
    exports_inline = True

    def export(self, request):
        writer = getattr(self, f"_export_{request.kind}", None)
        if writer is None:
            return ExportResult(ok=False, messages=[f"The ERP ledger cannot take {request.kind} records yet."])
        try:
            erp_ids = writer(request)
        except services.LedgerRefused as refused:
            return ExportResult(ok=False, messages=refused.messages)
        return ExportResult(ok=True, erp_ids=erp_ids)

    def _export_job(self, request):
        return services.job_write(
            key=request.idempotency_key, payload=request.payload, job_id=request.inputs["erp_job_id"]
        )

    def _export_budget(self, request):
        return services.budget_write(key=request.idempotency_key, payload=request.payload)

    def _export_vendor(self, request):
        return services.vendor_write(
            key=request.idempotency_key,
            payload=request.payload,
            vendor_id=request.inputs["erp_vendor_id"],
            vendor_type=request.inputs["vendor_type"],
        )

    def _export_commitment(self, request):
        return services.commitment_write(key=request.idempotency_key, payload=request.payload)

    def _export_change_order(self, request):
        return services.change_order_write(key=request.idempotency_key, payload=request.payload)

    def fetch_cost_codes(self):
        return services.cost_codes()

    def fetch_vendor_types(self):
        return services.vendor_types()
