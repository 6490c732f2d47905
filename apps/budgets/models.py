import uuid

from django.conf import settings
from django.db import models
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField

from apps.core.fields import CostCodeField
from apps.core.workflow import audited_transition
from apps.jobs.models import CostCode, CostType, Origin, Project

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 4}


class Budget(ConcurrentTransitionMixin, models.Model):
    """A project's one budget: set up here (or imported from the ERP), locked, exported, updated."""

    class Status(models.TextChoices):
        UNLOCKED = "unlocked", "Unlocked"
        LOCKED = "locked", "Locked"
        READY_TO_EXPORT = "ready_to_export", "Sent, awaiting accounting"
        EXPORTING = "exporting", "Exporting"
        FAILED = "failed", "Failed to export"
        REJECTED = "rejected", "Rejected by accounting"
        AWAITING_POSTING = "awaiting_posting", "Exported, awaiting posting in the ERP"
        SYNCED = "synced", "Synced"

    #: The ERP holds the budget: nothing changes here until it decides or posts.
    PENDING = (Status.READY_TO_EXPORT, Status.EXPORTING, Status.FAILED, Status.AWAITING_POSTING)
    #: Original amounts are frozen: changes go through modifications and partial lines.
    FROZEN = (Status.LOCKED, Status.REJECTED, Status.SYNCED)

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="budget")
    status = FSMField(max_length=20, choices=Status.choices, default=Status.UNLOCKED, protected=True)
    origin = models.CharField(max_length=3, choices=Origin.choices, default=Origin.APP, editable=False)
    erp_id = models.CharField("ERP job id", max_length=20, blank=True, editable=False)
    ever_exported = models.BooleanField(default=False, editable=False)
    erp_messages = models.JSONField("ERP messages", default=list, blank=True, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project__number"]
        permissions = [
            ("lock_budget", "Can lock and unlock budgets"),
            ("send_budget", "Can send budgets to the ERP, retrieve and resend them"),
            ("post_budget", "Can report that a budget's entries were posted in the ERP"),
        ]

    def __str__(self):
        return f"Budget of {self.project}"

    def _created_here(self):
        return self.origin == Origin.APP

    def _has_changes(self):
        """Something to send: before the first export its full lines; after it, the changes not yet sent.

        Lists annotate `changes_to_send` (selectors.budget_list) so that each row's steps cost no query.
        """
        annotated = getattr(self, "changes_to_send", None)
        if annotated is not None:
            return annotated
        if not self.ever_exported:
            return self.lines.filter(partial=False).exists()
        return self.transactions.filter(exported_at__isnull=True, request_id__isnull=True).exists()

    def _back_from_queue(self, **kwargs):
        return self.Status.SYNCED if self.ever_exported else self.Status.LOCKED

    @property
    def is_erp_budget(self):
        return self.origin == Origin.ERP

    @audited_transition(
        field=status,
        source=Status.UNLOCKED,
        target=Status.LOCKED,
        conditions=[_created_here],
        permission="budgets.lock_budget",
    )
    def lock(self, by=None, description=None):
        pass

    @audited_transition(
        field=status,
        source=[Status.LOCKED, Status.REJECTED],
        target=Status.UNLOCKED,
        permission="budgets.lock_budget",
    )
    def unlock(self, by=None, description=None):
        pass  # a rejection's reason stays in view while the budget is fixed, until it is sent again

    @audited_transition(
        field=status,
        source=[Status.LOCKED, Status.SYNCED],
        target=Status.READY_TO_EXPORT,
        conditions=[_created_here, _has_changes],
        permission="budgets.send_budget",
    )
    def send(self, by=None, description=None):
        self.erp_messages = []
        self.rejection_reason = ""

    @audited_transition(
        field=status, source=Status.REJECTED, target=Status.READY_TO_EXPORT, permission="budgets.send_budget"
    )
    def resend(self, by=None, description=None):
        self.erp_messages = []
        self.rejection_reason = ""

    @audited_transition(
        field=status,
        source=Status.READY_TO_EXPORT,
        target=GET_STATE(_back_from_queue, states=[Status.LOCKED, Status.SYNCED]),
        permission="budgets.send_budget",
    )
    def retrieve(self, by=None, description=None):
        pass

    @audited_transition(field=status, source=[Status.READY_TO_EXPORT, Status.FAILED], target=Status.EXPORTING)
    def mark_exporting(self, by=None, description=None):
        self.erp_messages = []

    @audited_transition(field=status, source=Status.EXPORTING, target=Status.AWAITING_POSTING)
    def mark_exported(self, by=None, description=None, erp_id=""):
        self.ever_exported = True
        self.erp_id = erp_id

    @audited_transition(field=status, source=Status.EXPORTING, target=Status.FAILED)
    def mark_failed(self, by=None, description=None, messages=None):
        self.erp_messages = messages or []

    @audited_transition(field=status, source=[Status.READY_TO_EXPORT, Status.FAILED], target=Status.REJECTED)
    def mark_rejected(self, by=None, description=None):
        self.rejection_reason = description or ""

    @audited_transition(
        field=status, source=Status.AWAITING_POSTING, target=Status.SYNCED, permission="budgets.post_budget"
    )
    def mark_posted(self, by=None, description=None):
        pass

    @audited_transition(field=status, source=Status.UNLOCKED, target=Status.SYNCED)
    def mark_imported(self, by=None, description=None, erp_id=""):
        self.erp_id = erp_id


class BudgetLineItem(models.Model):
    """One budget line, keyed by (cost code, cost type): one cell of Sage's budget."""

    class Calculation(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic (quantity × unit cost)"
        MANUAL = "manual", "Manual (amount typed)"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    cost_code = models.ForeignKey(CostCode, on_delete=models.PROTECT, related_name="+")
    cost_type = models.ForeignKey(CostType, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(**QUANTITY, null=True, blank=True)
    uom = models.CharField("unit of measure", max_length=20, blank=True)
    unit_cost = models.DecimalField(**MONEY, null=True, blank=True)
    calculation = models.CharField(max_length=10, choices=Calculation.choices, default=Calculation.MANUAL)
    original_amount = models.DecimalField(**MONEY, default=0)
    partial = models.BooleanField(
        default=False, help_text="Added after export with no original amount; funded only by modifications."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cost_code__code", "cost_type_id"]
        verbose_name = "budget line item"
        constraints = [
            models.UniqueConstraint(fields=["budget", "cost_code", "cost_type"], name="budget_line_unique_code_type")
        ]

    def __str__(self):
        return f"{self.cost_code.code} {self.cost_type.name}"  # 5100 Material, as people name a budget line


class BudgetModification(models.Model):
    """A net-zero transfer between two lines of a locked or synced budget."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="modifications")
    from_line = models.ForeignKey(BudgetLineItem, on_delete=models.PROTECT, related_name="outgoing_modifications")
    to_line = models.ForeignKey(BudgetLineItem, on_delete=models.PROTECT, related_name="incoming_modifications")
    amount = models.DecimalField(**MONEY)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="budget_modification_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_line=models.F("to_line")), name="budget_modification_two_lines"
            ),
        ]

    def __str__(self):
        return f"{self.amount:,.2f} from {self.from_line} to {self.to_line}"


class BudgetTransaction(models.Model):
    """One change the ERP must receive; a send exports every transaction not yet exported."""

    class Kind(models.TextChoices):
        ORIGINAL_ESTIMATE = "original_estimate", "Original estimate"
        MODIFICATION = "modification", "Budget modification"
        LINE_DELETED = "line_deleted", "Line deleted"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="transactions")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    line = models.ForeignKey(BudgetLineItem, on_delete=models.SET_NULL, null=True, related_name="transactions")
    modification = models.ForeignKey(
        BudgetModification, on_delete=models.CASCADE, null=True, related_name="transactions"
    )
    cost_code = CostCodeField()
    cost_type = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    request_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The ERP request carrying it.")
    exported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["budget", "exported_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.cost_code}/{self.cost_type} {self.amount}"
