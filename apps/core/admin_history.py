"""A workflow record's audit trail in the admin, as the people who read it say it."""

from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django_fsm import FSMFieldMixin
from django_fsm_log.admin import StateLogInline

from apps.core.admin_paging import LargeTableAdminMixin
from apps.core.models import HistoryEntry

#: A record's page shows its latest history entries; the whole trail is a page of its own.
HISTORY_SHOWN = 20

#: What each transition means to the people who read a record's history.
HISTORY_WORDS = {
    "send": "Sent to accounting",
    "resend": "Sent to accounting again",
    "retrieve": "Taken back from accounting",
    "accept": "Accepted by accounting",
    "reject": "Rejected by accounting",
    "retry": "Export retried",
    "succeed": "Written into the ERP",
    "fail": "Refused by the ERP",
    "mark_exporting": "Accepted: being written into the ERP",
    "mark_synced": "Written into the ERP",
    "mark_exported": "Written into the ERP",
    "mark_failed": "Refused by the ERP",
    "mark_rejected": "Rejected by accounting",
    "mark_posted": "Entries posted in the ERP",
    "mark_imported": "Imported from the ERP",
    "lock": "Locked",
    "unlock": "Unlocked",
    "approve": "Approved",
    "submit": "Submitted for approval",
    "return_to_draft": "Returned to draft",
    "put_out_for_bid": "Put out for bid",
    "put_out_for_signature": "Put out for signature",
    "complete": "Completed",
    "terminate": "Terminated",
    "void": "Voided",
    "link": "Linked to the ERP record",
    "unlink": "Unlinked from the ERP record",
    "add_to_app": "Added to the app",
    "archive": "Archived",
    "restage": "Changed in the ERP: waiting again",
}


class _Words:
    """How a history entry reads, on a record's page and on the whole trail."""

    @admin.display(description="What happened")
    def happened(self, log):
        return HISTORY_WORDS.get(log.transition, log.transition.replace("_", " ").capitalize())

    @admin.display(description="By")
    def who(self, log):
        return log.by or "the system"

    @admin.display(description="When", ordering="timestamp")
    def when(self, log):
        return date_format(timezone.localtime(log.timestamp), "M j, Y, P")


def whole_trail_url(record):
    """The audit trail page filtered to `record`: every entry, newest first, a page at a time."""
    content_type = ContentType.objects.get_for_model(record)
    changelist = reverse("admin:core_historyentry_changelist")
    return f"{changelist}?content_type__id__exact={content_type.pk}&object_id={record.pk}"


class LatestHistoryFormSet(BaseGenericInlineFormSet):
    """The record's latest HISTORY_SHOWN entries, however long its trail: `more` says there are others."""

    def get_queryset(self):
        if not hasattr(self, "_latest"):
            rows = list(super().get_queryset()[: HISTORY_SHOWN + 1])
            self.more = len(rows) > HISTORY_SHOWN
            self._latest = rows[:HISTORY_SHOWN]
        return self._latest

    def whole_trail_url(self):
        return whole_trail_url(self.instance)


class HistoryInline(_Words, StateLogInline):
    """A record's audit trail as its readers say it: what happened, who did it, when, and why (the latest)."""

    template = "admin/workflow/history_inline.html"
    formset = LatestHistoryFormSet
    verbose_name = "history entry"
    verbose_name_plural = "History"
    fields = ("happened", "who", "when", "description")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by").order_by("-timestamp", "-id")

    def has_change_permission(self, request, obj=None):
        return False  # read only: the trail is never edited


def _workflow_models():
    """Every model with a workflow (an FSM field): the records an audit trail is kept of."""
    return [m for m in apps.get_models() if any(isinstance(f, FSMFieldMixin) for f in m._meta.fields)]


def _viewable_types(user):
    """The content types of the workflow records `user` may view: the trail shows their entries only."""
    types = ContentType.objects.get_for_models(*_workflow_models(), for_concrete_models=False).values()
    return sorted(
        (ct for ct in types if user.has_perm(f"{ct.app_label}.view_{ct.model}")), key=lambda ct: ct.name.casefold()
    )


class RecordTypeFilter(admin.SimpleListFilter):
    title = "record"
    parameter_name = "content_type__id__exact"

    def lookups(self, request, model_admin):
        return [(str(ct.pk), ct.name.capitalize()) for ct in _viewable_types(request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


@admin.register(HistoryEntry)
class AuditTrailAdmin(_Words, LargeTableAdminMixin, admin.ModelAdmin):
    """Every transition of every record the user may see, newest first; a record's page links here filtered."""

    list_display = ["when", "record", "happened", "who", "description"]
    list_display_links = None
    list_filter = [RecordTypeFilter]
    list_select_related = ["by", "content_type"]
    search_fields = ["description", "by__username"]
    ordering = ["-timestamp", "-id"]
    list_per_page = 50

    def get_queryset(self, request):
        viewable = _viewable_types(request.user)
        if len(viewable) == len(_workflow_models()):
            return super().get_queryset(request)  # sees every record: no filter, the newest-first index serves it
        return super().get_queryset(request).filter(content_type__in=viewable)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "object_id" or super().lookup_allowed(lookup, value, request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and bool(_viewable_types(request.user))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        title = "History of every record"
        content_type, object_id = request.GET.get("content_type__id__exact"), request.GET.get("object_id")
        if content_type and object_id:
            model = ContentType.objects.get_for_id(int(content_type)).model_class() if content_type.isdigit() else None
            record = model.objects.filter(pk=object_id).first() if model and object_id.isdigit() else None
            title = f"History of {record}" if record else title
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    @admin.display(description="Record")
    def record(self, log):
        content_type = log.content_type
        text = f"{content_type.name.capitalize()} {log.object_id}"
        try:
            url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[log.object_id])
        except NoReverseMatch:
            return text
        return format_html('<a href="{}">{}</a>', url, text)
