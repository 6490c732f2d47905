"""Every write on an ERP request: the approver's decision, the connector's claim and report, the export."""

import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, UUIDField, Value, When
from django.utils import timezone
from django_fsm import can_proceed

from apps.core.audit import audit_batch
from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.workflow import check_step, run_step
from apps.erp_queue import registry
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import ERPRequest
from apps.erp_queue.services.agents import agent_contact_record
from apps.erp_queue.services.erp_state import erp_reads_remembered

logger = logging.getLogger(__name__)
Status = ERPRequest.Status


def _locked(request_id):
    return ERPRequest.objects.select_for_update().get(pk=request_id)


def _export_after_commit(request):
    connector = get_connector()
    if connector.exports_inline:
        transaction.on_commit(lambda: request_export(request_id=request.pk))


def _follow(request, *, by=None, note=None):
    """Move the sent record's ERP status with its request: accepted, exported, failed, rejected.

    `by`: the approver whose decision moves it (the record's history names them); None for the connector's
    reports. No permission is checked here: the request's own step was. `note`: the history's why (a retry).
    """
    exporter = registry.exporter_for(request.kind)
    record = exporter.locked(request.object_id)
    if not exporter.moves_record(request):
        # An update of a synced record: it stays synced; what the ERP wrote is recorded when it lands.
        if request.status == Status.SYNCED:
            exporter.land(record, request)
            record.save()
        return record
    if request.status == Status.EXPORTING:
        check_step(record.mark_exporting, user=None)(by=by, description=note)
    elif request.status == Status.SYNCED:
        exporter.land(record, request)
    elif request.status == Status.FAILED:
        run_step(record.mark_failed, user=None, messages=request.messages, description="; ".join(request.messages))
    elif request.status == Status.REJECTED:
        exporter.released(record, request)
        check_step(record.mark_rejected, user=None)(by=by, description=request.reason)
    record.save()
    if request.status == Status.REJECTED:
        exporter.rejected(record, request)
    return record


def _preflight(exporter, request):
    """What the ERP holds now refuses the export with these inputs: the approver's 400, nothing written."""
    if problems := exporter.erp_problems(request.payload, request.inputs):
        raise ValidationError(problems)


def request_retrieve(*, request, user):
    """The sender takes the record back before the approver decided (the producer moves its record)."""
    with transaction.atomic():
        request = _locked(request.pk)
        run_step(request.retrieve, user=user, decided_at=timezone.now())
        request.save()
    return request


def request_accept(*, request, user, inputs):
    """The approver accepts: the request is exported with the ERP ids the approver typed."""
    with transaction.atomic():
        request = _locked(request.pk)
        step = check_step(request.accept, user=user)
        exporter = registry.exporter_for(request.kind)
        request.inputs = exporter.clean_inputs(request=request, inputs=inputs or {})
        _preflight(exporter, request)
        step(by=user, decided_at=timezone.now())
        request.save()
        _follow(request, by=user)
        _export_after_commit(request)
    return request


@dataclass
class BulkAcceptResult:
    accepted: list = field(default_factory=list)  # the requests accepted, oldest first
    refused: list = field(default_factory=list)  # (request, why) for each one left as it was


#: The most requests one bulk accept takes: one transaction holds their locks, and its message names them.
BULK_ACCEPT_LIMIT = 1_000


def _bulk_refusal(exporter, request, record, user):
    """Why `request` cannot be accepted with the others (None: it can), its inputs cleaned on the way."""
    if request.status != Status.READY_TO_EXPORT:
        return f"it no longer waits for a decision: its status is {request.get_status_display()}."
    if exporter.accept_form_for(request) is not None:
        return "it needs the approver's ERP ids: open it and accept it on its own page."
    if exporter.moves_record(request) and record is None:
        return "its record is no longer in the app: reject it."
    try:
        check_step(request.accept, user=user)
        request.inputs = exporter.clean_inputs(request=request, inputs={})
        _preflight(exporter, request)
    except (DomainError, PermissionDenied) as exc:
        return str(exc) or "you do not have permission to accept it."
    except ValidationError as exc:
        return " ".join(exc.messages)
    if record is not None and not can_proceed(record.mark_exporting):
        field = record.mark_exporting._django_fsm.field
        return f"its record is {record._get_FIELD_display(field).lower()}: it cannot be exported now."
    return None


