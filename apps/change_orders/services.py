"""Every write on commitment change orders: creation on a synced commitment, edits, status moves, the ERP send."""

import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from apps.change_orders.models import ChangeOrder, ChangeOrderLine
from apps.commitments import services as commitment_services
from apps.commitments.models import Commitment
from apps.commitments.selectors import project_assignments
from apps.core.exceptions import PermissionDenied, ValidationError
from apps.core.numbers import typed_amount_problem
from apps.core.workflow import full_clean

Status = ChangeOrder.Status
ERPStatus = ChangeOrder.ERPStatus
EDITABLE_FIELDS = ("number", "title", "description", "lines")


def _require(user, perm, action):
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {action}.")


def _locked(change_order):
    return (
        ChangeOrder.objects.select_for_update(of=("self",))
        .select_related("commitment__project", "commitment__vendor", "created_by")
        .get(pk=change_order.pk)
    )


def _check_commitment(commitment):
    """A change order changes a synced commitment: not a void one, not one the ERP has not got yet."""
    if commitment.status == Commitment.Status.VOID:
        raise ValidationError({"commitment": f"{commitment} is void: a void commitment takes no change orders."})
    if commitment.erp_status != Commitment.ERPStatus.SYNCED:
        raise ValidationError(
            {
                "commitment": f"{commitment} is not synced with the ERP "
                f"({commitment.get_erp_status_display().lower()}): change orders are made on synced commitments "
                "only. Until then, edit the commitment itself."
            }
        )


def _clean_lines(*, commitment, lines, change_order=None):
    """The lines as they are stored: changes of this commitment's lines, or new lines for a purchase order."""
    if lines is None:
        return None
    lines = list(lines)
    commitment_services.check_line_count(lines, "A change order")
    assigned = project_assignments(commitment.project)
    own_lines = {line.pk: line for line in commitment.lines.select_related("cost_code", "cost_type")}
    existing = set(ChangeOrderLine.objects.filter(change_order=change_order).values_list("pk", flat=True))
    cleaned, problems, changes = [], [], []
    for index, line in enumerate(lines, start=1):
        label = f"Line {index}"
        target = line.get("commitment_line")
        if target is not None:
            target = own_lines.get(getattr(target, "pk", target))
            amount = line.get("amount")
            if target is None:
                problems.append(f"{label}: the commitment line it changes is not a line of {commitment}.")
            elif amount is None or amount == 0:
                problems.append(f"{label}: a change of a commitment line needs a non-zero amount.")
            elif problem := commitment_services.check_amount(amount, label):
                problems.append(problem)
            else:
                changes.append((label, target, amount))
                cleaned.append(
                    ChangeOrderLine(
                        pk=commitment_services.line_pk(line) if commitment_services.line_pk(line) in existing else None,
                        commitment_line=target,
                        cost_code=target.cost_code,
                        cost_type=target.cost_type,
                        description=line.get("description") or target.description,
                        amount=amount,
                    )
                )
            continue
        if commitment.type != Commitment.Type.PURCHASE_ORDER:
            problems.append(
                f"{label}: a subcontract change order changes the subcontract's own lines (choose the commitment line "
                "and the amount it changes by); only a purchase order change order adds new lines."
            )
            continue
        quantity, unit_cost = line.get("quantity"), line.get("unit_cost")
        if line.get("cost_code") is None or line.get("cost_type") is None:
            problems.append(f"{label}: a new line needs a cost code and a cost type.")
            continue
        if quantity is None or unit_cost is None:
            problems.append(f"{label}: a new purchase order line needs a quantity and a unit cost.")
            continue
        negative = [name for name, v in (("quantity", quantity), ("unit cost", unit_cost)) if v < 0]
        if negative:
            problems.append(f"{label}: the {' and '.join(negative)} cannot be negative.")
            continue
        amount = commitment_services.line_amount(quantity=quantity, unit_cost=unit_cost)
        typed = typed_amount_problem(typed=line.get("amount"), computed=amount, quantity=quantity, unit_cost=unit_cost)
        if typed:
            problems.append(f"{label}: {typed}")
            continue
        problem = commitment_services.assignment_problem(
            assigned, line["cost_code"], line["cost_type"], label
        ) or commitment_services.check_amount(amount, label)
        if problem:
            problems.append(problem)
            continue
        cleaned.append(
            ChangeOrderLine(
                pk=commitment_services.line_pk(line) if commitment_services.line_pk(line) in existing else None,
                **commitment_services.line_values(line, quantity=quantity, unit_cost=unit_cost, amount=amount),
            )
        )
    problems.extend(_line_total_problems(commitment, change_order, changes))
    if problems:
        raise ValidationError({"lines": problems})
    return cleaned


