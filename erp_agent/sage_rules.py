"""Sage 100 Contractor's field rules (SPEC §9), worded as the app words them, for writers that check before writing.

The app checks the same rules when a record is sent; a writer checks them again because the ERP's
refusal is the last word (and the app may run an older rule set than this Sage).
"""

import re

# re.ASCII: a digit class would otherwise take other scripts' digits ('٢٤٠٢'), which Sage refuses.
JOB_ID = re.compile(r"\d{1,10}", re.ASCII)
COST_CODE = re.compile(r"[1-9]\d{0,5}(\.\d{1,3})?", re.ASCII)
STATE = re.compile(r"[A-Za-z]{2}", re.ASCII)

COST_TYPES = range(1, 10)
#: Sage's nine cost types: 1–5 are fixed, 6–9 the company names for itself.
SAGE_COST_TYPES = [
    (1, "Material"),
    (2, "Labor"),
    (3, "Equipment"),
    (4, "Subcontract"),
    (5, "Other"),
    (6, "User defined 6"),
    (7, "User defined 7"),
    (8, "User defined 8"),
    (9, "User defined 9"),
]

JOB_ID_RULE = "digits only, no separators, at most 10 digits (for example 1024)"
VENDOR_ID_RULE = "digits only, no separators, at most 10 digits (for example 1200)"
JOB_FIELD_LIMITS = {"name": 75, "address": 50, "city": 50, "zip": 10}
# The integration refuses a vendor name over 30 although Sage's column holds 75.
VENDOR_FIELD_LIMITS = {"name": 30, "address": 50, "city": 50, "zip": 10, "tax_id": 20}
COMMITMENT_NUMBER_LIMIT = 12
COMMITMENT_TITLE_LIMIT = 30
CHANGE_ORDER_NUMBER_LIMIT = 20
CHANGE_ORDER_DESCRIPTION_LIMIT = 50
COMMITMENT_KINDS = {"subcontract": "Subcontract", "purchase_order": "Purchase order"}


def _text(value):
    return "" if value is None else str(value)


def job_id_problem(value):
    value = _text(value)
    if not value.strip():
        return "The ERP job id is required."
    if not JOB_ID.fullmatch(value):
        return f"'{value}' is not a valid ERP job id: {JOB_ID_RULE}."
    return None


def vendor_id_problem(value):
    value = _text(value)
    if not value.strip():
        return "The ERP vendor id is required."
    if not JOB_ID.fullmatch(value):
        return f"'{value}' is not a valid ERP vendor id: {VENDOR_ID_RULE}."
    return None


def cost_code_canonical(value):
    """The one spelling Sage keeps a cost code in (a number, Numeric(9,3): 2010 is 2010.000), or None."""
    value = _text(value)
    if not COST_CODE.fullmatch(value):
        return None
    whole, _, decimals = value.partition(".")
    return f"{whole}.{decimals.ljust(3, '0')}"


def _state_problem(fields):
    state = _text(fields.get("state"))
    if state and not STATE.fullmatch(state):
        return f"The ERP takes the state as its 2-letter abbreviation (for example CA), not '{state}'."
    return None


def job_field_problems(fields):
    """Messages for the job fields that break Sage's limits."""
    problems = []
    if not _text(fields.get("name")).strip():
        problems.append("The ERP needs a job name.")
    for field, limit in JOB_FIELD_LIMITS.items():
        value = _text(fields.get(field))
        if len(value) > limit:
            problems.append(f"The ERP allows at most {limit} characters for the job {field}; this has {len(value)}.")
    if problem := _state_problem(fields):
        problems.append(problem)
    return problems


def vendor_field_problems(fields):
    """Messages for the company fields that break Sage's limits on a vendor."""
    problems = []
    if not _text(fields.get("name")).strip():
        problems.append("The ERP needs a vendor name.")
    for field, limit in VENDOR_FIELD_LIMITS.items():
        value = _text(fields.get(field))
        if len(value) > limit:
            problems.append(
                f"The ERP takes at most {limit} characters for the company {field} of a vendor sent to it; "
                f"this has {len(value)}."
            )
    if problem := _state_problem(fields):
        problems.append(problem)
    return problems


def commitment_field_problems(fields):
    """Messages for a commitment ({type, number, title, accounting_method}) that breaks Sage's rules."""
    problems = []
    if fields.get("type") not in COMMITMENT_KINDS:
        problems.append(f"'{fields.get('type')}' is not a kind of commitment the ERP keeps.")
    number = _text(fields.get("number"))
    if not number.strip():
        problems.append("The ERP needs a commitment number.")
    elif len(number) > COMMITMENT_NUMBER_LIMIT:
        problems.append(
            f"The ERP takes at most {COMMITMENT_NUMBER_LIMIT} characters for a commitment number; "
            f"'{number}' has {len(number)}."
        )
    title = _text(fields.get("title"))
    if not title.strip():
        problems.append("The ERP needs a commitment title.")
    elif len(title) > COMMITMENT_TITLE_LIMIT:
        problems.append(
            f"The ERP takes at most {COMMITMENT_TITLE_LIMIT} characters for a commitment title; this has {len(title)}."
        )
    if fields.get("type") == "purchase_order" and fields.get("accounting_method") != "unit":
        problems.append(
            "Sage 100 Contractor has no amount-based purchase orders: a purchase order must be unit/quantity based."
        )
    return problems


def change_order_field_problems(fields):
    """Messages for a change order ({number, description}) that breaks Sage's limits."""
    problems = []
    number = _text(fields.get("number"))
    if not number.strip():
        problems.append("The ERP needs a change order number.")
    elif len(number) > CHANGE_ORDER_NUMBER_LIMIT:
        problems.append(
            f"The ERP takes at most {CHANGE_ORDER_NUMBER_LIMIT} characters for a change order number; "
            f"'{number}' has {len(number)}."
        )
    description = _text(fields.get("description"))
    if len(description) > CHANGE_ORDER_DESCRIPTION_LIMIT:
        problems.append(
            f"The ERP takes at most {CHANGE_ORDER_DESCRIPTION_LIMIT} characters for a change order description; "
            f"this has {len(description)}."
        )
    return problems


def cost_types_problems(cost_types):
    """Messages for cost types that are not one of Sage's nine."""
    bad = sorted({str(t) for t in cost_types if not (str(t).isdigit() and int(t) in COST_TYPES)})
    return [f"Cost type {t} is not one of the ERP's cost types (1 to 9)." for t in bad]


def commitment_label(kind, number, job_id):
    """How Sage names a commitment in its messages: 'Subcontract SC-001 on job 4100'."""
    return f"{COMMITMENT_KINDS.get(kind, kind)} {number} on job {job_id}"
