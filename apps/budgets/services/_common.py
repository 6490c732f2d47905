"""What every budget write checks first: the row lock, the user's permission, and the states that refuse a change."""

from apps.budgets.models import Budget
from apps.core.exceptions import DomainError, PermissionDenied

Status = Budget.Status


def _locked(budget):
    return Budget.objects.select_for_update().select_related("project").get(pk=budget.pk)


def _require(user, perm, action):
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {action}.")


def refusal(check, *args):
    """The message `check(*args)` would refuse with (a DomainError's), or None: a rule asked before offering a step."""
    try:
        check(*args)
    except DomainError as exc:
        return exc.message
    return None


def refuse_erp_budget(budget, action):
    """A budget created in the ERP is read-only here: refuse `action` (409), saying where its changes come from."""
    if budget.is_erp_budget:
        raise DomainError(
            f"{budget} was created in the ERP and is read-only here: {action} is not possible. "
            "Its changes come from the ERP by importing it again."
        )


def _refuse_while_pending(budget, action):
    if budget.status == Status.AWAITING_POSTING:
        raise DomainError(
            f"{budget} was exported and waits for accounting to post its entries in the ERP (Job Cost → "
            f"Post Entries); {action} is possible once they are posted."
        )
    if budget.status in Budget.PENDING:
        raise DomainError(
            f"{budget} is in the ERP queue ({budget.get_status_display().lower()}); {action} is possible "
            "once accounting decides, or after you retrieve it."
        )
