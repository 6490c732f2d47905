from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.commitments import selectors, services
from apps.commitments.erp import CommitmentExporter
from apps.commitments.models import Commitment, CommitmentLine
from apps.core.admin_workflow import (
    ComputedAmountLineForm,
    ERPDisplayMixin,
    LockableInlineMixin,
    WorkflowAdminMixin,
    add_refusal,
    money,
)
from apps.core.exceptions import DomainError, PermissionDenied, ValidationError
from apps.jobs.models import Project
from apps.jobs.selectors import cost_type_names

LINE_FIELDS = ["cost_code", "cost_type", "description", "quantity", "uom", "unit_cost", "amount"]


class LinesServiceForm(forms.ModelForm):
    """A record and its lines (edited inline) written by one service call, made in clean() so refusals show.

    The inline formset only collects the lines: this form reads them from the same POST, and the
    admin never saves them itself. Subclasses set `create(user, data, lines)` and `update(user, obj, fields)`
    (`fields` holds the changed fields, with `lines` when the lines changed).
    """

    user = None
    line_formset = None
    saved = None
    #: The number field's help: it may be left empty for the next free number.
    number_help = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "number" in self.fields:
            self.fields["number"].required = False
            self.fields["number"].help_text = self.number_help

    def _lines(self):
        """The inline lines as dicts, None when unchanged, or False when one of them is invalid."""
        if self.instance.pk is not None and "lines" in self.instance.locked_fields():
            return None  # shown read-only (sent, or synced): the page posts no lines to read
        formset = self.line_formset(self.data, self.files, instance=self.instance, prefix="lines")
        if not formset.is_valid():
            return False
        if self.instance.pk is not None and not formset.has_changed():
            return None
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        return [{field: row.get(field) for field in ("id", *self.line_fields)} for row in rows]

    def clean(self):
        data = super().clean()
        lines = self._lines()
        if lines is False:
            self.add_error(None, "Correct the lines below.")
        if self.errors:
            return data
        try:
            if self.instance.pk is None:
                self.saved = self.create(self.user, data, lines or [])
            else:
                fields = {field: data[field] for field in self.changed_data if field in data}
                if lines is not None:
                    fields["lines"] = lines
                self.saved = self.update(self.user, self.instance, fields)
        except (ValidationError, DomainError, PermissionDenied) as exc:
            add_refusal(self, exc)
        else:
            # The service wrote the record: the model form's own checks run against what it wrote.
            self.instance = self.saved
        return data


class LinesServiceAdminMixin:
    """Admin side of LinesServiceForm: hands the form its user and line formset; the admin writes nothing itself."""

    lines_inline = None

    def get_inlines(self, request, obj):
        return [self.lines_inline, *super().get_inlines(request, obj)]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        form.line_formset = self.lines_inline(self.model, self.admin_site).get_formset(request, obj)
        return form

    def save_model(self, request, obj, form, change):
        obj.pk = form.saved.pk

    def save_related(self, request, form, formsets, change):
        # Lines were written by the service; commit=False only records what changed, for the admin's log.
        for formset in formsets:
            formset.save(commit=False)


class CommitmentLineForm(ComputedAmountLineForm):
    class Meta:
        model = CommitmentLine
        fields = LINE_FIELDS

    def computes_amount(self):
        return self.instance.commitment.accounting_method == Commitment.AccountingMethod.UNIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False
        self.fields["amount"].help_text = "Unit/quantity based lines: quantity × unit cost."


class CommitmentLineInline(LockableInlineMixin, admin.TabularInline):
    model = CommitmentLine
    form = CommitmentLineForm
    fields = LINE_FIELDS
    extra = 0
    verbose_name_plural = "Schedule of values (cost codes and types assigned on the project)"

    def editable(self, obj):
        return "lines" not in obj.locked_fields()


class CommitmentForm(LinesServiceForm):
    line_fields = LINE_FIELDS

    class Meta:
        model = Commitment
        fields = Commitment.ENTERED_FIELDS

    number_help = "Leave empty for the next free number (SC-001, PO-001, …)."

    def create(self, user, data, lines):
        return services.commitment_create(user=user, lines=lines, **data)

    def update(self, user, obj, fields):
        return services.commitment_update(commitment=obj, user=user, **fields)


@admin.register(Commitment)
class CommitmentAdmin(LinesServiceAdminMixin, ERPDisplayMixin, WorkflowAdminMixin, admin.ModelAdmin):
    form = CommitmentForm
    lines_inline = CommitmentLineInline
    change_form_template = "admin/commitments/commitment/change_form.html"
    list_display = [
        "number",
        "title",
        "project",
        "type",
        "vendor",
        "status_badge",
        "erp_status_badge",
        "original_amount",
        "approved_changes",
        "revised_amount",
    ]
    list_filter = ["type", "status", "erp_status", "project"]
    search_fields = ["number", "title", "project__number", "vendor__name"]
    autocomplete_fields = ["project", "vendor"]
    readonly_fields = [
        "status_badge",
        "erp_status_badge",
        "origin",
        "erp_id",
        "erp_messages_list",
        "rejection_reason",
        "created_by",
        "original_amount",
        "approved_changes",
        "revised_amount",
    ]
    exporter = CommitmentExporter

    def get_queryset(self, request):
        return selectors.commitment_list()

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": CommitmentForm.Meta.fields})
        if obj is None:
            return [main]
        amounts = ("Amounts", {"fields": ["original_amount", "approved_changes", "revised_amount"]})
        state = ["status_badge", "erp_status_badge", "origin", "erp_id", "erp_messages_list", "rejection_reason"]
        return [main, amounts, ("Status and ERP", {"fields": [*state, "created_by"]})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        locked = [field for field in obj.locked_fields() if field != "lines"]
        return [*self.readonly_fields, "project", "type", *locked]

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "project": request.GET.get("project")}

    def get_urls(self):
        return [
            path(
                "committed-costs/",
                self.admin_site.admin_view(self.committed_costs_view),
                name="commitments_commitment_committed_costs",
            ),
            *super().get_urls(),
        ]

    def committed_costs_view(self, request):
        """What a project manager reads every day: committed cost per cost code and cost type of one project."""
        project = Project.objects.filter(pk=request.GET.get("project") or None).first()
        rows = selectors.committed_costs(project=project) if project else []
        names = cost_type_names()
        rows = [{**row, "cost_type": f"{row['cost_type']} {names.get(row['cost_type'], '')}".strip()} for row in rows]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Committed costs of {project}" if project else "Committed costs",
            "project": project,
            "projects": Project.objects.all(),
            "rows": rows,
            "totals": {key: sum(r[key] for r in rows) for key in ("original", "approved_changes", "committed")},
            "commitments_url": reverse("admin:commitments_commitment_changelist"),
        }
        return TemplateResponse(request, "admin/commitments/committed_costs.html", context)

    @admin.display(description="Original amount", ordering="original_amount")
    def original_amount(self, obj):
        return money(obj.original_amount)

    @admin.display(description="Approved changes", ordering="approved_changes")
    def approved_changes(self, obj):
        return money(obj.approved_changes)

    @admin.display(description="Revised amount", ordering="revised_amount")
    def revised_amount(self, obj):
        return money(obj.revised_amount)
