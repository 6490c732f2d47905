"""core keeps no tables of its own: the audit trail's admin page reads django-fsm-log's table as "history"."""

from django_fsm_log.models import StateLog


class HistoryEntry(StateLog):
    """One transition of one record, as the admin's audit trail lists it (django-fsm-log's StateLog)."""

    class Meta:
        proxy = True
        verbose_name = "history entry"
        verbose_name_plural = "history entries"
