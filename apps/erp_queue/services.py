"""Every write on the ERP queue: send, decide, claim, report, stage, import."""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.core.workflow import Step, check_step, run_step
from apps.erp_queue import registry, selectors
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import ERPRequest, StagedRecord

logger = logging.getLogger(__name__)
Status = ERPRequest.Status


def _locked(request_id):
    return ERPRequest.objects.select_for_update().get(pk=request_id)


def _export_after_commit(request):
    connector = get_connector()
    if connector.exports_inline:
        transaction.on_commit(lambda: request_export(request_id=request.pk))


def erp_cost_codes():
    """The ERP's standard cost codes as the connector reads them, or None when the ERP pushes them instead."""
    return get_connector().fetch_cost_codes()


def erp_vendor_types():
    """The ERP's vendor types as [{code, name}], or None when the agent pushes them instead."""
    return get_connector().fetch_vendor_types()


def _request_create(*, exporter, record, payload, user):
    if selectors.request_open_for(kind=exporter.kind, object_id=record.pk):
        raise DomainError(f"{record} already has a request waiting in the ERP queue.")
    return ERPRequest.objects.create(
        kind=exporter.kind, object_id=record.pk, record_label=str(record)[:255], payload=payload, sent_by=user
    )


def _send(record, user, transition):
    """Send (or resend) a record to the accounting queue, its payload frozen in a new request.

    The state and the user's permission are checked first (409, 403); then the exporter's
    `check(record, payload)` names every unmet precondition at once (400).
    """
    exporter = registry.exporter_of(record)
    with transaction.atomic():
        record = exporter.locked(record.pk)
        method = check_step(transition.__get__(record), user=user, conditions=False)
        payload = exporter.payload(record)
        exporter.check(record, payload)
        run_step(method, user=user)
        record.save()
        request = _request_create(exporter=exporter, record=record, payload=payload, user=user)
        exporter.sent(record, request)
    return record, request


def record_send(*, record, user):
    """Send a record to the accounting queue; what the ERP owns locks until accounting decides."""
    return _send(record, user, type(record).send)


def record_resend(*, record, user):
    """Send a rejected (and corrected) record again."""
    return _send(record, user, type(record).resend)


def record_retrieve(*, record, user):
    """The sender takes a record back from the queue before the approver decided; it is editable again."""
    exporter = registry.exporter_of(record)
    with transaction.atomic():
        record = exporter.locked(record.pk)
        method = check_step(record.retrieve, user=user)
        request = request_retrieve(
            request=selectors.request_open_for(kind=exporter.kind, object_id=record.pk), user=user
        )
        exporter.released(record, request)
        method(by=user)
        record.save()
    return record


def _follow(request):
    """Move the sent record's ERP status with its request: accepted, exported, failed, rejected."""
    exporter = registry.exporter_for(request.kind)
    record = exporter.locked(request.object_id)
    if request.status == Status.EXPORTING:
        run_step(record.mark_exporting, user=None)
    elif request.status == Status.SYNCED:
        exporter.land(record, request)
    elif request.status == Status.FAILED:
        run_step(record.mark_failed, user=None, messages=request.messages, description="; ".join(request.messages))
    elif request.status == Status.REJECTED:
        exporter.released(record, request)
        run_step(record.mark_rejected, user=None, description=request.reason)
    record.save()
    if request.status == Status.REJECTED:
        exporter.rejected(record, request)
    return record


def export_steps(model, *, noun, send_help="", retrieve_help="", send_summary=None):
    """The Send, Retrieve and Resend steps of a kind exported through the queue (its model has those transitions)."""
    return [
        Step(
            "send-to-erp",
            "Send to ERP",
            model.send,
            lambda record, user, data: record_send(record=record, user=user)[0],
            "{obj} was sent to accounting: it waits under ERP Integrations → Ready to export.",
            summary=send_summary or f"Send the {noun} to the accounting queue",
            help=send_help,
        ),
        Step(
            "retrieve",
            "Retrieve from ERP",
            model.retrieve,
            lambda record, user, data: record_retrieve(record=record, user=user),
            "{obj} was taken back from the ERP queue and can be edited.",
            summary=f"Retrieve a sent {noun} before accounting decides",
            help=retrieve_help,
        ),
        Step(
            "resend",
            "Resend to ERP",
            model.resend,
            lambda record, user, data: record_resend(record=record, user=user)[0],
            "{obj} was sent to accounting again.",
            summary=f"Resend a rejected {noun}",
        ),
    ]


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
        request.inputs = registry.exporter_for(request.kind).clean_inputs(request=request, inputs=inputs or {})
        step(by=user, decided_at=timezone.now())
        request.save()
        _follow(request)
        _export_after_commit(request)
    return request


