"""Budget modifications: money moved between two lines of a frozen budget, exported as a net-zero pair."""

from django.db import transaction

from apps.budgets import selectors
from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.budgets.services._common import _locked, _refuse_while_pending, _require, refusal, refuse_erp_budget
from apps.core.exceptions import DomainError, ValidationError


def _check_transfer(*, from_line, to_line, amount):
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "A modification moves a positive amount."})
    if -amount.as_tuple().exponent > 2:
        raise ValidationError({"amount": "An amount has at most 2 decimal places."})
    if from_line.pk == to_line.pk:
        raise ValidationError({"to_line": "A modification moves money between two different lines."})


def _left_on(line):
    """What the line holds now: its original amount, plus the modifications into it, minus those out of it."""
    now = selectors.line_list(budget=line.budget_id).get(pk=line.pk)
    return now.original_amount + now.modifications_in - now.modifications_out


def _line_name(line):
    description = f" ({line.description})" if line.description else ""
    return f"{line.cost_code.code} {line.cost_type.name}{description}"


def _record_transactions(modification, from_line, to_line):
    """The modification's two unsent transactions: the amount out of one line and into the other."""
    amount = modification.amount
    BudgetTransaction.objects.bulk_create(
        [
            BudgetTransaction(
                budget_id=modification.budget_id,
                kind=BudgetTransaction.Kind.MODIFICATION,
                modification=modification,
                line=line,
                cost_code=line.cost_code.code,
                cost_type=line.cost_type_id,
                amount=signed,
            )
            for line, signed in ((from_line, -amount), (to_line, amount))
        ]
    )


def budget_modification_create(*, budget, user, from_line, to_line, amount, notes=""):
    """Move a positive amount from one line to another of a locked or synced budget (net zero)."""
    _require(user, "budgets.add_budgetmodification", "create budget modifications")
    _check_transfer(from_line=from_line, to_line=to_line, amount=amount)
    with transaction.atomic():
        budget = _locked(budget)
        refuse_erp_budget(budget, "creating modifications")
        _refuse_while_pending(budget, "creating modifications")
        if budget.status not in Budget.FROZEN:
            raise DomainError(f"{budget} is unlocked: change the original amounts directly, or lock it first.")
        lines = {
            line.pk: line
            for line in BudgetLineItem.objects.filter(budget=budget, pk__in=[from_line.pk, to_line.pk]).select_related(
                "cost_code", "cost_type"
            )
        }
        if len(lines) != 2:
            raise ValidationError({"from_line": "Both lines must belong to this budget."})
        left = _left_on(lines[from_line.pk])
        if amount > left:  # no line goes below zero (SPEC §6)
            raise ValidationError(
                {
                    "amount": f"Line {_line_name(lines[from_line.pk])} has {left:,.2f} left: a modification can move "
                    f"at most that out of it, not {amount:,.2f}."
                }
            )
        modification = BudgetModification.objects.create(
            budget=budget,
            from_line_id=from_line.pk,
            to_line_id=to_line.pk,
            amount=amount,
            notes=notes,
            created_by=user,
        )
        _record_transactions(modification, lines[from_line.pk], lines[to_line.pk])
    return modification


def _refuse_modification_delete(budget, modification):
    _refuse_while_pending(budget, "deleting modifications")
    if modification.transactions.filter(exported_at__isnull=False).exists():
        raise DomainError("This modification was exported to the ERP; exported modifications cannot be deleted.")
    to_line = BudgetLineItem.objects.select_related("cost_code", "cost_type").get(pk=modification.to_line_id)
    after = _left_on(to_line) - modification.amount
    if after < 0:
        raise DomainError(
            f"Deleting it would leave line {_line_name(to_line)} at {after:,.2f}: delete or reduce the "
            "modifications that move money out of that line first."
        )


def budget_modification_delete_refusal(modification):
    """Why the modification cannot be deleted now, or None (the admin offers no Delete then)."""
    return refusal(_refuse_modification_delete, modification.budget, modification)


def budget_modification_delete(*, modification, user):
    """Delete a modification that has not reached the ERP."""
    _require(user, "budgets.delete_budgetmodification", "delete budget modifications")
    with transaction.atomic():
        budget = _locked(modification.budget)
        _refuse_modification_delete(budget, modification)
        modification.delete()
