"""Every write on commitments: creation with a schedule of values, edits, status moves, the ERP send and its outcome."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F

from apps.commitments.models import OPEN_ERP_STATUSES, Commitment, CommitmentLine
from apps.commitments.selectors import project_assignments
from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.numbers import typed_amount_problem
from apps.core.workflow import full_clean, run_step
from apps.jobs.models import Project

Status = Commitment.Status
ERPStatus = Commitment.ERPStatus
CENT = Decimal("0.01")
#: DecimalField(14, 2): the largest amount the database holds is below this.
AMOUNT_CEILING = Decimal("1000000000000")
POSITION_OFFSET = 1_000_000
#: Lines a commitment or a change order may have: far above any real schedule of values, and refused before any
#: line is read (each costs queries: 20,000 lines took 32 s to refuse one by one).
MAX_RECORD_LINES = 2_000
LINE_VALUES = ("description", "quantity", "uom", "unit_cost", "amount")
EDITABLE_FIELDS = ("number", "title", "description", "vendor", "retainage_percent", "accounting_method", "lines")


def _require(user, perm, action):
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {action}.")


def _locked(commitment):
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("project", "vendor", "created_by")
        .get(pk=commitment.pk)
    )


# Schedule of values ---------------------------------------------------------------------------


def line_amount(*, quantity, unit_cost):
    """Quantity × unit cost, rounded to the cent as the ERP stores it."""
    return (quantity * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


def check_amount(amount, label):
    """None, or why `amount` cannot be stored (the database holds 12 digits before the point)."""
    if abs(amount) >= AMOUNT_CEILING:
        return f"{label}: {amount} is too large; an amount has at most 12 digits before the decimal point."
    return None


def assignment_problem(assigned, cost_code, cost_type, label):
    """None, or why the project does not take `cost_code` with `cost_type`."""
    if (cost_code.pk, cost_type.code) not in assigned:
        if not any(code_id == cost_code.pk for code_id, _ in assigned):
            return f"{label}: cost code {cost_code.code} is not one of the project's cost codes."
        return f"{label}: cost type {cost_type} is not assigned to cost code {cost_code.code} on the project."
    return None


def check_line_count(lines, record):
    """Refuses more than MAX_RECORD_LINES lines, naming the limit, before any line is read."""
    if len(lines) > MAX_RECORD_LINES:
        raise ValidationError({"lines": f"{record} takes at most {MAX_RECORD_LINES:,} lines; this has {len(lines):,}."})


def _clean_lines(*, project, accounting_method, lines, commitment=None):
    """The lines as they are stored (amounts computed for unit-based lines); every bad line named at once."""
    if lines is None:
        return None
    lines = list(lines)
    check_line_count(lines, "A commitment")
    assigned = project_assignments(project)
    existing = set(CommitmentLine.objects.filter(commitment=commitment).values_list("pk", flat=True))
    cleaned, problems = [], []
    for position, line in enumerate(lines, start=1):
        label = f"Line {position}"
        quantity, unit_cost, amount = line.get("quantity"), line.get("unit_cost"), line.get("amount")
        negative = [name for name, v in (("quantity", quantity), ("unit cost", unit_cost)) if v is not None and v < 0]
        if negative:
            problems.append(f"{label}: the {' and '.join(negative)} cannot be negative.")
            continue
        if accounting_method == Commitment.AccountingMethod.UNIT:
            if quantity is None or unit_cost is None:
                problems.append(f"{label}: a unit/quantity based line needs a quantity and a unit cost.")
                continue
            computed = line_amount(quantity=quantity, unit_cost=unit_cost)
            problem = typed_amount_problem(typed=amount, computed=computed, quantity=quantity, unit_cost=unit_cost)
            if problem:
                problems.append(f"{label}: {problem}")
                continue
            amount = computed
        elif amount is None:
            if quantity is None or unit_cost is None:
                problems.append(f"{label}: an amount based line needs its amount.")
                continue
            amount = line_amount(quantity=quantity, unit_cost=unit_cost)
        problem = (
            assignment_problem(assigned, line["cost_code"], line["cost_type"], label)
            or (f"{label}: the amount cannot be negative." if amount < 0 else None)
            or check_amount(amount, label)
        )
        if problem:
            problems.append(problem)
            continue
        cleaned.append(
            CommitmentLine(
                pk=line_pk(line) if line_pk(line) in existing else None,
                position=position,
                **line_values(line, quantity=quantity, unit_cost=unit_cost, amount=amount),
            )
        )
    if problems:
        raise ValidationError({"lines": problems})
    return cleaned


def line_values(line, *, quantity, unit_cost, amount):
    """A submitted line's stored values: its cost code and type, texts, and the checked numbers."""
    return {
        "cost_code": line["cost_code"],
        "cost_type": line["cost_type"],
        "description": line.get("description") or "",
        "quantity": quantity,
        "uom": line.get("uom") or "",
        "unit_cost": unit_cost,
        "amount": amount,
    }


