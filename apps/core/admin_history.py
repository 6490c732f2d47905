"""A workflow record's audit trail in the admin, as the people who read it say it."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm_log.admin import StateLogInline

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


class HistoryInline(StateLogInline):
    """A record's audit trail as its readers say it: what happened, who did it, when, and why."""

    template = "admin/workflow/history_inline.html"
    verbose_name = "history entry"
    verbose_name_plural = "History"
    fields = ("happened", "who", "when", "description")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_change_permission(self, request, obj=None):
        return False  # read only: the trail is never edited

    @admin.display(description="What happened")
    def happened(self, log):
        return HISTORY_WORDS.get(log.transition, log.transition.replace("_", " ").capitalize())

    @admin.display(description="By")
    def who(self, log):
        return log.by or "the system"

    @admin.display(description="When")
    def when(self, log):
        return date_format(timezone.localtime(log.timestamp), "M j, Y, P")
