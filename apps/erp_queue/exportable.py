"""What every record sent through the queue shares: its ERP status, which follows its requests.

Jobs, companies, commitments and change orders inherit this abstract model; budgets have a life
cycle of their own (lock, posting) and keep theirs.
"""

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description


class ERPStatus(models.TextChoices):
    NOT_SYNCED = "not_synced", "Not synced"
    READY_TO_EXPORT = "ready_to_export", "Sent, awaiting accounting"
    EXPORTING = "exporting", "Exporting"
    FAILED = "failed", "Failed to export"
    REJECTED = "rejected", "Rejected by accounting"
    SYNCED = "synced", "Synced"


def _ready(record):
    return record.ready_for_erp()


def _may_send(record, user):
    return user.has_perm(record.SEND_PERMISSION)


class ExportableRecord(ConcurrentTransitionMixin, models.Model):
    """A record created here that reaches the ERP by being sent, accepted and exported."""

    ERPStatus = ERPStatus
    #: The ERP holds or reviews what was sent: it stays as it was sent.
    PENDING_STATUSES = (ERPStatus.READY_TO_EXPORT, ERPStatus.EXPORTING, ERPStatus.FAILED)
    ERP_STEPS = {"send-to-erp": "send", "retrieve": "retrieve", "resend": "resend"}
    #: The permission that sends, resends and retrieves this kind of record ("app.codename").
    SEND_PERMISSION = None

    erp_status = FSMField(
        "ERP status", max_length=20, choices=ERPStatus.choices, default=ERPStatus.NOT_SYNCED, protected=True
    )
    erp_messages = models.JSONField("ERP messages", default=list, blank=True, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def ready_for_erp(self):
        """A cheap check on the row itself that must hold before sending (e.g. an approved status)."""
        return True

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=erp_status,
        source=ERPStatus.NOT_SYNCED,
        target=ERPStatus.READY_TO_EXPORT,
        conditions=[_ready],
        permission=_may_send,
    )
    def send(self, by=None, description=None):
        self.erp_messages = []

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=erp_status,
        source=ERPStatus.REJECTED,
        target=ERPStatus.READY_TO_EXPORT,
        conditions=[_ready],
        permission=_may_send,
    )
    def resend(self, by=None, description=None):
        self.erp_messages = []
        self.rejection_reason = ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=erp_status, source=ERPStatus.READY_TO_EXPORT, target=ERPStatus.NOT_SYNCED, permission=_may_send)
    def retrieve(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=erp_status, source=[ERPStatus.READY_TO_EXPORT, ERPStatus.FAILED], target=ERPStatus.EXPORTING)
    def mark_exporting(self, by=None, description=None):
        self.erp_messages = []

    @fsm_log_by
    @fsm_log_description
    @transition(field=erp_status, source=ERPStatus.EXPORTING, target=ERPStatus.SYNCED)
    def mark_synced(self, by=None, description=None, **erp_fields):
        """`erp_fields`: what the export gave the record (its erp_id, and e.g. a vendor type)."""
        for field, value in erp_fields.items():
            setattr(self, field, value)

    @fsm_log_by
    @fsm_log_description
    @transition(field=erp_status, source=ERPStatus.EXPORTING, target=ERPStatus.FAILED)
    def mark_failed(self, by=None, description=None, messages=None):
        self.erp_messages = messages or []

    @fsm_log_by
    @fsm_log_description
    @transition(field=erp_status, source=[ERPStatus.READY_TO_EXPORT, ERPStatus.FAILED], target=ERPStatus.REJECTED)
    def mark_rejected(self, by=None, description=None):
        self.rejection_reason = description or ""
