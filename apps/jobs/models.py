from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.fields import CostCodeField
from apps.core.workflow import audited_transition
from apps.erp_queue.registry import ERPStatus, ExportableRecord

#: What a line on a cost code and cost type holds, in budgets, commitments and change orders alike.
COST_LINE_FIELDS = ("cost_code", "cost_type", "description", "quantity", "uom", "unit_cost")


class Origin(models.TextChoices):
    APP = "app", "Created here"
    ERP = "erp", "Created in the ERP"


class CostType(models.Model):
    """The ERP's nine cost types (Sage categories): 1–5 fixed, 6–9 renamable."""

    FIXED = range(1, 6)

    code = models.PositiveSmallIntegerField(primary_key=True, validators=[MinValueValidator(1), MaxValueValidator(9)])
    name = models.CharField(max_length=30)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CostCode(models.Model):
    """A company-wide standard cost code, kept in the ERP and synced here (no approval)."""

    code = CostCodeField(unique=True)
    description = models.CharField(max_length=50)
    division = models.CharField(max_length=50, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        permissions = [("sync_costcode", "Can sync standard cost codes from the ERP")]

    def __str__(self):
        return f"{self.code} {self.description}"


class Project(ExportableRecord):
    """A job: created here and sent to the ERP, or created in the ERP and added here; never both."""

    INTEGRATED_FIELDS = ("number", "name", "address", "city", "state", "zip")
    #: While the ERP holds or reviews the record, the fields it owns are read-only here.
    LOCKED_STATUSES = (ERPStatus.READY_TO_EXPORT, ERPStatus.EXPORTING, ERPStatus.FAILED, ERPStatus.SYNCED)
    SEND_PERMISSION = "jobs.send_project"

    number = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=255)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    origin = models.CharField(max_length=3, choices=Origin.choices, default=Origin.APP, editable=False)
    erp_id = models.CharField("ERP job id", max_length=20, unique=True, null=True, blank=True, editable=False)
    #: What the ERP job holds, {cost code: [cost types]}, as last exported or imported. Pairs assigned here
    #: and not in it wait under Ready to Update until accounting accepts the project's update.
    erp_cost_codes = models.JSONField("cost codes in the ERP", default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        permissions = [("send_project", "Can send projects to the ERP, retrieve and resend them")]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def integrated_fields_locked(self):
        return self.erp_status in self.LOCKED_STATUSES

    def assigned_pairs(self):
        """{(cost code, cost type)} assigned to the project here."""
        return set(self.cost_codes.values_list("cost_code__code", "cost_types__code").exclude(cost_types__code=None))

    def erp_pairs(self):
        """{(cost code, cost type)} the ERP job holds."""
        return {(code, cost_type) for code, types in self.erp_cost_codes.items() for cost_type in types}

    def pending_pairs(self):
        """The pairs assigned here that the ERP job does not hold yet: they wait under Ready to Update."""
        if self.erp_status != ERPStatus.SYNCED:
            return set()
        return self.assigned_pairs() - self.erp_pairs()

    @audited_transition(field="erp_status", source=ERPStatus.NOT_SYNCED, target=ERPStatus.SYNCED)
    def mark_imported(self, by=None, description=None, erp_id=None):
        self.erp_id = erp_id


class ProjectCostCode(models.Model):
    """A standard cost code used on a project, with the cost types the project may charge to it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_codes")
    cost_code = models.ForeignKey(CostCode, on_delete=models.PROTECT, related_name="project_uses")
    cost_types = models.ManyToManyField(CostType, blank=True, related_name="project_cost_codes")

    class Meta:
        ordering = ["cost_code__code"]
        verbose_name = "project cost code"
        constraints = [models.UniqueConstraint(fields=["project", "cost_code"], name="project_cost_code_unique")]

    def __str__(self):
        return f"{self.cost_code.code} on {self.project.number}"
