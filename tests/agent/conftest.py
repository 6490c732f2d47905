"""The reference agent against a live app: accepted requests of every kind, the SQLite Sage, the agent process."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from apps.erp_queue import services as erp_services
from apps.vendors.models import VendorType

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def agent_mode(settings, cost_codes):
    """Accepted requests wait for the agent; a short lease so that a dead agent's requests come back quickly.

    The standard cost codes are pulled from the ledger first (in agent mode the agent pushes them).
    """
    settings.ERP_CONNECTOR = "agent"
    settings.ERP_LEASE_SECONDS = 2
    VendorType.objects.get_or_create(code="1", defaults={"name": "Subcontractor"})
    return settings


@pytest.fixture
def token(agent):
    return Token.objects.get_or_create(user=agent)[0].key


@pytest.fixture
def sage(tmp_path):
    """The SQLite stand-in's path (init-sage creates it)."""
    return tmp_path / "sage.sqlite3"


def agent_command(url, token, writer, *extra):
    return [sys.executable, "-m", "erp_agent", "--url", url, "--token", token, "--writer", writer, *extra]


def run_agent(url, token, writer, *extra, timeout=60):
    """One `--once` pass of the agent as its own process; its completed process (returncode, output)."""
    return subprocess.run(
        agent_command(url, token, writer, *extra), cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def start_agent(url, token, writer, *extra):
    return subprocess.Popen(
        agent_command(url, token, writer, *extra), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def init_sage(url, token, db):
    done = subprocess.run(
        [sys.executable, "-m", "erp_agent", "init-sage", "--db", str(db), "--url", url, "--token", token],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done


def sage_rows(db, sql, *params):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def writes_per_key(db):
    """{idempotency key: how many records the Sage stand-in holds that its write made}."""
    counts = {}
    for table in ("jobs", "vendors", "commitments", "change_orders"):
        for key, n in sage_rows(db, f"SELECT request_key, COUNT(*) FROM {table} WHERE source = 'exported' GROUP BY 1"):
            counts[key] = counts.get(key, 0) + n
    for (key,) in sage_rows(db, "SELECT DISTINCT request_key FROM budget_entries WHERE kind != 'commitment_change'"):
        counts[key] = counts.get(key, 0) + 1
    return counts


def wait_for(check, timeout=60, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def accepted(record, *, pm, approver, inputs=None):
    """Send `record` and accept it (in agent mode it then waits for the agent); its ERP request."""
    _, request = erp_services.record_send(record=record, user=pm)
    return erp_services.request_accept(request=request, user=approver, inputs=inputs or {})
