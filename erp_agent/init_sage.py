"""`init-sage`: fill the SQLite stand-in with what the app was told Sage holds, read through the app's API.

The ERP's master data (cost types, standard cost codes, vendor types), the ERP jobs and vendors
reported under Ready to Import, and what is already synced: projects (as jobs with their cost codes
and types), companies (as vendors), commitments (with their lines) and change orders. Running it
again brings the file up to date; the writes the agent made stay.
"""

from erp_agent import sage_db


def _read(api):
    """Everything first, then one short write: the stand-in is not held locked while the app answers."""
    return {
        "cost_types": list(api.pages("/api/v1/cost-types/")),
        "cost_codes": list(api.pages("/api/v1/cost-codes/")),
        "vendor_types": list(api.pages("/api/v1/erp/vendor-types/")),
        "staged_jobs": list(api.pages("/api/v1/erp/staged-records/", {"kind": "job"})),
        "staged_vendors": list(api.pages("/api/v1/erp/staged-records/", {"kind": "vendor"})),
        "projects": list(api.pages("/api/v1/projects/", {"erp_status": "synced"})),
        "companies": list(api.pages("/api/v1/companies/", {"erp_status": "synced"})),
        "commitments": list(api.pages("/api/v1/commitments/", {"erp_status": "synced"})),
        "change_orders": list(api.pages("/api/v1/change-orders/", {"erp_status": "synced"})),
    }


def _put_master_data(connection, data):
    for row in data["cost_types"]:
        sage_db.put_cost_type(connection, row["code"], row["name"])
    for row in data["cost_codes"]:
        sage_db.put_cost_code(connection, row["code"], row.get("description"), row.get("division"))
    for row in data["vendor_types"]:
        if str(row["code"]).isdigit():
            sage_db.put_vendor_type(connection, row["code"], row["name"])


def _put_jobs_and_vendors(connection, data):
    for staged in data["staged_jobs"]:
        sage_db.put_job(connection, staged["erp_id"], staged["data"], staged["data"].get("cost_codes") or [])
    for project in data["projects"]:
        if project.get("erp_id"):
            sage_db.put_job(connection, project["erp_id"], project, project.get("cost_codes") or [])
    for staged in data["staged_vendors"]:
        sage_db.put_vendor(connection, staged["erp_id"], staged["data"])
    for company in data["companies"]:
        if company.get("erp_id"):
            sage_db.put_vendor(connection, company["erp_id"], company)


def _put_contracts(connection, data):
    """Synced commitments on their ERP jobs (their lines too: change orders name them) and their change orders."""
    job_of = {p["id"]: p["erp_id"] for p in data["projects"] if p.get("erp_id")}
    vendor_of = {c["id"]: c["erp_id"] for c in data["companies"] if c.get("erp_id")}
    commitment_ids, skipped = {}, 0
    for commitment in data["commitments"]:
        job_id = job_of.get(commitment["project"])
        if job_id is None or not commitment.get("erp_id"):
            skipped += 1
            continue
        commitment_ids[commitment["id"]] = sage_db.put_commitment(
            connection,
            job_id=job_id,
            kind=commitment["type"],
            number=commitment["erp_id"],
            description=commitment.get("title"),
            vendor_id=vendor_of.get(commitment.get("vendor")),
            lines=commitment.get("lines") or [],
            retention=commitment.get("retainage_percent"),
            accounting_method=commitment.get("accounting_method"),
        )
    change_orders = 0
    for change_order in data["change_orders"]:
        commitment_id = commitment_ids.get(change_order["commitment"])
        if commitment_id is not None and change_order.get("erp_id"):
            sage_db.put_change_order(connection, commitment_id, change_order["erp_id"], change_order.get("description"))
            change_orders += 1
    return len(commitment_ids), change_orders, skipped


def fill(path, api):
    """Create or refresh the stand-in at `path` from the app behind `api`; what it now holds, counted."""
    data = _read(api)
    connection = sage_db.create(path)
    try:
        with sage_db.transaction(connection):
            _put_master_data(connection, data)
            _put_jobs_and_vendors(connection, data)
            commitments, change_orders, skipped = _put_contracts(connection, data)
        counts = {
            table.replace("_", " "): connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("cost_codes", "vendor_types", "jobs", "vendors")
        }
    finally:
        connection.close()
    return {**counts, "commitments synced": commitments, "change orders synced": change_orders} | (
        {"commitments skipped (project not synced)": skipped} if skipped else {}
    )
