"""Budgets in the embedded ERP: unposted job cost entries, posting, and the posted estimate staged for the app."""

import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.erp_queue import services as erp_services
from apps.ledger.models import ERPBudgetEntry, ERPCostCode, ERPJob
from apps.ledger.services._writes import LedgerRefused, add_job_cost_codes, idempotent_write, known_codes


def budget_write(*, key, payload):
    """Enter a budget's transactions as unposted job cost entries; each transaction key is taken once."""

    def write():
        job = ERPJob.objects.filter(job_id=payload.get("job_id") or "").first()
        if job is None:
            raise LedgerRefused([f"Job {payload.get('job_id')} is not in the ERP: export the project first."])
        rows = payload["transactions"]
        codes, unknown = known_codes(rows)
        if unknown:
            raise LedgerRefused(unknown)
        have = set(ERPBudgetEntry.objects.filter(key__in=[r["key"] for r in rows]).values_list("key", flat=True))
        entries = [
            ERPBudgetEntry(
                job=job,
                cost_code=codes[r["cost_code"]],
                cost_type_id=r["cost_type"],
                kind=r["type"],
                amount=Decimal(r["amount"]),
                key=r["key"],
                request_key=key,
            )
            for r in rows
            if uuid.UUID(str(r["key"])) not in have
        ]
        ERPBudgetEntry.objects.bulk_create(entries, batch_size=2000)
        add_job_cost_codes(job, {(r["cost_code"], r["cost_type"]) for r in rows}, codes)
        return {"job_id": job.job_id, "entries": len(entries)}

    return idempotent_write(key=key, kind="budget", write=write)


def budget_entries_post(*, job, user=None):
    """Sage's Job Cost → Post Entries: the job's waiting entries are posted, and the app is told."""
    with transaction.atomic():
        waiting = ERPBudgetEntry.objects.select_for_update().filter(job=job, posted=False)
        request_keys = set(waiting.exclude(request_key=None).values_list("request_key", flat=True))
        posted = waiting.update(posted=True, posted_at=timezone.now())
        for request_key in request_keys:
            erp_services.request_entries_posted(idempotency_key=request_key, user=user)
    return posted


def job_budget(job, *, posted_only=True):
    """The job's budget per (cost code, cost type): the sum of its entries."""
    entries = ERPBudgetEntry.objects.filter(job=job)
    if posted_only:
        entries = entries.filter(posted=True)
    totals = entries.values("cost_code__code", "cost_type_id").annotate(total=Sum("amount"))
    return {(row["cost_code__code"], row["cost_type_id"]): row["total"] for row in totals}


def estimate_stage(*, job, user=None):
    """A job's posted estimate shows under Ready to Import (lines above $0 only, as the reference does)."""
    descriptions = dict(ERPCostCode.objects.values_list("code", "description"))
    lines = [
        {"cost_code": code, "cost_type": cost_type, "amount": str(total), "description": descriptions.get(code, "")}
        for (code, cost_type), total in sorted(job_budget(job).items())
        if total > 0
    ]
    if not lines:
        raise LedgerRefused([f"Job {job.job_id} has no posted budget above $0 to import."])
    return erp_services.staged_record_upsert(
        kind="estimate", erp_id=job.job_id, data={"name": f"{job.job_id} {job.name}", "lines": lines}, user=user
    )
