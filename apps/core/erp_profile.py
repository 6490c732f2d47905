"""The Sage 100 Contractor rules (SPEC §9): checked by the app when an item is sent, and by the ledger.

The reference integration silently truncates some of these on export; this app refuses instead,
naming the field and the limit.
"""

import re

from django.apps import apps as global_apps

# The ledger's model validators (RegexValidator, recorded in its migrations) use these patterns as they are.
JOB_ID_RE = re.compile(r"^\d{1,10}$")
COST_CODE_RE = re.compile(r"^[1-9]\d{0,5}(\.\d{1,3})?$")
STATE_RE = re.compile(r"^[A-Za-z]{2}$")


def _ascii(regex):
    """The pattern for checking: without re.ASCII a digit class also takes other scripts' digits ('٢٤٠٢', fullwidth
    '２４０２'), which the ERP refuses. Used with fullmatch: `$` also matches before a trailing newline."""
    return re.compile(regex.pattern, re.ASCII)


JOB_ID_CHECK = _ascii(JOB_ID_RE)
COST_CODE_CHECK = _ascii(COST_CODE_RE)
STATE_CHECK = _ascii(STATE_RE)


def _foreign_digits(value):
    """' The ERP reads only the digits 0-9.' when `value` has digits of another script, else ''."""
    return " The ERP reads only the digits 0-9." if any(c.isdigit() and not c.isascii() for c in value) else ""


COST_TYPE_CODES = range(1, 10)
# Sage's nine cost types: 1–5 are fixed, 6–9 the company names for itself.
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

# Sage ships no fixed list of vendor types: each company sets up its own. The embedded ledger starts
# with a typical one (accounting renames or adds types in the ledger's admin), and so does the demo's Sage.
SAGE_VENDOR_TYPES = [
    (1, "Subcontractor"),
    (2, "Material supplier"),
    (3, "Equipment rental"),
    (4, "Professional services"),
    (5, "Other"),
]


def seed_cost_types(model):
    """A post_migrate handler that keeps `model` holding the nine cost types (names are never reset).

    post_migrate rather than a data migration: it also refills them after a flush.
    """

    def handler(sender, apps=None, using="default", **kwargs):
        # `manage.py flush` sends post_migrate without the migration state: use the installed models.
        cost_type = (apps or global_apps).get_model(model)
        for code, name in SAGE_COST_TYPES:
            cost_type.objects.using(using).get_or_create(code=code, defaults={"name": name})

    return handler


JOB_FIELD_LIMITS = {"name": 75, "address": 50, "city": 50, "zip": 10}
COST_CODE_DESCRIPTION_LIMIT = 50

JOB_ID_RULE = "digits only, no separators, at most 10 digits (for example 1024)"
COST_CODE_RULE = (
    "1 to 6 digits not starting with 0, optionally '.' and 1 to 3 digits (for example 2010.000; "
    "2010 and 2010.0 are the same code)"
)


def job_id_problem(value):
    value = "" if value is None else str(value)
    if not value.strip():
        return "The ERP job id is required."
    if not JOB_ID_CHECK.fullmatch(value):
        return f"'{value}' is not a valid ERP job id: {JOB_ID_RULE}.{_foreign_digits(value)}"
    return None


def cost_code_canonical(value):
    """A cost code in the one spelling the app and the ERP keep, or None when it is not a Sage cost code.

    Sage keeps a cost code as a number, Numeric(9,3): 2010, 2010.0 and 2010.000 are one code,
    kept here as 2010.000 (six digits, a point and three decimals at most).
    """
    value = "" if value is None else str(value)
    if not COST_CODE_CHECK.fullmatch(value):
        return None
    whole, _, decimals = value.partition(".")
    return f"{whole}.{decimals.ljust(3, '0')}"


def cost_code_problem(code):
    if cost_code_canonical(code) is None:
        return f"'{code}' is not a valid Sage cost code: {COST_CODE_RULE}.{_foreign_digits(str(code))}"
    return None


def job_field_problems(fields):
    """{field: message} for the job fields that break the ERP's limits."""
    problems = {}
    if not (fields.get("name") or "").strip():
        problems["name"] = "The ERP needs a job name."
    for field, limit in JOB_FIELD_LIMITS.items():
        value = fields.get(field) or ""
        if len(value) > limit:
            problems[field] = f"The ERP allows at most {limit} characters for the job {field}; this has {len(value)}."
    state = fields.get("state") or ""
    if state and not STATE_CHECK.fullmatch(state):
        problems["state"] = f"The ERP takes the state as its 2-letter abbreviation (for example CA), not '{state}'."
    return problems


