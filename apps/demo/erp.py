"""The demo company's Sage: what accounting keyed into it. The embedded ledger is keyed with it (`ledger_demo`);
in agent mode the demo reports it as the agent next to Sage would."""

COST_CODES = [
    ("1000", "General Requirements", "01 General"),
    ("1100", "Supervision", "01 General"),
    ("2010", "Site Clearing", "02 Site Work"),
    ("2300", "Earthwork", "02 Site Work"),
    ("3100", "Concrete Forming", "03 Concrete"),
    ("3300", "Cast-in-Place Concrete", "03 Concrete"),
    ("5100", "Structural Steel", "05 Metals"),
    ("6100", "Rough Carpentry", "06 Wood"),
    ("9250", "Gypsum Board", "09 Finishes"),
    ("9900", "Painting", "09 Finishes"),
]

KEYED_JOB = {
    "job_id": "3001",
    "name": "Westfield Warehouse",
    "address": "12 Industrial Way",
    "city": "Modesto",
    "state": "CA",
    "zip": "95354",
}
KEYED_JOB_COST_CODES = {"1000": [2], "2300": [3, 4], "3300": [1, 2]}

# Vendors keyed in the ERP: two are companies the app has under near names (suggested for linking),
# one is new to the app (add it).
KEYED_VENDORS = [
    {
        "vendor_id": "2001",
        "name": "ACME CONCRETE, INC.",
        "vendor_type_id": 1,
        "address": "500 Quarry Rd",
        "city": "Modesto",
        "state": "CA",
        "zip": "95354",
        "tax_id": "77-1234567",
    },
    {
        "vendor_id": "2002",
        "name": "Bay Area Electric LLC",
        "vendor_type_id": 1,
        "address": "88 Spark Ave",
        "city": "Hayward",
        "state": "CA",
        "zip": "94545",
        "tax_id": "94-7654321",
    },
    {
        "vendor_id": "2003",
        "name": "Pacific Steel & Supply Co.",
        "vendor_type_id": 2,
        "address": "4 Foundry Ln",
        "city": "Stockton",
        "state": "CA",
        "zip": "95203",
        "tax_id": "",
    },
]
