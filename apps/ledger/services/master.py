"""The ERP's master data as the agent API reports it (written into the embedded ERP, which is the ERP in this
mode), and the reads the app's checks make before a record is sent or accepted."""

from apps.core import erp_profile
from apps.ledger.models import (
    ERPChangeOrder,
    ERPCommitment,
    ERPCostCode,
    ERPCostType,
    ERPJob,
    ERPJobCostCode,
    ERPVendor,
    ERPVendorType,
)
from apps.ledger.services._writes import LedgerRefused, known_codes
from apps.ledger.services.vendors import VENDOR_FIELDS

JOB_FIELDS = ("name", "address", "city", "state", "zip")


def cost_code_take(*, code, description, division):
    ERPCostCode.objects.update_or_create(code=code, defaults={"description": description, "division": division})


def cost_type_take(*, code, name):
    ERPCostType.objects.update_or_create(code=code, defaults={"name": name})


def vendor_type_take(*, code, name):
    if not str(code).isdigit() or not 1 <= int(code) <= 999:
        raise LedgerRefused([f"'{code}' is not a vendor type code of the ERP: a number from 1 to 999."])
    limit = ERPVendorType._meta.get_field("name").max_length
    if len(name) > limit:
        message = f"The ERP keeps at most {limit} characters in a vendor type name; this has {len(name)}."
        raise LedgerRefused([message])
    ERPVendorType.objects.update_or_create(code=int(code), defaults={"name": name})


def _exported(record, noun):
    """A record the app exported is the app's already: the ERP does not stage it for import."""
    if record is None or record.source != "exported":
        return []
    return [f"{noun} {record} was exported from the app; the ERP does not stage it for import."]


def _job_take(job_id, data):
    job = ERPJob.objects.filter(job_id=job_id).first()
    problems = _exported(job, "ERP job")
    problems.extend(erp_profile.job_field_problems(data).values())
    codes, unknown = known_codes(data["cost_codes"], key="code")
    problems.extend(f"{message} Report the cost code first." for message in unknown)
    if problems:
        raise LedgerRefused(problems)
    fields = {field: data.get(field) or "" for field in JOB_FIELDS}
    job, _ = ERPJob.objects.update_or_create(job_id=job_id, defaults=fields)
    job.cost_codes.exclude(cost_code__in=codes.values()).delete()
    for row in data["cost_codes"]:
        job_code, _ = ERPJobCostCode.objects.get_or_create(job=job, cost_code=codes[str(row["code"])])
        job_code.cost_types.set(row["cost_types"])


def _width_problems(model, data, fields, noun):
    for field in fields:
        limit, value = model._meta.get_field(field).max_length, data.get(field) or ""
        if len(value) > limit:
            yield f"The ERP allows at most {limit} characters for the {noun} {field}; this has {len(value)}."


def _vendor_take(vendor_id, data):
    vendor = ERPVendor.objects.filter(vendor_id=vendor_id).first()
    problems = (
        _exported(vendor, "ERP vendor") if vendor is not None and vendor.source == ERPVendor.Source.EXPORTED else []
    )
    problems.extend(_width_problems(ERPVendor, data, VENDOR_FIELDS, "vendor"))
    state = data.get("state") or ""
    if state and not erp_profile.STATE_CHECK.fullmatch(state):
        problems.append(f"The ERP takes the state as its 2-letter abbreviation (for example CA), not '{state}'.")
    vendor_type = str(data.get("vendor_type") or "")
    if vendor_type and not (vendor_type.isdigit() and ERPVendorType.objects.filter(code=int(vendor_type)).exists()):
        problems.append(f"Vendor type '{vendor_type}' is not one of the ERP's vendor types: report it first.")
    if problems:
        raise LedgerRefused(problems)
    ERPVendor.objects.update_or_create(
        vendor_id=vendor_id,
        defaults={
            "vendor_type_id": int(vendor_type) if vendor_type else None,
            **{field: data.get(field) or "" for field in VENDOR_FIELDS},
        },
    )


#: What the ERP does with each kind of record the agent stages; kinds it does not hold are left alone.
_STAGED_TAKERS = {"job": _job_take, "vendor": _vendor_take}


def staged_take(*, kind, erp_id, data):
    taker = _STAGED_TAKERS.get(kind)
    if taker is not None:
        taker(erp_id, data)


def missing_cost_codes(codes):
    return sorted(set(map(str, codes)) - set(known_codes([{"code": c} for c in codes], key="code")[0]))


def holds_job(job_id):
    return ERPJob.objects.filter(job_id=job_id).exists()


def holds_vendor(vendor_id):
    return ERPVendor.objects.filter(vendor_id=vendor_id).exists()


def holds_commitment(*, job_id, kind, number):
    return ERPCommitment.objects.filter(job__job_id=job_id, kind=kind, number=number).exists()


def holds_change_order(*, job_id, kind, commitment_number, number):
    return ERPChangeOrder.objects.filter(
        commitment__job__job_id=job_id, commitment__kind=kind, commitment__number=commitment_number, number=number
    ).exists()
