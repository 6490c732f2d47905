"""Every write on commitments: creation with a schedule of values, edits, status moves, the ERP send and its outcome."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from apps.commitments.models import OPEN_ERP_STATUSES, Commitment, CommitmentLine
from apps.commitments.selectors import project_assignments
from apps.core import erp_profile
from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.workflow import full_clean, run_step
from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest, Kind
from apps.jobs.models import Project
from apps.vendors.models import Company

Status = Commitment.Status
ERPStatus = Commitment.ERPStatus
CENT = Decimal("0.01")
#: DecimalField(14, 2): the largest amount the database holds is below this.
AMOUNT_CEILING = Decimal("1000000000000")
POSITION_OFFSET = 1_000_000
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


def _clean_lines(*, project, accounting_method, lines, commitment=None):
    """The lines as they are stored (amounts computed for unit-based lines); every bad line named at once."""
    if lines is None:
        return None
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
            amount = line_amount(quantity=quantity, unit_cost=unit_cost)
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
                cost_code=line["cost_code"],
                cost_type=line["cost_type"],
                description=line.get("description") or "",
                quantity=quantity,
                uom=line.get("uom") or "",
                unit_cost=unit_cost,
                amount=amount,
            )
        )
    if problems:
        raise ValidationError({"lines": problems})
    return cleaned


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


def commitment_move(*, commitment, user, step):
    """Move the commitment's own status (out for bid, approve, void, …): only while the ERP does not hold it."""
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.erp_status not in OPEN_ERP_STATUSES:
            raise DomainError(
                f"{commitment} is {commitment.get_erp_status_display().lower()}: its status cannot change while "
                "accounting reviews it or once it is synced with the ERP."
            )
        run_step(commitment, step, user=user)
        commitment.save()
    return commitment


# ERP -----------------------------------------------------------------------------------------


def vendor_linked(vendor):
    return vendor.erp_status == Company.ERPStatus.SYNCED and bool(vendor.erp_id)


def commitment_payload(commitment):
    """What the approver reviews and the ERP receives, frozen at send time."""
    return {
        "commitment": commitment.pk,
        "type": commitment.type,
        "job_id": commitment.project.erp_id,
        "project": commitment.project.number,
        "number": commitment.number,
        "title": commitment.title,
        "description": commitment.description,
        "vendor_id": commitment.vendor.erp_id,
        "vendor": commitment.vendor.name,
        "retainage_percent": str(commitment.retainage_percent),
        "accounting_method": commitment.accounting_method,
        "lines": [
            {
                "line_number": line.position,
                "cost_code": line.cost_code.code,
                "cost_type": line.cost_type_id,
                "description": line.description,
                "quantity": None if line.quantity is None else str(line.quantity),
                "uom": line.uom,
                "unit_cost": None if line.unit_cost is None else str(line.unit_cost),
                "amount": str(line.amount),
            }
            for line in commitment.lines.select_related("cost_code").order_by("position")
        ],
    }


def _check_sendable(commitment, payload):
    """Every unmet precondition of a send, each under the field it is about."""
    problems = {}
    project = commitment.project
    if project.erp_status != Project.ERPStatus.SYNCED:
        problems["project"] = (
            f"Project {project} is not synced with the ERP ({project.get_erp_status_display().lower()}); "
            "send the project first."
        )
    if commitment.status != Status.APPROVED:
        problems["status"] = (
            f"Only an approved commitment goes to the ERP; {commitment} is {commitment.get_status_display().lower()}."
        )
    if not vendor_linked(commitment.vendor):
        problems["vendor"] = (
            f"{commitment.vendor} is not linked to an ERP vendor; link it (or send it to the ERP) first."
        )
    if not payload["lines"]:
        problems["lines"] = "A commitment needs at least one schedule of values line to go to the ERP."
    else:
        assigned = project_assignments(project)
        unassigned = [
            assignment_problem(assigned, line.cost_code, line.cost_type, f"Line {line.position}")
            for line in commitment.lines.select_related("cost_code", "cost_type")
        ]
        if any(unassigned):
            problems["lines"] = [p for p in unassigned if p]
    problems.update(erp_profile.commitment_field_problems(payload))
    if problems:
        raise ValidationError(problems)


def _send(commitment, *, user, step):
    return erp_services.record_send(
        record=commitment,
        user=user,
        step=step,
        kind=Kind.COMMITMENT,
        payload_for=commitment_payload,
        check=_check_sendable,
    )


def commitment_send(*, commitment, user):
    """Send an approved commitment to the accounting queue; vendor, title, status and retainage lock."""
    return _send(commitment, user=user, step="send-to-erp")


def commitment_resend(*, commitment, user):
    """Send a rejected (and corrected) commitment again."""
    return _send(commitment, user=user, step="resend")


def commitment_retrieve(*, commitment, user):
    """Take a sent commitment back before accounting decided; it becomes editable again."""
    return erp_services.record_retrieve(record=commitment, user=user, kind=Kind.COMMITMENT)


def reported_number(request, limit):
    """The number the ERP filed the record under (reported by the connector; else the one sent)."""
    number = str(request.erp_ids.get("number") or request.payload["number"])
    if len(number) > limit:
        raise ValidationError({"erp_ids": [f"number: '{number}' is longer than {limit} characters."]})
    return number


def tell_creator(record, *, reason):
    """Accounting rejected the record: its creator, who fixes and resends it, is told why (after commit)."""
    creator = record.created_by
    if creator is None or not creator.email:
        return
    subject = f"Accounting rejected {record}"
    body = f"{record} was sent back by accounting and can be edited and resent.\n\nReason: {reason}\n"
    transaction.on_commit(lambda: send_mail(subject, body, None, [creator.email], fail_silently=True))


def follow_request(record, request):
    """Move a commitment's (or change order's) ERP status with its request; a rejection is mailed to its creator."""
    erp_services.record_follow_request(
        record=record,
        request=request,
        synced_fields=lambda: {"erp_id": reported_number(request, record._meta.get_field("erp_id").max_length)},
    )
    if request.status == ERPRequest.Status.REJECTED:
        tell_creator(record, reason=request.reason)
    return record


def commitment_follow_request(*, commitment_id, request):
    """The commitment's ERP request moved: the commitment follows it."""
    return follow_request(Commitment.objects.select_for_update().get(pk=commitment_id), request)