def cost_codes_without_types(cost_codes):
    """The codes, from [{code, cost_types}], that have no cost type: the ERP needs at least one each."""
    return [str(c["code"]) for c in cost_codes if not c.get("cost_types")]


# Vendors (Sage 4-4). The reference refuses to send a company whose name is over 30 characters,
# although Sage's vendor name holds 75; the address widths are taken to be the job address's.
VENDOR_ID_RE = JOB_ID_RE
VENDOR_ID_CHECK = JOB_ID_CHECK
VENDOR_NAME_LIMIT = 75
VENDOR_SEND_FIELD_LIMITS = {"name": 30, "address": 50, "city": 50, "zip": 10}
VENDOR_TAX_ID_LIMIT = 20
VENDOR_ID_RULE = "digits only, no separators, at most 10 digits (for example 1200)"


def vendor_id_problem(value):
    value = "" if value is None else str(value)
    if not value.strip():
        return "The ERP vendor id is required."
    if not VENDOR_ID_CHECK.fullmatch(value):
        return f"'{value}' is not a valid ERP vendor id: {VENDOR_ID_RULE}.{_foreign_digits(value)}"
    return None


def vendor_field_problems(fields):
    """{field: message} for the company fields that break the ERP's limits on a vendor sent to it."""
    problems = {}
    if not (fields.get("name") or "").strip():
        problems["name"] = "The ERP needs a vendor name."
    for field, limit in VENDOR_SEND_FIELD_LIMITS.items():
        value = fields.get(field) or ""
        if len(value) > limit:
            problems[field] = (
                f"The ERP takes at most {limit} characters for the company {field} of a vendor sent to it; "
                f"this has {len(value)}."
            )
    state = fields.get("state") or ""
    if state and not STATE_CHECK.fullmatch(state):
        problems["state"] = f"The ERP takes the state as its 2-letter abbreviation (for example CA), not '{state}'."
    return problems


# Commitments (Sage 6-7-1 subcontracts, 6-6-1 purchase orders) and their change orders (6-4-1). The
# integration caps number and title below Sage's own widths (20 and 50); the app refuses instead of truncating.
COMMITMENT_NUMBER_LIMIT = 12
COMMITMENT_TITLE_LIMIT = 30
CHANGE_ORDER_NUMBER_LIMIT = 20
CHANGE_ORDER_DESCRIPTION_LIMIT = 50


def commitment_field_problems(fields):
    """{field: message} for a commitment ({type, number, title, accounting_method}) that breaks the ERP's rules."""
    problems = {}
    number = fields.get("number") or ""
    if len(number) > COMMITMENT_NUMBER_LIMIT:
        problems["number"] = (
            f"The ERP takes at most {COMMITMENT_NUMBER_LIMIT} characters for a commitment number; "
            f"'{number}' has {len(number)}."
        )
    title = fields.get("title") or ""
    if not title.strip():
        problems["title"] = "The ERP needs a commitment title."
    elif len(title) > COMMITMENT_TITLE_LIMIT:
        problems["title"] = (
            f"The ERP takes at most {COMMITMENT_TITLE_LIMIT} characters for a commitment title; this has {len(title)}."
        )
    if fields.get("type") == "purchase_order" and fields.get("accounting_method") != "unit":
        problems["accounting_method"] = (
            "Sage 100 Contractor has no amount-based purchase orders: a purchase order must be unit/quantity based."
        )
    return problems


def change_order_field_problems(fields):
    """{field: message} for a commitment change order ({number, description}) that breaks the ERP's limits."""
    problems = {}
    number = fields.get("number") or ""
    if len(number) > CHANGE_ORDER_NUMBER_LIMIT:
        problems["number"] = (
            f"The ERP takes at most {CHANGE_ORDER_NUMBER_LIMIT} characters for a change order number; "
            f"'{number}' has {len(number)}."
        )
    description = fields.get("description") or ""
    if len(description) > CHANGE_ORDER_DESCRIPTION_LIMIT:
        problems["description"] = (
            f"The ERP takes at most {CHANGE_ORDER_DESCRIPTION_LIMIT} characters for a change order description; "
            f"this has {len(description)}."
        )
    return problems