def _lock_records(requests):
    """{(kind, object_id): record} of the requests whose accept moves their record: one locking read per kind."""
    by_kind = defaultdict(list)
    for request in requests:
        exporter = registry.exporter_for(request.kind)
        if exporter.moves_record(request):
            by_kind[exporter].append(request.object_id)
    records = {}
    for exporter, ids in by_kind.items():
        for record in exporter.model.objects.select_for_update(of=("self",)).filter(pk__in=ids):
            records[(exporter.kind, record.pk)] = record
    return records


def _updated_all(queryset, values, expected):
    """One UPDATE of rows still in the state they were read in; any other count means a concurrent change.

    The rows are locked on PostgreSQL; the state in the WHERE keeps SQLite (no row locks) as safe, as
    ConcurrentTransitionMixin does for a single save.
    """
    if queryset.update(**values) != expected:
        raise DomainError("Another change reached some of these requests meanwhile: nothing was accepted. Try again.")


def _save_records(moved, *, now):
    """The records' new ERP status, the ERP's old messages gone: one UPDATE per kind and prior state."""
    groups = defaultdict(list)
    for record, prior in moved:
        groups[(type(record), prior)].append(record)
    for (model, prior), rows in groups.items():
        state = model.mark_exporting._django_fsm.field.name  # erp_status, or a budget's status
        values = {state: getattr(rows[0], state), "erp_messages": []}  # each moved by the same transition
        # What save() would stamp (a project's updated_at); update() writes only what it is given.
        values.update({f.name: now for f in model._meta.concrete_fields if getattr(f, "auto_now", False)})
        ids = [row.pk for row in rows]
        _updated_all(model.objects.filter(pk__in=ids, **{state: prior}), values, len(ids))


def _save_accepted(requests, *, user, now):
    """The accepted requests in one UPDATE per set of the approver's inputs (nearly always one: none typed)."""
    by_inputs = defaultdict(list)
    for request in requests:
        by_inputs[json.dumps(request.inputs, sort_keys=True)].append(request.pk)
    for inputs, ids in by_inputs.items():
        values = {"status": Status.EXPORTING, "decided_by": user, "decided_at": now, "inputs": json.loads(inputs)}
        _updated_all(ERPRequest.objects.filter(pk__in=ids, status=Status.READY_TO_EXPORT), values, len(ids))


def request_accept_many(*, request_ids, user):
    """The approver accepts many requests at once (the kinds that need no ERP ids): the admin's bulk action.

    Each request gets every check a single accept gives it (state, permission, the ERP's pre-flight,
    its record's state); one that fails any is left as it was, with the reason, and the others are
    accepted. The writes are shared: the requests in one UPDATE, their records in one per kind, the
    audit rows in one INSERT, and each ERP read is asked once (many requests name one job and vendor).
    """
    request_ids = list(request_ids)
    if len(request_ids) > BULK_ACCEPT_LIMIT:
        raise DomainError(
            f"Accept at most {BULK_ACCEPT_LIMIT:,} requests at a time: pick a tab or a kind to select fewer."
        )
    result = BulkAcceptResult()
    with transaction.atomic(), erp_reads_remembered(), audit_batch():
        locked = sorted(ERPRequest.objects.select_for_update().in_bulk(request_ids).values(), key=lambda r: r.pk)
        records = _lock_records([r for r in locked if r.status == Status.READY_TO_EXPORT])
        moved = []
        now = timezone.now()
        for request in locked:
            exporter = registry.exporter_for(request.kind)
            record = records.get((request.kind, request.object_id)) if exporter.moves_record(request) else None
            if why := _bulk_refusal(exporter, request, record, user):
                result.refused.append((request, why))
                continue
            request.accept(by=user, decided_at=now)
            result.accepted.append(request)
            if record is not None:
                prior = getattr(record, record.mark_exporting._django_fsm.field.name)
                record.mark_exporting(by=user)
                moved.append((record, prior))
        _save_accepted(result.accepted, user=user, now=now)
        _save_records(moved, now=now)
        for request in result.accepted:
            _export_after_commit(request)
    return result


