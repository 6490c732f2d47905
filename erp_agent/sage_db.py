"""The SQLite stand-in for Sage 100 Contractor: its tables, and the master data put in by hand or by init-sage.

The tables follow Sage's records closely enough for the writer's rules: a job with its cost codes and
types, vendors, job cost budget entries, subcontracts and purchase orders with lines, their change
orders, and `writes`: every accepted write by idempotency key, so that a key is answered, never
written twice.
"""

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime

from erp_agent import sage_rules

SCHEMA = """
CREATE TABLE IF NOT EXISTS cost_types (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cost_codes (
    code TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', division TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS vendor_types (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '', zip TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'keyed', request_key TEXT
);
CREATE TABLE IF NOT EXISTS job_cost_types (
    job_id TEXT NOT NULL REFERENCES jobs, cost_code TEXT NOT NULL REFERENCES cost_codes,
    cost_type INTEGER NOT NULL REFERENCES cost_types, PRIMARY KEY (job_id, cost_code, cost_type)
);
CREATE TABLE IF NOT EXISTS vendors (
    vendor_id TEXT PRIMARY KEY, name TEXT NOT NULL, vendor_type INTEGER REFERENCES vendor_types,
    address TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '', tax_id TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'keyed', request_key TEXT
);
CREATE TABLE IF NOT EXISTS budget_entries (
    id INTEGER PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs, cost_code TEXT NOT NULL REFERENCES cost_codes,
    cost_type INTEGER NOT NULL REFERENCES cost_types, kind TEXT NOT NULL, amount TEXT NOT NULL,
    entry_key TEXT NOT NULL UNIQUE, request_key TEXT, posted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS commitments (
    id INTEGER PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs, kind TEXT NOT NULL, number TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', vendor_id TEXT REFERENCES vendors, retention TEXT NOT NULL DEFAULT '0',
    accounting_method TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'keyed', request_key TEXT,
    UNIQUE (job_id, kind, number)
);
CREATE TABLE IF NOT EXISTS change_orders (
    id INTEGER PRIMARY KEY, commitment_id INTEGER NOT NULL REFERENCES commitments, number TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'keyed', request_key TEXT,
    UNIQUE (commitment_id, number)
);
CREATE TABLE IF NOT EXISTS commitment_lines (
    id INTEGER PRIMARY KEY, commitment_id INTEGER NOT NULL REFERENCES commitments, line_number INTEGER NOT NULL,
    cost_code TEXT NOT NULL REFERENCES cost_codes, cost_type INTEGER NOT NULL REFERENCES cost_types,
    description TEXT NOT NULL DEFAULT '', quantity TEXT, unit TEXT NOT NULL DEFAULT '', unit_cost TEXT,
    amount TEXT NOT NULL, change_order_id INTEGER REFERENCES change_orders,
    UNIQUE (commitment_id, line_number)
);
CREATE TABLE IF NOT EXISTS change_order_lines (
    id INTEGER PRIMARY KEY, change_order_id INTEGER NOT NULL REFERENCES change_orders,
    commitment_line_id INTEGER NOT NULL REFERENCES commitment_lines, amount TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS writes (
    idempotency_key TEXT PRIMARY KEY, kind TEXT NOT NULL, result TEXT NOT NULL, written_at TEXT NOT NULL
);
"""


def now():
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path):
    """A connection that waits up to 30 s for another agent's write instead of failing 'database is locked'."""
    # isolation_level=None: transactions are opened explicitly (BEGIN IMMEDIATE), never implicitly.
    connection = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def create(path):
    """Create the stand-in's tables (a no-op on an existing file) with Sage's nine cost types."""
    connection = connect(path)
    # WAL: readers (a lookup, an agent's checks) go on while another agent writes.
    connection.execute("PRAGMA journal_mode = WAL")
    connection.executescript(SCHEMA)
    with transaction(connection):
        connection.executemany(
            "INSERT OR IGNORE INTO cost_types (code, name) VALUES (?, ?)", sage_rules.SAGE_COST_TYPES
        )
    return connection


