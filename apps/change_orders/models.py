from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import FSMField

from apps.commitments.models import (
    MONEY,
    PENDING_ERP_STATUSES,
    QUANTITY,
    Commitment,
    CommitmentLine,
    CommittedRecord,
    own_status_transition,
)
from apps.erp_queue.registry import ERPStatus
from apps.jobs.models import CostCode, CostType


class ChangeOrder(CommittedRecord):
    """A commitment change order (CCO): the only way to change a synced commitment, exported to the ERP."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        VOID = "void", "Void"

    #: Everything that is exported: read-only while the ERP reviews or holds it.
    FIELDS = ("number", "title", "description", "lines")
    SEND_PERMISSION = "change_orders.send_changeorder"

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="change_orders")
    number = models.CharField(max_length=50, help_text="001, 002, … per commitment by default.")
    title = models.CharField(max_length=255)
    description = models.CharField(max_length=255, blank=True)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True)
    erp_id = models.CharField("ERP change order number", max_length=20, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["commitment", "number"]
        verbose_name = "commitment change order"
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="change_order_unique_number"),
        ]
        indexes = [models.Index(fields=["status", "erp_status"])]
        permissions = [
            ("approve_changeorder", "Can approve and reject commitment change orders"),
            ("send_changeorder", "Can send commitment change orders to the ERP, retrieve and resend them"),
        ]

    def __str__(self):
        return f"CCO {self.number} {self.title}"

    def locked_fields(self):
        return self.FIELDS if self.erp_status in (*PENDING_ERP_STATUSES, ERPStatus.SYNCED) else ()

    @own_status_transition(source=Status.DRAFT, target=Status.PENDING, permission="change_orders.change_changeorder")
    def submit(self, by=None, description=None):
        pass

    @own_status_transition(
        source=Status.PENDING, target=Status.APPROVED, permission="change_orders.approve_changeorder"
    )
    def approve(self, by=None, description=None):
        pass

    @own_status_transition(
        source=Status.PENDING, target=Status.REJECTED, permission="change_orders.approve_changeorder"
    )
    def reject(self, by=None, description=None):
        pass

    @own_status_transition(
        source=[Status.DRAFT, Status.PENDING, Status.APPROVED, Status.REJECTED],
        target=Status.VOID,
        permission="change_orders.change_changeorder",
    )
    def void(self, by=None, description=None):
        pass


class ChangeOrderLine(models.Model):
    """A change to one commitment line by an amount, or (purchase orders only) a new line."""

    change_order = models.ForeignKey(ChangeOrder, on_delete=models.CASCADE, related_name="lines")
    commitment_line = models.ForeignKey(
        CommitmentLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_order_lines",
        help_text="The commitment line it changes; empty for a new purchase order line.",
    )
    cost_code = models.ForeignKey(CostCode, on_delete=models.PROTECT, related_name="+")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(**QUANTITY, null=True, blank=True, validators=[MinValueValidator(0)])
    uom = models.CharField("unit", max_length=20, blank=True)
    unit_cost = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(0)])
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["change_order", "id"]
        verbose_name = "change order line"

    def __str__(self):
        target = f"change of line {self.commitment_line.position}" if self.commitment_line_id else "new line"
        return f"{target}: {self.amount}"
