"""Path A: a budget that lives in the ERP, imported (and re-imported) here read-only."""

from decimal import Decimal

from apps.budgets.models import Budget, BudgetLineItem
from apps.budgets.services._common import Status
from apps.budgets.services.lines import _project_cost_codes
from apps.core.exceptions import DomainError
from apps.core.workflow import run_step
from apps.jobs.models import Origin, Project


def _exported_here(budget):
    return f"{budget} was exported from here; it can never be imported from the ERP."


def erp_import_never_possible(*, job_id):
    """Why an ERP estimate of job `job_id` can never be imported (its budget was exported from here), or None."""
    budget = Budget.objects.filter(project__erp_id=job_id, ever_exported=True).select_related("project").first()
    return _exported_here(budget) if budget is not None else None


def _budget_taking_import(project, user):
    """The project's budget (created if none), refused if it was built or exported here."""
    budget = Budget.objects.select_for_update().filter(project=project).first()
    if budget is None:
        budget = Budget.objects.create(project=project, origin=Origin.ERP, created_by=user)
    elif budget.ever_exported:
        raise DomainError(_exported_here(budget))
    elif not budget.is_erp_budget and budget.lines.exists():
        raise DomainError(
            f"{budget} already has lines created here; a budget is built in one system. Import the ERP estimate "
            "only into an empty budget."
        )
    elif not budget.is_erp_budget and budget.status != Status.UNLOCKED:
        raise DomainError(f"{budget} is {budget.get_status_display().lower()}; only an unlocked budget can import.")
    return budget


def budget_import_from_erp(*, job_id, lines, user):
    """Path A: a posted ERP estimate becomes (or refreshes) a read-only budget with origin ERP.

    `lines`: [{cost_code, cost_type, amount, description?}] with amount > 0 only.
    """
    project = Project.objects.filter(erp_id=job_id).first()
    if project is None or project.erp_status != Project.ERPStatus.SYNCED:
        raise DomainError(f"No project here is synced with ERP job {job_id}: add the job to the app first.")
    budget = _budget_taking_import(project, user)
    budget.origin = Origin.ERP
    budget.save(update_fields=["origin"])
    codes = _project_cost_codes(project)
    missing = sorted({str(line["cost_code"]) for line in lines if str(line["cost_code"]) not in codes})
    if missing:
        raise DomainError(
            f"The ERP estimate uses cost code {', '.join(missing)}, which project {project} does not have; sync the "
            "job's cost codes first."
        )
    wanted = {(codes[str(line["cost_code"])][0], int(line["cost_type"])): line for line in lines}
    budget.lines.exclude(
        pk__in=[
            pk for pk, cc, ct in budget.lines.values_list("pk", "cost_code_id", "cost_type_id") if (cc, ct) in wanted
        ]
    ).delete()
    for (cost_code_id, cost_type), line in wanted.items():
        BudgetLineItem.objects.update_or_create(
            budget=budget,
            cost_code_id=cost_code_id,
            cost_type_id=cost_type,
            defaults={"original_amount": Decimal(str(line["amount"])), "description": line.get("description", "")},
        )
    if budget.status == Status.UNLOCKED:
        run_step(budget.mark_imported, user=None, erp_id=job_id, description=f"Imported from ERP job {job_id}")
        budget.save()
    return budget
