"""The ERP's own screens: the steps that in real life are performed in Sage."""

from django import forms
from django.contrib import admin

from apps.ledger import services
from apps.ledger.models import ERPCostCode, ERPCostType, ERPJob, ERPJobCostCode, ERPWrite


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


@admin.register(ERPJob)
class ERPJobAdmin(admin.ModelAdmin):
    list_display = ["job_id", "name", "city", "state", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["job_id", "name"]
    inlines = [ERPJobCostCodeInline]
    readonly_fields = ["source", "created_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if services.job_stage(job=form.instance) is not None:
            self.message_user(request, f"Job {form.instance.job_id} is staged under Ready to Import in the app.")


@admin.register(ERPWrite)
class ERPWriteAdmin(admin.ModelAdmin):
    list_display = ["written_at", "kind", "idempotency_key", "result"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
