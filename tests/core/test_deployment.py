"""What a deployment relies on: a key of its own, password guessing held to a rate, SQLite writers that wait."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

ROOT = Path(__file__).resolve().parents[2]


def start_app(**env):
    """Import the settings in a fresh interpreter, as `manage.py` or the WSGI server would."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_the_app_refuses_to_start_without_a_secret_key():
    started = start_app()
    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr


def manage(*args):
    """`manage.py` in a fresh interpreter with neither SECRET_KEY nor DEBUG set, on the real settings."""
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_commands_that_never_use_the_key_run_without_one_and_the_rest_still_refuse():
    assert manage("makemigrations", "--check", "--dry-run").returncode == 0
    assert manage("check").returncode == 0
    serving = manage("diffsettings")
    assert serving.returncode != 0 and "SECRET_KEY is not set" in serving.stderr


def test_with_a_key_or_in_debug_it_starts():
    assert start_app(SECRET_KEY="a-long-random-value-for-this-test").returncode == 0
    assert start_app(DEBUG="true").returncode == 0


@pytest.mark.django_db
def test_the_token_endpoint_holds_password_guessing_to_a_rate(make_user):
    make_user("pm", password="right-password")
    client = APIClient()
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    answers = [
        client.post("/api/v1/auth/token/", {"username": "pm", "password": "wrong"}).status_code
        for _ in range(limit + 1)
    ]
    assert answers[:limit] == [400] * limit
    assert answers[limit] == 429
    refused = client.post("/api/v1/auth/token/", {"username": "pm", "password": "right-password"})
    assert refused.status_code == 429 and "Expected available in" in refused.json()["detail"]


@pytest.mark.django_db
def test_the_other_anonymous_endpoints_are_held_to_a_rate(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient()
    assert [client.get("/api/docs/").status_code for _ in range(3)] == [200] * 3
    assert client.get("/api/docs/").status_code == 429


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")
def test_concurrent_sqlite_writers_wait_for_each_other_instead_of_failing(tmp_path, django_db_blocker):
    """Eight writers that each read, then write, in one transaction: all succeed, none sees "database is locked".

    With SQLite's default (deferred) transactions, a reader upgrading to a writer while another
    holds the write lock is refused at once, whatever the timeout.
    """
    alias = "concurrency_check"
    django_db_blocker.unblock()
    connections.settings[alias] = connections.configure_settings(
        {"default": {}, alias: {**settings.DATABASES["default"], "NAME": str(tmp_path / "shared.sqlite3")}}
    )[alias]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE tally (n integer)")
        start, errors = threading.Barrier(8), []

        def write():
            try:
                start.wait()
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM tally")
                    (seen,) = cursor.fetchone()
                    cursor.execute("INSERT INTO tally (n) VALUES (%s)", [seen + 1])
            except Exception as exc:
                errors.append(exc)
            finally:
                connections[alias].close()

        threads = [threading.Thread(target=write) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT n FROM tally ORDER BY n")
            assert [n for (n,) in cursor.fetchall()] == list(range(1, 9))
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        connections[alias].close()
        del connections.settings[alias]
        django_db_blocker.restore()
