"""A workflow record's audit trail in the admin, as the people who read it say it."""

from collections import defaultdict

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import FSMFieldMixin
from django_fsm_log.admin import StateLogInline

from apps.core.admin_paging import LargeTableAdminMixin
from apps.core.admin_records import change_link, change_url, records_in_bulk
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


def _id(value):
    """An id typed in the address, or None ("²" and "abc" are not)."""
    return int(value) if value.isascii() and value.isdigit() else None


def _number(value):
    """A filter's id from the address, or IncorrectLookupParameters (the admin's "?e=1"), never a 500."""
    if (number := _id(value)) is None:
        raise IncorrectLookupParameters(f"Not an id: {value!r}")
    return number


class RecordTypeFilter(admin.SimpleListFilter):
    """Which kind of record (no sidebar on one record's history: it would pair the id with another kind)."""

    title = "record"
    parameter_name = "content_type__id__exact"

    def lookups(self, request, model_admin):
        return [(str(ct.pk), _type_label(ct)) for ct in _viewable_types(request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        type_id = _number(self.value())
        if type_id not in {ct.pk for ct in _viewable_types(request.user)}:
            raise IncorrectLookupParameters(f"Not a kind of record this reader may view: {type_id}")
        return queryset.filter(content_type_id=type_id)


class OneRecordFilter(admin.SimpleListFilter):
    """One record's whole trail (the link on its page): nothing to pick in the sidebar, cleared with the others."""

    title = "one record"
    parameter_name = "object_id"
    template = "admin/core/historyentry/no_choices.html"

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True  # a filter with no output is dropped by the changelist, its parameter with it

    def queryset(self, request, queryset):
        return queryset.filter(object_id=_number(self.value())) if self.value() else queryset


def _type_label(content_type):
    """ "Budget", "ERP request": the model's own name for itself."""
    model = content_type.model_class()
    name = str(model._meta.verbose_name) if model else content_type.name
    return name[:1].upper() + name[1:]


def _records_named(logs):
    """{(model, object id): the record} for a page of history: one query per kind on the page."""
    ids = defaultdict(set)
    for log in logs:
        if (model := log.content_type.model_class()) is not None:
            ids[model].add(log.object_id)
    return records_in_bulk(ids)


@admin.register(HistoryEntry)
class AuditTrailAdmin(_Words, LargeTableAdminMixin, admin.ModelAdmin):
    """Every transition of every record the user may see, newest first; a record's page links here filtered."""

    change_list_template = "admin/core/historyentry/change_list.html"
    list_display = ["when", "record", "happened", "who", "description"]
    list_display_links = None
    sortable_by = ["when"]  # newest or oldest first, off the index; any other order would sort the table
    list_filter = [RecordTypeFilter, OneRecordFilter]
    list_select_related = ["by", "content_type"]
    search_fields = ["description", "by__username"]
    ordering = ["-timestamp", "-id"]
    list_per_page = 50

    def get_queryset(self, request):
        viewable = _viewable_types(request.user)
        if len(viewable) == len(_workflow_models()):
            return super().get_queryset(request)  # sees every record: no filter, the newest-first index serves it
        return super().get_queryset(request).filter(content_type__in=viewable)

    def get_list_display(self, request):
        one_record = self._one_record(request) is not None
        return [name for name in self.list_display if name != "record"] if one_record else self.list_display

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        records = _records_named(changelist.result_list)
        for log in changelist.result_list:
            log.page_record = records.get((log.content_type.model_class(), log.object_id))
        return changelist

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

    def _one_record(self, request):
        """The record whose whole trail is asked for, if the reader may view its kind and it exists."""
        type_id, object_id = (_id(request.GET.get(name, "")) for name in ("content_type__id__exact", "object_id"))
        content_type = next((ct for ct in _viewable_types(request.user) if ct.pk == type_id), None)
        if content_type is None or object_id is None:
            return None
        return content_type.model_class()._default_manager.filter(pk=object_id).first()

    def changelist_view(self, request, extra_context=None):
        record = self._one_record(request)
        context = {"title": f"History of {record}" if record else "History of every record", "record": record}
        if record is not None:
            opts = record._meta
            context["record_opts"] = opts
            context["record_url"] = change_url(type(record), record.pk)
        return super().changelist_view(request, {**(extra_context or {}), **context})

    @admin.display(description="Record")
    def record(self, log):
        record = getattr(log, "page_record", None)
        content_type = log.content_type
        if record is None:
            return f"{_type_label(content_type)} {log.object_id} (deleted)"
        return change_link(type(record), log.object_id, str(record))
