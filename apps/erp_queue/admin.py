import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from apps.core.admin_workflow import AdminStep, WorkflowAdminMixin, bullet_list, run_and_report, status_badge
from apps.erp_queue import registry, services
from apps.erp_queue.models import ERPRequest, Kind, StagedRecord


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="The sender reads this to fix the record before resending it.",
    )


def _export_outcome(verb):
    """Accept and retry export at once with the ledger: say how the export went, not just that it started."""

    def outcome(request):
        if request.status == ERPRequest.Status.FAILED:
            return messages.WARNING, f"{verb} {request}, but the ERP refused it: {' '.join(request.messages)}"
        if request.status == ERPRequest.Status.SYNCED:
            return messages.SUCCESS, f"{verb} {request}: it is written into the ERP."
        return messages.SUCCESS, f"{verb} {request}: the connector exports it next."

    return outcome


def _accept_form(obj):
    return registry.exporter_for(obj.kind).accept_form


def _retry_form(obj):
    base = registry.exporter_for(obj.kind).accept_form
    if base is None:
        return None

    class RetryForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                field.required = False
                field.help_text = f"Leave empty to keep what was typed at accept. {field.help_text}"

    return RetryForm


@admin.action(description="Reject selected requests with one reason", permissions=["decide"])
def reject_selected(modeladmin, request, queryset):
    form = RejectForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        for erp_request in queryset:
            run_and_report(
                request,
                lambda r=erp_request: services.request_reject(
                    request=r, user=request.user, reason=form.cleaned_data["reason"]
                ),
                f"Rejected {erp_request}.",
            )
        return None
    return TemplateResponse(
        request,
        "admin/erp_queue/erprequest/bulk_reject.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.opts,
            "form": form,
            "queryset": queryset,
            "title": "Reject the selected requests",
        },
    )


@admin.action(description="Accept selected requests (kinds that need no ERP ids)", permissions=["decide"])
def accept_selected(modeladmin, request, queryset):
    for erp_request in queryset:
        if registry.exporter_for(erp_request.kind).accept_form is not None:
            messages.error(
                request,
                f"{erp_request} needs the approver's ERP ids: open it and accept it on its own page.",
            )
            continue
        run_and_report(
            request,
            lambda r=erp_request: services.request_accept(request=r, user=request.user, inputs={}),
            f"Accepted {erp_request}.",
        )


@admin.register(ERPRequest)
class ERPRequestAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "record_link",
        "status_badge",
        "sent_by",
        "sent_at",
        "decided_by",
        "attempts",
        "messages_list",
    ]
    list_display_links = ["id"]
    list_filter = ["status", "kind"]
    search_fields = ["record_label", "reason"]
    list_select_related = ["sent_by", "decided_by"]
    actions = [accept_selected, reject_selected]
    change_list_template = "admin/erp_queue/erprequest/change_list.html"
    fieldsets = [
        (None, {"fields": ["kind", "record_link", "status_badge", "payload_pretty"]}),
        ("Decision", {"fields": ["sent_by", "sent_at", "decided_by", "decided_at", "inputs", "reason"]}),
        (
            "Export",
            {
                "fields": [
                    "messages_list",
                    "erp_ids",
                    "attempts",
                    "leased_by",
                    "lease_expires_at",
                    "completed_at",
                    "idempotency_key",
                ]
            },
        ),
    ]
    workflow_steps = [
        AdminStep(
            "accept",
            "Accept and export",
            lambda user, obj, data: services.request_accept(request=obj, user=user, inputs=data),
            _export_outcome("Accepted"),
            form=_accept_form,
            help="The record is written into Sage exactly as shown in the payload.",
        ),
        AdminStep(
            "retry",
            "Retry export",
            lambda user, obj, data: services.request_retry(
                request=obj, user=user, inputs={k: v for k, v in data.items() if v}
            ),
            _export_outcome("Retried"),
            form=_retry_form,
            help="Export again, correcting the ERP ids if the ERP's message asks for it.",
        ),
        AdminStep(
            "reject",
            "Reject",
            lambda user, obj, data: services.request_reject(request=obj, user=user, reason=data["reason"]),
            "Rejected {obj}: the sender can fix it and resend.",
            form=lambda obj: RejectForm,
            danger=True,
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("erp_queue.decide_erprequest")

    def changelist_view(self, request, extra_context=None):
        status = request.GET.get("status__exact")
        counts = ERPRequest.objects.all()
        if status:
            counts = counts.filter(status=status)
        by_kind = dict(counts.values_list("kind").annotate(n=Count("id")))
        extra_context = {
            **(extra_context or {}),
            "kind_tabs": [(value, label, by_kind.get(value, 0)) for value, label in Kind.choices],
            "selected_kind": request.GET.get("kind__exact", ""),
            "selected_status": status or "",
            "status_filters": ERPRequest.Status.choices,
            "staged_count": StagedRecord.objects.filter(status=StagedRecord.Status.STAGED).count(),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Record")
    def record_link(self, obj):
        model = registry.exporter_for(obj.kind).model
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.object_id])
        except NoReverseMatch:
            return obj.record_label
        return format_html('<a href="{}">{}</a>', url, obj.record_label)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.get_status_display(), obj.status)

    @admin.display(description="ERP messages")
    def messages_list(self, obj):
        return bullet_list(obj.messages)

    @admin.display(description="Payload (what is exported)")
    def payload_pretty(self, obj):
        return format_html('<pre class="erp-payload">{}</pre>', json.dumps(obj.payload, indent=2))


@admin.action(description="Add selected to the app", permissions=["import"])
def add_selected_to_app(modeladmin, request, queryset):
    for staged in queryset:
        run_and_report(
            request,
            lambda s=staged: services.staged_record_add_to_app(staged=s, user=request.user),
            f"Added {staged} to the app.",
        )


@admin.action(description="Archive selected", permissions=["import"])
def archive_selected(modeladmin, request, queryset):
    for staged in queryset:
        run_and_report(
            request,
            lambda s=staged: services.staged_record_archive(staged=s, user=request.user),
            f"Archived {staged}.",
        )


@admin.register(StagedRecord)
class StagedRecordAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "erp_id", "label", "status_badge", "staged_at", "updated_at"]
    list_filter = ["status", "kind"]
    search_fields = ["erp_id", "label"]
    actions = [add_selected_to_app, archive_selected]
    fields = [
        "kind",
        "erp_id",
        "label",
        "status_badge",
        "data_pretty",
        "staged_at",
        "updated_at",
        "imported_at",
        "imported_by",
    ]
    readonly_fields = fields
    workflow_steps = [
        AdminStep(
            "add-to-app",
            "Add to app",
            lambda user, obj, data: services.staged_record_add_to_app(staged=obj, user=user),
            "{obj} was added to the app.",
            help="Creates the record here, already synced with the ERP.",
        ),
        AdminStep(
            "archive",
            "Archive",
            lambda user, obj, data: services.staged_record_archive(staged=obj, user=user),
            "{obj} was archived.",
            danger=True,
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.has_perm("erp_queue.import_stagedrecord")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.get_status_display(), obj.status)

    @admin.display(description="As the ERP reported it")
    def data_pretty(self, obj):
        return format_html('<pre class="erp-payload">{}</pre>', json.dumps(obj.data, indent=2))
