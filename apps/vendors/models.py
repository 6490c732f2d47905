from django.conf import settings
from django.db import models

from apps.core import erp_profile
from apps.core.workflow import audited_transition
from apps.erp_queue.registry import ERPStatus, ExportableRecord
from apps.jobs.models import Origin, Project


class VendorType(models.Model):
    """The ERP's vendor types as the connector agent reports them (agent mode; the embedded ledger keeps its own)."""

    code = models.CharField(max_length=10, primary_key=True)
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = "ERP vendor type"

    def __str__(self):
        return f"{self.code} {self.name}"


class Company(ExportableRecord):
    """A company in the directory: sent to the ERP as a vendor, added from an ERP vendor, or linked to one."""

    INTEGRATED_FIELDS = ("name", "address", "city", "state", "zip", "tax_id")
    #: While the ERP holds or reviews the record, the fields it owns are read-only here.
    LOCKED_STATUSES = (*ExportableRecord.PENDING_STATUSES, ERPStatus.SYNCED)
    #: A company in these states may be linked to an ERP vendor.
    LINKABLE_STATUSES = (ERPStatus.NOT_SYNCED, ERPStatus.REJECTED)
    SEND_PERMISSION = "vendors.send_company"

    name = models.CharField(max_length=255)
    abbreviated_name = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    tax_id = models.CharField("tax id", max_length=erp_profile.VENDOR_TAX_ID_LIMIT, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True, help_text="Kept here only: phones never sync to the ERP.")
    is_active = models.BooleanField("active", default=True, help_text="Inactive companies cannot be sent to the ERP.")
    projects = models.ManyToManyField(
        Project,
        blank=True,
        related_name="companies",
        verbose_name="project directories",
        help_text="The projects whose directory lists this company (every company is in the company directory).",
    )
    origin = models.CharField(max_length=3, choices=Origin.choices, default=Origin.APP, editable=False)
    erp_id = models.CharField("ERP vendor id", max_length=10, unique=True, null=True, blank=True, editable=False)
    vendor_type = models.CharField("ERP vendor type", max_length=10, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        permissions = [
            ("send_company", "Can send companies to the ERP, retrieve and resend them"),
            ("link_company", "Can link companies to ERP vendors and unlink them"),
        ]

    def __str__(self):
        return self.name

    def integrated_values(self):
        """The fields the ERP owns, as the ERP receives them (phones and e-mail never go to the ERP)."""
        return {field: getattr(self, field) for field in self.INTEGRATED_FIELDS}

    @property
    def integrated_fields_locked(self):
        return self.erp_status in self.LOCKED_STATUSES

    @audited_transition(field="erp_status", source=ERPStatus.NOT_SYNCED, target=ERPStatus.SYNCED)
    def mark_imported(self, by=None, description=None, erp_id=None, vendor_type=""):
        self.erp_id = erp_id
        self.vendor_type = vendor_type

    @audited_transition(
        field="erp_status",
        source=list(LINKABLE_STATUSES),
        target=ERPStatus.SYNCED,
        permission="vendors.link_company",
    )
    def link(self, by=None, description=None, erp_id=None, vendor_type=""):
        self.erp_id = erp_id
        self.vendor_type = vendor_type
        self.erp_messages = []
        self.rejection_reason = ""

    @audited_transition(
        field="erp_status",
        source=ERPStatus.SYNCED,
        target=ERPStatus.NOT_SYNCED,
        permission="vendors.link_company",
    )
    def unlink(self, by=None, description=None):
        self.erp_id = None
        self.vendor_type = ""
