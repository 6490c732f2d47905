from django import forms
from django.contrib import admin

from apps.change_orders import selectors, services
from apps.change_orders.erp import ChangeOrderExporter
from apps.change_orders.models import ChangeOrder, ChangeOrderLine
from apps.commitments.admin import LinesServiceAdminMixin, LinesServiceForm
from apps.core.admin_workflow import (
    ComputedAmountLineForm,
    ERPDisplayMixin,
    LockableInlineMixin,
    WorkflowAdminMixin,
    money,
)

LINE_FIELDS = ["commitment_line", "amount", "cost_code", "cost_type", "description", "quantity", "uom", "unit_cost"]


def commitment_line_label(line):
    """A commitment line as the picker lists it: its number, code, cost type, description and amount."""
    description = f" — {line.description}" if line.description else ""
    return f"Line {line.position}: {line.cost_code.code} {line.cost_type.name}{description} ({line.amount:,.2f})"


class ChangeOrderLineForm(ComputedAmountLineForm):
    class Meta:
        model = ChangeOrderLine
        fields = LINE_FIELDS

    def computes_amount(self):
        return self.instance.commitment_line_id is None  # a new purchase order line, not a change of one

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Either the commitment line and the amount it changes by, or a new purchase order line.
        for field in ("cost_code", "cost_type", "amount"):
            self.fields[field].required = False
        self.fields["amount"].help_text = "The change of the commitment line (a new line: quantity × unit cost)."


class ChangeOrderLineInline(LockableInlineMixin, admin.TabularInline):
    model = ChangeOrderLine
    form = ChangeOrderLineForm
    fields = LINE_FIELDS
    extra = 0
    verbose_name_plural = "Lines: change a commitment line by an amount, or (purchase orders) add a new line"
    commitment_id = None

    def editable(self, obj):
        return "lines" not in obj.locked_fields()

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None:
            self.commitment_id = obj.commitment_id
        else:  # the add page: the commitment it was opened for, or the one its form posts
            self.commitment_id = request.POST.get("commitment") or request.GET.get("commitment")
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commitment_line":
            commitment_id = self.commitment_id if str(self.commitment_id or "").isdigit() else None
            kwargs["queryset"] = selectors.commitment_line_choices(commitment_id)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "commitment_line":
            field.label_from_instance = commitment_line_label
        return field


class ChangeOrderForm(LinesServiceForm):
    line_fields = LINE_FIELDS

    class Meta:
        model = ChangeOrder
        fields = ["commitment", "number", "title", "description"]
        widgets = {"commitment": forms.Select(attrs={"data-reload-with": "commitment"})}

    number_help = "Leave empty for the commitment's next number (001, 002, …)."

    def create(self, user, data, lines):
        return services.change_order_create(user=user, lines=lines, **data)

    def update(self, user, obj, fields):
        return services.change_order_update(change_order=obj, user=user, **fields)


@admin.register(ChangeOrder)
class ChangeOrderAdmin(LinesServiceAdminMixin, ERPDisplayMixin, WorkflowAdminMixin, admin.ModelAdmin):
    form = ChangeOrderForm
    lines_inline = ChangeOrderLineInline
    list_display = ["number", "title", "commitment", "project", "amount", "status_badge", "erp_status_badge"]
    list_filter = ["status", "erp_status", "commitment__project", "commitment"]
    search_fields = ["number", "title", "commitment__number", "commitment__project__number"]
    readonly_fields = [
        "status_badge",
        "erp_status_badge",
        "origin",
        "erp_id",
        "erp_messages_list",
        "rejection_reason",
        "created_by",
        "amount",
    ]
    exporter = ChangeOrderExporter

    class Media:
        js = ["core/reload_on_change.js"]

    def get_queryset(self, request):
        return selectors.change_order_list()

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ChangeOrderForm.Meta.fields})
        if obj is None:
            return [main]
        state = ["status_badge", "erp_status_badge", "origin", "erp_id", "erp_messages_list", "rejection_reason"]
        return [main, ("Status and ERP", {"fields": ["amount", *state, "created_by"]})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        locked = [field for field in obj.locked_fields() if field != "lines"]
        return [*self.readonly_fields, "commitment", *locked]

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "commitment": request.GET.get("commitment")}

    @admin.display(description="Project", ordering="commitment__project__number")
    def project(self, obj):
        return obj.commitment.project

    @admin.display(description="Amount", ordering="amount")
    def amount(self, obj):
        return money(obj.amount)
