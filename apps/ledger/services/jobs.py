"""Jobs in the embedded ERP: written by an export, keyed in by accounting, staged for the app."""

from apps.core import erp_profile
from apps.erp_queue import services as erp_services
from apps.ledger.models import ERPCostCode, ERPJob, ERPJobCostCode
from apps.ledger.services._writes import LedgerRefused, add_job_cost_codes, idempotent_write, known_codes


def _job_problems(job_id, payload):
    problems = []
    id_problem = erp_profile.job_id_problem(job_id)
    if id_problem:
        problems.append(id_problem)
    elif ERPJob.objects.filter(job_id=job_id).exists():
        problems.extend(_job_taken(job_id))
    problems.extend(erp_profile.job_field_problems(payload).values())
    problems.extend(known_codes(payload["cost_codes"], key="code")[1])
    missing = erp_profile.cost_codes_without_types(payload["cost_codes"])
    if missing:
        problems.append(f"Cost code {', '.join(missing)} has no cost type.")
    return problems


def _create_job(job_id, payload, source):
    job = ERPJob.objects.create(
        job_id=job_id,
        source=source,
        **{field: payload.get(field) or "" for field in ("name", "address", "city", "state", "zip")},
    )
    codes = known_codes(payload["cost_codes"], key="code")[0]
    for row in payload["cost_codes"]:
        ERPJobCostCode.objects.create(job=job, cost_code=codes[row["code"]]).cost_types.set(row["cost_types"])
    return job


def _job_taken(job_id):
    return [f"Job {job_id} already exists in the ERP. Enter another job code."]


def job_write(*, key, payload, job_id):
    """Create a Sage job from an export; the same idempotency key returns the first write's result."""

    def write():
        problems = _job_problems(job_id, payload)
        if problems:
            raise LedgerRefused(problems)
        _create_job(job_id, payload, ERPJob.Source.EXPORTED)
        return {"job_id": job_id}

    return idempotent_write(key=key, kind="job", write=write, taken=lambda: _job_taken(job_id))


def job_update_write(*, key, payload):
    """Add the cost codes and types of a synced project's update to its Sage job (Ready to Update, accepted)."""

    def write():
        job = ERPJob.objects.filter(job_id=payload.get("job_id") or "").first()
        codes, unknown = known_codes(payload["cost_codes"], key="code")
        if job is None:
            unknown.insert(0, f"Job {payload.get('job_id')} is not in the ERP.")
        if unknown:
            raise LedgerRefused(unknown)
        add_job_cost_codes(job, {(row["code"], t) for row in payload["cost_codes"] for t in row["cost_types"]}, codes)
        return {"job_id": job.job_id}

    return idempotent_write(key=key, kind="job", write=write)


def job_data(job):
    """A keyed-in Sage job as it is staged for import into the app."""
    return {
        "name": job.name,
        "address": job.address,
        "city": job.city,
        "state": job.state,
        "zip": job.zip,
        "cost_codes": [
            {
                "code": jcc.cost_code.code,
                "description": jcc.cost_code.description,
                "division": jcc.cost_code.division,
                "cost_types": sorted(ct.code for ct in jcc.cost_types.all()),
            }
            for jcc in job.cost_codes.select_related("cost_code").prefetch_related("cost_types")
        ],
    }


def job_stage(*, job):
    """A job keyed in the ERP shows under Ready to Import in the app (the sync a real agent does)."""
    if job.source != ERPJob.Source.KEYED:
        return None
    return erp_services.staged_record_upsert(kind="job", erp_id=job.job_id, data=job_data(job), user=None)


def cost_codes():
    """The ERP's standard cost codes, as the connector reads them."""
    return [{"code": c.code, "description": c.description, "division": c.division} for c in ERPCostCode.objects.all()]
