"""Budget lines one at a time (admin, API): add, change and delete, each checked against the project and the state."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q

from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.budgets.services._common import Status, _locked, _refuse_while_pending, _require, refusal, refuse_erp_budget
from apps.core.exceptions import DomainError, ValidationError
from apps.core.numbers import typed_amount_problem
from apps.jobs.models import CostType, ProjectCostCode

CENT = Decimal("0.01")


def _project_cost_codes(project):
    """{code: (cost_code_id, {assigned cost types})}: what a budget line of this project may use."""
    codes = {}
    rows = ProjectCostCode.cost_types.through.objects.filter(projectcostcode__project=project).values_list(
        "projectcostcode__cost_code__code", "projectcostcode__cost_code_id", "costtype_id"
    )
    for code, cost_code_id, cost_type in rows:
        codes.setdefault(code, (cost_code_id, set()))[1].add(cost_type)
    for code, cost_code_id in ProjectCostCode.objects.filter(project=project).values_list(
        "cost_code__code", "cost_code_id"
    ):
        codes.setdefault(code, (cost_code_id, set()))
    return codes


def cost_codes_without_types(project):
    """The project's cost codes that have no cost type yet (the ERP needs one), sorted."""
    return sorted(code for code, (_, types) in _project_cost_codes(project).items() if not types)


def _cost_types():
    """{cost type code: name}: what a budget file may name a cost type by."""
    return dict(CostType.objects.values_list("code", "name"))


def _digits_before_point(field):
    model_field = BudgetLineItem._meta.get_field(field)
    return model_field.max_digits - model_field.decimal_places


#: What the columns hold before the decimal point (12 for amounts): SQLite stores more, then every read fails.
LIMITS = {field: _digits_before_point(field) for field in ("quantity", "unit_cost", "original_amount")}
LABELS = {"quantity": "quantity", "unit_cost": "unit cost", "original_amount": "original amount"}


def _check_number(field, value, *, computed=""):
    """A line's number must be zero or more (no line goes below zero) and fit its column."""
    if value is None:
        return
    label = LABELS[field]
    if value < 0:
        raise ValidationError({field: f"The {label}{computed} cannot be negative: {value}."})
    digits = LIMITS[field]
    if value >= 10**digits:
        too_large = f"{value:,} has more than {digits} digits before the decimal point"
        raise ValidationError({field: f"The {label}{computed} is too large: {too_large}."})


PARTIAL_HAS_NO_MONEY = (
    "A partial line has no money of its own: leave quantity, unit cost and original amount empty, and fund it "
    "with a budget modification."
)


def _line_amount(*, calculation, quantity, unit_cost, original_amount):
    """The amount the line stores, every number checked before it is written.

    `original_amount` is the amount typed (None if none): an automatic line refuses one it does not compute.
    """
    _check_number("quantity", quantity)
    _check_number("unit_cost", unit_cost)
    if calculation == BudgetLineItem.Calculation.AUTOMATIC:
        if quantity is None or unit_cost is None:
            raise ValidationError({"quantity": "Quantity and unit cost are required for an automatic calculation."})
        # Both factors fit their columns (checked above), so the product rounds within Decimal's precision.
        amount = (quantity * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)
        _check_number("original_amount", amount, computed=" (quantity × unit cost)")
        problem = typed_amount_problem(typed=original_amount, computed=amount, quantity=quantity, unit_cost=unit_cost)
        if problem:
            raise ValidationError({"original_amount": problem})
        return amount
    amount = original_amount if original_amount is not None else Decimal("0.00")
    _check_number("original_amount", amount)
    return amount


def _check_new_line(budget, cost_code, cost_type):
    """A new line's cost code must be the project's, with that cost type, and not yet a line of the budget."""
    assigned = _project_cost_codes(budget.project).get(cost_code.code)
    if assigned is None:
        raise ValidationError({"cost_code": f"Cost code {cost_code.code} is not one of this project's cost codes."})
    if cost_type.code not in assigned[1]:
        raise ValidationError(
            {"cost_type": f"Cost type {cost_type} is not assigned to cost code {cost_code.code} on this project."}
        )
    if budget.lines.filter(cost_code=cost_code, cost_type=cost_type).exists():
        raise ValidationError(
            {"cost_type": f"The budget already has a line for cost code {cost_code.code}, cost type {cost_type}."}
        )


