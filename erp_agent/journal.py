"""The agent's local journal, by idempotency key: what it claimed, what the ERP answered, whether the app was told.

Its states, in the order an entry moves through them:

- `started`: the claim is recorded and the write began; no outcome yet. If the agent dies here, the
  writer's `lookup` tells whether the ERP holds the write before anything is written again.
- `outcome`: the ERP's answer (erp_ids or messages) is recorded, committed before it is reported.
- `reported`: the app accepted the report. `dropped`: the app answered 409 or 404 (the lease went to
  another worker, or the report was made already). `refused`: the app answered 400; the outcome is kept
  so that the request is never written again, only reported again.
"""

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from erp_agent.writers import Result

STARTED, OUTCOME, REPORTED, DROPPED, REFUSED = "started", "outcome", "reported", "dropped", "refused"
#: The app heard the outcome, or will not take it: nothing more to report under that claim.
SETTLED = (REPORTED, DROPPED, REFUSED)

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    idempotency_key TEXT PRIMARY KEY,
    request_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    lease_token TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    note TEXT NOT NULL DEFAULT '',
    claimed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
"""


def _now():
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Entry:
    key: str
    request_id: int
    kind: str
    lease_token: str
    state: str
    result: Result | None
    note: str

    @property
    def refused_by_erp(self):
        return self.result is not None and not self.result.ok


class Journal:
    """One SQLite file; every change is committed (synchronous=FULL) before the agent's next step."""

    def __init__(self, path):
        self.path = str(path)
        # autocommit: each statement below is its own durable transaction.
        self.connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute(SCHEMA)

    def get(self, key):
        row = self.connection.execute("SELECT * FROM entries WHERE idempotency_key = ?", (str(key),)).fetchone()
        return None if row is None else self._entry(row)

    def start(self, request):
        """Record the claim before the write begins (again, for a request retried after the ERP refused it)."""
        self.connection.execute(
            "INSERT INTO entries (idempotency_key, request_id, kind, lease_token, state, outcome, claimed_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (idempotency_key) DO UPDATE SET"
            " request_id = excluded.request_id, lease_token = excluded.lease_token, state = excluded.state,"
            " outcome = NULL, note = '', claimed_at = excluded.claimed_at, updated_at = excluded.updated_at",
            (
                str(request["idempotency_key"]),
                int(request["id"]),
                str(request.get("kind") or ""),
                str(request["lease_token"]),
                STARTED,
                _now(),
                _now(),
            ),
        )
        return self.get(request["idempotency_key"])

    def record(self, key, result):
        """The ERP's answer, durable before it is reported: after a crash it is re-sent, not re-written."""
        self._update(key, state=OUTCOME, outcome=json.dumps(result.as_dict()))
        return self.get(key)

    def relet(self, key, request):
        """The request was claimed again: its report goes under the new claim's lease."""
        self._update(key, lease_token=str(request["lease_token"]), request_id=int(request["id"]), state=OUTCOME)
        return self.get(key)

    def settle(self, key, state, note=""):
        self._update(key, state=state, note=note[:2000])

    def in_state(self, state):
        rows = self.connection.execute("SELECT * FROM entries WHERE state = ? ORDER BY claimed_at", (state,))
        return [self._entry(row) for row in rows]

    def close(self):
        self.connection.close()

    def _update(self, key, **fields):
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.connection.execute(
            f"UPDATE entries SET {assignments}, updated_at = ? WHERE idempotency_key = ?",
            (*fields.values(), _now(), str(key)),
        )

    @staticmethod
    def _entry(row):
        outcome = row["outcome"]
        return Entry(
            key=row["idempotency_key"],
            request_id=row["request_id"],
            kind=row["kind"],
            lease_token=row["lease_token"],
            state=row["state"],
            result=None if outcome is None else Result.from_dict(json.loads(outcome)),
            note=row["note"],
        )
