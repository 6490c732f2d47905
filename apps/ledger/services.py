"""What the embedded ERP does when it is written to, with the rules Sage 100 Contractor applies."""

import uuid
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from apps.core import erp_profile
from apps.erp_queue import services as erp_services
from apps.ledger.models import (
    ERPBudgetEntry,
    ERPChangeOrder,
    ERPChangeOrderLine,
    ERPCommitment,
    ERPCommitmentLine,
    ERPCostCode,
    ERPJob,
    ERPJobCostCode,
    ERPVendor,
    ERPVendorType,
    ERPWrite,
)


class LedgerRefused(Exception):
    """The ERP refused a write; its messages go back to the approver."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def _job_problems(job_id, payload):
    problems = []
    id_problem = erp_profile.job_id_problem(job_id)
    if id_problem:
        problems.append(id_problem)
    elif ERPJob.objects.filter(job_id=job_id).exists():
        problems.append(f"Job {job_id} already exists in the ERP. Enter another job code.")
    problems.extend(erp_profile.job_field_problems(payload).values())
    known = set(
        ERPCostCode.objects.filter(code__in=[c["code"] for c in payload["cost_codes"]]).values_list("code", flat=True)
    )
    problems.extend(
        f"Cost code {c['code']} is not in the ERP's cost code list."
        for c in payload["cost_codes"]
        if c["code"] not in known
    )
    missing = erp_profile.cost_codes_without_types(payload["cost_codes"])
    if missing:
        problems.append(f"Cost code {', '.join(missing)} has no cost type.")
    return problems


def _create_job(job_id, payload, source):
    job = ERPJob.objects.create(
        job_id=job_id,
        source=source,
        **{field: payload.get(field) or "" for field in ("name", "address", "city", "state", "zip")},
    )
    codes = {c.code: c for c in ERPCostCode.objects.filter(code__in=[c["code"] for c in payload["cost_codes"]])}
    for row in payload["cost_codes"]:
        ERPJobCostCode.objects.create(job=job, cost_code=codes[row["code"]]).cost_types.set(row["cost_types"])
    return job


def job_write(*, key, payload, job_id):
    """Create a Sage job from an export; the same idempotency key returns the first write's result."""
    with transaction.atomic():
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        problems = _job_problems(job_id, payload)
        if problems:
            raise LedgerRefused(problems)
        try:
            with transaction.atomic():
                _create_job(job_id, payload, ERPJob.Source.EXPORTED)
                result = {"job_id": job_id}
                ERPWrite.objects.create(idempotency_key=key, kind="job", result=result)
        except IntegrityError:
            # Another export wrote the same job id, or the same key, between our check and our write.
            done = ERPWrite.objects.filter(idempotency_key=key).first()
            if done is not None:
                return done.result
            raise LedgerRefused([f"Job {job_id} already exists in the ERP. Enter another job code."]) from None
    return result


def budget_write(*, key, payload):
    """Enter a budget's transactions as unposted job cost entries; each transaction key is taken once."""
    with transaction.atomic():
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        job = ERPJob.objects.filter(job_id=payload.get("job_id") or "").first()
        if job is None:
            raise LedgerRefused([f"Job {payload.get('job_id')} is not in the ERP: export the project first."])
        rows = payload["transactions"]
        codes = {c.code: c for c in ERPCostCode.objects.filter(code__in={r["cost_code"] for r in rows})}
        unknown = sorted({r["cost_code"] for r in rows} - set(codes))
        if unknown:
            raise LedgerRefused([f"Cost code {code} is not in the ERP's cost code list." for code in unknown])
        have = set(ERPBudgetEntry.objects.filter(key__in=[r["key"] for r in rows]).values_list("key", flat=True))
        entries = [
            ERPBudgetEntry(
                job=job,
                cost_code=codes[r["cost_code"]],
                cost_type_id=r["cost_type"],
                kind=r["type"],
                amount=Decimal(r["amount"]),
                key=r["key"],
                request_key=key,
            )
            for r in rows
            if uuid.UUID(str(r["key"])) not in have
        ]
        ERPBudgetEntry.objects.bulk_create(entries, batch_size=2000)
        _add_job_cost_codes(job, {(r["cost_code"], r["cost_type"]) for r in rows}, codes)
        result = {"job_id": job.job_id, "entries": len(entries)}
        ERPWrite.objects.create(idempotency_key=key, kind="budget", result=result)
    return result


