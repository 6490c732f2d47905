from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import FSMField

from apps.core.workflow import audited_transition
from apps.erp_queue.registry import ERPStatus, ExportableRecord
from apps.jobs.models import CostCode, CostType, Origin, Project
from apps.vendors.models import Company

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 4}


#: The ERP holds or reviews the record: what was sent stays as it was sent.
PENDING_ERP_STATUSES = ExportableRecord.PENDING_STATUSES
#: The record is the app's alone: its own status may move and its fields change.
OPEN_ERP_STATUSES = (ERPStatus.NOT_SYNCED, ERPStatus.REJECTED)


def own_status_open(record):
    """A commitment's (or change order's) own status moves only while the ERP neither reviews nor holds it."""
    return record.erp_status in OPEN_ERP_STATUSES


def own_status_transition(*, source, target, permission):
    """A transition of a commitment's or change order's own status (audited, and only while the ERP lets it)."""
    return audited_transition(
        field="status", source=source, target=target, conditions=[own_status_open], permission=permission
    )


class CommittedRecord(ExportableRecord):
    """What a commitment and its change orders share: created here only, and sent to the ERP once approved."""

    origin = models.CharField(max_length=3, choices=Origin.choices, default=Origin.APP, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def ready_for_erp(self):
        return self.status == self.Status.APPROVED


class Commitment(CommittedRecord):
    """A subcontract or purchase order on a project, to a vendor: created here only, and exported to the ERP."""

    class Type(models.TextChoices):
        SUBCONTRACT = "subcontract", "Subcontract"
        PURCHASE_ORDER = "purchase_order", "Purchase order"

    class AccountingMethod(models.TextChoices):
        AMOUNT = "amount", "Amount based"
        UNIT = "unit", "Unit/quantity based"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OUT_FOR_BID = "out_for_bid", "Out for bid"
        OUT_FOR_SIGNATURE = "out_for_signature", "Out for signature"
        APPROVED = "approved", "Approved"
        COMPLETE = "complete", "Complete"
        TERMINATED = "terminated", "Terminated"
        VOID = "void", "Void"

    NUMBER_PREFIX = {Type.SUBCONTRACT: "SC", Type.PURCHASE_ORDER: "PO"}
    #: What a project manager enters (the admin's form, the API's create).
    ENTERED_FIELDS = (
        "project",
        "type",
        "number",
        "title",
        "description",
        "vendor",
        "retainage_percent",
        "accounting_method",
    )
    #: Read-only while the ERP reviews or holds a send (besides the status, which cannot move then).
    LOCKED_WHILE_SENT = ("vendor", "title", "retainage_percent", "number", "type", "accounting_method", "lines")
    #: Read-only once synced: real changes go through change orders; the number is never changed after sync.
    LOCKED_WHEN_SYNCED = ("vendor", "number", "type", "accounting_method", "lines")
    SEND_PERMISSION = "commitments.send_commitment"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="commitments")
    type = models.CharField(max_length=20, choices=Type.choices)
    number = models.CharField(max_length=50, help_text="SC-001 / PO-001 by default; editable until it is sent.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    vendor = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="commitments")
    retainage_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    accounting_method = models.CharField(max_length=10, choices=AccountingMethod.choices)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True)
    erp_id = models.CharField("ERP commitment number", max_length=20, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["project__number", "type", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "type", "number"], name="commitment_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "erp_status"])]
        permissions = [("send_commitment", "Can send commitments to the ERP, retrieve and resend them")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def locked_fields(self):
        """The fields that cannot change in the commitment's ERP state."""
        if self.erp_status in PENDING_ERP_STATUSES:
            return self.LOCKED_WHILE_SENT
        if self.erp_status == ERPStatus.SYNCED:
            return self.LOCKED_WHEN_SYNCED
        return ()

    @own_status_transition(source=Status.DRAFT, target=Status.OUT_FOR_BID, permission="commitments.change_commitment")
    def put_out_for_bid(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.DRAFT, Status.OUT_FOR_BID],
        target=Status.OUT_FOR_SIGNATURE,
        permission="commitments.change_commitment",
    )
    def put_out_for_signature(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.DRAFT, Status.OUT_FOR_BID, Status.OUT_FOR_SIGNATURE],
        target=Status.APPROVED,
        permission="commitments.change_commitment",
    )
    def approve(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.OUT_FOR_BID, Status.OUT_FOR_SIGNATURE, Status.APPROVED],
        target=Status.DRAFT,
        permission="commitments.change_commitment",
    )
    def return_to_draft(self, by=None, description=None):
        pass

    @own_status_transition(source=Status.APPROVED, target=Status.COMPLETE, permission="commitments.change_commitment")
    def complete(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.OUT_FOR_SIGNATURE, Status.APPROVED],
        target=Status.TERMINATED,
        permission="commitments.change_commitment",
    )
    def terminate(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.DRAFT, Status.OUT_FOR_BID, Status.OUT_FOR_SIGNATURE, Status.APPROVED],
        target=Status.VOID,
        permission="commitments.change_commitment",
    )
    def void(self, by=None, description=None):
        pass


class CommitmentLine(models.Model):
    """One line of a commitment's schedule of values, on a cost code and cost type of its project."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(help_text="The line's number in the schedule of values (and in the ERP).")
    cost_code = models.ForeignKey(CostCode, on_delete=models.PROTECT, related_name="+")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(**QUANTITY, null=True, blank=True, validators=[MinValueValidator(0)])
    uom = models.CharField("unit", max_length=20, blank=True)
    unit_cost = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(0)])
    amount = models.DecimalField(**MONEY, default=0, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["commitment", "position"]
        verbose_name = "schedule of values line"
        constraints = [
            models.UniqueConstraint(fields=["commitment", "position"], name="commitment_line_unique_position"),
        ]

    def __str__(self):
        return f"{self.commitment.number} line {self.position}: {self.cost_code.code} {self.cost_type.name}"
