from collections import defaultdict

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.core.admin_paging import LargeTableAdminMixin
from apps.core.admin_records import change_link, records_in_bulk
from apps.core.admin_workflow import WorkflowAdminMixin, bullet_list, run_and_report, status_badge
from apps.core.exceptions import DomainError
from apps.erp_queue import registry, selectors, services
from apps.erp_queue.admin_display import inputs_text, readable_json
from apps.erp_queue.admin_health import health_view
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.erp_queue.steps import REQUEST_STEPS, STAGED_STEPS, RejectForm


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


def _named(requests, shown=5):
    names = ", ".join(str(r) for r in requests[:shown])
    return f"{names} and {len(requests) - shown} more" if len(requests) > shown else names


def _kinds_counted(requests):
    """What was accepted, in the approver's words: 6 budgets and 2 commitments."""
    counts = defaultdict(int)
    for erp_request in requests:
        counts[erp_request.get_kind_display()] += 1
    parts = [f"{n:,} {label.lower()}{'' if n == 1 else 's'}" for label, n in counts.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]


def _accepted_message(accepted):
    """One line for everything accepted, with how the exports went (the ledger writes them at once)."""
    head = f"Accepted {_named(accepted)}" if len(accepted) <= 3 else f"Accepted {_kinds_counted(accepted)}"
    Status = ERPRequest.Status
    statuses = list(ERPRequest.objects.filter(pk__in=[r.pk for r in accepted]).values_list("status", flat=True))
    synced, failed = statuses.count(Status.SYNCED), statuses.count(Status.FAILED)
    waiting = len(statuses) - synced - failed
    if not synced and not failed:
        return messages.SUCCESS, f"{head}: the connector exports {'it' if len(accepted) == 1 else 'them'} next."
    parts = [
        f"{synced:,} {'is' if synced == 1 else 'are'} written into the ERP" if synced else "",
        f"the ERP refused {failed:,} (the Failed to export tab says why)" if failed else "",
        f"{waiting:,} {'waits' if waiting == 1 else 'wait'} for the connector" if waiting else "",
    ]
    outcome = "; ".join(p for p in parts if p)
    return (messages.WARNING if failed else messages.SUCCESS), f"{head}. {outcome[0].upper()}{outcome[1:]}."