def _add_job_cost_codes(job, pairs, codes):
    """Sage takes a budget on any company cost code: the job gets the codes and types it did not have."""
    by_code = {}
    for code, cost_type in pairs:
        by_code.setdefault(code, set()).add(cost_type)
    for code, types in by_code.items():
        row, _ = ERPJobCostCode.objects.get_or_create(job=job, cost_code=codes[code])
        row.cost_types.add(*types)


def budget_entries_post(*, job):
    """Sage's Job Cost → Post Entries: the job's waiting entries are posted, and the app is told."""
    with transaction.atomic():
        waiting = ERPBudgetEntry.objects.select_for_update().filter(job=job, posted=False)
        request_keys = set(waiting.exclude(request_key=None).values_list("request_key", flat=True))
        posted = waiting.update(posted=True, posted_at=timezone.now())
        for request_key in request_keys:
            erp_services.request_entries_posted(idempotency_key=request_key, user=None)
    return posted


def job_budget(job, *, posted_only=True):
    """The job's budget per (cost code, cost type): the sum of its entries."""
    entries = ERPBudgetEntry.objects.filter(job=job)
    if posted_only:
        entries = entries.filter(posted=True)
    totals = entries.values("cost_code__code", "cost_type_id").annotate(total=Sum("amount"))
    return {(row["cost_code__code"], row["cost_type_id"]): row["total"] for row in totals}


def estimate_stage(*, job):
    """A job's posted estimate shows under Ready to Import (lines above $0 only, as the reference does)."""
    descriptions = dict(ERPCostCode.objects.values_list("code", "description"))
    lines = [
        {"cost_code": code, "cost_type": cost_type, "amount": str(total), "description": descriptions.get(code, "")}
        for (code, cost_type), total in sorted(job_budget(job).items())
        if total > 0
    ]
    if not lines:
        raise LedgerRefused([f"Job {job.job_id} has no posted budget above $0 to import."])
    return erp_services.staged_record_upsert(
        kind="estimate", erp_id=job.job_id, data={"name": f"{job.job_id} {job.name}", "lines": lines}, user=None
    )


def job_data(job):
    """A keyed-in Sage job as it is staged for import into the app."""
    return {
        "name": job.name,
        "address": job.address,
        "city": job.city,
        "state": job.state,
        "zip": job.zip,
        "cost_codes": [
            {
                "code": jcc.cost_code.code,
                "description": jcc.cost_code.description,
                "division": jcc.cost_code.division,
                "cost_types": sorted(ct.code for ct in jcc.cost_types.all()),
            }
            for jcc in job.cost_codes.select_related("cost_code").prefetch_related("cost_types")
        ],
    }


def job_stage(*, job):
    """A job keyed in the ERP shows under Ready to Import in the app (the sync a real agent does)."""
    if job.source != ERPJob.Source.KEYED:
        return None
    return erp_services.staged_record_upsert(kind="job", erp_id=job.job_id, data=job_data(job), user=None)


def cost_codes():
    return [{"code": c.code, "description": c.description, "division": c.division} for c in ERPCostCode.objects.all()]


VENDOR_FIELDS = ("name", "address", "city", "state", "zip", "tax_id")
# Sage ships no fixed list of vendor types: each company sets up its own. The ledger starts with a
# typical one; accounting renames or adds types in the ledger's admin.
SAGE_VENDOR_TYPES = [
    (1, "Subcontractor"),
    (2, "Material supplier"),
    (3, "Equipment rental"),
    (4, "Professional services"),
    (5, "Other"),
]


def seed_vendor_types(sender, apps=None, using="default", **kwargs):
    """post_migrate: the ledger holds at least the typical vendor types (names are never reset; a flush refills)."""
    vendor_type = (apps or global_apps).get_model("ledger", "ERPVendorType")
    for code, name in SAGE_VENDOR_TYPES:
        vendor_type.objects.using(using).get_or_create(code=code, defaults={"name": name})


def vendor_types():
    return [{"code": str(t.code), "name": t.name} for t in ERPVendorType.objects.all()]


def _vendor_problems(vendor_id, vendor_type, payload):
    problems = []
    id_problem = erp_profile.vendor_id_problem(vendor_id)
    if id_problem:
        problems.append(id_problem)
    elif ERPVendor.objects.filter(vendor_id=vendor_id).exists():
        problems.append(f"Vendor {vendor_id} already exists in the ERP. Enter another vendor id.")
    if not str(vendor_type).isdigit() or not ERPVendorType.objects.filter(code=int(vendor_type)).exists():
        problems.append(f"Vendor type '{vendor_type}' is not one of the ERP's vendor types.")
    problems.extend(erp_profile.vendor_field_problems(payload).values())
    return problems