def request_reject(*, request, user, reason):
    """The approver sends the record back to be fixed, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the request is rejected: the sender reads it to fix the record."})
    with transaction.atomic():
        request = _locked(request.pk)
        run_step(request.reject, user=user, description=reason, decided_at=timezone.now())
        request.save()
        _follow(request)
    return request


def request_retry(*, request, user, inputs=None):
    """The approver exports a failed request again, optionally with corrected inputs (a new job id)."""
    with transaction.atomic():
        request = _locked(request.pk)
        step = check_step(request.retry, user=user)
        if inputs:
            cleaned = registry.exporter_for(request.kind).clean_inputs(
                request=request, inputs={**request.inputs, **inputs}
            )
            request.inputs = cleaned
        step(by=user)
        request.save()
        _follow(request)
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

    On PostgreSQL, SKIP LOCKED lets several workers claim at once without taking the same rows.
    """
    if user is not None and not user.has_perm("erp_queue.export_erprequest"):
        raise PermissionDenied("Only the ERP connector agent may claim requests.")
    with transaction.atomic():
        requests = list(_claimable().select_for_update(skip_locked=True).order_by("decided_at", "id")[: max(1, limit)])
        for request in requests:
            _lease(request, worker=worker)
    return requests


def request_succeeded(*, request, user, erp_ids):
    """The connector wrote the record into the ERP. Repeating the same report changes nothing."""
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status == Status.SYNCED and request.erp_ids == erp_ids:
            return request
        run_step(request.succeed, user=user, erp_ids=erp_ids, completed_at=timezone.now())
        request.save()
        _follow(request)
    return request


def request_failed(*, request, user, messages):
    """The ERP refused the record or the connector failed: the approver sees why and retries or rejects."""
    messages = [str(m) for m in messages if str(m).strip()]
    if not messages:
        raise ValidationError({"messages": "Report at least one message saying why the export failed."})
    with transaction.atomic():
        request = _locked(request.pk)
        if request.status == Status.FAILED and request.messages == messages:
            return request
        run_step(request.fail, user=user, description="; ".join(messages)[:1000], messages=messages)
        request.save()
        _follow(request)
    return request


def _export_claimed(request):
    try:
        result = get_connector().export(request)
    except Exception as exc:
        logger.exception("Export of ERP request %s failed", request.pk)
        return request_failed(request=request, user=None, messages=[f"The connector failed: {exc}"])
    if result.ok:
        return request_succeeded(request=request, user=None, erp_ids=result.erp_ids)
    return request_failed(request=request, user=None, messages=result.messages)


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


def _stage(importer, erp_id, data):
    return StagedRecord.objects.create(
        kind=importer.kind, erp_id=erp_id, data=data, label=importer.record_label(data)[:255]
    )


def staged_record_upsert(*, kind, erp_id, data, user):
    """The ERP reports a record it holds; create or refresh it under Ready to Import."""
    importer = registry.importer_for(kind)
    if importer is None:
        raise ValidationError({"kind": f"'{kind}' records cannot be staged for import."})
    erp_id = str(erp_id).strip()
    if not erp_id:
        raise ValidationError({"erp_id": "The ERP id is required."})
    data = importer.clean_data(data)
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().filter(kind=kind, erp_id=erp_id).first()
        if staged is None:
            return _stage(importer, erp_id, data)
        if staged.data != data:
            staged.data = data
            staged.label = importer.record_label(data)[:255]
            if staged.status == StagedRecord.Status.IMPORTED:
                run_step(staged.restage, user=None, description="Changed in the ERP after import")
            staged.save()
    return staged


