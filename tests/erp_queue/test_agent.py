"""The agent protocol: claim with a lease, report success or failure, idempotently; dead workers recovered."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from apps.erp_queue import services
from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import Project
from apps.ledger.models import ERPJob, ERPWrite
from tests.jobs.factories import ProjectCostCodeFactory

pytestmark = pytest.mark.django_db

agent_mode = override_settings(ERP_CONNECTOR="agent")


def claim(client, worker="agent-1"):
    """Claim the one waiting request as `worker`; the lease_token its reports carry."""
    [item] = client.post("/api/v1/erp/requests/claim/", {"worker": worker}, format="json").json()
    return item["lease_token"]


@pytest.fixture
def sent(pm, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0], cost_types=[1, 4]).project
    return erp_services.record_send(record=project, user=pm)


@pytest.fixture
def accepted(sent, approver):
    project, request = sent
    with agent_mode:
        services.request_accept(request=request, user=approver, inputs={"erp_job_id": "4100"})
    return project, request


@agent_mode
def test_agent_claims_then_reports_success(agent, api_as, accepted):
    project, request = accepted
    assert Project.objects.get(pk=project.pk).erp_status == "exporting"
    claimed = api_as(agent).post("/api/v1/erp/requests/claim/", {"limit": 5}, format="json")
    assert claimed.status_code == 200
    [item] = claimed.json()
    assert item["id"] == request.pk
    assert item["inputs"] == {"erp_job_id": "4100"}
    assert item["payload"]["number"] == project.number
    assert item["lease_token"] and item["lease_expires_at"]
    assert item["idempotency_key"] == str(request.idempotency_key)
    # Leased: a second claim does not hand it out again.
    assert api_as(agent).post("/api/v1/erp/requests/claim/", {}, format="json").json() == []

    report = {"erp_ids": {"job_id": "4100"}, "lease_token": item["lease_token"]}
    done = api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/succeeded/", report, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "synced"
    project.refresh_from_db()
    assert (project.erp_status, project.erp_id) == ("synced", "4100")
    # The same report again (a retried HTTP call) changes nothing and is not an error.
    again = api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/succeeded/", report, format="json")
    assert again.status_code == 200
    assert ERPRequest.objects.get(pk=request.pk).status == "synced"


@agent_mode
def test_agent_reports_failure_with_messages(agent, approver, api_as, accepted):
    project, request = accepted
    lease = claim(api_as(agent))
    empty = api_as(agent).post(
        f"/api/v1/erp/requests/{request.pk}/failed/", {"messages": [], "lease_token": lease}, format="json"
    )
    assert empty.status_code == 400
    report = {"messages": ["Job 4100 already exists"], "lease_token": lease}
    failed = api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/failed/", report, format="json")
    assert failed.json()["status"] == "failed"
    assert api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/failed/", report, format="json").status_code == 200
    project.refresh_from_db()
    assert (project.erp_status, project.erp_messages) == ("failed", ["Job 4100 already exists"])

    retried = api_as(approver).post(f"/api/v1/erp/requests/{request.pk}/retry/", {"erp_job_id": "4101"})
    assert retried.json()["status"] == "exporting"
    [item] = api_as(agent).post("/api/v1/erp/requests/claim/", {}, format="json").json()
    assert item["inputs"] == {"erp_job_id": "4101"}
    assert item["attempts"] == 2


@agent_mode
def test_a_dead_agents_lease_runs_out_and_the_request_is_claimed_again(agent, api_as, accepted):
    _, request = accepted
    first = api_as(agent).post("/api/v1/erp/requests/claim/", {"worker": "agent-a"}, format="json").json()
    assert [r["id"] for r in first] == [request.pk]
    ERPRequest.objects.filter(pk=request.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = api_as(agent).post("/api/v1/erp/requests/claim/", {"worker": "agent-b"}, format="json").json()
    assert [r["id"] for r in second] == [request.pk]
    assert second[0]["lease_token"] != first[0]["lease_token"]
    assert ERPRequest.objects.get(pk=request.pk).leased_by == "agent-b"


def test_only_the_agent_may_claim_or_report(approver, pm, api_as, accepted):
    _, request = accepted
    assert api_as(approver).post("/api/v1/erp/requests/claim/", {}, format="json").status_code == 403
    report = api_as(pm).post(
        f"/api/v1/erp/requests/{request.pk}/succeeded/",
        {"erp_ids": {"job_id": "1"}, "lease_token": str(uuid.uuid4())},
        format="json",
    )
    assert report.status_code == 403
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"


def test_reporting_on_a_request_that_is_not_exporting_is_409(agent, api_as, sent):
    _, request = sent
    response = api_as(agent).post(
        f"/api/v1/erp/requests/{request.pk}/succeeded/",
        {"erp_ids": {"job_id": "1"}, "lease_token": str(uuid.uuid4())},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["status"] == "ready_to_export"


def test_worker_that_died_after_the_erp_write_is_recovered_and_exports_once(accepted):
    """The ledger wrote the job, then the process died before recording success."""
    from apps.ledger import services as ledger_services

    _, request = accepted
    [claimed] = services.request_claim(user=None, worker="dying-worker", limit=1)
    ledger_services.job_write(key=claimed.idempotency_key, payload=claimed.payload, job_id="4100")
    # ... the process dies here. Its lease runs out:
    ERPRequest.objects.filter(pk=request.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    call_command("erp_worker", "--once")

    request.refresh_from_db()
    assert request.status == "synced"
    assert request.erp_ids == {"job_id": "4100"}
    assert ERPJob.objects.filter(job_id="4100").count() == 1
    assert ERPWrite.objects.filter(idempotency_key=request.idempotency_key).count() == 1
    assert Project.objects.get(pk=request.object_id).erp_status == "synced"


def test_worker_leaves_leased_requests_alone(accepted):
    _, request = accepted
    services.request_claim(user=None, worker="busy-worker", limit=1)
    call_command("erp_worker", "--once")
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"
    assert not ERPJob.objects.filter(job_id="4100").exists()


@agent_mode
def test_worker_refuses_to_run_in_agent_mode():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="claims requests through"):
        call_command("erp_worker", "--once")


def test_agent_stages_erp_jobs_as_an_upsert(agent, api_as, cost_codes):
    record = {
        "kind": "job",
        "erp_id": "5001",
        "data": {
            "name": "Depot",
            "cost_codes": [{"code": "1000", "description": "General Requirements", "cost_types": [2]}],
        },
    }
    created = api_as(agent).post("/api/v1/erp/staged-records/", record, format="json")
    assert created.status_code == 201, created.json()
    record["data"]["name"] = "Depot (renamed in Sage)"
    updated = api_as(agent).post("/api/v1/erp/staged-records/", record, format="json")
    assert updated.json()["id"] == created.json()["id"]
    assert StagedRecord.objects.get().label == "Depot (renamed in Sage)"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"kind": "job", "erp_id": "5002", "data": {}}, "data"),
        ({"kind": "job", "erp_id": "5002", "data": {"name": "X", "cost_codes": [{"code": "0123"}]}}, "data"),
        ({"kind": "commitment", "erp_id": "5002", "data": {"name": "X"}}, "kind"),
        ({"kind": "job", "erp_id": "", "data": {"name": "X"}}, "erp_id"),
    ],
)
def test_staging_bad_records_is_a_field_error(agent, api_as, record, field):
    response = api_as(agent).post("/api/v1/erp/staged-records/", record, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not StagedRecord.objects.exists()


def test_imported_job_changed_in_erp_is_restaged_and_reimport_updates_it(agent, approver, api_as, cost_codes):
    record = {
        "kind": "job",
        "erp_id": "5003",
        "data": {"name": "Depot", "city": "Fresno", "cost_codes": [{"code": "1000", "cost_types": [2]}]},
    }
    staged = api_as(agent).post("/api/v1/erp/staged-records/", record, format="json").json()
    api_as(approver).post(f"/api/v1/erp/staged-records/{staged['id']}/add-to-app/")
    record["data"]["city"] = "Clovis"
    assert api_as(agent).post("/api/v1/erp/staged-records/", record, format="json").json()["status"] == "staged"
    assert api_as(approver).post(f"/api/v1/erp/staged-records/{staged['id']}/add-to-app/").status_code == 200
    project = Project.objects.get(erp_id="5003")
    assert (project.city, project.erp_status) == ("Clovis", "synced")
    assert Project.objects.filter(erp_id="5003").count() == 1


@agent_mode
@pytest.mark.parametrize(
    ("erp_ids", "message"), [({"other": "1"}, "job id is required"), ({"job_id": "12-34"}, "not a valid ERP job id")]
)
def test_agent_success_without_a_valid_job_id_is_a_field_error(agent, api_as, accepted, erp_ids, message):
    _, request = accepted
    report = {"erp_ids": erp_ids, "lease_token": claim(api_as(agent))}
    response = api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/succeeded/", report, format="json")
    assert response.status_code == 400
    assert message in response.json()["erp_ids"][0]
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"


@agent_mode
def test_agent_success_with_a_job_id_another_project_holds_is_a_field_error(agent, api_as, accepted):
    from tests.jobs.factories import ProjectFactory

    Project.objects.filter(pk=ProjectFactory(number="X-1").pk).update(erp_id="4100")
    _, request = accepted
    report = {"erp_ids": {"job_id": "4100"}, "lease_token": claim(api_as(agent))}
    response = api_as(agent).post(f"/api/v1/erp/requests/{request.pk}/succeeded/", report, format="json")
    assert response.status_code == 400
    assert "already belongs to another project" in response.json()["erp_ids"][0]


def report(client, request, outcome, body):
    return client.post(f"/api/v1/erp/requests/{request.pk}/{outcome}/", body, format="json")


@agent_mode
def test_a_report_on_a_request_nobody_claimed_is_409_and_changes_nothing(agent, api_as, accepted):
    project, request = accepted
    response = report(
        api_as(agent), request, "succeeded", {"erp_ids": {"job_id": "4100"}, "lease_token": str(uuid.uuid4())}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"ERP request {request.pk} is not claimed: claim it, and report with the lease_token the claim gave."
    )
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"
    assert Project.objects.get(pk=project.pk).erp_id is None


@agent_mode
def test_a_report_without_a_lease_token_names_the_field(agent, api_as, accepted):
    _, request = accepted
    claim(api_as(agent))
    response = report(api_as(agent), request, "succeeded", {"erp_ids": {"job_id": "4100"}})
    assert response.status_code == 400
    assert "lease_token" in response.json()
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"


@agent_mode
@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_a_worker_whose_lease_ran_out_and_was_claimed_again_is_refused(agent, api_as, accepted, outcome):
    project, request = accepted
    stale = claim(api_as(agent), worker="agent-a")
    ERPRequest.objects.filter(pk=request.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    current = claim(api_as(agent), worker="agent-b")
    body = {"erp_ids": {"job_id": "4100"}} if outcome == "succeeded" else {"messages": ["Sage is offline"]}

    refused = report(api_as(agent), request, outcome, {**body, "lease_token": stale})
    assert refused.status_code == 409
    assert "ran out and agent-b claimed the request again" in refused.json()["detail"]
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"
    assert Project.objects.get(pk=project.pk).erp_status == "exporting"

    # The current holder's report lands.
    assert report(api_as(agent), request, outcome, {**body, "lease_token": current}).status_code == 200
    assert ERPRequest.objects.get(pk=request.pk).status == ("synced" if outcome == "succeeded" else "failed")


@agent_mode
def test_a_foreign_lease_token_is_refused(agent, api_as, accepted):
    _, request = accepted
    claim(api_as(agent))
    response = report(api_as(agent), request, "failed", {"messages": ["x"], "lease_token": str(uuid.uuid4())})
    assert response.status_code == 409
    assert "does not hold the current lease" in response.json()["detail"]
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"


@agent_mode
def test_a_lease_that_ran_out_but_nobody_claimed_again_may_still_report(agent, api_as, accepted):
    """The worker was slow, not replaced: its write is the only one, so its report is the truth."""
    _, request = accepted
    lease = claim(api_as(agent))
    ERPRequest.objects.filter(pk=request.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    done = report(api_as(agent), request, "succeeded", {"erp_ids": {"job_id": "4100"}, "lease_token": lease})
    assert (done.status_code, done.json()["status"]) == (200, "synced")


@agent_mode
def test_a_job_id_other_than_the_one_the_approver_typed_is_409(agent, api_as, accepted):
    project, request = accepted
    lease = claim(api_as(agent))
    response = report(api_as(agent), request, "succeeded", {"erp_ids": {"job_id": "7777"}, "lease_token": lease})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"The ERP reported job_id 7777, but ERP request {request.pk} was exported as job_id 4100. "
        "Report the id the record was written under."
    )
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"
    assert Project.objects.get(pk=project.pk).erp_id is None


@agent_mode
def test_an_erp_id_named_with_a_control_character_is_a_field_error(agent, api_as, accepted):
    _, request = accepted
    body = {"erp_ids": {"job_id": "4100", "bad\u0000key": "1"}, "lease_token": claim(api_as(agent))}
    response = report(api_as(agent), request, "succeeded", body)
    assert response.status_code == 400 and "erp_ids" in response.json()
    assert ERPRequest.objects.get(pk=request.pk).status == "exporting"
