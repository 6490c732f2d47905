"""Every write on the ERP queue: send, decide, claim, report, stage, import (one module per subject)."""

from apps.erp_queue.services.erp_state import (
    erp_cost_code_reported,
    erp_cost_type_reported,
    erp_vendor_type_reported,
)
from apps.erp_queue.services.records import (
    erp_cost_codes,
    erp_vendor_types,
    export_steps,
    record_resend,
    record_retrieve,
    record_send,
)
from apps.erp_queue.services.requests import (
    request_accept,
    request_claim,
    request_entries_posted,
    request_export,
    request_export_pending,
    request_failed,
    request_reject,
    request_retrieve,
    request_retry,
    request_succeeded,
)
from apps.erp_queue.services.staging import (
    LinkAllResult,
    staged_record_add_to_app,
    staged_record_archive,
    staged_record_link,
    staged_record_link_all,
    staged_record_unlinked,
    staged_record_upsert,
)

__all__ = [
    "LinkAllResult",
    "erp_cost_code_reported",
    "erp_cost_codes",
    "erp_cost_type_reported",
    "erp_vendor_type_reported",
    "erp_vendor_types",
    "export_steps",
    "record_resend",
    "record_retrieve",
    "record_send",
    "request_accept",
    "request_claim",
    "request_entries_posted",
    "request_export",
    "request_export_pending",
    "request_failed",
    "request_reject",
    "request_retrieve",
    "request_retry",
    "request_succeeded",
    "staged_record_add_to_app",
    "staged_record_archive",
    "staged_record_link",
    "staged_record_link_all",
    "staged_record_unlinked",
    "staged_record_upsert",
]
