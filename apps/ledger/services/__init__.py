"""What the embedded ERP does when it is written to, with the rules Sage 100 Contractor applies (by subject)."""

from apps.ledger.services._writes import LedgerRefused
from apps.ledger.services.budgets import budget_entries_post, budget_write, estimate_stage, job_budget
from apps.ledger.services.commitments import change_order_write, commitment_write
from apps.ledger.services.jobs import cost_codes, job_data, job_stage, job_update_write, job_write
from apps.ledger.services.vendors import (
    VENDOR_FIELDS,
    seed_vendor_types,
    vendor_data,
    vendor_stage,
    vendor_types,
    vendor_write,
)

__all__ = [
    "VENDOR_FIELDS",
    "LedgerRefused",
    "budget_entries_post",
    "budget_write",
    "change_order_write",
    "commitment_write",
    "cost_codes",
    "estimate_stage",
    "job_budget",
    "job_data",
    "job_stage",
    "job_update_write",
    "job_write",
    "seed_vendor_types",
    "vendor_data",
    "vendor_stage",
    "vendor_types",
    "vendor_write",
]
