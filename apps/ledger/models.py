"""The embedded ERP: a stand-in for Sage 100 Contractor with its own tables and rules.

Only the connector (and the ledger's own admin, the "performed in the ERP" steps) touch it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from apps.core import erp_profile


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

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(erp_profile.COST_CODE_RE, erp_profile.COST_CODE_RULE)],
    )
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
    vendor_type = models.ForeignKey(ERPVendorType, on_delete=models.PROTECT, related_name="vendors")
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
