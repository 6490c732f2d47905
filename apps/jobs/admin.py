from django import forms
from django.contrib import admin
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path

from apps.core.admin_workflow import ERPDisplayMixin, LockableInlineMixin, WorkflowAdminMixin, run_and_report
from apps.jobs import selectors, services
from apps.jobs.erp import JobExporter
from apps.jobs.models import CostCode, CostType, Project, ProjectCostCode


@admin.register(CostType)
class CostTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is None or obj.code not in CostType.FIXED else ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.cost_type_rename(cost_type=obj, name=form.cleaned_data["name"])


@admin.register(CostCode)
class CostCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "division", "synced_at"]
    search_fields = ["code", "description"]
    list_filter = ["division"]
    change_list_template = "admin/jobs/costcode/change_list.html"

    def has_add_permission(self, request):
        return False  # standard cost codes come from the ERP

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("sync/", self.admin_site.admin_view(self.sync_view), name="jobs_costcode_sync"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_sync": request.user.has_perm("jobs.sync_costcode")}
        return super().changelist_view(request, extra_context)

    def sync_view(self, request):
        if request.method == "POST" and request.user.has_perm("jobs.sync_costcode"):
            result = {}
            if run_and_report(
                request,
                lambda: result.update(codes=services.cost_code_sync_from_erp(user=request.user)),
                "Standard cost codes synced from the ERP.",
            ):
                self.message_user(request, f"{len(result['codes'])} cost codes are now in step with the ERP.")
        return redirect("admin:jobs_costcode_changelist")


class ProjectCostCodeForm(forms.ModelForm):
    class Meta:
        model = ProjectCostCode
        fields = ["cost_code", "cost_types"]
        widgets = {"cost_types": forms.CheckboxSelectMultiple}


class ProjectCostCodeInline(LockableInlineMixin, admin.TabularInline):
    model = ProjectCostCode
    form = ProjectCostCodeForm
    extra = 0
    autocomplete_fields = ["cost_code"]
    verbose_name_plural = "Cost codes and cost types (the ERP needs at least one cost type per cost code)"

    def editable(self, obj):
        return not obj.integrated_fields_locked or obj.erp_status == Project.ERPStatus.SYNCED


@admin.register(Project)
class ProjectAdmin(ERPDisplayMixin, WorkflowAdminMixin, admin.ModelAdmin):
    # Links to the project's commitments and committed costs (pages of the commitments app).
    change_form_template = "admin/jobs/project/change_form.html"
    list_display = ["number", "name", "city", "state", "erp_status_badge", "erp_id", "origin"]
    list_filter = ["erp_status", "origin"]
    search_fields = ["number", "name", "erp_id"]
    readonly_fields = [
        "origin",
        "erp_id",
        "erp_status_badge",
        "erp_messages_list",
        "rejection_reason",
        "created_by",
        "ready_to_update",
    ]
    inlines = [ProjectCostCodeInline, *WorkflowAdminMixin.inlines]
    exporter = JobExporter

    def get_queryset(self, request):
        return selectors.project_list()

    def get_fieldsets(self, request, obj=None):
        erp = ["origin", "erp_status_badge", "erp_id", "erp_messages_list", "rejection_reason"]
        if obj is not None and obj.erp_status == Project.ERPStatus.SYNCED:
            erp.append("ready_to_update")
        if obj is None:
            return [(None, {"fields": list(Project.INTEGRATED_FIELDS)})]
        return [(None, {"fields": list(Project.INTEGRATED_FIELDS)}), ("ERP", {"fields": erp})]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.integrated_fields_locked:
            return [*Project.INTEGRATED_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in Project.INTEGRATED_FIELDS if f in form.cleaned_data}
        if change:
            services.project_update(project=obj, user=request.user, **fields)
        else:
            created = services.project_create(user=request.user, **fields)
            obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProjectCostCode:
            return super().save_formset(request, form, formset, change)
        project = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        with transaction.atomic():
            for inline_form in formset.deleted_forms:
                if inline_form.instance.pk:
                    services.project_cost_code_remove(assignment=inline_form.instance, user=request.user)
                    formset.deleted_objects.append(inline_form.instance)
            for inline_form in formset.forms:
                if inline_form in formset.deleted_forms or not inline_form.has_changed():
                    continue
                data = inline_form.cleaned_data
                assignment = services.project_cost_code_assign(
                    project=project,
                    user=request.user,
                    code=data["cost_code"].code,
                    cost_types=[ct.code for ct in data["cost_types"]],
                )
                if inline_form.instance.pk:
                    formset.changed_objects.append((assignment, inline_form.changed_data))
                else:
                    formset.new_objects.append(assignment)
        if project.pending_pairs() and (formset.new_objects or formset.changed_objects):
            self.message_user(
                request,
                "The cost codes and types new to the ERP job wait for accounting under ERP Integrations → Ready to "
                "update; budgets, commitments and change orders that use them can be sent once it is accepted.",
            )

    @admin.display(description="Ready to update")
    def ready_to_update(self, obj):
        """What the project uses that its ERP job does not hold yet, and where it waits."""
        return selectors.ready_to_update_text(obj)