def vendor_write(*, key, payload, vendor_id, vendor_type):
    """Create a Sage vendor from an exported company; the same idempotency key returns the first write's result."""
    with transaction.atomic():
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        problems = _vendor_problems(vendor_id, vendor_type, payload)
        if problems:
            raise LedgerRefused(problems)
        try:
            with transaction.atomic():
                ERPVendor.objects.create(
                    vendor_id=vendor_id,
                    vendor_type_id=int(vendor_type),
                    source=ERPVendor.Source.EXPORTED,
                    **{
                        field: payload.get(field) or ""
                        for field in ("name", "address", "city", "state", "zip", "tax_id")
                    },
                )
                result = {"vendor_id": vendor_id}
                ERPWrite.objects.create(idempotency_key=key, kind="vendor", result=result)
        except IntegrityError:
            # Another export wrote the same vendor id, or the same key, between our check and our write.
            done = ERPWrite.objects.filter(idempotency_key=key).first()
            if done is not None:
                return done.result
            raise LedgerRefused([f"Vendor {vendor_id} already exists in the ERP. Enter another vendor id."]) from None
    return result


def vendor_data(vendor):
    """A keyed-in Sage vendor as it is staged for the app (phones are not in Sage's vendor table)."""
    return {**{field: getattr(vendor, field) for field in VENDOR_FIELDS}, "vendor_type": str(vendor.vendor_type_id)}


def vendor_stage(*, vendor):
    """A vendor keyed in the ERP shows under Ready to Import in the app, with its suggested matches."""
    if vendor.source != ERPVendor.Source.KEYED:
        return None
    return erp_services.staged_record_upsert(
        kind="vendor", erp_id=vendor.vendor_id, data=vendor_data(vendor), user=None
    )


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _known_codes(rows):
    codes = {c.code: c for c in ERPCostCode.objects.filter(code__in={r["cost_code"] for r in rows})}
    unknown = sorted({r["cost_code"] for r in rows} - set(codes))
    return codes, [f"Cost code {code} is not in the ERP's cost code list." for code in unknown]


def _number_taken(kind, number, job_id):
    return f"{ERPCommitment.Kind(kind).label} {number} already exists on job {job_id}. Enter another number."


def commitment_write(*, key, payload):
    """Create a Sage subcontract or purchase order from an export; the same key returns the first write's result."""
    with transaction.atomic():
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        job = ERPJob.objects.filter(job_id=payload.get("job_id") or "").first()
        vendor = ERPVendor.objects.filter(vendor_id=payload.get("vendor_id") or "").first()
        kind, number = payload["type"], payload["number"]
        problems = list(erp_profile.commitment_field_problems(payload).values())
        if job is None:
            problems.append(f"Job {payload.get('job_id')} is not in the ERP: export the project first.")
        elif ERPCommitment.objects.filter(job=job, kind=kind, number=number).exists():
            problems.append(_number_taken(kind, number, job.job_id))
        if vendor is None:
            problems.append(f"Vendor {payload.get('vendor_id')} is not in the ERP: link or export the vendor first.")
        if not payload["lines"]:
            problems.append("A commitment needs at least one line.")
        codes, unknown = _known_codes(payload["lines"])
        problems.extend(unknown)
        if problems:
            raise LedgerRefused(problems)
        try:
            with transaction.atomic():
                commitment = ERPCommitment.objects.create(
                    job=job,
                    kind=kind,
                    number=number,
                    description=payload["title"],
                    vendor=vendor,
                    retention=Decimal(payload["retainage_percent"]),
                    source=ERPCommitment.Source.EXPORTED,
                )
                ERPCommitmentLine.objects.bulk_create(
                    [
                        ERPCommitmentLine(
                            commitment=commitment,
                            line_number=row["line_number"],
                            cost_code=codes[row["cost_code"]],
                            cost_type_id=row["cost_type"],
                            description=row["description"],
                            quantity=_decimal(row["quantity"]),
                            unit=row["uom"],
                            unit_cost=_decimal(row["unit_cost"]),
                            amount=Decimal(row["amount"]),
                        )
                        for row in payload["lines"]
                    ]
                )
                _add_job_cost_codes(job, {(r["cost_code"], r["cost_type"]) for r in payload["lines"]}, codes)
                result = {"job_id": job.job_id, "number": number}
                ERPWrite.objects.create(idempotency_key=key, kind="commitment", result=result)
        except IntegrityError:
            # Another export wrote the same number on the job, or the same key, between our check and our write.
            done = ERPWrite.objects.filter(idempotency_key=key).first()
            if done is not None:
                return done.result
            raise LedgerRefused([_number_taken(kind, number, job.job_id)]) from None
    return result


