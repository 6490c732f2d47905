"""What a producer app (jobs, budgets, …) plugs into the queue with; erp_queue never imports them.

A producer's records inherit `ExportableRecord` (an ERP status that follows their requests), and
its `erp.py` declares one `Exporter` per kind and one `Importer` per staged kind, registered from
its AppConfig.ready(). The queue learns every kind, label and model from here.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django_fsm import ConcurrentTransitionMixin, FSMField

from apps.core.workflow import audited_transition, register_steps, run_step


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
    """A record created here that reaches the ERP by being sent, accepted and exported.

    Jobs, companies, commitments and change orders inherit it. Budgets have a life cycle of their
    own (lock, posting) with transitions of the same names, so the same services move them.
    """

    ERPStatus = ERPStatus
    #: The ERP holds or reviews what was sent: it stays as it was sent.
    PENDING_STATUSES = (ERPStatus.READY_TO_EXPORT, ERPStatus.EXPORTING, ERPStatus.FAILED)
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

    @audited_transition(
        field=erp_status,
        source=ERPStatus.NOT_SYNCED,
        target=ERPStatus.READY_TO_EXPORT,
        conditions=[_ready],
        permission=_may_send,
    )
    def send(self, by=None, description=None):
        self.erp_messages = []

    @audited_transition(
        field=erp_status,
        source=ERPStatus.REJECTED,
        target=ERPStatus.READY_TO_EXPORT,
        conditions=[_ready],
        permission=_may_send,
    )
    def resend(self, by=None, description=None):
        self.erp_messages = []
        self.rejection_reason = ""

    @audited_transition(
        field=erp_status, source=ERPStatus.READY_TO_EXPORT, target=ERPStatus.NOT_SYNCED, permission=_may_send
    )
    def retrieve(self, by=None, description=None):
        pass

    @audited_transition(
        field=erp_status, source=[ERPStatus.READY_TO_EXPORT, ERPStatus.FAILED], target=ERPStatus.EXPORTING
    )
    def mark_exporting(self, by=None, description=None):
        self.erp_messages = []

    @audited_transition(field=erp_status, source=ERPStatus.EXPORTING, target=ERPStatus.SYNCED)
    def mark_synced(self, by=None, description=None, **erp_fields):
        """`erp_fields`: what the export gave the record (its erp_id, and e.g. a vendor type)."""
        for field, value in erp_fields.items():
            setattr(self, field, value)

    @audited_transition(field=erp_status, source=ERPStatus.EXPORTING, target=ERPStatus.FAILED)
    def mark_failed(self, by=None, description=None, messages=None):
        self.erp_messages = messages or []

    @audited_transition(
        field=erp_status, source=[ERPStatus.READY_TO_EXPORT, ERPStatus.FAILED], target=ERPStatus.REJECTED
    )
    def mark_rejected(self, by=None, description=None):
        self.rejection_reason = description or ""


class Exporter:
    """One kind of record sent to the ERP, its whole export story in one place.

    The queue's services call these hooks; a kind overrides what differs. `steps` are the record's
    workflow steps (made into the admin's buttons and the API's actions).
    """

    kind = None
    label = None
    model = None
    #: The admin form for the approver's inputs on accept (and, optional, on retry); None if none.
    accept_form = None
    #: The admin form for a retry's corrected inputs, when it differs from the accept form's optional fields.
    retry_form = None
    #: The payload's key holding the record's id here (the approver's page leaves it to the raw JSON).
    record_key = None
    steps = ()

    def accept_form_for(self, request):
        """The accept form for this request (an update of a synced record may need no inputs)."""
        return self.accept_form

    def moves_record(self, request):
        """Whether the request moves its record's ERP status (an update of a synced record leaves it synced)."""
        return True

    def locked(self, pk):
        """The record, locked for the rest of the transaction."""
        return self.model.objects.select_for_update().get(pk=pk)

    def payload(self, record):
        """What the approver reviews and the ERP receives, frozen at send time."""
        raise NotImplementedError

    def check(self, record, payload):
        """Every unmet precondition of a send at once: raise ValidationError({field: message})."""

    def erp_problems(self, payload, inputs=None):
        """{field: message} for what the ERP's live state refuses in `payload`, read through the connector.

        Checked when the record is sent (`inputs` None) and again when the approver accepts or retries
        (with their inputs): a refusal knowable now is a 400, not an export that fails after the accept.
        """
        return {}

    def sent(self, record, request):
        """The record was just sent as `request` (budgets tie their transactions to it)."""

    def released(self, record, request):
        """`request` was retrieved or rejected: what it carried is the record's again."""

    def clean_inputs(self, *, request, inputs):
        """The approver's inputs for accept/retry, cleaned; raise ValidationError({field: msg}) if wrong."""
        return {}

    def project_of(self, request):
        """The project number the request belongs to, as its payload names it ("" for kinds not on a project)."""
        return str(request.payload.get("project") or "")

    def payload_names(self):
        """{payload key: {code: name}} for coded values the approver reads by name (cost types)."""
        return {}

    def expected_erp_ids(self, request):
        """The ERP ids a report of success must carry unchanged: by default the ERP job the payload names."""
        return {"job_id": request.payload.get("job_id")}

    def synced_fields(self, record, request):
        """What a successful export gives the record (its erp_id, …), checked; or raise ValidationError."""
        return {}

    def land(self, record, request):
        """The ERP wrote the record: record what it answered."""
        fields = self.synced_fields(record, request)
        label = record._meta.get_field("erp_id").verbose_name
        run_step(record.mark_synced, user=None, description=f"Exported as {label} {fields['erp_id']}", **fields)

    def rejected(self, record, request):
        """Accounting rejected the record (after it moved back): e.g. tell its creator."""

    def entries_posted(self, *, request, user):
        """The ERP posted what this request exported (only budgets wait for posting)."""


