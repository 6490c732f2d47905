"""The embedded ledger behind the connector interface: exports run in-process right after accept."""

from apps.erp_queue.connectors import Connector, ExportResult
from apps.ledger import services


def _write_job(request):
    return services.job_write(key=request.idempotency_key, payload=request.payload, job_id=request.inputs["erp_job_id"])


def _write_budget(request):
    return services.budget_write(key=request.idempotency_key, payload=request.payload)


def _write_vendor(request):
    return services.vendor_write(
        key=request.idempotency_key,
        payload=request.payload,
        vendor_id=request.inputs["erp_vendor_id"],
        vendor_type=request.inputs["vendor_type"],
    )


def _numbered_payload(request):
    """A commitment's or change order's payload under the number it is exported with (corrected on retry)."""
    number = request.inputs.get("number")
    return {**request.payload, "number": number} if number else request.payload


def _write_commitment(request):
    return services.commitment_write(key=request.idempotency_key, payload=_numbered_payload(request))


def _write_change_order(request):
    return services.change_order_write(key=request.idempotency_key, payload=_numbered_payload(request))


class LedgerConnector(Connector):
    name = "ledger"
    exports_inline = True
    #: What the ERP does with each kind of request the queue hands it.
    writers = {
        "job": _write_job,
        "budget": _write_budget,
        "vendor": _write_vendor,
        "commitment": _write_commitment,
        "change_order": _write_change_order,
    }

    def export(self, request):
        writer = self.writers.get(request.kind)
        if writer is None:
            return ExportResult(ok=False, messages=[f"The ERP ledger cannot take {request.kind} records yet."])
        try:
            erp_ids = writer(request)
        except services.LedgerRefused as refused:
            return ExportResult(ok=False, messages=refused.messages)
        return ExportResult(ok=True, erp_ids=erp_ids)

    def fetch_cost_codes(self):
        return services.cost_codes()

    def fetch_vendor_types(self):
        return services.vendor_types()
