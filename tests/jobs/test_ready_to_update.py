"""Ready to Update: a cost code added to a synced project waits for accounting before anything uses it."""

import pytest
from django.test import override_settings

from apps.erp_queue.models import ERPRequest
from apps.jobs import services
from apps.ledger.models import ERPJobCostCode
from tests.commitments.factories import linked_vendor, subcontract_data

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/erp/requests/"
DEMOLITION = [{"cost_code": "2010", "cost_type": 1, "description": "Strip out", "amount": "5000.00"}]


@pytest.fixture
def added(project, pm, agent, api_as):
    """The agent reported cost code 2010.000; the PM uses it on the synced project with cost type 1."""
    api_as(agent).post("/api/v1/cost-codes/", {"code": "2010", "description": "Demolition"})
    response = api_as(pm).post(f"/api/v1/projects/{project.pk}/cost-codes/", {"code": "2010", "cost_types": [1]})
    assert response.status_code == 201, response.json()
    return ERPRequest.objects.get(kind="job", object_id=project.pk, status="ready_to_export")


def _sent_subcontract(api_as, pm, project):
    client = api_as(pm)
    body = client.post(
        "/api/v1/commitments/", subcontract_data(project, linked_vendor(), lines=DEMOLITION), format="json"
    )
    assert body.status_code == 201, body.json()
    commitment_id = body.json()["id"]
    client.post(f"/api/v1/commitments/{commitment_id}/approve/")
    return commitment_id, client.post(f"/api/v1/commitments/{commitment_id}/send-to-erp/")


def test_a_code_added_to_a_synced_project_waits_under_ready_to_update(project, added):
    assert added.payload == {
        "update": True,
        "number": "5000",
        "name": "Budget Tower",
        "job_id": "5000",
        "cost_codes": [{"code": "2010.000", "description": "Demolition", "cost_types": [1]}],
    }
    project.refresh_from_db()
    assert project.erp_status == "synced"
    assert project.pending_pairs() == {("2010.000", 1)}


def test_a_commitment_on_a_pending_pair_is_refused_at_send_until_the_update_is_accepted(
    project,
    added,
    pm,
    approver,
    api_as,
    commit,
):
    commitment_id, refused = _sent_subcontract(api_as, pm, project)
    assert refused.status_code == 400
    [message] = refused.json()["lines"]
    assert message.startswith("Cost code 2010.000 with cost type 1 (Material) is not on ERP job 5000 yet")
    assert "Ready to Update" in message

    with commit():
        accepted = api_as(approver).post(f"{REQUESTS}{added.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    added.refresh_from_db()
    assert added.status == "synced", added.messages
    project.refresh_from_db()
    assert (project.erp_status, project.pending_pairs()) == ("synced", set())
    assert project.erp_cost_codes["2010.000"] == [1]
    held = ERPJobCostCode.objects.get(job__job_id="5000", cost_code__code="2010.000")
    assert list(held.cost_types.values_list("code", flat=True)) == [1]

    with commit():
        sent = api_as(pm).post(f"/api/v1/commitments/{commitment_id}/send-to-erp/")
        assert sent.status_code == 200, sent.json()
        request = ERPRequest.objects.get(kind="commitment", object_id=commitment_id)
        api_as(approver).post(f"{REQUESTS}{request.pk}/accept/", {}, format="json")
    request.refresh_from_db()
    assert request.status == "synced", request.messages


def test_a_budget_line_on_a_pending_pair_is_refused_at_send(project, added, pm, api_as):
    client = api_as(pm)
    budget = client.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    line = {"cost_code": "2010", "cost_type": 1, "original_amount": "5000.00"}
    assert client.post(f"/api/v1/budgets/{budget['id']}/line-items/", line, format="json").status_code == 201
    client.post(f"/api/v1/budgets/{budget['id']}/lock/")
    refused = client.post(f"/api/v1/budgets/{budget['id']}/send-to-erp/")
    assert refused.status_code == 400
    assert "2010.000 with cost type 1 (Material) is not on ERP job 5000 yet" in refused.json()["cost_codes"][0]


def test_taking_the_code_off_again_takes_the_waiting_update_back(project, added, pm, api_as):
    services.project_cost_code_remove(assignment=project.cost_codes.get(cost_code__code="2010.000"), user=pm)
    added.refresh_from_db()
    assert added.status == "retrieved"


def test_a_rejected_update_is_sent_again_when_the_project_is_saved(project, added, pm, approver, api_as):
    api_as(approver).post(f"{REQUESTS}{added.pk}/reject/", {"reason": "Use 2020 instead"}, format="json")
    project.refresh_from_db()
    assert project.erp_status == "synced"
    assert (
        api_as(pm).patch(f"/api/v1/projects/{project.pk}/", {"name": "Budget Tower"}, format="json").status_code == 200
    )
    again = ERPRequest.objects.get(kind="job", object_id=project.pk, status="ready_to_export")
    assert again.pk != added.pk and again.payload["cost_codes"][0]["code"] == "2010.000"


@override_settings(ERP_CONNECTOR="agent")
def test_in_agent_mode_the_agent_exports_the_update_on_the_projects_erp_job(
    project,
    added,
    approver,
    agent,
    api_as,
):
    api_as(approver).post(f"{REQUESTS}{added.pk}/accept/", {}, format="json")
    [claimed] = api_as(agent).post(f"{REQUESTS}claim/", {}, format="json").json()
    assert (claimed["id"], claimed["payload"]["update"], claimed["payload"]["job_id"]) == (added.pk, True, "5000")
    url, lease = f"{REQUESTS}{added.pk}/succeeded/", claimed["lease_token"]
    other = api_as(agent).post(url, {"erp_ids": {"job_id": "7777"}, "lease_token": lease}, format="json")
    assert other.status_code == 409
    done = api_as(agent).post(url, {"erp_ids": {"job_id": "5000"}, "lease_token": lease}, format="json")
    assert done.status_code == 200, done.json()
    project.refresh_from_db()
    assert (project.erp_status, project.pending_pairs()) == ("synced", set())
