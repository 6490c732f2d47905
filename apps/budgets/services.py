"""Every write on budgets: set-up, files, lock, send, ERP outcome, posting, and updates after export."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.budgets import budget_file
from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.core.bulk import insert_rows
from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.workflow import check_step, run_step
from apps.jobs.models import CostType, Origin, Project, ProjectCostCode

Status = Budget.Status
CENT = Decimal("0.01")
LINE_FIELDS = ["description", "quantity", "uom", "unit_cost", "calculation", "original_amount"]
INSERT_FIELDS = ["budget", "cost_code", "cost_type", *LINE_FIELDS, "partial", "created_at"]


def _locked(budget):
    return Budget.objects.select_for_update().select_related("project").get(pk=budget.pk)


def _require(user, perm, action):
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(f"You do not have permission to {action}.")


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


def budget_create(*, project, user):
    """A project's budget, created here (origin app). One per project."""
    _require(user, "budgets.add_budget", "create budgets")
    if Budget.objects.filter(project=project).exists():
        raise ValidationError({"project": f"Project {project} already has a budget."})
    return Budget.objects.create(project=project, created_by=user)


# Lines ---------------------------------------------------------------------------------------


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
    return dict(CostType.objects.values_list("code", "name"))


def _line_amount(*, calculation, quantity, unit_cost, original_amount):
    if calculation == BudgetLineItem.Calculation.AUTOMATIC:
        if quantity is None or unit_cost is None:
            raise ValidationError({"quantity": "Quantity and unit cost are required for an automatic calculation."})
        return (quantity * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)
    return original_amount if original_amount is not None else Decimal("0.00")


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
        if partial:
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
        line.original_amount = _line_amount(
            calculation=line.calculation,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            original_amount=fields.get("original_amount", line.original_amount),
        )
        line.save()
    return line


def budget_line_delete(*, line, user):
    """Delete a line. After lock only a $0 line no modification touches; once exported, the deletion is exported."""
    _require(user, "budgets.delete_budgetlineitem", "delete budget lines")
    with transaction.atomic():
        budget = _locked(line.budget)
        line = BudgetLineItem.objects.select_related("cost_code").get(pk=line.pk)
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


WRITE_BATCH = 5000


def budget_lines_write(*, budget, lines, dry_run=False, progress=None):
    """Write checked file lines: new (cost code, type) pairs are created, known ones updated, in bulk.

    Returns {"new", "updated", "unchanged"}. The caller has locked the budget and checked its state.
    """
    existing = {
        (cc, ct): (pk, values)
        for pk, cc, ct, *values in budget.lines.values_list("pk", "cost_code_id", "cost_type_id", *LINE_FIELDS)
    }
    to_create, to_update, unchanged = [], [], 0
    for line in lines:
        values = (line.description, line.quantity, line.uom, line.unit_cost, line.calculation, line.original_amount)
        known = existing.get((line.cost_code_id, line.cost_type_id))
        if known is None:
            to_create.append(line)
        elif tuple(known[1]) != values:
            to_update.append((known[0], values))
        else:
            unchanged += 1
    if not dry_run:
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        for start in range(0, len(to_create), WRITE_BATCH):
            insert_rows(
                BudgetLineItem,
                INSERT_FIELDS,
                [
                    (
                        budget.pk,
                        line.cost_code_id,
                        line.cost_type_id,
                        line.description,
                        line.quantity,
                        line.uom,
                        line.unit_cost,
                        line.calculation,
                        line.original_amount,
                        False,
                        created_at,
                    )
                    for line in to_create[start : start + WRITE_BATCH]
                ],
            )
            if progress:
                progress("Writing new lines", min(start + WRITE_BATCH, len(to_create)), len(to_create))
        BudgetLineItem.objects.bulk_update(
            [BudgetLineItem(pk=pk, **dict(zip(LINE_FIELDS, values, strict=True))) for pk, values in to_update],
            LINE_FIELDS,
            batch_size=500,
        )
    return {"new": len(to_create), "updated": len(to_update), "unchanged": unchanged}


def budget_check_file(*, budget, dataset, progress=None):
    """Check a budget file against the budget's project: every bad row named, nothing written."""
    return budget_file.check(
        dataset, project_cost_codes=_project_cost_codes(budget.project), cost_types=_cost_types(), progress=progress
    )


def budget_import_allowed(*, budget, user):
    """Refuse an import unless the budget takes one now (unlocked, created here) and the user may import."""
    _require(user, "budgets.add_budgetlineitem", "import budget files")
    refuse_erp_budget(budget, "importing a file")
    if budget.status != Status.UNLOCKED:
        raise DomainError(
            f"{budget} is {budget.get_status_display().lower()}: a budget file can only be imported while the "
            "budget is unlocked."
        )


