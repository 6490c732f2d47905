"""What the ERP holds: the master data the agent reports, and the reads behind the checks before a send or an accept.

What the agent reports is handed to the connector too: where the ERP is the embedded ledger, it is written
there, so that the app and its ERP never disagree. The reads answer None (or nothing missing) where the
connector cannot know: the app then checks what the agent reported, and the agent's refusal has the last word.
"""

from apps.erp_queue.connectors import get_connector


def erp_cost_code_reported(*, code, description, division=""):
    get_connector().take_cost_code(code=code, description=description, division=division)


def erp_cost_type_reported(*, code, name):
    get_connector().take_cost_type(code=code, name=name)


def erp_vendor_type_reported(*, code, name):
    get_connector().take_vendor_type(code=code, name=name)


def erp_missing_cost_codes(codes):
    """Those of `codes` that are not in the ERP's cost code list."""
    return get_connector().missing_cost_codes(sorted(set(codes))) if codes else []


def erp_holds_job(job_id):
    return get_connector().holds_job(job_id)


def erp_holds_vendor(vendor_id):
    return get_connector().holds_vendor(vendor_id)


def erp_missing_job_cost_codes(job_id, pairs):
    """Those of the (cost code, cost type) pairs ERP job `job_id` does not have, or None when not known here."""
    return get_connector().missing_job_cost_codes(job_id, sorted(set(pairs)))


def erp_holds_commitment(*, job_id, kind, number):
    return get_connector().holds_commitment(job_id=job_id, kind=kind, number=number)


def erp_holds_change_order(*, job_id, kind, commitment_number, number):
    return get_connector().holds_change_order(
        job_id=job_id, kind=kind, commitment_number=commitment_number, number=number
    )
