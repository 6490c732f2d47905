"""The embedded ledger behind the connector interface: exports run in-process right after accept."""

from apps.core.exceptions import ValidationError
from apps.erp_queue.connectors import Connector, ExportResult
from apps.ledger import services
from apps.ledger.services import master


def _write_job(request):
    if request.payload.get("update"):  # a synced project's new cost codes (Ready to Update)
        return services.job_update_write(key=request.idempotency_key, payload=request.payload)
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


def _take(field, take, **values):
    """Write what the agent reported into the ledger; the ERP's refusal is the report's 400 on `field`."""
    try:
        take(**values)
    except services.LedgerRefused as refused:
        raise ValidationError({field: refused.messages}) from None


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

    def take_cost_code(self, *, code, description, division):
        _take("code", master.cost_code_take, code=code, description=description, division=division)

    def take_cost_type(self, *, code, name):
        _take("name", master.cost_type_take, code=code, name=name)

    def take_vendor_type(self, *, code, name):
        _take("code", master.vendor_type_take, code=code, name=name)

    def take_staged(self, *, kind, erp_id, data):
        _take("data", master.staged_take, kind=kind, erp_id=erp_id, data=data)

    def missing_cost_codes(self, codes):
        return master.missing_cost_codes(codes)

    def holds_job(self, job_id):
        return master.holds_job(job_id)

    def holds_vendor(self, vendor_id):
        return master.holds_vendor(vendor_id)

    def holds_commitment(self, *, job_id, kind, number):
        return master.holds_commitment(job_id=job_id, kind=kind, number=number)

    def holds_change_order(self, *, job_id, kind, commitment_number, number):
        return master.holds_change_order(job_id=job_id, kind=kind, commitment_number=commitment_number, number=number)
