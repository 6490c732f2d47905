"""django-import-export for budget files: the admin's upload → preview → confirm.

The resource keeps import-export's screens, formats and Result, but replaces its per-row machinery
(a query and a diff per row) with `services.budget_import`, the one writer of a file's rows that
the API and `manage.py import_budget` call too: one check of the whole file and bulk writes, so a
100,000-line budget imports in seconds instead of minutes. Export is `services.budget_export`.
"""

from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import Result, RowResult

from apps.budgets import budget_file, services
from apps.budgets.models import BudgetLineItem
from apps.core.exceptions import ValidationError

#: Rows shown in the admin's preview: the counts say the rest.
PREVIEW_ROWS = 50


class BudgetCSV(CSV):
    """CSV read as bytes so that a Windows-1252 file works too, and a ragged row is named, not padded."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return budget_file.read_csv(in_stream)


class BudgetXLSX(XLSX):
    def create_dataset(self, in_stream):
        return budget_file.read_xlsx(in_stream)


class BudgetLineResource(resources.ModelResource):
    cost_code = fields.Field(attribute="cost_code__code", column_name=budget_file.COST_CODE)
    cost_type = fields.Field(attribute="cost_type_id", column_name=budget_file.COST_TYPE)
    description = fields.Field(attribute="description", column_name=budget_file.DESCRIPTION)
    quantity = fields.Field(attribute="quantity", column_name=budget_file.QUANTITY)
    uom = fields.Field(attribute="uom", column_name=budget_file.UOM)
    unit_cost = fields.Field(attribute="unit_cost", column_name=budget_file.UNIT_COST)
    original_amount = fields.Field(attribute="original_amount", column_name=budget_file.ORIGINAL)
    manual = fields.Field(column_name=budget_file.MANUAL)

    class Meta:
        model = BudgetLineItem
        fields = ["cost_code", "cost_type", "description", "quantity", "uom", "unit_cost", "original_amount", "manual"]
        import_id_fields = ["cost_code", "cost_type"]

    def __init__(self, budget=None, user=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.budget = budget
        self.user = user
        self.progress = progress
        self.outcome = None

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        result = self.get_result_class()()
        result.diff_headers = list(budget_file.COLUMNS)
        result.total_rows = len(dataset)
        try:
            self.outcome = services.budget_import(
                budget=self.budget, user=self.user, dataset=dataset, dry_run=dry_run, progress=self.progress
            )
        except Exception as exc:  # a refusal (state, permission): shown as the import's error
            if raise_errors:
                raise
            result.append_base_error(self.get_error_result_class()(exc))
            return result
        if self.outcome["errors"]:
            _report_invalid(result, dataset, self.outcome["errors"])
            result.bad_rows = self.outcome["bad_rows"]
            result.more_rows_message = (
                budget_file.more_rows_message(self.outcome["more_rows"]) if self.outcome["more_rows"] else ""
            )
            return result
        result.totals[RowResult.IMPORT_TYPE_NEW] = self.outcome["new"]
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = self.outcome["updated"]
        result.totals[RowResult.IMPORT_TYPE_SKIP] = self.outcome["unchanged"]
        result.missing_columns = self.outcome["missing"]
        # Each cell under its own column, whatever the file's order; a column the file lacks is left blank.
        # The amount is what the line will hold: typed, or Unit Qty × Unit Cost, as accountants read it.
        positions = budget_file.column_positions(list(dataset.headers or [])[:-2])
        amounts, original = self.outcome["amounts"], budget_file.COLUMNS.index(budget_file.ORIGINAL)
        for cells in dataset[:PREVIEW_ROWS]:
            row = RowResult()
            row.import_type = RowResult.IMPORT_TYPE_NEW
            row.diff = [cells[positions[column]] if column in positions else "" for column in budget_file.COLUMNS]
            if cells[-2] in amounts:
                row.diff[original] = f"{amounts[cells[-2]]:,.2f}"
            result.append_row_result(row)
        return result


def _report_invalid(result: Result, dataset, errors):
    """The first MAX_ERRORS errors, grouped per row, in import-export's invalid-row shape (the admin lists them)."""
    by_row = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    headers = dataset.headers[:-2] if dataset.headers else []
    rows = {cells[-2]: cells[:-2] for cells in dataset if cells[-2] in by_row} if headers else {}
    for row_number, row_errors in by_row.items():
        values = rows.get(row_number, [])
        messages = {}
        for e in row_errors:
            messages.setdefault(e.field or "Row", []).append(
                f"{e.message} (value: {e.value!r})" if e.value else e.message
            )
        result.append_invalid_row(row_number, dict(zip(headers, values, strict=False)), ValidationError(messages))