def _change_order_problems(commitment, payload):
    problems = list(erp_profile.change_order_field_problems(payload).values())
    if ERPChangeOrder.objects.filter(commitment=commitment, number=payload["number"]).exists():
        problems.append(f"Change order {payload['number']} already exists on {commitment}. Enter another number.")
    rows = payload["lines"]
    if not rows:
        problems.append("A change order needs at least one line.")
    existing = set(commitment.lines.values_list("line_number", flat=True))
    changed = [r["line_number"] for r in rows if r["line_number"] is not None]
    problems.extend(
        f"Line {n} is changed more than once: the ERP takes one change per commitment line per change order."
        for n in sorted({n for n in changed if changed.count(n) > 1})
    )
    problems.extend(f"{commitment} has no line {n}." for n in sorted(set(changed) - existing))
    if commitment.kind == ERPCommitment.Kind.SUBCONTRACT and len(changed) < len(rows):
        problems.append("A subcontract change order changes existing lines only; it cannot add lines.")
    return problems


def _raise_budget(job, change_order, changes, key):
    """Sage: a subcontract change order raises the job's budget on the changed lines' cost code and cost type."""
    now = timezone.now()
    ERPBudgetEntry.objects.bulk_create(
        [
            ERPBudgetEntry(
                job=job,
                cost_code_id=line.cost_code_id,
                cost_type_id=line.cost_type_id,
                kind=ERPBudgetEntry.Kind.COMMITMENT_CHANGE,
                amount=amount,
                key=uuid.uuid5(uuid.UUID(str(key)), f"{change_order.number}/{line.line_number}"),
                request_key=key,
                posted=True,
                posted_at=now,
            )
            for line, amount in changes
        ]
    )


def change_order_write(*, key, payload):
    """Enter a change order: a subcontract's raises the job budget; a purchase order's appends lines to the PO."""
    with transaction.atomic():
        # The commitment's lock comes first: a write of the same key that held it has committed when we look.
        commitment = (
            ERPCommitment.objects.select_for_update()
            .select_related("job")
            .filter(
                job__job_id=payload.get("job_id") or "",
                kind=payload["commitment_type"],
                number=payload.get("commitment_number") or "",
            )
            .first()
        )
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        if commitment is None:
            raise LedgerRefused(
                [f"Commitment {payload.get('commitment_number')} is not in the ERP on job {payload.get('job_id')}."]
            )
        problems = _change_order_problems(commitment, payload)
        codes, unknown = _known_codes(payload["lines"])
        problems.extend(unknown)
        if problems:
            raise LedgerRefused(problems)
        change_order = ERPChangeOrder.objects.create(
            commitment=commitment, number=payload["number"], description=payload["description"]
        )
        lines = {line.line_number: line for line in commitment.lines.all()}
        next_number = max(lines, default=0) + 1
        changes = []
        for row in payload["lines"]:
            amount = Decimal(row["amount"])
            if commitment.kind == ERPCommitment.Kind.PURCHASE_ORDER:
                # Sage keeps a PO change order as lines appended under the purchase order.
                changed = lines.get(row["line_number"])
                line = ERPCommitmentLine.objects.create(
                    commitment=commitment,
                    line_number=next_number,
                    cost_code=codes[row["cost_code"]],
                    cost_type_id=row["cost_type"],
                    description=row["description"] or (changed.description if changed else ""),
                    quantity=_decimal(row.get("quantity")),
                    unit=row.get("uom") or "",
                    unit_cost=_decimal(row.get("unit_cost")),
                    amount=amount,
                    change_order=change_order,
                )
                next_number += 1
            else:
                line = lines[row["line_number"]]
            changes.append((line, amount))
        ERPChangeOrderLine.objects.bulk_create(
            [ERPChangeOrderLine(change_order=change_order, commitment_line=line, amount=a) for line, a in changes]
        )
        if commitment.kind == ERPCommitment.Kind.SUBCONTRACT:
            _raise_budget(commitment.job, change_order, changes, key)
            _add_job_cost_codes(commitment.job, {(r["cost_code"], r["cost_type"]) for r in payload["lines"]}, codes)
        result = {
            "job_id": commitment.job.job_id,
            "commitment_number": commitment.number,
            "number": change_order.number,
        }
        ERPWrite.objects.create(idempotency_key=key, kind="change_order", result=result)
    return result
