"""Every write on budgets, by subject: lines, files, workflow, modifications, and budgets from the ERP.

Callers use `from apps.budgets import services; services.budget_lock(...)`: the names below are the API.
"""

from apps.budgets.services._common import refuse_erp_budget
from apps.budgets.services.erp_import import budget_import_from_erp, erp_import_never_possible
from apps.budgets.services.files import (
    budget_check_file,
    budget_export,
    budget_import,
    budget_import_allowed,
    budget_lines_write,
)
from apps.budgets.services.lines import (
    budget_line_add,
    budget_line_delete,
    budget_line_delete_refusal,
    budget_line_update,
    cost_codes_without_types,
)
from apps.budgets.services.modifications import (
    budget_modification_create,
    budget_modification_delete,
    budget_modification_delete_refusal,
)
from apps.budgets.services.workflow import budget_create, budget_lock, budget_mark_posted, budget_unlock

__all__ = [
    "budget_check_file",
    "budget_create",
    "budget_export",
    "budget_import",
    "budget_import_allowed",
    "budget_import_from_erp",
    "budget_line_add",
    "budget_line_delete",
    "budget_line_delete_refusal",
    "budget_line_update",
    "budget_lines_write",
    "budget_lock",
    "budget_mark_posted",
    "budget_modification_create",
    "budget_modification_delete",
    "budget_modification_delete_refusal",
    "budget_unlock",
    "cost_codes_without_types",
    "erp_import_never_possible",
    "refuse_erp_budget",
]
