"""Subcontracts, purchase orders and their change orders in the embedded ERP, with Sage's behaviours."""

import uuid
from decimal import Decimal

from django.utils import timezone

from apps.core import erp_profile
from apps.ledger.models import (
    ERPBudgetEntry,
    ERPChangeOrder,
    ERPChangeOrderLine,
    ERPCommitment,
    ERPCommitmentLine,
    ERPJob,
    ERPVendor,
)
from apps.ledger.services._writes import LedgerRefused, idempotent_write, known_codes, missing_on_job


def _decimal(value):
    return None if value is None else Decimal(str(value))


def _number_taken(kind, number, job_id):
    return [f"{ERPCommitment.Kind(kind).label} {number} already exists on job {job_id}. Enter another number."]


def _commitment_problems(job, vendor, payload):
    kind, number = payload["type"], payload["number"]
    problems = list(erp_profile.commitment_field_problems(payload).values())
    if job is None:
        problems.append(f"Job {payload.get('job_id')} is not in the ERP: export the project first.")
    elif ERPCommitment.objects.filter(job=job, kind=kind, number=number).exists():
        problems.extend(_number_taken(kind, number, job.job_id))
    if vendor is None:
        problems.append(f"Vendor {payload.get('vendor_id')} is not in the ERP: link or export the vendor first.")
    if not payload["lines"]:
        problems.append("A commitment needs at least one line.")
    return problems


def commitment_write(*, key, payload):
    """Create a Sage subcontract or purchase order from an export; the same key returns the first write's result."""
    job = ERPJob.objects.filter(job_id=payload.get("job_id") or "").first()

    def write():
        vendor = ERPVendor.objects.filter(vendor_id=payload.get("vendor_id") or "").first()
        codes, unknown = known_codes(payload["lines"])
        problems = _commitment_problems(job, vendor, payload) + unknown
        if job is not None:
            problems += missing_on_job(job, {(r["cost_code"], r["cost_type"]) for r in payload["lines"]})
        if problems:
            raise LedgerRefused(problems)
        commitment = ERPCommitment.objects.create(
            job=job,
            kind=payload["type"],
            number=payload["number"],
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
        return {"job_id": job.job_id, "number": payload["number"]}

    return idempotent_write(
        key=key,
        kind="commitment",
        write=write,
        taken=lambda: _number_taken(payload["type"], payload["number"], job.job_id),
    )


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


def _changed_lines(commitment, change_order, rows, codes):
    """[(ERP commitment line, amount)]: a PO's change order appends its lines under the PO, as Sage keeps it."""
    lines = {line.line_number: line for line in commitment.lines.all()}
    next_number = max(lines, default=0) + 1
    changes = []
    for row in rows:
        amount = Decimal(row["amount"])
        if commitment.kind == ERPCommitment.Kind.PURCHASE_ORDER:
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
    return changes


def change_order_write(*, key, payload):
    """Enter a change order: a subcontract's raises the job budget; a purchase order's appends lines to the PO."""
    commitments = ERPCommitment.objects.select_related("job").filter(
        job__job_id=payload.get("job_id") or "",
        kind=payload["commitment_type"],
        number=payload.get("commitment_number") or "",
    )

    def write():
        commitment = commitments.first()
        if commitment is None:
            raise LedgerRefused(
                [f"Commitment {payload.get('commitment_number')} is not in the ERP on job {payload.get('job_id')}."]
            )
        codes, unknown = known_codes(payload["lines"])
        problems = _change_order_problems(commitment, payload) + unknown
        problems += missing_on_job(commitment.job, {(r["cost_code"], r["cost_type"]) for r in payload["lines"]})
        if problems:
            raise LedgerRefused(problems)
        change_order = ERPChangeOrder.objects.create(
            commitment=commitment, number=payload["number"], description=payload["description"]
        )
        changes = _changed_lines(commitment, change_order, payload["lines"], codes)
        ERPChangeOrderLine.objects.bulk_create(
            [ERPChangeOrderLine(change_order=change_order, commitment_line=line, amount=a) for line, a in changes]
        )
        if commitment.kind == ERPCommitment.Kind.SUBCONTRACT:
            _raise_budget(commitment.job, change_order, changes, key)
        return {"job_id": commitment.job.job_id, "commitment_number": commitment.number, "number": change_order.number}

    # The commitment's lock comes first: a write of the same key that held it has committed when we look.
    # It takes the ERP job's row too, so change orders raising one job's budget go one at a time.
    return idempotent_write(
        key=key, kind="change_order", write=write, lock=lambda: list(commitments.select_for_update())
    )