def staged_record_add_to_app(*, staged, user):
    """Create the app's record from a staged ERP record (the owning app decides how, and may refuse)."""
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        step = check_step(staged.add_to_app, user=user)
        record = registry.importer_for(staged.kind).add_to_app(staged=staged, user=user)
        step(by=user, object_id=record.pk, at=timezone.now())
        staged.save()
    return staged


def staged_record_archive(*, staged, user):
    """Hide a staged ERP record the company does not want in the app."""
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        run_step(staged.archive, user=user)
        staged.save()
    return staged


def staged_record_link(*, staged, target_id, user):
    """Link a staged ERP record to the record here that is the same one (vendors): both sides become synced."""
    importer = registry.importer_for(staged.kind)
    if importer is None or not importer.can_link:
        raise DomainError(
            f"{staged} cannot be linked: a {staged.get_kind_display().lower()} is created in one system and added "
            "to the other, never linked. Add it to the app, or archive it."
        )
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
        step = check_step(staged.link, user=user)
        record = importer.link(staged=staged, target_id=target_id, user=user)
        step(by=user, description=f"Linked to {record}", object_id=record.pk, at=timezone.now())
        staged.save()
    return staged


@dataclass
class LinkAllResult:
    linked: list = field(default_factory=list)  # [(staged record, Suggestion)]
    skipped: list = field(default_factory=list)  # [(staged record, why)]


def _refusal(exc):
    return exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)


def staged_record_link_all(*, user):
    """Link every staged record whose one suggestion is suggested for no other record; say why the rest were not.

    Only unambiguous, one-to-one suggestions are linked; a record with no suggestion is left alone.
    Each link commits on its own, so one refusal does not undo the others.
    """
    if user is not None and not user.has_perm("erp_queue.import_stagedrecord"):
        raise PermissionDenied("You do not have permission to link staged ERP records.")
    waiting = list(
        StagedRecord.objects.filter(status=StagedRecord.Status.STAGED, kind__in=selectors.linking_kinds()).order_by(
            "kind", "erp_id"
        )
    )
    suggestions = selectors.staged_record_suggestions(waiting)
    suggested_for = defaultdict(list)
    for staged in waiting:
        for suggestion in suggestions.get(staged.pk, []):
            suggested_for[(staged.kind, suggestion.target_id)].append(staged)
    result = LinkAllResult()
    for staged in waiting:
        candidates = suggestions.get(staged.pk, [])
        if not candidates:
            continue
        if len(candidates) > 1:
            names = "; ".join(c.label for c in candidates)
            result.skipped.append(
                (staged, f"{len(candidates)} records are suggested ({names}): link the right one by hand.")
            )
            continue
        [suggestion] = candidates
        rivals = [other for other in suggested_for[(staged.kind, suggestion.target_id)] if other.pk != staged.pk]
        if rivals:
            others = "; ".join(str(other) for other in rivals)
            result.skipped.append(
                (staged, f"{suggestion.label} is also suggested for {others}: link the right one by hand.")
            )
            continue
        try:
            staged_record_link(staged=staged, target_id=suggestion.target_id, user=user)
        except (DomainError, ValidationError) as exc:
            result.skipped.append((staged, _refusal(exc)))
        else:
            result.linked.append((staged, suggestion))
    return result


def staged_record_unlinked(*, model, erp_id, data, user):
    """The record here let go of its ERP record (unlink): the ERP record waits under Ready to Import again.

    An ERP record that was never staged (a vendor exported from here) is staged with the data the
    app last knew; the ERP's next sync refreshes it. Records already waiting or archived stay so.
    """
    importer = registry.importer_of(model)
    with transaction.atomic():
        staged = StagedRecord.objects.select_for_update().filter(kind=importer.kind, erp_id=erp_id).first()
        if staged is None:
            return _stage(importer, erp_id, importer.clean_data(data))
        if staged.status == StagedRecord.Status.IMPORTED:
            run_step(staged.unlink, user=user, description="Unlinked in the app")
            staged.save()
    return staged
