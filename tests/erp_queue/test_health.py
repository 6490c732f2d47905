"""Integration health: `/health/` for monitors, the agent's heartbeat, the approvers' page and outage notice."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from apps.erp_queue import services
from apps.erp_queue.models import AgentContact, AgentOutage, ERPRequest
from tests.erp_queue.factories import ERPRequestFactory
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db

agent_mode = override_settings(ERP_CONNECTOR="agent")
ROOT = Path(__file__).resolve().parents[2]


def heard_from(worker="sage-agent", minutes_ago=0):
    services.agent_contact_record(worker=worker, version="1.0", host="SAGE01")
    AgentContact.objects.filter(worker=worker).update(last_contact_at=timezone.now() - timedelta(minutes=minutes_ago))


@pytest.fixture
def queue():
    """Per kind: jobs with one waiting an hour and one exporting on a lease that ran out; a vendor failed today."""
    waiting = ERPRequestFactory()
    ERPRequest.objects.filter(pk=waiting.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    ERPRequestFactory(claimed=True, lease_expires_at=timezone.now() - timedelta(minutes=1))
    ERPRequestFactory(record=CompanyFactory(erp_status="failed"), failed=True, failed_at=timezone.now())
    # Failed two days ago: not in the last 24 hours.
    ERPRequestFactory(
        record=CompanyFactory(erp_status="failed"), failed=True, failed_at=timezone.now() - timedelta(days=2)
    )


def test_anonymous_monitor_reads_the_status_only(client, queue):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_queue_reader_reads_the_figures_per_kind(api_as, viewer, queue):
    body = api_as(viewer).get("/health/").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["connector"] == "ledger"
    job, vendor = body["kinds"]["job"], body["kinds"]["vendor"]
    assert (job["waiting_for_decision"], job["exporting"], job["expired_leases"]) == (1, 1, 1)
    assert 3590 <= job["oldest_waiting_seconds"] <= 3700
    assert (vendor["waiting_for_decision"], vendor["failed_last_24h"], vendor["oldest_waiting_seconds"]) == (0, 1, None)
    assert body["kinds"]["budget"] == {
        "waiting_for_decision": 0,
        "oldest_waiting_seconds": None,
        "exporting": 0,
        "expired_leases": 0,
        "failed_last_24h": 0,
    }
    assert body["agent"]["last_contact_at"] is None


@agent_mode
def test_agent_silent_while_exports_wait_is_503(api_as, approver, client):
    ERPRequestFactory(accepted=True)
    never = api_as(approver).get("/health/")
    assert never.status_code == 503
    assert never.json()["problems"] == ["No ERP agent has ever been heard from, and 1 accepted export waits."]
    assert client.get("/health/").json() == {"status": "unhealthy"}

    heard_from(minutes_ago=14)
    assert client.get("/health/").status_code == 200
    heard_from(minutes_ago=16)
    silent = api_as(approver).get("/health/").json()
    assert silent["status"] == "unhealthy"
    assert silent["agent"] | {"last_contact_at": None} == {
        "last_contact_at": None,
        "minutes_since_contact": 16,
        "silent_after_minutes": 15,
        "silent": True,
        "worker": "sage-agent",
        "version": "1.0",
        "host": "SAGE01",
    }


@agent_mode
def test_a_silent_agent_with_nothing_to_export_is_healthy(client):
    ERPRequestFactory()  # waits for the approver, not for the agent
    heard_from(minutes_ago=120)
    assert client.get("/health/").status_code == 200


def test_an_unreachable_database_is_503_not_a_traceback():
    """A real server process whose PostgreSQL is not there: the monitor gets JSON it can read."""
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/health/'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "health-test-key",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:9/erp_bridge",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '503 {"status":"unhealthy","database":"unreachable"}'


def test_heartbeat_records_the_agent(api_as, agent, pm):
    response = api_as(agent).post(
        "/api/v1/erp/agent/heartbeat/", {"worker": "sage-1", "version": "1.2.0", "host": "SAGE01"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["worker"] == "sage-1"
    contact = AgentContact.objects.get(worker="sage-1")
    assert (contact.version, contact.host) == ("1.2.0", "SAGE01")
    assert api_as(agent).post("/api/v1/erp/agent/heartbeat/", {}, format="json").status_code == 400
    assert api_as(pm).post("/api/v1/erp/agent/heartbeat/", {"worker": "x"}, format="json").status_code == 403
    assert api_as(None).post("/api/v1/erp/agent/heartbeat/", {"worker": "x"}, format="json").status_code == 401


@agent_mode
def test_claims_and_reports_are_contact(api_as, agent):
    request = ERPRequestFactory(record=ProjectFactory(erp_status="exporting"), accepted=True)
    heard_from("sage-1", minutes_ago=30)
    [claimed] = api_as(agent).post("/api/v1/erp/requests/claim/", {"worker": "sage-1"}, format="json").json()
    contact = AgentContact.objects.get(worker="sage-1")
    assert timezone.now() - contact.last_contact_at < timedelta(minutes=1)
    assert contact.version == "1.0"  # the heartbeat's, kept
    AgentContact.objects.update(last_contact_at=timezone.now() - timedelta(minutes=30))
    report = {"messages": ["Sage is closed for the month"], "lease_token": claimed["lease_token"]}
    assert api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/failed/", report, format="json").status_code == 200
    assert timezone.now() - AgentContact.objects.get(worker="sage-1").last_contact_at < timedelta(minutes=1)
    assert ERPRequest.objects.get(pk=request.pk).failed_at is not None


@agent_mode
def test_approvers_are_told_once_per_outage(client, approver, make_user, django_capture_on_commit_callbacks):
    approver.email = "approver@example.com"
    approver.save()
    make_user("pm2", "Project Manager", email="pm@example.com")
    ERPRequestFactory(accepted=True)
    heard_from(minutes_ago=40)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # a monitor calling every minute
            client.get("/health/")
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["approver@example.com"]
    assert notice.subject == "ERP agent silent: 1 accepted export waits"
    assert "has not been heard from for 40 minutes" in notice.body
    assert "worker sage-agent on SAGE01" in notice.body

    heard_from(minutes_ago=0)  # back: the outage is over
    assert AgentOutage.objects.get().ended_at is not None
    heard_from(minutes_ago=20)  # silent again: a new outage, a new notice
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/health/")
    assert len(mail.outbox) == 2
    assert AgentOutage.objects.count() == 2


@agent_mode
def test_integration_health_page(client, approver):
    request = ERPRequestFactory(accepted=True)
    heard_from(minutes_ago=40)
    client.force_login(approver)
    page = client.get("/admin/erp_queue/erprequest/health/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The ERP agent has not been heard from for 40 minutes, and 1 accepted export waits." in text
    assert "?kind__exact=job&amp;status__exact=exporting" in text
    assert "SAGE01" in text
    assert f'/admin/erp_queue/erprequest/{request.pk}/change/"' in text
    queue = client.get("/admin/erp_queue/erprequest/").content.decode()
    assert 'href="/admin/erp_queue/erprequest/health/"' in queue


def test_integration_health_page_needs_a_login(client):
    assert client.get("/admin/erp_queue/erprequest/health/").status_code == 302


@agent_mode
def test_the_watch_tells_the_approvers_when_nobody_looks(approver, django_capture_on_commit_callbacks):
    approver.email = "approver@example.com"
    approver.save()
    ERPRequestFactory(accepted=True)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erp_watch", "--once", stdout=out)
        call_command("erp_watch", "--once", stdout=out)
    assert out.getvalue().splitlines() == [
        "No ERP agent has ever been heard from, and 1 accepted export waits. 1 approver(s) e-mailed.",
        "No ERP agent has ever been heard from, and 1 accepted export waits.",
    ]
    assert len(mail.outbox) == 1


@agent_mode
def test_the_page_says_whom_the_outage_reached(client, approver):
    ERPRequestFactory(accepted=True)
    heard_from(minutes_ago=1)
    AgentContact.objects.update(last_contact_at=timezone.now() - timedelta(minutes=61))
    client.force_login(approver)
    text = " ".join(client.get("/admin/erp_queue/erprequest/health/").content.decode().split())
    assert "has not been heard from for 61 minutes" in text
    assert "No approver was e-mailed: none has an e-mail address in their user account." in text
    assert "ERP requests</a> › Integration health" in text

    AgentOutage.objects.all().delete()  # the next outage, once an approver has an address
    approver.email = "approver@example.com"
    approver.save()
    text = " ".join(client.get("/admin/erp_queue/erprequest/health/").content.decode().split())
    assert "1 approver was e-mailed when it began (once per outage)." in text