def line_pk(line):
    """The existing line a submitted line stands for (the admin's inline forms carry it), if any."""
    existing = line.get("id")
    return getattr(existing, "pk", existing)


def _write_lines(commitment, lines):
    """Make these the commitment's lines: a line that carries an existing line's id updates it, the rest are new."""
    kept = {line.pk for line in lines if line.pk}
    commitment.lines.exclude(pk__in=kept).delete()
    # Out of the way of the positions about to be given (one position per line).
    commitment.lines.update(position=F("position") + POSITION_OFFSET)
    for line in lines:
        line.commitment = commitment
        line.save()


def next_number(project, type):
    """The next free default number for the project and type: SC-001, SC-002, … / PO-001, …"""
    prefix = Commitment.NUMBER_PREFIX[type]
    pattern = re.compile(rf"^{prefix}-(\d+)$")
    used = Commitment.objects.filter(project=project, type=type).values_list("number", flat=True)
    last = max((int(m.group(1)) for n in used if (m := pattern.match(n))), default=0)
    return f"{prefix}-{last + 1:03d}"


def _check_number_free(commitment):
    clash = Commitment.objects.filter(project=commitment.project, type=commitment.type, number=commitment.number)
    if clash.exclude(pk=commitment.pk).exists():
        raise ValidationError(
            {
                "number": f"Project {commitment.project.number} already has a "
                f"{commitment.get_type_display().lower()} numbered {commitment.number}."
            }
        )


def commitment_create(
    *,
    user,
    project,
    type,
    vendor,
    title,
    accounting_method,
    lines=(),
    number=None,
    description="",
    retainage_percent=Decimal("0"),
):
    """A subcontract or purchase order created here (the only place: the ERP never stages commitments)."""
    _require(user, "commitments.add_commitment", "create commitments")
    with transaction.atomic():
        # One creation at a time per project: default numbers are handed out in order.
        project = Project.objects.select_for_update().get(pk=project.pk)
        commitment = Commitment(
            project=project,
            type=type,
            number=(number or "").strip() or next_number(project, type),
            title=title,
            description=description,
            vendor=vendor,
            retainage_percent=retainage_percent,
            accounting_method=accounting_method,
            created_by=user,
        )
        _check_number_free(commitment)
        full_clean(commitment)
        cleaned = _clean_lines(project=project, accounting_method=accounting_method, lines=lines)
        commitment.save()
        _write_lines(commitment, cleaned)
    return commitment


def _changed(commitment, field, value):
    if field == "lines":
        return True
    if field == "vendor":
        return value.pk != commitment.vendor_id
    return value != getattr(commitment, field)


def commitment_update(*, commitment, user, **fields):
    """Edit a commitment; what the ERP holds is read-only while sent, and vendor, number and lines after sync."""
    _require(user, "commitments.change_commitment", "change commitments")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    with transaction.atomic():
        commitment = _locked(commitment)
        locked = {
            field: f"The {field.replace('_', ' ')} cannot change while the commitment is "
            f"{commitment.get_erp_status_display().lower()}"
            + (": change it through a change order." if commitment.erp_status == ERPStatus.SYNCED else ".")
            for field, value in fields.items()
            if field in commitment.locked_fields() and _changed(commitment, field, value)
        }
        if locked:
            raise ValidationError(locked)
        lines = fields.pop("lines", None)
        for field, value in fields.items():
            setattr(commitment, field, value)
        if "number" in fields:
            commitment.number = (commitment.number or "").strip()
            _check_number_free(commitment)
        full_clean(commitment)
        cleaned = _clean_lines(
            project=commitment.project,
            accounting_method=commitment.accounting_method,
            commitment=commitment,
            lines=lines,
        )
        if cleaned is None and "accounting_method" in fields:
            # The amounts of unit-based lines follow from quantity × unit cost: check them again.
            cleaned = _clean_lines(
                project=commitment.project,
                accounting_method=commitment.accounting_method,
                commitment=commitment,
                lines=[
                    {field: getattr(line, field) for field in ("id", "cost_code", "cost_type", *LINE_VALUES)}
                    for line in commitment.lines.select_related("cost_code", "cost_type")
                ],
            )
        commitment.save()
        if cleaned is not None:
            _write_lines(commitment, cleaned)
    return commitment


def own_status_move(record, *, user, transition):
    """Move a commitment's or change order's own status (locked by the caller): only while the ERP does not hold it."""
    if record.erp_status not in OPEN_ERP_STATUSES:
        raise DomainError(
            f"{record} is {record.get_erp_status_display().lower()}: its status cannot change while "
            "accounting reviews it or once it is synced with the ERP."
        )
    run_step(transition.__get__(record), user=user)
    record.save()
    return record


def commitment_move(*, commitment, user, transition):
    """Move the commitment's own status (out for bid, approve, void, …)."""
    with transaction.atomic():
        return own_status_move(_locked(commitment), user=user, transition=transition)
