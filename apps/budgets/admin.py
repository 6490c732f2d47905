from django import forms
from django.contrib import admin
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from apps.budgets import selectors, services
from apps.budgets.admin_import import BudgetImportAdminMixin
from apps.budgets.api.views import EXPORT_TYPES
from apps.budgets.erp import BudgetExporter
from apps.budgets.models import Budget, BudgetLineItem, BudgetModification
from apps.core.admin_workflow import (
    ERPDisplayMixin,
    ServiceDeleteMixin,
    ServiceForm,
    ServiceFormAdminMixin,
    WorkflowAdminMixin,
    money,
)

#: Lines shown on the budget's own page; the line list has them all, with filters.
SUMMARY_LINES = 100


@admin.register(Budget)
class BudgetAdmin(ERPDisplayMixin, WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["project", "status_badge", "origin", "original_total", "erp_id"]
    list_filter = ["status", "origin"]
    search_fields = ["project__number", "project__name"]
    autocomplete_fields = ["project"]
    change_form_template = "admin/budgets/budget/change_form.html"
    readonly_fields = [
        "status_badge",
        "origin",
        "erp_id",
        "ever_exported",
        "erp_messages_list",
        "rejection_reason",
        "lines_summary",
    ]
    exporter = BudgetExporter

    def get_queryset(self, request):
        return selectors.budget_list()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["project"]
        return ["project", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "project"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = services.budget_create(project=form.cleaned_data["project"], user=request.user).pk

    def get_urls(self):
        return [
            path(
                "<int:object_id>/export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="budgets_budget_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id, fmt):
        budget = self.get_object(request, str(object_id))
        if budget is None or fmt not in EXPORT_TYPES:
            return HttpResponseRedirect(reverse("admin:budgets_budget_changelist"))
        response = HttpResponse(services.budget_export(budget=budget, fmt=fmt), content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="budget-{budget.project.number}.{fmt}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            # Offered to those who may import (project managers), not to a viewer.
            "import_url": reverse("admin:budgets_budgetlineitem_import") + f"?budget={object_id}"
            if request.user.has_perm("budgets.add_budgetlineitem")
            else None,
            "lines_url": reverse("admin:budgets_budgetlineitem_changelist") + f"?budget__id__exact={object_id}",
            "modifications_url": reverse("admin:budgets_budgetmodification_changelist")
            + f"?budget__id__exact={object_id}",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Original total", ordering="original_total")
    def original_total(self, obj):
        return money(obj.original_total)

    @admin.display(description="Lines")
    def lines_summary(self, obj):
        from django.template.loader import render_to_string

        lines = list(selectors.line_list(budget=obj)[:SUMMARY_LINES])
        for line in lines:
            line.revised = line.original_amount + line.modifications_in - line.modifications_out
        return render_to_string(
            "admin/budgets/budget/lines_summary.html",
            {
                "lines": lines,
                "original": obj,  # the budget: whether its lines are in the ERP yet
                "totals": selectors.line_totals(budget=obj),
                "count": obj.lines.count(),
                "limit": SUMMARY_LINES,
            },
        )


class LineAddForm(ServiceForm):
    class Meta:
        model = BudgetLineItem
        fields = [
            "budget",
            "cost_code",
            "cost_type",
            "description",
            "calculation",
            "quantity",
            "uom",
            "unit_cost",
            "original_amount",
            "partial",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty is no amount of its own: a partial line, or an automatic one (quantity × unit cost).
        if "original_amount" in self.fields:  # not on a read-only page
            self.fields["original_amount"].required = False

    def service(self, user, data):
        fields = {f: data[f] for f in self.Meta.fields if f != "budget"}
        return services.budget_line_add(budget=data["budget"], user=user, **fields)


class LineChangeForm(ServiceForm):
    """A line of an unlocked budget, changed through the service: only the fields the person changed are sent."""

    class Meta:
        model = BudgetLineItem
        fields = ["description", "calculation", "quantity", "uom", "unit_cost", "original_amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["original_amount"].required = False  # empty on an automatic line: quantity × unit cost

    def service(self, user, data):
        changed = {field: data[field] for field in self.changed_data}
        return services.budget_line_update(line=self.instance, user=user, **changed)


class BudgetPartAdminMixin(ServiceDeleteMixin, ServiceFormAdminMixin):
    """A budget's lines and modifications: added from the budget's page (it comes preselected), changed and
    deleted through the services, changed only where `changeable(obj)` says so."""

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "budget": request.GET.get("budget")}

    def changeable(self, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and self.changeable(obj) and super().has_change_permission(request, obj)


@admin.register(BudgetLineItem)
class BudgetLineItemAdmin(BudgetPartAdminMixin, BudgetImportAdminMixin, admin.ModelAdmin):
    """The budget as a project manager reads it: original, modifications, revised, and what is unsent."""

    list_display = [
        "cost_code",
        "cost_type",
        "description",
        "original",
        "modifications_in",
        "modifications_out",
        "revised",
        "sync_state",
        "partial",
    ]
    list_filter = ["budget", "partial", "cost_type"]
    search_fields = ["cost_code__code", "description"]
    list_per_page = 100
    form = LineAddForm
    autocomplete_fields = ["cost_code"]

    def get_queryset(self, request):
        budget_id = request.GET.get("budget__id__exact")
        qs = selectors.line_list(budget=budget_id) if budget_id else super().get_queryset(request)
        return qs.select_related("budget__project", "cost_code", "cost_type")

    def changeable(self, line):
        """While its budget is unlocked (and made here), a line's numbers and texts change in place."""
        return line.budget.status == Budget.Status.UNLOCKED and not line.budget.is_erp_budget

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and self.has_change_permission(request, obj):
            kwargs["form"] = LineChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)
        amount = "original_amount" if self.has_change_permission(request, obj) else "original"  # 52,000.00
        return ["budget", "cost_code", "cost_type", "partial", *LineChangeForm.Meta.fields[:-1], amount]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return ["budget", "cost_code", "cost_type", "partial"]
        return ["original"]  # the rest of a view-only page is read-only anyway

    @staticmethod
    def delete_service(line, user):
        services.budget_line_delete(line=line, user=user)

    delete_refusal = staticmethod(services.budget_line_delete_refusal)

    @admin.display(description="Original amount", ordering="original_amount")
    def original(self, obj):
        return money(obj.original_amount)

    @admin.display(description="Modifications in")
    def modifications_in(self, obj):
        return money(obj.modifications_in) if hasattr(obj, "modifications_in") else ""

    @admin.display(description="Modifications out")
    def modifications_out(self, obj):
        return money(obj.modifications_out) if hasattr(obj, "modifications_out") else ""

    @admin.display(description="Revised")
    def revised(self, obj):
        if not hasattr(obj, "modifications_in"):
            return ""
        return money(obj.original_amount + obj.modifications_in - obj.modifications_out)

    @admin.display(description="ERP")
    def sync_state(self, obj):
        if getattr(obj, "unsent", False):
            return format_html('<span class="erp-badge erp-badge--ready_to_export">{}</span>', "Not sent yet")
        return (
            ""
            if not obj.budget.ever_exported
            else format_html('<span class="erp-badge erp-badge--synced">{}</span>', "In the ERP")
        )


def line_choice_label(line):
    """A budget line as a picker lists it: code, cost type, description and what it holds now."""
    description = f" — {line.description}" if line.description else ""
    revised = line.original_amount + line.modifications_in - line.modifications_out
    return f"{line.cost_code.code} {line.cost_type.name}{description} (revised {revised:,.2f})"


class ModificationForm(ServiceForm):
    class Meta:
        model = BudgetModification
        fields = ["budget", "from_line", "to_line", "amount", "notes"]
        widgets = {"budget": forms.Select(attrs={"data-reload-with": "budget"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        budget = self.data.get("budget") or self.initial.get("budget") or ""
        lines = selectors.line_list(budget=budget) if str(budget).isdigit() else BudgetLineItem.objects.none()
        for name in ("from_line", "to_line"):
            if name in self.fields:
                field = self.fields[name]
                field.queryset = lines.order_by("cost_code__code", "cost_type_id")
                field.label_from_instance = line_choice_label
                field.help_text = "" if str(budget).isdigit() else "Choose the budget first: its lines are listed here."

    def service(self, user, data):
        return services.budget_modification_create(
            budget=data["budget"],
            user=user,
            from_line=data["from_line"],
            to_line=data["to_line"],
            amount=data["amount"],
            notes=data["notes"],
        )


@admin.register(BudgetModification)
class BudgetModificationAdmin(BudgetPartAdminMixin, admin.ModelAdmin):
    list_display = ["budget", "from_line", "to_line", "transferred", "notes", "created_by", "created_at"]
    list_filter = ["budget"]
    list_select_related = [
        "budget__project",
        "from_line__cost_code",
        "from_line__cost_type",
        "to_line__cost_code",
        "to_line__cost_type",
        "created_by",
    ]
    form = ModificationForm

    class Media:
        js = ["core/reload_on_change.js"]

    @staticmethod
    def delete_service(modification, user):
        services.budget_modification_delete(modification=modification, user=user)

    delete_refusal = staticmethod(services.budget_modification_delete_refusal)

    @admin.display(description="Amount", ordering="amount")
    def transferred(self, obj):
        return money(obj.amount)
