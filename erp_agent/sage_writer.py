"""The shipped writer: the SQLite stand-in for Sage, which applies Sage's rules and takes each key once.

Per kind, what it writes and the ERP ids it answers (the embedded ledger's, so the app sees one ERP):

- job: a new job `inputs.erp_job_id` with the payload's name, address, city, state, zip and its cost
  codes with their cost types → {job_id}. With `"update": true`, the payload's cost codes and types are
  added to existing job `payload.job_id` → {job_id}.
- vendor: a vendor `inputs.erp_vendor_id` of vendor type `inputs.vendor_type` → {vendor_id}.
- budget: one unposted job cost budget entry per transaction of the payload (each transaction `key` is
  taken once) on job `payload.job_id` → {job_id, entries}.
- commitment: a subcontract or purchase order numbered `inputs.number` or else `payload.number` on job
  `payload.job_id`, to vendor `payload.vendor_id`, with its lines → {job_id, number}.
- change_order: a change order of commitment `payload.commitment_number` → {job_id, commitment_number,
  number}; a subcontract's raises the job's budget on the changed lines, a purchase order's appends lines.
"""

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from erp_agent import sage_contracts, sage_db, sage_rules
from erp_agent.sage_checks import Refused, job_row, known_codes
from erp_agent.writers import Result, Writer


def write_job(connection, request, key):
    payload, inputs = request["payload"], request.get("inputs") or {}
    if payload.get("update"):
        return _job_update(connection, payload)
    job_id = str(inputs.get("erp_job_id") or "")
    problems = []
    if problem := sage_rules.job_id_problem(job_id):
        problems.append(problem)
    elif job_row(connection, job_id) is not None:
        problems.append(f"Job {job_id} already exists in the ERP. Enter another job code.")
    problems += sage_rules.job_field_problems(payload)
    cost_codes = payload.get("cost_codes") or []
    problems += known_codes(connection, [row["code"] for row in cost_codes])[1]
    if missing := [str(row["code"]) for row in cost_codes if not row.get("cost_types")]:
        problems.append(f"Cost code {', '.join(missing)} has no cost type.")
    problems += sage_rules.cost_types_problems(t for row in cost_codes for t in row.get("cost_types") or [])
    if problems:
        raise Refused(problems)
    sage_db.put_job(connection, job_id, payload, cost_codes, source="exported", request_key=key)
    return {"job_id": job_id}


def _job_update(connection, payload):
    """Ready to Update: the cost codes and types the app added to a synced project join its Sage job."""
    job_id = str(payload.get("job_id") or "")
    cost_codes = payload.get("cost_codes") or []
    problems = [] if job_row(connection, job_id) else [f"Job {job_id} is not in the ERP."]
    problems += known_codes(connection, [row["code"] for row in cost_codes])[1]
    problems += sage_rules.cost_types_problems(t for row in cost_codes for t in row.get("cost_types") or [])
    if problems:
        raise Refused(problems)
    sage_db.add_job_cost_types(connection, job_id, [(r["code"], t) for r in cost_codes for t in r["cost_types"]])
    return {"job_id": job_id}


def write_vendor(connection, request, key):
    payload, inputs = request["payload"], request.get("inputs") or {}
    vendor_id, vendor_type = str(inputs.get("erp_vendor_id") or ""), str(inputs.get("vendor_type") or "")
    problems = []
    if problem := sage_rules.vendor_id_problem(vendor_id):
        problems.append(problem)
    elif connection.execute("SELECT 1 FROM vendors WHERE vendor_id = ?", (vendor_id,)).fetchone():
        problems.append(f"Vendor {vendor_id} already exists in the ERP. Enter another vendor id.")
    known_type = (
        vendor_type.isdigit()
        and connection.execute("SELECT 1 FROM vendor_types WHERE code = ?", (int(vendor_type),)).fetchone()
    )
    if not known_type:
        problems.append(f"Vendor type '{vendor_type}' is not one of the ERP's vendor types.")
    problems += sage_rules.vendor_field_problems(payload)
    if problems:
        raise Refused(problems)
    fields = {**payload, "vendor_type": vendor_type}
    sage_db.put_vendor(connection, vendor_id, fields, source="exported", request_key=key)
    return {"vendor_id": vendor_id}


def _amount_problems(rows):
    problems = []
    for row in rows:
        try:
            Decimal(str(row.get("amount")))
        except InvalidOperation:
            problems.append(f"Amount '{row.get('amount')}' of cost code {row.get('cost_code')} is not a number.")
    return problems


def write_budget(connection, request, key):
    """Budget entries wait unposted in Sage (Job Cost → Post Entries); a transaction key is never taken twice."""
    payload = request["payload"]
    job_id = str(payload.get("job_id") or "")
    if job_row(connection, job_id) is None:
        raise Refused([f"Job {payload.get('job_id')} is not in the ERP: export the project first."])
    rows = payload.get("transactions") or []
    codes, unknown = known_codes(connection, [row["cost_code"] for row in rows])
    problems = unknown + sage_rules.cost_types_problems(row["cost_type"] for row in rows) + _amount_problems(rows)
    if problems:
        raise Refused(problems)
    before = connection.total_changes
    connection.executemany(
        "INSERT OR IGNORE INTO budget_entries (job_id, cost_code, cost_type, kind, amount, entry_key, request_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                job_id,
                codes[str(r["cost_code"])],
                r["cost_type"],
                r["type"],
                str(Decimal(str(r["amount"]))),
                r["key"],
                key,
            )
            for r in rows
        ],
    )
    entries = connection.total_changes - before
    sage_db.add_job_cost_types(connection, job_id, {(r["cost_code"], r["cost_type"]) for r in rows})
    return {"job_id": job_id, "entries": entries}


class SqliteSageWriter(Writer):
    """Writes claimed requests into the SQLite stand-in for Sage, each idempotency key once."""

    kinds = {
        "job": write_job,
        "vendor": write_vendor,
        "budget": write_budget,
        "commitment": sage_contracts.write_commitment,
        "change_order": sage_contracts.write_change_order,
    }

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(
                f"No Sage stand-in at {self.path}: create it with `python -m erp_agent init-sage --db {self.path}`."
            )
        self.connection = sage_db.create(self.path)

    def write(self, request):
        key, kind = str(request["idempotency_key"]), request.get("kind")
        write = self.kinds.get(kind)
        if write is None:
            return Result.refused([f"The ERP writer cannot take {kind} records."])
        try:
            # One transaction: the record and its key commit together, or neither does.
            with sage_db.transaction(self.connection):
                held = self._held(key)
                if held is not None:
                    return held
                result = Result.written(write(self.connection, request, key))
                self.connection.execute(
                    "INSERT INTO writes (idempotency_key, kind, result, written_at) VALUES (?, ?, ?, ?)",
                    (key, kind, json.dumps(result.as_dict()), sage_db.now()),
                )
        except Refused as refused:
            return Result.refused(refused.messages)
        return result

    def lookup(self, idempotency_key):
        return self._held(str(idempotency_key))

    def _held(self, key):
        row = self.connection.execute("SELECT result FROM writes WHERE idempotency_key = ?", (key,)).fetchone()
        return None if row is None else Result.from_dict(json.loads(row["result"]))

    def close(self):
        self.connection.close()
