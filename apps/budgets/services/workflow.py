"""A budget's own workflow steps: creation, lock and unlock, and the posting of its exported entries.

Sending, retrieving and following the ERP request run through the queue's shared steps (see apps/budgets/erp.py).
"""

from django.db import transaction

from apps.budgets.models import Budget
from apps.budgets.services._common import _locked, _require, refuse_erp_budget
from apps.core.exceptions import DomainError, ValidationError
from apps.core.workflow import check_step, run_step


def budget_create(*, project, user):
    """A project's budget, created here (origin app). One per project."""
    _require(user, "budgets.add_budget", "create budgets")
    if Budget.objects.filter(project=project).exists():
        raise ValidationError({"project": f"Project {project} already has a budget."})
    return Budget.objects.create(project=project, created_by=user)


def budget_lock(*, budget, user):
    """Freeze the original amounts; required before sending."""
    with transaction.atomic():
        budget = _locked(budget)
        refuse_erp_budget(budget, "locking")
        run_step(budget.lock, user=user)
        budget.save()
    return budget


def budget_unlock(*, budget, user):
    """Reopen the original amounts: only a budget never exported and without modifications."""
    with transaction.atomic():
        budget = _locked(budget)
        method = check_step(budget.unlock, user=user)
        if budget.ever_exported:
            raise DomainError(f"{budget} has been exported to the ERP; it cannot be unlocked again.")
        if budget.modifications.exists():
            raise DomainError(f"{budget} has budget modifications; a budget with modifications cannot be unlocked.")
        method(by=user)
        budget.save()
    return budget


def budget_mark_posted(*, budget, user):
    """The ERP posted the exported entries (Sage's Job Cost → Post Entries): the budget is synced."""
    with transaction.atomic():
        budget = _locked(budget)
        run_step(budget.mark_posted, user=user)
        budget.save()
    return budget
