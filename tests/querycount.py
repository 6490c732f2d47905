"""Query-count baselines: `with assert_queries(7): client.get(url)` fails listing every query when the count differs.

Baselines are absolute numbers, pinned in the test that uses them: a list that gains a query per
row shows up as a different count once more rows exist.
"""

from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext


def format_queries(captured):
    return "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(captured, start=1))


@contextmanager
def assert_queries(expected, *, using=DEFAULT_DB_ALIAS, label=""):
    """Fail unless the block runs exactly `expected` queries on `using`; the failure lists them all."""
    with CaptureQueriesContext(connections[using]) as context:
        yield context
    executed = len(context.captured_queries)
    if executed != expected:
        where = f"{label}: " if label else ""
        pytest.fail(
            f"{where}{executed} queries executed, {expected} expected:\n{format_queries(context.captured_queries)}",
            pytrace=False,
        )