def budget_line_add(
    *,
    budget,
    user,
    cost_code,
    cost_type,
    description="",
    quantity=None,
    uom="",
    unit_cost=None,
    original_amount=None,
    calculation=BudgetLineItem.Calculation.MANUAL,
    partial=False,
):
    """Add a line: a full line while unlocked; a partial line (no money of its own) on a frozen budget."""
    _require(user, "budgets.add_budgetlineitem", "add budget lines")
    with transaction.atomic():
        budget = _locked(budget)
        refuse_erp_budget(budget, "adding lines")
        _refuse_while_pending(budget, "adding lines")
        if budget.status in Budget.FROZEN and not partial:
            raise DomainError(
                f"{budget} is {budget.get_status_display().lower()}: its original amounts are frozen. Add a "
                "partial line item and fund it with a budget modification."
            )
        _check_new_line(budget, cost_code, cost_type)
        if partial:
            if quantity is not None or unit_cost is not None or original_amount:
                raise ValidationError({"partial": PARTIAL_HAS_NO_MONEY})
            quantity, unit_cost, uom, amount = None, None, "", Decimal("0.00")
            calculation = BudgetLineItem.Calculation.MANUAL
        else:
            amount = _line_amount(
                calculation=calculation, quantity=quantity, unit_cost=unit_cost, original_amount=original_amount
            )
        return BudgetLineItem.objects.create(
            budget=budget,
            cost_code=cost_code,
            cost_type=cost_type,
            description=description,
            quantity=quantity,
            uom=uom,
            unit_cost=unit_cost,
            calculation=calculation,
            original_amount=amount,
            partial=partial,
        )


def budget_line_update(*, line, user, **fields):
    """Change a line's quantity, unit cost or amount: only while the budget is unlocked."""
    _require(user, "budgets.change_budgetlineitem", "change budget lines")
    with transaction.atomic():
        budget = _locked(line.budget)
        refuse_erp_budget(budget, "changing lines")
        if budget.status != Status.UNLOCKED:
            raise DomainError(
                f"{budget} is {budget.get_status_display().lower()}: unlock it to change original amounts."
            )
        line = BudgetLineItem.objects.get(pk=line.pk)
        for field, value in fields.items():
            setattr(line, field, value)
        automatic = line.calculation == BudgetLineItem.Calculation.AUTOMATIC
        if line.partial and (line.quantity is not None or line.unit_cost is not None or line.original_amount):
            raise ValidationError({"partial": PARTIAL_HAS_NO_MONEY})
        line.original_amount = _line_amount(
            calculation=line.calculation,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            original_amount=fields.get("original_amount", None if automatic else line.original_amount),
        )
        line.save()
    return line


def _refuse_line_delete(budget, line):
    refuse_erp_budget(budget, "deleting lines")
    _refuse_while_pending(budget, "deleting lines")
    if budget.status != Status.UNLOCKED:
        if line.original_amount:
            raise DomainError(
                f"Line {line} has an original amount of {line.original_amount}; only $0 lines can be deleted "
                "once the budget is locked."
            )
        if BudgetModification.objects.filter(Q(from_line=line) | Q(to_line=line)).exists():
            raise DomainError(f"A budget modification moves money on line {line}; it cannot be deleted.")


def budget_line_delete_refusal(line):
    """Why the line cannot be deleted now, or None: the admin offers no Delete on a line the service would refuse."""
    return refusal(_refuse_line_delete, line.budget, line)


def budget_line_delete(*, line, user):
    """Delete a line. After lock only a $0 line no modification touches; once exported, the deletion is exported."""
    _require(user, "budgets.delete_budgetlineitem", "delete budget lines")
    with transaction.atomic():
        budget = _locked(line.budget)
        line = BudgetLineItem.objects.select_related("cost_code").get(pk=line.pk)
        _refuse_line_delete(budget, line)
        if budget.transactions.filter(line=line, exported_at__isnull=False).exists():
            BudgetTransaction.objects.create(
                budget=budget,
                kind=BudgetTransaction.Kind.LINE_DELETED,
                cost_code=line.cost_code.code,
                cost_type=line.cost_type_id,
                amount=Decimal("0.00"),
            )
        budget.transactions.filter(line=line, exported_at__isnull=True).delete()
        line.delete()