def budget_import_rows(*, budget, user, dataset, dry_run=False, progress=None):
    """Check a whole budget file and, when every row is good (and not a dry run), write it in bulk.

    Returns (checked file, counts {"new", "updated", "unchanged"}, or None when a row is bad).
    """
    budget_import_allowed(budget=budget, user=user)
    with transaction.atomic():
        budget = _locked(budget)
        checked = budget_check_file(budget=budget, dataset=dataset, progress=progress)
        if checked.errors:
            return checked, None
        return checked, budget_lines_write(budget=budget, lines=checked.lines, dry_run=dry_run, progress=progress)


def budget_import(*, budget, dataset, user, dry_run=False, progress=None):
    """Import a budget file through its import-export resource (as the admin's confirm step does): all or nothing.

    Returns {"new", "updated", "unchanged", "errors": [RowError]}; refusals raise.
    """
    from apps.budgets.resources import BudgetLineResource

    budget_import_allowed(budget=budget, user=user)
    resource = BudgetLineResource(budget=budget, user=user, progress=progress)
    resource.import_data(
        dataset, dry_run=dry_run, raise_errors=True, use_transactions=True, rollback_on_validation_errors=True
    )
    return resource.outcome


def budget_export(*, budget, fmt):
    """The budget as a file in the columns the import reads (so it imports back unchanged)."""
    from apps.budgets.resources import BudgetLineResource

    lines = budget.lines.select_related("cost_code").order_by("cost_code__code", "cost_type_id")
    dataset = BudgetLineResource(budget=budget).export(lines)
    return dataset.export(fmt)


# Workflow ------------------------------------------------------------------------------------


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
        run_step(budget.mark_posted, user=user, description="Entries posted in the ERP")
        budget.save()
    return budget


# Updates after lock --------------------------------------------------------------------------


def budget_modification_create(*, budget, user, from_line, to_line, amount, notes=""):
    """Move a positive amount from one line to another of a locked or synced budget (net zero)."""
    _require(user, "budgets.add_budgetmodification", "create budget modifications")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "A modification moves a positive amount."})
    if -amount.as_tuple().exponent > 2:
        raise ValidationError({"amount": "An amount has at most 2 decimal places."})
    if from_line.pk == to_line.pk:
        raise ValidationError({"to_line": "A modification moves money between two different lines."})
    with transaction.atomic():
        budget = _locked(budget)
        refuse_erp_budget(budget, "creating modifications")
        _refuse_while_pending(budget, "creating modifications")
        if budget.status not in Budget.FROZEN:
            raise DomainError(f"{budget} is unlocked: change the original amounts directly, or lock it first.")
        lines = {
            line.pk: line
            for line in BudgetLineItem.objects.filter(budget=budget, pk__in=[from_line.pk, to_line.pk]).select_related(
                "cost_code"
            )
        }
        if len(lines) != 2:
            raise ValidationError({"from_line": "Both lines must belong to this budget."})
        modification = BudgetModification.objects.create(
            budget=budget,
            from_line_id=from_line.pk,
            to_line_id=to_line.pk,
            amount=amount,
            notes=notes,
            created_by=user,
        )
        BudgetTransaction.objects.bulk_create(
            [
                BudgetTransaction(
                    budget=budget,
                    kind=BudgetTransaction.Kind.MODIFICATION,
                    modification=modification,
                    line=line,
                    cost_code=line.cost_code.code,
                    cost_type=line.cost_type_id,
                    amount=signed,
                )
                for line, signed in ((lines[from_line.pk], -amount), (lines[to_line.pk], amount))
            ]
        )
    return modification


def budget_modification_delete(*, modification, user):
    """Delete a modification that has not reached the ERP."""
    _require(user, "budgets.delete_budgetmodification", "delete budget modifications")
    with transaction.atomic():
        budget = _locked(modification.budget)
        _refuse_while_pending(budget, "deleting modifications")
        if modification.transactions.filter(exported_at__isnull=False).exists():
            raise DomainError("This modification was exported to the ERP; exported modifications cannot be deleted.")
        modification.delete()


# Budgets from the ERP ------------------------------------------------------------------------


def budget_import_from_erp(*, job_id, lines, user):
    """Path A: a posted ERP estimate becomes (or refreshes) a read-only budget with origin ERP.

    `lines`: [{cost_code, cost_type, amount, description?}] with amount > 0 only.
    """
    project = Project.objects.filter(erp_id=job_id).first()
    if project is None or project.erp_status != Project.ERPStatus.SYNCED:
        raise DomainError(f"No project here is synced with ERP job {job_id}: add the job to the app first.")
    budget = Budget.objects.select_for_update().filter(project=project).first()
    if budget is None:
        budget = Budget.objects.create(project=project, origin=Origin.ERP, created_by=user)
    elif budget.ever_exported:
        raise DomainError(f"{budget} was exported from here; it can never be imported from the ERP.")
    elif not budget.is_erp_budget and budget.lines.exists():
        raise DomainError(
            f"{budget} already has lines created here; a budget is built in one system. Import the ERP estimate "
            "only into an empty budget."
        )
    elif not budget.is_erp_budget and budget.status != Status.UNLOCKED:
        raise DomainError(f"{budget} is {budget.get_status_display().lower()}; only an unlocked budget can import.")
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
