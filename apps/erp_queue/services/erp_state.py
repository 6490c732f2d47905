"""What the ERP holds: the master data the agent reports, and the reads behind the checks before a send or an accept.

What the agent reports is handed to the connector too: where the ERP is the embedded ledger, it is written
there, so that the app and its ERP never disagree. The reads answer None (or nothing missing) where the
connector cannot know: the app then checks what the agent reported, and the agent's refusal has the last word.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from apps.erp_queue.connectors import get_connector

_reads = ContextVar("erp_reads", default=None)


@contextmanager
def erp_reads_remembered():
    """Within the block each ERP read is asked once: a bulk accept checks 500 requests on a few jobs and vendors.

    Only for blocks that write nothing into the ERP: what it answered at the start still holds at the end.
    """
    token = _reads.set({})
    try:
        yield
    finally:
        _reads.reset(token)


def _remembered(read):
    @wraps(read)
    def remembered(*args, **kwargs):
        answers = _reads.get()
        if answers is None:
            return read(*args, **kwargs)
        key = (read.__name__, args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = read(*args, **kwargs)
        return answers[key]

    return remembered


def erp_cost_code_reported(*, code, description, division=""):
    get_connector().take_cost_code(code=code, description=description, division=division)


def erp_cost_type_reported(*, code, name):
    get_connector().take_cost_type(code=code, name=name)


def erp_vendor_type_reported(*, code, name):
    get_connector().take_vendor_type(code=code, name=name)


def erp_missing_cost_codes(codes):
    """Those of `codes` that are not in the ERP's cost code list."""
    return _missing_cost_codes(tuple(sorted(set(codes)))) if codes else []


@_remembered
def _missing_cost_codes(codes):
    return get_connector().missing_cost_codes(list(codes))


@_remembered
def erp_holds_job(job_id):
    return get_connector().holds_job(job_id)


@_remembered
def erp_holds_vendor(vendor_id):
    return get_connector().holds_vendor(vendor_id)


@_remembered
def erp_holds_commitment(*, job_id, kind, number):
    return get_connector().holds_commitment(job_id=job_id, kind=kind, number=number)


@_remembered
def erp_holds_change_order(*, job_id, kind, commitment_number, number):
    return get_connector().holds_change_order(
        job_id=job_id, kind=kind, commitment_number=commitment_number, number=number
    )


# The checks' refusals, in the words the sender and the approver read.


def erp_cost_code_problem(codes):
    """Why `codes` cannot go to the ERP (some are not in its cost code list), or None."""
    missing = erp_missing_cost_codes(codes)
    if not missing:
        return None
    return (
        f"Cost code {', '.join(missing)} is not in the ERP's cost code list. Add it in the ERP (the connector "
        "then reports it here), or use another code."
    )


def erp_job_problem(job_id):
    """Why nothing can be written into ERP job `job_id` (the ERP no longer has it), or None."""
    if job_id and erp_holds_job(job_id) is False:
        return f"ERP job {job_id} is not in the ERP. Ask accounting to check the job in the ERP before sending this."
    return None


def erp_vendor_problem(vendor_id):
    """Why nothing can be written for ERP vendor `vendor_id` (the ERP no longer has it), or None."""
    if vendor_id and erp_holds_vendor(vendor_id) is False:
        return f"ERP vendor {vendor_id} is not in the ERP. Ask accounting to check the vendor in the ERP first."
    return None
