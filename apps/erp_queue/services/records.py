"""What producers call: send, resend and retrieve any exported record, its steps, and the ERP's master data."""

from django.db import transaction

from apps.core.exceptions import DomainError, ValidationError
from apps.core.workflow import Step, check_step, run_step
from apps.erp_queue import registry, selectors
from apps.erp_queue.connectors import get_connector
from apps.erp_queue.models import ERPRequest
from apps.erp_queue.services.requests import request_retrieve


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
    `check(record, payload)` names every unmet precondition at once, then `erp_problems(payload)` what the
    ERP holds that refuses it (400).
    """
    exporter = registry.exporter_of(record)
    with transaction.atomic():
        record = exporter.locked(record.pk)
        method = check_step(transition.__get__(record), user=user, conditions=False)
        payload = exporter.payload(record)
        exporter.check(record, payload)
        if problems := exporter.erp_problems(payload):
            raise ValidationError(problems)
        run_step(method, user=user)
        record.save()
        request = _request_create(exporter=exporter, record=record, payload=payload, user=user)
        exporter.sent(record, request)
    return record, request


def record_update_send(*, record, payload, user):
    """A synced record changed in what the ERP must add (a project's new cost codes): its update request.

    Opens one, or refreshes the one still waiting for the approver with `payload`; a payload of None
    (nothing left to add) takes a waiting one back. The record stays synced throughout. An update being
    exported (or failed) is not changed: the caller refuses the change first.
    """
    exporter = registry.exporter_of(record)
    waiting = selectors.request_open_for(kind=exporter.kind, object_id=record.pk)
    if waiting is not None and waiting.status != ERPRequest.Status.READY_TO_EXPORT:
        raise DomainError(f"{waiting} is being exported; wait for it before changing {record} again.")
    if payload is None:
        if waiting is not None:
            request_retrieve(request=waiting, user=user)
        return None
    if waiting is not None:
        waiting.payload = payload
        waiting.save(update_fields=["payload"])
        return waiting
    return ERPRequest.objects.create(
        kind=exporter.kind, object_id=record.pk, record_label=f"update of {record}"[:255], payload=payload, sent_by=user
    )


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
            "Take back from accounting",
            model.retrieve,
            lambda record, user, data: record_retrieve(record=record, user=user),
            "{obj} was taken back from the ERP queue and can be edited.",
            summary=f"Take a sent {noun} back from accounting before they decide",
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
