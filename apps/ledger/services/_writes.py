"""How the ERP takes a write: once per idempotency key, its refusals in the ERP's words."""

from django.db import IntegrityError, transaction

from apps.core import erp_profile
from apps.ledger.models import ERPCostCode, ERPJobCostCode, ERPWrite


class LedgerRefused(Exception):
    """The ERP refused a write; its messages go back to the approver."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def idempotent_write(*, key, kind, write, lock=None, taken=None):
    """Run `write()` once per idempotency key and return its result; a repeated key returns the first result.

    `write()` checks the ERP's rules (raising LedgerRefused) and writes, all or nothing. `lock()`, when
    given, runs first: it takes the row a rival write of the same key would hold, so that the key's
    first write has committed when we look for it. A rival that wrote the same key, or the same
    record, between our look and our write surfaces as an IntegrityError: the first write's result
    if it was the same key, else `taken()`'s messages (re-raised when no `taken` is given).
    """
    with transaction.atomic():
        if lock is not None:
            lock()
        done = ERPWrite.objects.filter(idempotency_key=key).first()
        if done is not None:
            return done.result
        try:
            with transaction.atomic():
                result = write()
                ERPWrite.objects.create(idempotency_key=key, kind=kind, result=result)
        except IntegrityError:
            done = ERPWrite.objects.filter(idempotency_key=key).first()
            if done is not None:
                return done.result
            if taken is None:
                raise
            raise LedgerRefused(taken()) from None
    return result


def known_codes(rows, key="cost_code"):
    """({code as the rows spell it: ERPCostCode}, [a refusal per code the ERP does not have]).

    The ERP keeps a cost code as a number: a row's 2010 is its 2010.000.
    """
    spellings = {str(r[key]) for r in rows}
    by_code = {c.code: c for c in ERPCostCode.objects.filter(code__in=spellings)}
    codes = {}
    for spelling in spellings:
        found = by_code.get(erp_profile.cost_code_canonical(spelling) or spelling)
        if found is not None:
            codes[spelling] = found
    unknown = sorted(spellings - set(codes))
    return codes, [f"Cost code {code} is not in the ERP's cost code list." for code in unknown]


def add_job_cost_codes(job, pairs, codes):
    """Sage takes a budget on any company cost code: the job gets the codes and types it did not have."""
    by_code = {}
    for code, cost_type in pairs:
        by_code.setdefault(code, set()).add(cost_type)
    for code, types in by_code.items():
        row, _ = ERPJobCostCode.objects.get_or_create(job=job, cost_code=codes[code])
        row.cost_types.add(*types)


def missing_on_job(job, pairs):
    """A refusal per (cost code, cost type) of `pairs` that ERP `job` does not have: contracts take only those."""
    have = set(job.cost_codes.values_list("cost_code__code", "cost_types__code"))
    wanted = sorted({(erp_profile.cost_code_canonical(code) or code, cost_type) for code, cost_type in pairs})
    return [
        f"Cost code {code} with cost type {cost_type} is not on job {job.job_id}: add it to the job first."
        for code, cost_type in wanted
        if (code, cost_type) not in have
    ]
