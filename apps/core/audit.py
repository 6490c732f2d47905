"""The audit trail's storage: one row per transition, written at once or, in a batch, in one statement.

django-fsm-log writes a StateLog row as each transition runs. A bulk step (accepting 500 requests)
would pay one INSERT per transition; inside `audit_batch()` the rows are collected and written
together when the batch ends, in the same transaction as the rows they describe.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django_fsm_log.backends import SimpleBackend, _pre_transition_callback

_batch = ContextVar("audit_batch", default=None)


class _Collector:
    """Stands in for StateLog.objects during a batch: `create` builds the row and keeps it."""

    def __init__(self, model):
        self.model = model
        self.rows = []

    def create(self, **values):
        row = self.model(**values)
        self.rows.append(row)
        return row


class BatchingBackend(SimpleBackend):
    """django-fsm-log's simple backend, except that inside `audit_batch()` rows wait for one bulk insert."""

    @staticmethod
    def post_transition_callback(sender, instance, name, source, target, **kwargs):
        collector = _batch.get()
        if collector is None:
            return SimpleBackend.post_transition_callback(sender, instance, name, source, target, **kwargs)
        return _pre_transition_callback(sender, instance, name, source, target, collector, **kwargs)


@contextmanager
def audit_batch():
    """Collect the transitions run in the block and write their audit rows in one INSERT as it ends.

    Run it inside the transaction that saves the records: if the block raises, nothing is written.
    """
    from django_fsm_log.models import StateLog

    collector = _Collector(StateLog)
    token = _batch.set(collector)
    try:
        yield
    finally:
        _batch.reset(token)
    StateLog.objects.bulk_create(collector.rows, batch_size=500)
