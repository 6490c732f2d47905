"""Budget files: check, import (the one writer of a file's rows) and export, in the columns `budget_file` reads."""

from django.db import connection, transaction
from django.utils import timezone

from apps.budgets import budget_file
from apps.budgets.models import BudgetLineItem
from apps.budgets.services._common import Status, _locked, _require, refuse_erp_budget
from apps.budgets.services.lines import _cost_types, _project_cost_codes
from apps.core.bulk import insert_rows
from apps.core.exceptions import DomainError

LINE_FIELDS = ["description", "quantity", "uom", "unit_cost", "calculation", "original_amount"]
INSERT_FIELDS = ["budget", "cost_code", "cost_type", *LINE_FIELDS, "partial", "created_at"]
WRITE_BATCH = 5000


def insert_row(budget_id, line, created_at):
    """A checked file line as a row of INSERT_FIELDS (a new, full line)."""
    return (
        budget_id,
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


def _sort_lines(budget, lines, missing):
    """(lines to create, (pk, values) to update, how many are unchanged) against the budget's lines.

    A known line keeps the fields of the file's `missing` columns (a file without Description blanks nothing).
    """
    existing = {
        (cc, ct): (pk, values)
        for pk, cc, ct, *values in budget.lines.values_list("pk", "cost_code_id", "cost_type_id", *LINE_FIELDS)
    }
    kept = [LINE_FIELDS.index(budget_file.KEPT_WHEN_MISSING[column]) for column in missing]
    to_create, to_update, unchanged = [], [], 0
    for line in lines:
        values = [line.description, line.quantity, line.uom, line.unit_cost, line.calculation, line.original_amount]
        known = existing.get((line.cost_code_id, line.cost_type_id))
        if known is None:
            to_create.append(line)
            continue
        for index in kept:
            values[index] = known[1][index]
        if list(known[1]) != values:
            to_update.append((known[0], values))
        else:
            unchanged += 1
    return to_create, to_update, unchanged


def budget_lines_write(*, budget, lines, missing=(), dry_run=False, progress=None):
    """Write checked file lines: new (cost code, type) pairs are created, known ones updated, in bulk.

    `missing`: the file's absent optional columns, whose fields known lines keep.
    Returns {"new", "updated", "unchanged"}. The caller has locked the budget and checked its state.
    """
    to_create, to_update, unchanged = _sort_lines(budget, lines, missing)
    if not dry_run:
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        for start in range(0, len(to_create), WRITE_BATCH):
            batch = to_create[start : start + WRITE_BATCH]
            insert_rows(BudgetLineItem, INSERT_FIELDS, [insert_row(budget.pk, line, created_at) for line in batch])
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


def budget_import(*, budget, dataset, user, dry_run=False, progress=None):
    """The one writer of a budget file's rows (admin confirm step, API, import_budget): every row checked, all or none.

    Returns {"new", "updated", "unchanged", "errors": [the first RowErrors], "bad_rows", "more_rows", "missing",
    "amounts"} (more_rows: bad rows none of whose errors is listed; missing: the optional columns the file lacks,
    whose fields known lines keep; amounts: {row: the amount it stores}, computed ones included, when it imports);
    refusals (state, permission) raise.
    """
    budget_import_allowed(budget=budget, user=user)
    with transaction.atomic():
        budget = _locked(budget)
        checked = budget_check_file(budget=budget, dataset=dataset, progress=progress)
        if checked.errors:
            return {
                "new": 0,
                "updated": 0,
                "unchanged": 0,
                "errors": checked.errors,
                "bad_rows": checked.bad_rows,
                "more_rows": checked.more_rows,
                "missing": checked.missing,
            }
        counts = budget_lines_write(
            budget=budget, lines=checked.lines, missing=checked.missing, dry_run=dry_run, progress=progress
        )
    amounts = {line.row: line.original_amount for line in checked.lines}  # what each row comes to (the preview)
    return {**counts, "errors": [], "bad_rows": 0, "more_rows": 0, "missing": checked.missing, "amounts": amounts}


def budget_export(*, budget, fmt):
    """The budget as a file in the columns the import reads (so it imports back unchanged)."""
    lines = budget.lines.select_related("cost_code").order_by("cost_code__code", "cost_type_id")
    return budget_file.write(lines.iterator(chunk_size=2000), fmt)