def _line_total_problems(commitment, change_order, changes):
    """No commitment line goes below zero (SPEC §6), nor past what an amount holds: counting its amount, the approved
    change orders' changes to it and all of this change order's (they are summed into one on export)."""
    if not changes:
        return []
    approved = ChangeOrderLine.objects.filter(
        commitment_line__commitment=commitment, change_order__status=Status.APPROVED
    )
    if change_order is not None:
        approved = approved.exclude(change_order=change_order)
    approved = dict(
        approved.order_by()
        .values("commitment_line")
        .annotate(total=Sum("amount"))
        .values_list("commitment_line", "total")
    )
    by_line = {}
    for label, target, amount in changes:
        by_line.setdefault(target.pk, []).append((label, target, amount))
    problems = []
    for rows in by_line.values():
        target = rows[0][1]
        after = target.amount + approved.get(target.pk, Decimal("0")) + sum(amount for _, _, amount in rows)
        name = f"({target.cost_code.code} {target.cost_type.name})"
        deductions = [row for row in rows if row[2] < 0]
        if after < 0 and deductions:  # only what lowers the line is refused
            label, _, amount = deductions[-1]
            left = after - amount
            problems.append(f"{label} {name}: a deduction of {-amount:,.2f} is more than the {left:,.2f} left on it.")
        elif after >= commitment_services.AMOUNT_CEILING:
            label = rows[-1][0]
            problems.append(
                f"{label} {name}: the line would come to {after:,.2f}; an amount has at most 12 digits before "
                "the decimal point."
            )
    return problems


def _write_lines(change_order, lines):
    """Make these the change order's lines: one that carries an existing line's id updates it, the rest are new."""
    change_order.lines.exclude(pk__in={line.pk for line in lines if line.pk}).delete()
    for line in lines:
        line.change_order = change_order
        line.save()


def next_number(commitment):
    """The next free default number on the commitment: 001, 002, …"""
    used = ChangeOrder.objects.filter(commitment=commitment).values_list("number", flat=True)
    last = max((int(n) for n in used if re.fullmatch(r"\d+", n)), default=0)
    return f"{last + 1:03d}"


def _check_number_free(change_order):
    clash = ChangeOrder.objects.filter(commitment=change_order.commitment, number=change_order.number)
    if clash.exclude(pk=change_order.pk).exists():
        raise ValidationError(
            {"number": f"{change_order.commitment} already has a change order numbered {change_order.number}."}
        )


def change_order_create(*, user, commitment, title, lines=(), number=None, description=""):
    """A change order on a synced commitment: the only way its amounts change once the ERP has it."""
    _require(user, "change_orders.add_changeorder", "create change orders")
    with transaction.atomic():
        # One creation at a time per commitment: default numbers are handed out in order.
        commitment = Commitment.objects.select_for_update(of=("self",)).select_related("project").get(pk=commitment.pk)
        _check_commitment(commitment)
        change_order = ChangeOrder(
            commitment=commitment,
            number=(number or "").strip() or next_number(commitment),
            title=title,
            description=description,
            created_by=user,
        )
        _check_number_free(change_order)
        full_clean(change_order)
        cleaned = _clean_lines(commitment=commitment, lines=lines)
        change_order.save()
        _write_lines(change_order, cleaned)
    return change_order


def change_order_update(*, change_order, user, **fields):
    """Edit a change order; everything it exports is read-only while sent and after sync."""
    _require(user, "change_orders.change_changeorder", "change change orders")
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    with transaction.atomic():
        change_order = _locked(change_order)
        locked = {
            field: f"The {field} cannot change while the change order is "
            f"{change_order.get_erp_status_display().lower()}."
            for field, value in fields.items()
            if field in change_order.locked_fields() and (field == "lines" or value != getattr(change_order, field))
        }
        if locked:
            raise ValidationError(locked)
        lines = fields.pop("lines", None)
        for field, value in fields.items():
            setattr(change_order, field, value)
        if "number" in fields:
            change_order.number = (change_order.number or "").strip()
            _check_number_free(change_order)
        full_clean(change_order)
        cleaned = _clean_lines(commitment=change_order.commitment, lines=lines, change_order=change_order)
        change_order.save()
        if cleaned is not None:
            _write_lines(change_order, cleaned)
    return change_order


def _refuse_below_zero_on_approve(change_order):
    """Approving counts it with the change orders approved since it was written: no line may go below zero."""
    commitment = Commitment.objects.select_for_update().get(pk=change_order.commitment_id)  # one approval at a time
    lines = change_order.lines.filter(commitment_line__isnull=False).select_related(
        "commitment_line__cost_code", "commitment_line__cost_type"
    )
    changes = [(f"Line {n}", line.commitment_line, line.amount) for n, line in enumerate(lines.order_by("id"), 1)]
    problems = _line_total_problems(commitment, change_order, changes)
    if problems:
        raise ValidationError({"lines": problems})


def change_order_move(*, change_order, user, transition):
    """Move the change order's own status (submit, approve, reject, void)."""
    with transaction.atomic():
        change_order = _locked(change_order)
        if transition is ChangeOrder.approve:
            _refuse_below_zero_on_approve(change_order)
        return commitment_services.own_status_move(change_order, user=user, transition=transition)
