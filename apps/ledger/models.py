"""The embedded ERP: a stand-in for Sage 100 Contractor with its own tables and rules.

Only the connector (and the ledger's own admin, the "performed in the ERP" steps) touch it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from apps.core import erp_profile
from apps.core.fields import CostCodeField


class ERPCostType(models.Model):
    """Sage's nine cost types."""

    code = models.PositiveSmallIntegerField(primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(9)])
    name = models.CharField(max_length=30)

    class Meta:
        ordering = ["code"]
        verbose_name = "ERP cost type"

    def __str__(self):
        return f"{self.code} {self.name}"


class ERPCostCode(models.Model):
    """Sage's company-wide cost code list (6-5)."""

    code = CostCodeField(unique=True)
    description = models.CharField(max_length=erp_profile.COST_CODE_DESCRIPTION_LIMIT)
    division = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "ERP cost code"

    def __str__(self):
        return f"{self.code} {self.description}"


class ERPJob(models.Model):
    """A Sage job (3-5)."""

    class Source(models.TextChoices):
        KEYED = "keyed", "Keyed in the ERP"
        EXPORTED = "exported", "Exported from the app"

    job_id = models.CharField(
        "job id",
        max_length=10,
        unique=True,
        validators=[RegexValidator(erp_profile.JOB_ID_RE, f"The job id must be {erp_profile.JOB_ID_RULE}.")],
    )
    name = models.CharField(max_length=erp_profile.JOB_FIELD_LIMITS["name"])
    address = models.CharField(max_length=erp_profile.JOB_FIELD_LIMITS["address"], blank=True)
    city = models.CharField(max_length=erp_profile.JOB_FIELD_LIMITS["city"], blank=True)
    state = models.CharField(
        max_length=2, blank=True, validators=[RegexValidator(erp_profile.STATE_RE, "Two letters, e.g. CA.")]
    )
    zip = models.CharField("ZIP", max_length=erp_profile.JOB_FIELD_LIMITS["zip"], blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.KEYED, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job_id"]
        verbose_name = "ERP job"

    def __str__(self):
        return f"{self.job_id} {self.name}"


class ERPJobCostCode(models.Model):
    """A cost code on a Sage job, with the cost types it takes."""

    job = models.ForeignKey(ERPJob, on_delete=models.CASCADE, related_name="cost_codes")
    cost_code = models.ForeignKey(ERPCostCode, on_delete=models.PROTECT)
    cost_types = models.ManyToManyField(ERPCostType, blank=True)

    class Meta:
        ordering = ["cost_code__code"]
        verbose_name = "ERP job cost code"
        constraints = [models.UniqueConstraint(fields=["job", "cost_code"], name="erp_job_cost_code_unique")]

    def __str__(self):
        return f"{self.cost_code.code} on job {self.job.job_id}"


class ERPWrite(models.Model):
    """Every write the ERP accepted, by idempotency key: a repeated key is answered, not written again."""

    idempotency_key = models.UUIDField(unique=True)
    kind = models.CharField(max_length=20)
    result = models.JSONField()
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]
        verbose_name = "ERP write"

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"


class ERPBudgetEntry(models.Model):
    """A Sage job cost budget entry (6-2): one amount on a job's cost code and cost type, posted or not."""

    class Kind(models.TextChoices):
        ORIGINAL = "original_estimate", "Original estimate"
        CHANGE = "modification", "Budget change"
        DELETION = "line_deleted", "Line deleted"
        COMMITMENT_CHANGE = "commitment_change", "Subcontract change order"

    job = models.ForeignKey(ERPJob, on_delete=models.CASCADE, related_name="budget_entries")
    cost_code = models.ForeignKey(ERPCostCode, on_delete=models.PROTECT)
    cost_type = models.ForeignKey(ERPCostType, on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    key = models.UUIDField(unique=True, help_text="The app's transaction key: the ERP never takes one twice.")
    request_key = models.UUIDField(null=True, blank=True, db_index=True)
    posted = models.BooleanField(default=False)
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "cost_code__code", "cost_type", "id"]
        verbose_name = "ERP budget entry"
        verbose_name_plural = "ERP budget entries"

    def __str__(self):
        return f"{self.job.job_id} {self.cost_code.code}/{self.cost_type_id} {self.amount}"


class ERPVendorType(models.Model):
    """Sage's vendor types, a list each company sets up: the approver files an exported company under one."""

    code = models.PositiveSmallIntegerField(primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(999)])
    name = models.CharField(max_length=30)

    class Meta:
        ordering = ["code"]
        verbose_name = "ERP vendor type"

    def __str__(self):
        return f"{self.code} {self.name}"