@dataclass(frozen=True)
class Suggestion:
    """A record here that may be the same as a staged ERP record, and why it was suggested."""

    target_id: int
    label: str
    reasons: tuple[str, ...]


class Importer:
    """What a producer app does with a record the ERP staged under Ready to Import."""

    kind = None
    label = None
    #: The app's model that staged records of this kind become or are linked to.
    model = None
    #: Whether a staged record may be linked to a record that already exists here. Only vendors:
    #: a job or a budget created in both systems can never be linked (SPEC §1).
    can_link = False

    def clean_data(self, data):
        """Validate what the ERP (or the agent) staged; return it cleaned, or raise ValidationError."""
        return data

    def record_label(self, data):
        return str(data.get("name", ""))

    def add_to_app(self, *, staged, user):
        """Create (or update) the app's record from the staged one and return it."""
        raise NotImplementedError

    def payload_names(self):
        """{data key: {code: name}} for coded values the approver reads by name (cost types, vendor types)."""
        return {}

    def never_importable(self, staged):
        """Why `staged` can never be added to the app, whatever anyone fixes (no Add to app is offered); or None."""
        return None

    def suggestions(self, staged_records):
        """{staged record pk: [Suggestion]} for staged records of this kind, computed for all of them at once."""
        return {}

    def link_form(self, staged):
        """The admin form that asks which record to link `staged` to: its `target` field cleans to that record."""
        raise NotImplementedError

    def link(self, *, staged, target_id, user):
        """Link the staged ERP record to the app's record `target_id` and return that record."""
        raise NotImplementedError


_exporters = {}
_importers = {}


def register_exporter(exporter):
    if exporter.kind in _exporters:
        raise ImproperlyConfigured(f"An ERP exporter for {exporter.kind!r} is already registered")
    _exporters[exporter.kind] = exporter
    register_steps(exporter.model, exporter.steps)


def register_importer(importer):
    if importer.kind in _importers:
        raise ImproperlyConfigured(f"An ERP importer for {importer.kind!r} is already registered")
    _importers[importer.kind] = importer


def exporter_for(kind):
    try:
        return _exporters[kind]
    except KeyError:
        raise ImproperlyConfigured(f"No app has registered an ERP exporter for {kind!r}") from None


def exporter_of(record_or_model):
    """The exporter of a record (or of its model)."""
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    for exporter in _exporters.values():
        if exporter.model is model:
            return exporter
    raise ImproperlyConfigured(f"No app has registered an ERP exporter for {model.__name__}")


def importer_for(kind):
    return _importers.get(kind)


def importer_of(model):
    """The importer whose staged records become (or link to) records of `model`."""
    return next((importer for importer in _importers.values() if importer.model is model), None)


def importable_kinds():
    return sorted(_importers)


def kind_choices():
    """The exported kinds as (kind, label), for the request's `kind` field: read when used, after ready()."""
    return [(kind, exporter.label) for kind, exporter in _exporters.items()]


def staged_kind_choices():
    """The staged kinds as (kind, label), for the staged record's `kind` field."""
    return [(kind, importer.label) for kind, importer in _importers.items()]


#: The same, as iterables for settings that want choices rather than a callable (the OpenAPI enums).
KIND_CHOICES = CallableChoiceIterator(kind_choices)
STAGED_KIND_CHOICES = CallableChoiceIterator(staged_kind_choices)