@admin.action(description="Accept selected requests (kinds that need no ERP ids)", permissions=["decide"])
def accept_selected(modeladmin, request, queryset):
    # One more than the limit is enough for the service to refuse a selection that is too large.
    ids = queryset.values_list("pk", flat=True)[: services.BULK_ACCEPT_LIMIT + 1]
    try:
        result = services.request_accept_many(request_ids=ids, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return
    if result.accepted:
        messages.add_message(request, *_accepted_message(result.accepted))
    by_reason = defaultdict(list)
    for erp_request, why in result.refused:
        by_reason[why].append(erp_request)
    if by_reason:
        reasons = " ".join(f"{_named(group)}: {why}" for why, group in by_reason.items())
        messages.error(request, f"Not accepted ({len(result.refused):,}): {reasons}")


class SentFilter(admin.SimpleListFilter):
    """A new record for the ERP, or an update of one it holds (a synced project's new cost codes: Ready to Update)."""

    title = "what is sent"
    parameter_name = "update"

    def lookups(self, request, model_admin):
        return [("no", "A new record"), ("yes", "An update (Ready to Update)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(payload__update=True)
        if self.value() == "no":
            return queryset.exclude(payload__update=True)
        return queryset


@admin.register(ERPRequest)
class ERPRequestAdmin(LargeTableAdminMixin, WorkflowAdminMixin, admin.ModelAdmin):
    list_display = [
        "request_number",
        "kind",
        "project",
        "record_link",
        "status_badge",
        "sent_by",
        "sent_at",
        "messages_list",
    ]
    list_display_links = ["request_number", "status_badge"]
    sortable_by = ["request_number", "sent_at"]  # the orders an index serves (by id, by sent_at)
    list_filter = ["status", "kind", SentFilter]
    search_fields = ["record_label", "reason"]
    list_select_related = ["sent_by", "decided_by"]
    actions = [accept_selected, reject_selected]
    change_list_template = "admin/erp_queue/erprequest/change_list.html"
    fieldsets = [
        (None, {"fields": ["kind", "record_link", "status_badge", "payload_pretty"]}),
        ("Decision", {"fields": ["sent_by", "sent_at", "decided_by", "decided_at", "inputs_list", "reason"]}),
        ("Export", {"fields": ["messages_list", "erp_ids_list", "completed_at"]}),
        (
            "Technical details",
            {
                "classes": ["collapse"],
                "description": "How the connector handles the export: for whoever looks after the integration.",
                "fields": ["attempts", "leased_by", "lease_expires_at", "idempotency_key"],
            },
        ),
    ]
    steps = REQUEST_STEPS

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_fieldsets(self, request, obj=None):
        if obj is None or obj.reason:
            return self.fieldsets
        # "Reason: —" on a request nobody rejected reads as if something were missing.
        decision = [f for f in self.fieldsets[1][1]["fields"] if f != "reason"]
        return [self.fieldsets[0], ("Decision", {"fields": decision}), *self.fieldsets[2:]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def step_details(self, obj):
        """What the approver decides on, on the step's own page: the ERP's refusal, then the payload."""
        return format_html(
            "{}{}",
            format_html("<h2>The ERP said</h2>{}", self.messages_list(obj)) if obj.messages else "",
            format_html("<h2>What is exported</h2>{}", self.payload_pretty(obj)),
        )

    def has_decide_permission(self, request):
        return request.user.has_perm("erp_queue.decide_erprequest")

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: health_view(self, request))
        return [path("health/", view, name="erp_queue_erprequest_health"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        status = request.GET.get("status__exact")
        figures = selectors.request_tab_figures(status=status)
        extra_context = {
            **(extra_context or {}),
            "kind_tabs": [(value, label, figures.by_kind[value]) for value, label in registry.kind_choices()],
            "selected_kind": request.GET.get("kind__exact", ""),
            "selected_status": status or "",
            "status_filters": ERPRequest.Status.choices,
            "staged_count": figures.staged,
            "update_count": figures.updates,
            "selected_update": request.GET.get("update", ""),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Record")
    def record_link(self, obj):
        return change_link(registry.exporter_for(obj.kind).model, obj.object_id, obj.record_label)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.get_status_display(), obj.status)

    @admin.display(description="Request", ordering="id")
    def request_number(self, obj):
        return str(obj.pk)  # as the agent's logs and the API name it: 1234, never "1,234"

    @admin.display(description="Project")
    def project(self, obj):
        return registry.exporter_for(obj.kind).project_of(obj) or "—"

    @admin.display(description="ERP messages")
    def messages_list(self, obj):
        return bullet_list(obj.messages)

    @admin.display(description="ERP ids")
    def erp_ids_list(self, obj):
        return inputs_text(obj.erp_ids)

    @admin.display(description="Typed by the approver")
    def inputs_list(self, obj):
        return inputs_text(obj.inputs, registry.exporter_for(obj.kind).payload_names())

    @admin.display(description="Payload (what is exported)")
    def payload_pretty(self, obj):
        exporter = registry.exporter_for(obj.kind)
        return readable_json(
            obj.payload,
            "Exactly as exported (JSON)",
            hidden=[exporter.record_key] if exporter.record_key else [],
            names=exporter.payload_names(),
        )


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


def _imported_records(staged_records):
    """{(model, id): the app's record} that staged records were added as or linked to: one query per kind."""
    ids = defaultdict(set)
    for staged in staged_records:
        importer = registry.importer_for(staged.kind)
        if staged.imported_object_id is not None and importer is not None and importer.model is not None:
            ids[importer.model].add(staged.imported_object_id)
    return records_in_bulk(ids)


def _imported_model(staged):
    importer = registry.importer_for(staged.kind)
    return importer.model if importer is not None else None


@admin.register(StagedRecord)
class StagedRecordAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["erp_id", "label", "kind", "status_badge", "suggestions_list", "imported_record", "updated_at"]
    list_display_links = ["erp_id", "label"]
    list_filter = ["status", "kind"]
    search_fields = ["erp_id", "label"]
    actions = [add_selected_to_app, archive_selected]
    change_list_template = "admin/erp_queue/stagedrecord/change_list.html"
    fields = [
        "kind",
        "erp_id",
        "label",
        "status_badge",
        "suggestions_list",
        "data_pretty",
        "staged_at",
        "updated_at",
        "imported_record",
        "imported_at",
        "imported_by",
    ]
    readonly_fields = fields
    steps = STAGED_STEPS

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.has_perm("erp_queue.import_stagedrecord")

    def get_urls(self):
        return [
            path("link-all/", self.admin_site.admin_view(self.link_all_view), name="erp_queue_stagedrecord_link_all"),
            *super().get_urls(),
        ]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's suggestions in one computation, not one per row.
        suggestions = selectors.staged_record_suggestions(changelist.result_list)
        records = _imported_records(changelist.result_list)
        for staged in changelist.result_list:
            staged.page_suggestions = suggestions.get(staged.pk, [])
            staged.page_record = records.get((_imported_model(staged), staged.imported_object_id))
        return changelist

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_link_all": self.has_import_permission(request) and bool(selectors.linking_kinds()),
        }
        return super().changelist_view(request, extra_context)

    def link_all_view(self, request):
        changelist = reverse("admin:erp_queue_stagedrecord_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(changelist)
        try:
            result = services.staged_record_link_all(user=request.user)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(changelist)
        linked = "; ".join(f"{staged} to {suggestion.label}" for staged, suggestion in result.linked)
        if linked:
            messages.success(request, f"Linked {len(result.linked)}: {linked}.")
        else:
            messages.info(request, "Nothing was linked: no ERP record has a single, unshared suggestion.")
        for staged, reason in result.skipped:
            messages.warning(request, f"Skipped {staged}: {reason}")
        return HttpResponseRedirect(f"{changelist}?status__exact={StagedRecord.Status.STAGED}")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.get_status_display(), obj.status)

    @admin.display(description="As the ERP reported it")
    def data_pretty(self, obj):
        importer = registry.importer_for(obj.kind)
        names = importer.payload_names() if importer is not None else {}
        return readable_json(obj.data, "Exactly as the ERP reported it (JSON)", names=names)

    @admin.display(description="Suggested matches")
    def suggestions_list(self, obj):
        suggestions = getattr(obj, "page_suggestions", None)
        if suggestions is None:
            suggestions = selectors.staged_record_suggestions([obj]).get(obj.pk, [])
        if not suggestions:
            return "—"
        model = registry.importer_for(obj.kind).model
        return format_html(
            "<ul class='erp-suggestions'>{}</ul>",
            format_html_join(
                "",
                "<li>{} <span class='help'>({})</span></li>",
                ((change_link(model, s.target_id, s.label), "; ".join(s.reasons)) for s in suggestions),
            ),
        )

    @admin.display(description="In the app")
    def imported_record(self, obj):
        if obj.imported_object_id is None:
            return "—"
        model = _imported_model(obj)
        record = getattr(obj, "page_record", None) or _imported_records([obj]).get((model, obj.imported_object_id))
        text = str(record) if record is not None else f"{obj.label} (no longer in the app)"
        return change_link(model if record else None, obj.imported_object_id, text)
