from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.core.admin_workflow import ERPDisplayMixin, WorkflowAdminMixin
from apps.vendors import selectors, services
from apps.vendors.erp import VendorExporter
from apps.vendors.models import Company

DETAIL_FIELDS = ("abbreviated_name", "email", "phone", "is_active")


def _vendor_type_names():
    return {t["code"]: t["name"] for t in selectors.vendor_type_list()}


@admin.register(Company)
class CompanyAdmin(ERPDisplayMixin, WorkflowAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "abbreviated_name",
        "city",
        "state",
        "erp_status_badge",
        "erp_id",
        "vendor_type_name",
        "origin",
        "is_active",
    ]
    list_filter = ["erp_status", "origin", "is_active"]
    search_fields = ["name", "abbreviated_name", "erp_id", "tax_id"]
    autocomplete_fields = ["projects"]
    readonly_fields = [
        "origin",
        "erp_id",
        "vendor_type_name",
        "erp_status_badge",
        "erp_messages_list",
        "rejection_reason",
        "erp_vendor_matches",
    ]
    exporter = VendorExporter

    def get_queryset(self, request):
        return selectors.company_list()

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": [*Company.INTEGRATED_FIELDS, *DETAIL_FIELDS]}),
            ("Project directories", {"fields": ["projects"]}),
        ]
        if obj is None:
            return fieldsets
        erp = ["origin", "erp_status_badge", "erp_id", "vendor_type_name", "erp_messages_list", "rejection_reason"]
        if obj.erp_status in Company.LINKABLE_STATUSES:
            erp.append("erp_vendor_matches")
        return [*fieldsets, ("ERP", {"fields": erp})]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.integrated_fields_locked:
            return [*Company.INTEGRATED_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        names = _vendor_type_names()  # once for the page, not once per row
        for company in changelist.result_list:
            company.vendor_type_names = names
        return changelist

    @admin.display(description="Vendor type", ordering="vendor_type")
    def vendor_type_name(self, obj):
        """The ERP's vendor type by its name ("1 Subcontractor"), as the ERP lists it."""
        if not obj.vendor_type:
            return "—"
        names = getattr(obj, "vendor_type_names", None) or _vendor_type_names()
        name = names.get(obj.vendor_type)
        return f"{obj.vendor_type} {name}" if name else obj.vendor_type

    @admin.display(description="Matching ERP vendors (Ready to Import)")
    def erp_vendor_matches(self, obj):
        matches = selectors.erp_vendor_matches(obj)
        if not matches:
            return "None: if the ERP does not have this company yet, send it to the ERP."
        return format_html(
            "<ul class='erp-suggestions'>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}</a> <span class='help'>({}; open it to link)</span></li>",
                (
                    (reverse("admin:erp_queue_stagedrecord_change", args=[staged.pk]), staged, "; ".join(reasons))
                    for staged, reasons in matches
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        fields = {
            f: form.cleaned_data[f] for f in (*Company.INTEGRATED_FIELDS, *DETAIL_FIELDS) if f in form.cleaned_data
        }
        if change:
            services.company_update(company=obj, user=request.user, **fields)
        else:
            obj.pk = services.company_create(user=request.user, **fields).pk

    def save_related(self, request, form, formsets, change):
        # The project directories go through the service too (it locks the company).
        services.company_update(company=form.instance, user=request.user, projects=form.cleaned_data["projects"])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