def request_reject(*, request, user, reason):
    """The approver sends the record back to be fixed, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the request is rejected: the sender reads it to fix the record."})
    with transaction.atomic():
        request = _locked(request.pk)
        run_step(request.reject, user=user, description=reason, decided_at=timezone.now())
        request.save()
        _follow(request, by=user)
    return request


def request_retry(*, request, user, inputs=None):
    """The approver exports a failed request again, optionally with corrected inputs (a new job id)."""
    with transaction.atomic():
        request = _locked(request.pk)
        step = check_step(request.retry, user=user)
        exporter = registry.exporter_for(request.kind)
        if inputs:
            request.inputs = exporter.clean_inputs(request=request, inputs={**request.inputs, **inputs})
        _preflight(exporter, request)
        step(by=user)
        request.save()
        _follow(request, by=user, note="Export retried")
        _export_after_commit(request)
    return request


def request_entries_posted(*, idempotency_key, user):
    """The ERP reports that it posted what a request exported (Sage's Post Entries for budgets)."""
    request = ERPRequest.objects.filter(idempotency_key=idempotency_key, status=Status.SYNCED).first()
    if request is not None:
        registry.exporter_for(request.kind).entries_posted(request=request, user=user)
    return request


def _claimable():
    now = timezone.now()
    return ERPRequest.objects.filter(status=Status.EXPORTING).exclude(lease_expires_at__gt=now)


def _lease(request, *, worker):
    request.lease_token = uuid.uuid4()
    request.lease_expires_at = timezone.now() + timedelta(seconds=settings.ERP_LEASE_SECONDS)
    request.leased_by = worker[:255]
    request.attempts += 1
    request.save(update_fields=["lease_token", "lease_expires_at", "leased_by", "attempts"])


def request_claim(*, user, worker, limit=10):
    """Lease up to `limit` accepted requests to one worker; a lease that ran out can be claimed again.

    A handful of queries whatever `limit` is: the ids are locked in one (on PostgreSQL, SKIP LOCKED lets
    several workers claim at once without taking the same rows), one UPDATE leases them all, each under
    its own token, and one read returns them. A report holds only with its request's current token.
    """
    if user is not None and not user.has_perm("erp_queue.export_erprequest"):
        raise PermissionDenied("Only the ERP connector agent may claim requests.")
    order = ("decided_at", "id")
    with transaction.atomic():
        if user is not None:  # the agent, through the API; None is this app's own worker
            agent_contact_record(worker=worker)
        claimable = _claimable().select_for_update(skip_locked=True).order_by(*order)
        ids = list(claimable.values_list("pk", flat=True)[: max(1, limit)])
        if not ids:
            return []
        ERPRequest.objects.filter(pk__in=ids).update(
            lease_token=Case(*(When(pk=pk, then=Value(uuid.uuid4())) for pk in ids), output_field=UUIDField()),
            lease_expires_at=timezone.now() + timedelta(seconds=settings.ERP_LEASE_SECONDS),
            leased_by=worker[:255],
            attempts=F("attempts") + 1,
        )
        return list(ERPRequest.objects.filter(pk__in=ids).select_related("sent_by", "decided_by").order_by(*order))


def _check_lease(request, lease_token):
    """A report answers the claim that holds the request now; one from an earlier or unknown lease is refused."""
    if request.lease_token is None:
        raise DomainError(
            f"ERP request {request.pk} is not claimed: claim it, and report with the lease_token the claim gave."
        )
    if request.lease_token != lease_token:
        raise DomainError(
            f"This report does not hold the current lease of ERP request {request.pk}: the lease it answers ran "
            f"out and {request.leased_by or 'another worker'} claimed the request again. Drop this result; "
            f"the current holder reports it."
        )


def _check_erp_ids(request, erp_ids):
    """The ids reported are the ones sent: a job or vendor the ERP filed under another id is not this record."""
    expected = registry.exporter_for(request.kind).expected_erp_ids(request)
    for name, value in expected.items():
        if value not in (None, "") and name in erp_ids and str(erp_ids[name]) != str(value):
            raise DomainError(
                f"The ERP reported {name} {erp_ids[name]}, but ERP request {request.pk} was exported as "
                f"{name} {value}. Report the id the record was written under."
            )


def _heard_from(request, user):
    """A report from the agent is contact too (the app's own worker reports with no user)."""
    if user is not None:
        agent_contact_record(worker=request.leased_by)


def request_succeeded(*, request, user, erp_ids, lease_token):
    """The connector wrote the record into the ERP, under the lease of its claim. Repeating it changes nothing."""
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status == Status.SYNCED and request.erp_ids == erp_ids:
            return request
        step = check_step(request.succeed, user=user)
        _check_lease(request, lease_token)
        _heard_from(request, user)
        step(by=user, erp_ids=erp_ids, completed_at=timezone.now())
        request.save()
        _follow(request)  # a malformed or taken id is the field's 400 here, before the comparison
        _check_erp_ids(request, erp_ids)
    return request


def request_failed(*, request, user, messages, lease_token):
    """The ERP refused the record or the connector failed: the approver sees why and retries or rejects."""
    messages = [str(m) for m in messages if str(m).strip()]
    if not messages:
        raise ValidationError({"messages": "Report at least one message saying why the export failed."})
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status == Status.FAILED and request.messages == messages:
            return request
        step = check_step(request.fail, user=user)
        _check_lease(request, lease_token)
        _heard_from(request, user)
        step(by=user, description="; ".join(messages)[:1000], messages=messages, failed_at=timezone.now())
        request.save()
        _follow(request)
    return request


def _export_claimed(request):
    try:
        result = get_connector().export(request)
    except Exception as exc:
        logger.exception("Export of ERP request %s failed", request.pk)
        return request_failed(
            request=request, user=None, messages=[f"The connector failed: {exc}"], lease_token=request.lease_token
        )
    if result.ok:
        return request_succeeded(request=request, user=None, erp_ids=result.erp_ids, lease_token=request.lease_token)
    return request_failed(request=request, user=None, messages=result.messages, lease_token=request.lease_token)


def request_export(*, request_id, worker="inline"):
    """Claim one accepted request, export it through the connector and record the outcome.

    The ERP write commits on its own before the outcome is recorded. If the process dies in
    between, the lease runs out, a worker claims the request again, and the ERP answers the
    repeated idempotency key with the first write's result: exported once, never twice.

    The claim waits for a row lock rather than skipping it: right after an accept commits, a
    second approver's accept may hold the row for the moment it takes to be refused, and
    skipping would leave the accepted request waiting for a worker. The lease, checked again
    once the lock is granted, keeps two exporters apart.
    """
    with transaction.atomic():
        request = _claimable().select_for_update().filter(pk=request_id).first()
        if request is None:
            return None
        _lease(request, worker=worker)
    return _export_claimed(request)


def request_export_pending(*, worker, limit=10):
    """One pass of the export worker: every claimable request, through the configured connector."""
    done = []
    while batch := request_claim(user=None, worker=worker, limit=limit):
        done.extend(_export_claimed(request) for request in batch)
    return done