@contextmanager
def transaction(connection):
    """All or nothing; IMMEDIATE takes the write lock first, so two agents' writes queue instead of racing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def put_cost_type(connection, code, name):
    connection.execute(
        "INSERT INTO cost_types (code, name) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        (int(code), name),
    )


def put_cost_code(connection, code, description="", division=""):
    canonical = sage_rules.cost_code_canonical(code) or str(code)
    connection.execute(
        "INSERT INTO cost_codes (code, description, division) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
        "description = excluded.description, division = excluded.division",
        (canonical, description or "", division or ""),
    )
    return canonical


def put_vendor_type(connection, code, name):
    connection.execute(
        "INSERT INTO vendor_types (code, name) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        (int(code), name),
    )


JOB_FIELDS = ("name", "address", "city", "state", "zip")
VENDOR_FIELDS = ("name", "address", "city", "state", "zip", "tax_id")


def add_job_cost_types(connection, job_id, pairs):
    """Put (cost code, cost type) pairs on a job; those it has stay (Sage never drops a job's cost code)."""
    for code, cost_type in pairs:
        canonical = sage_rules.cost_code_canonical(code) or str(code)
        connection.execute("INSERT OR IGNORE INTO cost_codes (code) VALUES (?)", (canonical,))
        connection.execute(
            "INSERT OR IGNORE INTO job_cost_types (job_id, cost_code, cost_type) VALUES (?, ?, ?)",
            (job_id, canonical, int(cost_type)),
        )


def put_job(connection, job_id, fields, cost_codes=(), *, source="keyed", request_key=None):
    """A job as Sage holds it; `cost_codes` is [{code, cost_types}] as the app and the payloads spell it."""
    values = [str(fields.get(field) or "") for field in JOB_FIELDS]
    connection.execute(
        f"INSERT INTO jobs (job_id, {', '.join(JOB_FIELDS)}, source, request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (job_id) DO UPDATE SET " + ", ".join(f"{field} = excluded.{field}" for field in JOB_FIELDS),
        (str(job_id), *values, source, request_key),
    )
    add_job_cost_types(connection, str(job_id), [(c["code"], t) for c in cost_codes for t in c.get("cost_types", [])])


def put_vendor(connection, vendor_id, fields, *, source="keyed", request_key=None):
    vendor_type = str(fields.get("vendor_type") or "")
    values = [str(fields.get(field) or "") for field in VENDOR_FIELDS]
    connection.execute(
        f"INSERT INTO vendors (vendor_id, vendor_type, {', '.join(VENDOR_FIELDS)}, source, request_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (vendor_id) DO UPDATE SET "
        "vendor_type = excluded.vendor_type, " + ", ".join(f"{field} = excluded.{field}" for field in VENDOR_FIELDS),
        (str(vendor_id), int(vendor_type) if vendor_type.isdigit() else None, *values, source, request_key),
    )


def put_commitment(connection, *, job_id, kind, number, description, vendor_id, lines, **extra):
    """A subcontract or purchase order with its lines [{line_number, cost_code, cost_type, amount, …}]; its id."""
    row = connection.execute(
        "INSERT INTO commitments (job_id, kind, number, description, vendor_id, retention, accounting_method, "
        "source, request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, kind, number) DO UPDATE SET "
        "description = excluded.description RETURNING id",
        (
            str(job_id),
            kind,
            str(number),
            description or "",
            vendor_id,
            str(extra.get("retention") or "0"),
            extra.get("accounting_method") or "",
            extra.get("source", "keyed"),
            extra.get("request_key"),
        ),
    ).fetchone()
    commitment_id = row["id"]
    for line in lines:
        add_line(connection, commitment_id, line)
    return commitment_id


def add_line(connection, commitment_id, line, change_order_id=None):
    """One line of a commitment; its id (a line number it has already is left as it is)."""
    canonical = sage_rules.cost_code_canonical(line["cost_code"]) or str(line["cost_code"])
    connection.execute("INSERT OR IGNORE INTO cost_codes (code) VALUES (?)", (canonical,))
    connection.execute(
        "INSERT OR IGNORE INTO commitment_lines (commitment_id, line_number, cost_code, cost_type, description, "
        "quantity, unit, unit_cost, amount, change_order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            commitment_id,
            int(line["line_number"]),
            canonical,
            int(line["cost_type"]),
            line.get("description") or "",
            None if line.get("quantity") is None else str(line["quantity"]),
            line.get("uom") or "",
            None if line.get("unit_cost") is None else str(line["unit_cost"]),
            str(line.get("amount") or "0"),
            change_order_id,
        ),
    )
    found = connection.execute(
        "SELECT id FROM commitment_lines WHERE commitment_id = ? AND line_number = ?",
        (commitment_id, int(line["line_number"])),
    ).fetchone()
    return found["id"]


def put_change_order(connection, commitment_id, number, description="", *, source="keyed", request_key=None):
    row = connection.execute(
        "INSERT INTO change_orders (commitment_id, number, description, source, request_key) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (commitment_id, number) DO UPDATE SET description = excluded.description RETURNING id",
        (commitment_id, str(number), description or "", source, request_key),
    ).fetchone()
    return row["id"]


def find_commitment(connection, job_id, kind, number):
    return connection.execute(
        "SELECT * FROM commitments WHERE job_id = ? AND kind = ? AND number = ?", (str(job_id), kind, str(number))
    ).fetchone()
