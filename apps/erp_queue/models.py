import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField

from apps.core.workflow import audited_transition
from apps.erp_queue import registry


class ERPRequest(ConcurrentTransitionMixin, models.Model):
    """One send of one record to the ERP: what the approver reviews, decides and the connector exports."""

    class Status(models.TextChoices):
        READY_TO_EXPORT = "ready_to_export", "Ready to export"
        EXPORTING = "exporting", "Exporting"
        SYNCED = "synced", "Synced"
        FAILED = "failed", "Failed to export"
        REJECTED = "rejected", "Rejected"
        RETRIEVED = "retrieved", "Retrieved by sender"

    OPEN_STATUSES = (Status.READY_TO_EXPORT, Status.EXPORTING, Status.FAILED)

    kind = models.CharField(max_length=20, choices=registry.kind_choices)
    object_id = models.PositiveBigIntegerField(help_text="Primary key of the record in its own app.")
    record_label = models.CharField(max_length=255, help_text="How the record read when it was sent.")
    payload = models.JSONField(help_text="What is exported, frozen at send time.")
    status = FSMField(max_length=20, choices=Status.choices, default=Status.READY_TO_EXPORT, protected=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erp_requests_sent")
    sent_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erp_requests_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    inputs = models.JSONField(default=dict, blank=True, help_text="What the approver typed (ERP ids).")
    reason = models.TextField(blank=True, help_text="Why the approver rejected it.")
    messages = models.JSONField(default=list, blank=True, help_text="The ERP's messages on the last failure.")
    erp_ids = models.JSONField(default=dict, blank=True, help_text="Identifiers the ERP gave the record.")
    attempts = models.PositiveIntegerField(default=0)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="When the export last failed.")

    class Meta:
        verbose_name = "ERP request"
        ordering = ["-sent_at", "-id"]
        # The queue only grows: each tab (all, a status, a kind, both) reads its page, newest first, off one index.
        indexes = [
            models.Index(fields=["sent_at", "id"]),
            models.Index(fields=["status", "sent_at", "id"]),
            models.Index(fields=["kind", "sent_at", "id"]),
            models.Index(fields=["kind", "status", "sent_at", "id"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["kind", "object_id"]),
            models.Index(fields=["failed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=Q(status__in=["ready_to_export", "exporting", "failed"]),
                name="erp_request_one_open_per_record",
            )
        ]
        permissions = [
            ("decide_erprequest", "Can push to accounting: accept, reject and retry ERP requests"),
            (
                "export_erprequest",
                "Can claim accepted ERP requests and report their export (connector agent)",
            ),
        ]

    def __str__(self):
        kind, label = self.get_kind_display(), self.record_label
        named = label.casefold().startswith(kind.casefold())  # "Budget of 2403", not "Budget Budget of 2403"
        return f"{label if named else f'{kind} {label}'} (request {self.pk})"

    @audited_transition(
        field=status,
        source=Status.READY_TO_EXPORT,
        target=Status.EXPORTING,
        permission="erp_queue.decide_erprequest",
    )
    def accept(self, by=None, description=None, decided_at=None):
        self.decided_by = by
        self.decided_at = decided_at

    @audited_transition(
        field=status,
        source=[Status.READY_TO_EXPORT, Status.FAILED],
        target=Status.REJECTED,
        permission="erp_queue.decide_erprequest",
    )
    def reject(self, by=None, description=None, decided_at=None):
        self.decided_by = by
        self.decided_at = decided_at
        self.reason = description
        self.completed_at = decided_at

    @audited_transition(field=status, source=Status.READY_TO_EXPORT, target=Status.RETRIEVED)
    def retrieve(self, by=None, description=None, decided_at=None):
        self.completed_at = decided_at

    @audited_transition(
        field=status, source=Status.EXPORTING, target=Status.SYNCED, permission="erp_queue.export_erprequest"
    )
    def succeed(self, by=None, description=None, erp_ids=None, completed_at=None):
        self.erp_ids = erp_ids or {}
        self.messages = []
        self.completed_at = completed_at
        self.lease_token = None
        self.lease_expires_at = None

    @audited_transition(
        field=status, source=Status.EXPORTING, target=Status.FAILED, permission="erp_queue.export_erprequest"
    )
    def fail(self, by=None, description=None, messages=None, failed_at=None):
        self.messages = messages or []
        self.failed_at = failed_at
        self.lease_token = None
        self.lease_expires_at = None

    @audited_transition(
        field=status, source=Status.FAILED, target=Status.EXPORTING, permission="erp_queue.decide_erprequest"
    )
    def retry(self, by=None, description=None):
        self.messages = []


class StagedRecord(ConcurrentTransitionMixin, models.Model):
    """A record created in the ERP, waiting under Ready to Import to be added to (or linked in) the app."""

    class Status(models.TextChoices):
        STAGED = "staged", "Ready to import"
        IMPORTED = "imported", "Imported"
        ARCHIVED = "archived", "Archived"

    kind = models.CharField(max_length=20, choices=registry.staged_kind_choices)
    erp_id = models.CharField("ERP id", max_length=64)
    label = models.CharField(max_length=255, help_text="The ERP's name for the record.")
    data = models.JSONField(help_text="The record as the ERP reported it.")
    status = FSMField(max_length=20, choices=Status.choices, default=Status.STAGED, protected=True)
    staged_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    imported_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "staged ERP record"
        ordering = ["kind", "erp_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "erp_id"], name="staged_record_unique_kind_erp_id")]
        # Ready to Import (a status, a kind or both) in its order: one index.
        indexes = [models.Index(fields=["status", "kind", "erp_id"])]
        permissions = [
            ("import_stagedrecord", "Can add staged ERP records to the app, link and archive them"),
        ]

    def __str__(self):
        label = self.label if not self.label.startswith(f"{self.erp_id} ") else self.label[len(self.erp_id) + 1 :]
        return f"ERP {self.get_kind_display().lower()} {self.erp_id} {label}".strip()  # the id once

    @audited_transition(
        field=status, source=Status.STAGED, target=Status.IMPORTED, permission="erp_queue.import_stagedrecord"
    )
    def add_to_app(self, by=None, description=None, object_id=None, at=None):
        self.imported_object_id = object_id
        self.imported_by = by
        self.imported_at = at

    @audited_transition(
        field=status, source=Status.STAGED, target=Status.IMPORTED, permission="erp_queue.import_stagedrecord"
    )
    def link(self, by=None, description=None, object_id=None, at=None):
        self.imported_object_id = object_id
        self.imported_by = by
        self.imported_at = at

    @audited_transition(
        field=status, source=Status.STAGED, target=Status.ARCHIVED, permission="erp_queue.import_stagedrecord"
    )
    def archive(self, by=None, description=None):
        pass

    @audited_transition(field=status, source=Status.IMPORTED, target=Status.STAGED)
    def restage(self, by=None, description=None):
        """The ERP changed a record that was imported: it waits to be imported again."""

    @audited_transition(field=status, source=Status.IMPORTED, target=Status.STAGED)
    def unlink(self, by=None, description=None):
        """The app's record let go of this ERP record: it waits to be linked or added again."""
        self.imported_object_id = None
        self.imported_by = None
        self.imported_at = None


class AgentContact(models.Model):
    """The last time each ERP connector agent was heard from: health and the approvers' outage notice read it."""

    worker = models.CharField(max_length=255, unique=True, help_text="The name the agent claims under.")
    version = models.CharField(max_length=64, blank=True)
    host = models.CharField(max_length=255, blank=True)
    first_contact_at = models.DateTimeField(auto_now_add=True)
    last_contact_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "ERP agent"
        ordering = ["-last_contact_at"]

    def __str__(self):
        return self.worker


class AgentOutage(models.Model):
    """A stretch when no agent was heard from while exports waited: the approvers are told once per outage."""

    #: The last contact the silence follows ("never" before any): two checks at once open one outage.
    since = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(help_text="When the silence was noticed.")
    notified = models.PositiveIntegerField(default=0, help_text="Approvers e-mailed.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When an agent was heard from again.")

    class Meta:
        verbose_name = "ERP agent outage"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Agent silent since {self.since}"
