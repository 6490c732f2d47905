"""ERP Bridge's reference connector agent: it runs next to Sage 100 Contractor, on the Python standard library only.

It claims the app's accepted ERP requests through the REST API, writes each through a *writer*, and
reports success (the ERP ids) or failure (the ERP's messages), journaling every step by the request's
idempotency key so that nothing is ever written twice. See README.md in this folder.

The writer interface (erp_agent.writers):

    class MyWriter:
        def write(self, request: dict) -> Result: ...
        def lookup(self, idempotency_key: str) -> Result | None: ...

`Result(ok: bool, erp_ids: dict[str, str], messages: list[str])`. `write` takes the claimed request
(`kind`, `payload`, `inputs`, `idempotency_key`, …), writes it all or nothing together with its key,
and answers a key it holds with the first result; `lookup` says exactly what the ERP holds under a key.

What a Sage 100 Contractor writer writes per kind, and the erp_ids it returns (the app checks them):

- job: a new job numbered `inputs.erp_job_id` (name, address, city, state, zip; each payload cost code
  with its cost types) → {"job_id": inputs.erp_job_id}. A payload with `"update": true` adds its cost
  codes and types to existing job `payload.job_id` → {"job_id": payload.job_id}.
- vendor: a vendor numbered `inputs.erp_vendor_id`, vendor type `inputs.vendor_type`, with the payload's
  name, address, city, state, zip, tax_id → {"vendor_id": inputs.erp_vendor_id}.
- budget: one unposted job cost budget entry per `payload.transactions` item (cost code, cost type,
  amount; a transaction `key` is never entered twice) on job `payload.job_id` → {"job_id", "entries"}.
- commitment: a subcontract or purchase order (`payload.type`) numbered `inputs.number` or else
  `payload.number` on job `payload.job_id`, to vendor `payload.vendor_id`, with its lines → {"job_id",
  "number"}.
- change_order: a change order numbered `inputs.number` or else `payload.number` of commitment
  `payload.commitment_number` (`payload.commitment_type`) on job `payload.job_id`: a subcontract's changes
  existing lines and raises the job's budget, a purchase order's appends its lines → {"job_id",
  "commitment_number", "number"}.
"""

__version__ = "1.0.0"