class ERPVendor(models.Model):
    """A Sage vendor (4-4): keyed in the ERP (and staged for the app), or exported from a company."""

    class Source(models.TextChoices):
        KEYED = "keyed", "Keyed in the ERP"
        EXPORTED = "exported", "Exported from the app"

    vendor_id = models.CharField(
        "vendor id",
        max_length=10,
        unique=True,
        validators=[RegexValidator(erp_profile.VENDOR_ID_RE, f"The vendor id must be {erp_profile.VENDOR_ID_RULE}.")],
    )
    name = models.CharField(max_length=erp_profile.VENDOR_NAME_LIMIT)
    vendor_type = models.ForeignKey(
        ERPVendorType, on_delete=models.PROTECT, null=True, blank=True, related_name="vendors"
    )
    address = models.CharField(max_length=erp_profile.VENDOR_SEND_FIELD_LIMITS["address"], blank=True)
    city = models.CharField(max_length=erp_profile.VENDOR_SEND_FIELD_LIMITS["city"], blank=True)
    state = models.CharField(
        max_length=2, blank=True, validators=[RegexValidator(erp_profile.STATE_RE, "Two letters, e.g. CA.")]
    )
    zip = models.CharField("ZIP", max_length=erp_profile.VENDOR_SEND_FIELD_LIMITS["zip"], blank=True)
    tax_id = models.CharField("federal tax id", max_length=erp_profile.VENDOR_TAX_ID_LIMIT, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.KEYED, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vendor_id"]
        verbose_name = "ERP vendor"

    def __str__(self):
        return f"{self.vendor_id} {self.name}"


class ERPCommitment(models.Model):
    """A Sage subcontract (6-7-1) or purchase order (6-6-1) on a job; its number is unique on the job."""

    class Kind(models.TextChoices):
        SUBCONTRACT = "subcontract", "Subcontract"
        PURCHASE_ORDER = "purchase_order", "Purchase order"

    class Source(models.TextChoices):
        KEYED = "keyed", "Keyed in the ERP"
        EXPORTED = "exported", "Exported from the app"

    job = models.ForeignKey(ERPJob, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=20)
    description = models.CharField(max_length=50)
    vendor = models.ForeignKey(ERPVendor, on_delete=models.PROTECT, related_name="commitments")
    retention = models.DecimalField("retention %", max_digits=5, decimal_places=2, default=0)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.KEYED, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "kind", "number"]
        verbose_name = "ERP subcontract or purchase order"
        constraints = [
            models.UniqueConstraint(fields=["job", "kind", "number"], name="erp_commitment_unique_number"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number} on job {self.job.job_id}"


class ERPChangeOrder(models.Model):
    """A Sage change order (6-4-1) on a subcontract or purchase order."""

    commitment = models.ForeignKey(ERPCommitment, on_delete=models.CASCADE, related_name="change_orders")
    number = models.CharField(max_length=20)
    description = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commitment", "number"]
        verbose_name = "ERP change order"
        constraints = [
            models.UniqueConstraint(fields=["commitment", "number"], name="erp_change_order_unique_number"),
        ]

    def __str__(self):
        return f"Change order {self.number} on {self.commitment}"


class ERPCommitmentLine(models.Model):
    """A line of a Sage subcontract or purchase order; a PO change order appends lines."""

    commitment = models.ForeignKey(ERPCommitment, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    cost_code = models.ForeignKey(ERPCostCode, on_delete=models.PROTECT)
    cost_type = models.ForeignKey(ERPCostType, on_delete=models.PROTECT)
    description = models.CharField(max_length=255, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    unit_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    change_order = models.ForeignKey(
        ERPChangeOrder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appended_lines",
        help_text="The purchase order change order that appended it.",
    )

    class Meta:
        ordering = ["commitment", "line_number"]
        verbose_name = "ERP commitment line"
        constraints = [
            models.UniqueConstraint(fields=["commitment", "line_number"], name="erp_commitment_line_unique_number"),
        ]

    def __str__(self):
        return f"{self.commitment.number} line {self.line_number}"


class ERPChangeOrderLine(models.Model):
    """One change of a change order: to a subcontract line, or the line it appended to a purchase order."""

    change_order = models.ForeignKey(ERPChangeOrder, on_delete=models.CASCADE, related_name="lines")
    commitment_line = models.ForeignKey(ERPCommitmentLine, on_delete=models.PROTECT, related_name="changes")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["change_order", "id"]
        verbose_name = "ERP change order line"

    def __str__(self):
        return f"{self.change_order.number}: {self.commitment_line} {self.amount}"
