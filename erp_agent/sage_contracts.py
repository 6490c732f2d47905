"""Subcontracts, purchase orders and their change orders in the SQLite stand-in, with Sage's behaviours."""

import uuid
from decimal import Decimal

from erp_agent import sage_db, sage_rules
from erp_agent.sage_checks import Refused, job_row, known_codes, missing_on_job


def numbered(request):
    """The payload under the number it is exported with: the approver's corrected `inputs.number`, if any."""
    number = (request.get("inputs") or {}).get("number")
    return {**request["payload"], "number": number} if number else request["payload"]


def _pairs(rows):
    return {(row["cost_code"], row["cost_type"]) for row in rows}


def write_commitment(connection, request, key):
    payload = numbered(request)
    job_id, kind, number = str(payload.get("job_id") or ""), payload.get("type"), str(payload.get("number") or "")
    rows = payload.get("lines") or []
    problems = sage_rules.commitment_field_problems(payload)
    job = job_row(connection, job_id)
    if job is None:
        problems.append(f"Job {payload.get('job_id')} is not in the ERP: export the project first.")
    elif sage_db.find_commitment(connection, job_id, kind, number) is not None:
        label = sage_rules.COMMITMENT_KINDS.get(kind, kind)
        problems.append(f"{label} {number} already exists on job {job_id}. Enter another number.")
    vendor_id = str(payload.get("vendor_id") or "")
    if not connection.execute("SELECT 1 FROM vendors WHERE vendor_id = ?", (vendor_id,)).fetchone():
        problems.append(f"Vendor {payload.get('vendor_id')} is not in the ERP: link or export the vendor first.")
    if not rows:
        problems.append("A commitment needs at least one line.")
    problems += known_codes(connection, [row["cost_code"] for row in rows])[1]
    problems += sage_rules.cost_types_problems(row["cost_type"] for row in rows)
    if job is not None:
        problems += missing_on_job(connection, job_id, _pairs(rows))
    if problems:
        raise Refused(problems)
    sage_db.put_commitment(
        connection,
        job_id=job_id,
        kind=kind,
        number=number,
        description=payload.get("title"),
        vendor_id=vendor_id,
        lines=rows,
        retention=payload.get("retainage_percent"),
        accounting_method=payload.get("accounting_method"),
        source="exported",
        request_key=key,
    )
    return {"job_id": job_id, "number": number}


def _change_order_problems(connection, commitment, payload, label):
    problems = sage_rules.change_order_field_problems(payload)
    taken = connection.execute(
        "SELECT 1 FROM change_orders WHERE commitment_id = ? AND number = ?", (commitment["id"], payload["number"])
    ).fetchone()
    if taken:
        problems.append(f"Change order {payload['number']} already exists on {label}. Enter another number.")
    rows = payload.get("lines") or []
    if not rows:
        problems.append("A change order needs at least one line.")
    existing = {
        row["line_number"]
        for row in connection.execute(
            "SELECT line_number FROM commitment_lines WHERE commitment_id = ?", (commitment["id"],)
        )
    }
    changed = [row["line_number"] for row in rows if row.get("line_number") is not None]
    problems.extend(
        f"Line {n} is changed more than once: the ERP takes one change per commitment line per change order."
        for n in sorted({n for n in changed if changed.count(n) > 1})
    )
    problems.extend(f"{label} has no line {n}." for n in sorted(set(changed) - existing))
    if commitment["kind"] == "subcontract" and len(changed) < len(rows):
        problems.append("A subcontract change order changes existing lines only; it cannot add lines.")
    problems += known_codes(connection, [row["cost_code"] for row in rows])[1]
    problems += sage_rules.cost_types_problems(row["cost_type"] for row in rows)
    problems += missing_on_job(connection, commitment["job_id"], _pairs(rows))
    return problems


def _lines(connection, commitment_id):
    rows = connection.execute("SELECT * FROM commitment_lines WHERE commitment_id = ?", (commitment_id,))
    return {row["line_number"]: row for row in rows}


def _append_po_lines(connection, commitment, change_order_id, rows):
    """Sage keeps a purchase order's change as new lines under the PO: [(line id, amount)]."""
    lines = _lines(connection, commitment["id"])
    next_number = max(lines, default=0) + 1
    changes = []
    for row in rows:
        changed = lines.get(row.get("line_number"))
        line = {
            **row,
            "line_number": next_number,
            "description": row.get("description") or (changed["description"] if changed else ""),
        }
        changes.append((sage_db.add_line(connection, commitment["id"], line, change_order_id), row["amount"]))
        next_number += 1
    return changes


def _raise_budget(connection, commitment, change_order_number, rows, key):
    """Sage: a subcontract change order raises the job's budget on the changed lines' cost code and type."""
    lines = _lines(connection, commitment["id"])
    changes = []
    for row in rows:
        line = lines[row["line_number"]]
        entry_key = uuid.uuid5(uuid.UUID(key), f"{change_order_number}/{line['line_number']}")
        connection.execute(
            "INSERT INTO budget_entries (job_id, cost_code, cost_type, kind, amount, entry_key, request_key, posted) "
            "VALUES (?, ?, ?, 'commitment_change', ?, ?, ?, 1)",
            (commitment["job_id"], line["cost_code"], line["cost_type"], str(row["amount"]), str(entry_key), key),
        )
        changes.append((line["id"], row["amount"]))
    return changes


def write_change_order(connection, request, key):
    payload = numbered(request)
    job_id, kind = str(payload.get("job_id") or ""), payload.get("commitment_type")
    commitment = sage_db.find_commitment(connection, job_id, kind, payload.get("commitment_number") or "")
    if commitment is None:
        raise Refused(
            [f"Commitment {payload.get('commitment_number')} is not in the ERP on job {payload.get('job_id')}."]
        )
    label = sage_rules.commitment_label(commitment["kind"], commitment["number"], job_id)
    if problems := _change_order_problems(connection, commitment, payload, label):
        raise Refused(problems)
    number, rows = str(payload["number"]), payload["lines"]
    change_order_id = sage_db.put_change_order(
        connection, commitment["id"], number, payload.get("description"), source="exported", request_key=key
    )
    if commitment["kind"] == "purchase_order":
        changes = _append_po_lines(connection, commitment, change_order_id, rows)
    else:
        changes = _raise_budget(connection, commitment, number, rows, key)
    connection.executemany(
        "INSERT INTO change_order_lines (change_order_id, commitment_line_id, amount) VALUES (?, ?, ?)",
        [(change_order_id, line_id, str(Decimal(str(amount)))) for line_id, amount in changes],
    )
    return {"job_id": job_id, "commitment_number": commitment["number"], "number": number}
