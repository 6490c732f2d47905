"""The ERP's own screens: the steps that in real life are performed in Sage."""

from django import forms
from django.contrib import admin, messages

from apps.core.admin_workflow import run_and_report
from apps.ledger import services
from apps.ledger.models import (
    ERPBudgetEntry,
    ERPChangeOrder,
    ERPChangeOrderLine,
    ERPCommitment,
    ERPCommitmentLine,
    ERPCostCode,
    ERPCostType,
    ERPJob,
    ERPJobCostCode,
    ERPVendor,
    ERPVendorType,
    ERPWrite,
)


@admin.register(ERPCostType)
class ERPCostTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(ERPCostCode)
class ERPCostCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "division"]
    search_fields = ["code", "description"]


class ERPJobCostCodeForm(forms.ModelForm):
    class Meta:
        model = ERPJobCostCode
        fields = ["cost_code", "cost_types"]
        widgets = {"cost_types": forms.CheckboxSelectMultiple}


class ERPJobCostCodeInline(admin.TabularInline):
    model = ERPJobCostCode
    form = ERPJobCostCodeForm
    extra = 1
    autocomplete_fields = ["cost_code"]


def _post_entries(modeladmin, request, job):
    posted = services.budget_entries_post(job=job, user=request.user)
    modeladmin.message_user(request, f"Job {job.job_id}: {posted} budget entries posted.")


@admin.action(description="Post budget entries (Job Cost → Post Entries)", permissions=["accounting"])
def post_budget_entries(modeladmin, request, queryset):
    for job in queryset:
        run_and_report(request, lambda j=job: _post_entries(modeladmin, request, j), None)


@admin.action(description="Stage the posted estimate for import into the app", permissions=["accounting"])
def stage_estimate(modeladmin, request, queryset):
    for job in queryset:
        try:
            services.estimate_stage(job=job, user=request.user)
        except services.LedgerRefused as refused:
            modeladmin.message_user(request, " ".join(refused.messages), messages.ERROR)
        else:
            modeladmin.message_user(request, f"Job {job.job_id}'s estimate is staged under Ready to Import.")


@admin.register(ERPJob)
class ERPJobAdmin(admin.ModelAdmin):
    list_display = ["job_id", "name", "city", "state", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["job_id", "name"]
    inlines = [ERPJobCostCodeInline]
    readonly_fields = ["source", "created_at"]
    actions = [post_budget_entries, stage_estimate]

    def has_accounting_permission(self, request):
        """The steps performed in the ERP are accounting's: whoever may change the ERP's jobs."""
        return request.user.has_perm("ledger.change_erpjob")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if services.job_stage(job=form.instance) is not None:
            self.message_user(request, f"Job {form.instance.job_id} is staged under Ready to Import in the app.")


@admin.register(ERPBudgetEntry)
class ERPBudgetEntryAdmin(admin.ModelAdmin):
    list_display = ["job", "cost_code", "cost_type", "kind", "amount", "posted", "posted_at"]
    list_filter = ["posted", "kind", "job"]
    list_select_related = ["job", "cost_code", "cost_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ERPWrite)
class ERPWriteAdmin(admin.ModelAdmin):
    list_display = ["written_at", "kind", "idempotency_key", "result"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ERPVendorType)
class ERPVendorTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(ERPVendor)
class ERPVendorAdmin(admin.ModelAdmin):
    list_display = ["vendor_id", "name", "vendor_type", "city", "state", "tax_id", "source", "created_at"]
    list_filter = ["source", "vendor_type"]
    list_select_related = ["vendor_type"]
    search_fields = ["vendor_id", "name", "tax_id"]
    readonly_fields = ["source", "created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if services.vendor_stage(vendor=obj) is not None:
            self.message_user(
                request,
                f"Vendor {obj.vendor_id} is staged under Ready to Import in the app, with its suggested matches.",
            )


class ERPCommitmentLineInline(admin.TabularInline):
    model = ERPCommitmentLine
    extra = 1
    autocomplete_fields = ["cost_code"]
    readonly_fields = ["change_order"]


@admin.register(ERPCommitment)
class ERPCommitmentAdmin(admin.ModelAdmin):
    """Subcontracts and purchase orders as Sage holds them; accounting may key one in the ERP too."""

    list_display = ["number", "kind", "job", "description", "vendor", "source", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = ["number", "description", "job__job_id"]
    list_select_related = ["job", "vendor"]
    inlines = [ERPCommitmentLineInline]
    readonly_fields = ["source", "created_at"]


class ERPChangeOrderLineInline(admin.TabularInline):
    model = ERPChangeOrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["commitment_line", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ERPChangeOrder)
class ERPChangeOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "commitment", "description", "created_at"]
    list_select_related = ["commitment__job"]
    search_fields = ["number", "commitment__number"]
    inlines = [ERPChangeOrderLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
