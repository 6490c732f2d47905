"""Both job paths, walked through the REST API as the people (and the agent) who use it."""

import pytest

from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import Project
from apps.ledger.models import ERPJob, ERPJobCostCode
from tests.jobs.factories import ProjectCostCodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PROJECT = {
    "number": "2501",
    "name": "Riverside Clinic",
    "address": "1 River Rd",
    "city": "Sacramento",
    "state": "CA",
    "zip": "95814",
}


@pytest.fixture
def sent_project(pm, api_as, cost_codes):
    """A project the PM created, gave a cost code and sent: its request waits for the approver."""
    client = api_as(pm)
    project = client.post("/api/v1/projects/", PROJECT, format="json").json()
    client.post(f"/api/v1/projects/{project['id']}/cost-codes/", {"code": "1000", "cost_types": [1, 2]}, format="json")
    response = client.post(f"/api/v1/projects/{project['id']}/send-to-erp/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_path_b_created_here_sent_accepted_synced(pm, approver, api_as, sent_project, commit):
    assert sent_project["erp_status"] == "ready_to_export"
    assert sent_project["allowed_steps"] == ["retrieve"]
    request_id = sent_project["erp_request"]

    queue = api_as(approver).get("/api/v1/erp/requests/?kind=job&status=ready_to_export").json()
    assert [r["id"] for r in queue["results"]] == [request_id]
    assert queue["results"][0]["payload"]["cost_codes"] == [
        {"code": "1000.000", "description": "General Requirements", "cost_types": [1, 2]}
    ]
    assert queue["results"][0]["allowed_steps"] == ["accept", "reject"]

    with commit():
        response = api_as(approver).post(f"/api/v1/erp/requests/{request_id}/accept/", {"erp_job_id": "2501"})
    assert response.status_code == 200, response.json()

    project = api_as(pm).get(f"/api/v1/projects/{sent_project['id']}/").json()
    assert (project["erp_status"], project["erp_id"], project["origin"]) == ("synced", "2501", "app")
    assert project["allowed_steps"] == []
    assert api_as(approver).get(f"/api/v1/erp/requests/{request_id}/").json()["status"] == "synced"
    job = ERPJob.objects.get(job_id="2501")
    assert (job.name, job.source) == ("Riverside Clinic", ERPJob.Source.EXPORTED)
    assert [sorted(t.code for t in jcc.cost_types.all()) for jcc in job.cost_codes.all()] == [[1, 2]]


def test_send_response_names_the_request(sent_project):
    assert ERPRequest.objects.get(pk=sent_project["erp_request"]).object_id == sent_project["id"]


def test_retrieve_before_decision_returns_project_to_not_synced(pm, approver, api_as, sent_project):
    response = api_as(pm).post(f"/api/v1/projects/{sent_project['id']}/retrieve/")
    assert response.status_code == 200
    assert response.json()["erp_status"] == "not_synced"
    assert response.json()["allowed_steps"] == ["send-to-erp"]
    assert ERPRequest.objects.get(pk=sent_project["erp_request"]).status == "retrieved"
    # The approver can no longer act on what the sender took back.
    late = api_as(approver).post(f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", {"erp_job_id": "1"})
    assert late.status_code == 409
    assert late.json()["status"] == "retrieved"


def test_reject_with_reason_then_edit_and_resend(pm, approver, api_as, sent_project, commit):
    request_id = sent_project["erp_request"]
    blank = api_as(approver).post(f"/api/v1/erp/requests/{request_id}/reject/", {"reason": "  "})
    assert blank.status_code == 400
    assert "reason" in blank.json()

    reason = "ZIP does not match the site address"
    assert api_as(approver).post(f"/api/v1/erp/requests/{request_id}/reject/", {"reason": reason}).status_code == 200
    project = api_as(pm).get(f"/api/v1/projects/{sent_project['id']}/").json()
    assert (project["erp_status"], project["rejection_reason"]) == ("rejected", reason)
    assert project["allowed_steps"] == ["resend"]

    fixed = api_as(pm).patch(f"/api/v1/projects/{sent_project['id']}/", {"zip": "95815"})
    assert fixed.status_code == 200, fixed.json()
    resent = api_as(pm).post(f"/api/v1/projects/{sent_project['id']}/resend/")
    assert resent.status_code == 200
    assert resent.json()["erp_status"] == "ready_to_export"
    assert resent.json()["erp_request"] != request_id
    assert ERPRequest.objects.get(pk=resent.json()["erp_request"]).payload["zip"] == "95815"

    with commit():
        api_as(approver).post(f"/api/v1/erp/requests/{resent.json()['erp_request']}/accept/", {"erp_job_id": "88"})
    assert Project.objects.get(pk=sent_project["id"]).erp_status == "synced"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, "required"),
        ({"erp_job_id": ""}, "required"),
        ({"erp_job_id": "12-34"}, "digits only"),
        ({"erp_job_id": "12 34"}, "digits only"),
        ({"erp_job_id": "A100"}, "digits only"),
    ],
)
def test_accept_with_a_wrong_job_id_is_a_field_error_not_a_failed_export(
    approver, api_as, sent_project, inputs, message
):
    response = api_as(approver).post(f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", inputs)
    assert response.status_code == 400
    assert message in response.json()["erp_job_id"][0]
    assert ERPRequest.objects.get(pk=sent_project["erp_request"]).status == "ready_to_export"


def test_job_id_taken_in_erp_fails_export_then_retry_with_another_id(
    pm, approver, api_as, sent_project, commit, erp_unread
):
    ERPJob.objects.create(job_id="2501", name="Keyed by accounting last year")
    request_id = sent_project["erp_request"]
    with commit():
        response = api_as(approver).post(f"/api/v1/erp/requests/{request_id}/accept/", {"erp_job_id": "2501"})
    assert response.status_code == 200
    failed = api_as(approver).get(f"/api/v1/erp/requests/{request_id}/").json()
    assert failed["status"] == "failed"
    assert failed["messages"] == ["Job 2501 already exists in the ERP. Enter another job code."]
    assert failed["allowed_steps"] == ["reject", "retry"]
    project = api_as(pm).get(f"/api/v1/projects/{sent_project['id']}/").json()
    assert (project["erp_status"], project["erp_messages"]) == ("failed", failed["messages"])

    with commit():
        retried = api_as(approver).post(f"/api/v1/erp/requests/{request_id}/retry/", {"erp_job_id": "2502"})
    assert retried.status_code == 200
    synced = api_as(pm).get(f"/api/v1/projects/{sent_project['id']}/").json()
    assert (synced["erp_status"], synced["erp_id"], synced["erp_messages"]) == ("synced", "2502", [])
    assert ERPJob.objects.filter(job_id="2502").count() == 1
    assert ERPRequest.objects.get(pk=request_id).attempts == 2


def test_failed_export_can_be_rejected(approver, api_as, sent_project, commit, pm):
    ERPJob.objects.create(job_id="2501", name="Taken")
    with commit():
        api_as(approver).post(f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", {"erp_job_id": "2501"})
    response = api_as(approver).post(
        f"/api/v1/erp/requests/{sent_project['erp_request']}/reject/", {"reason": "Duplicate of job 2501"}
    )
    assert response.json()["status"] == "rejected"
    assert Project.objects.get(pk=sent_project["id"]).erp_status == "rejected"


def test_send_refuses_a_cost_code_without_cost_type_and_names_it(pm, api_as, cost_codes):
    client = api_as(pm)
    project = client.post("/api/v1/projects/", PROJECT, format="json").json()
    client.post(f"/api/v1/projects/{project['id']}/cost-codes/", {"code": "1000", "cost_types": [1]}, format="json")
    client.post(f"/api/v1/projects/{project['id']}/cost-codes/", {"code": "2300", "cost_types": []}, format="json")
    response = client.post(f"/api/v1/projects/{project['id']}/send-to-erp/")
    assert response.status_code == 400
    assert "cost code 2300.000 has none" in response.json()["cost_codes"][0]
    assert Project.objects.get(pk=project["id"]).erp_status == "not_synced"
    assert not ERPRequest.objects.exists()


def test_send_refuses_fields_over_the_erp_limits(pm, api_as, cost_codes):
    client = api_as(pm)
    project = client.post(
        "/api/v1/projects/",
        {**PROJECT, "name": "N" * 76, "state": "California", "zip": "95814-12345"},
        format="json",
    ).json()
    response = client.post(f"/api/v1/projects/{project['id']}/send-to-erp/")
    assert response.status_code == 400
    errors = response.json()
    assert "at most 75 characters" in errors["name"][0]
    assert "2-letter" in errors["state"][0]
    assert "at most 10 characters" in errors["zip"][0]


def test_integrated_fields_are_read_only_while_sent_and_after_sync(pm, approver, api_as, sent_project, commit):
    url = f"/api/v1/projects/{sent_project['id']}/"
    response = api_as(pm).patch(url, {"name": "Renamed while pending"})
    assert response.status_code == 400
    assert "owned by the ERP" in response.json()["name"][0]
    with commit():
        api_as(approver).post(f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", {"erp_job_id": "9"})
    assert api_as(pm).patch(url, {"city": "Davis"}).status_code == 400
    assert Project.objects.get(pk=sent_project["id"]).city == "Sacramento"


def test_cost_codes_cannot_change_while_the_project_waits_in_the_queue(pm, api_as, sent_project):
    response = api_as(pm).post(
        f"/api/v1/projects/{sent_project['id']}/cost-codes/", {"code": "2300", "cost_types": [1]}, format="json"
    )
    assert response.status_code == 409
    assert "waiting in the ERP queue" in response.json()["detail"]


def test_unknown_cost_code_and_cost_type_are_field_errors(pm, api_as, cost_codes):
    project = api_as(pm).post("/api/v1/projects/", PROJECT, format="json").json()
    url = f"/api/v1/projects/{project['id']}/cost-codes/"
    unknown_code = api_as(pm).post(url, {"code": "7777", "cost_types": [1]}, format="json")
    assert unknown_code.status_code == 400
    assert "not one of the ERP's standard cost codes" in unknown_code.json()["code"][0]
    unknown_type = api_as(pm).post(url, {"code": "1000", "cost_types": [12]}, format="json")
    assert unknown_type.status_code == 400
    assert "cost_types" in unknown_type.json()


def test_a_step_not_allowed_in_the_state_is_409_with_state_and_allowed_steps(pm, api_as, sent_project):
    response = api_as(pm).post(f"/api/v1/projects/{sent_project['id']}/send-to-erp/")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "ready_to_export"
    assert body["allowed_steps"] == ["retrieve"]
    assert "Sent, awaiting accounting" in body["detail"]


def test_project_manager_cannot_accept(pm, api_as, sent_project):
    response = api_as(pm).post(f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", {"erp_job_id": "5"})
    assert response.status_code == 403
    assert ERPRequest.objects.get(pk=sent_project["erp_request"]).status == "ready_to_export"


def test_viewer_cannot_send_or_create(viewer, api_as, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    assert api_as(viewer).get(f"/api/v1/projects/{project.pk}/").json()["allowed_steps"] == []
    assert api_as(viewer).post(f"/api/v1/projects/{project.pk}/send-to-erp/").status_code == 403
    assert api_as(viewer).post("/api/v1/projects/", PROJECT, format="json").status_code == 403
    project.refresh_from_db()
    assert project.erp_status == "not_synced"


def test_duplicate_project_number_is_a_field_error(pm, api_as):
    ProjectFactory(number="2501")
    response = api_as(pm).post("/api/v1/projects/", PROJECT, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["number"][0]


def _key_erp_job(job_id, codes):
    from apps.ledger import services as ledger_services
    from apps.ledger.models import ERPCostCode

    job = ERPJob.objects.create(job_id=job_id, name="Westfield Warehouse", city="Modesto", state="CA")
    for code, types in codes.items():
        ERPJobCostCode.objects.create(job=job, cost_code=ERPCostCode.objects.get(code=code)).cost_types.set(types)
    return ledger_services.job_stage(job=job)


def test_path_a_job_keyed_in_erp_is_added_to_the_app_synced(approver, api_as, cost_codes):
    staged = _key_erp_job("3001", {"1000": [2], "2300": [3, 4]})
    listing = api_as(approver).get("/api/v1/erp/staged-records/?kind=job&status=staged").json()
    assert [(r["erp_id"], r["label"], r["allowed_steps"]) for r in listing["results"]] == [
        ("3001", "Westfield Warehouse", ["add-to-app", "archive"])
    ]

    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "imported"
    project = Project.objects.get(pk=response.json()["imported_object_id"])
    assert (project.number, project.erp_id, project.origin, project.erp_status) == ("3001", "3001", "erp", "synced")
    assert {pcc.cost_code.code: sorted(ct.code for ct in pcc.cost_types.all()) for pcc in project.cost_codes.all()} == {
        "1000.000": [2],
        "2300.000": [3, 4],
    }
    again = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert again.status_code == 409


def test_path_a_refused_when_the_number_exists_here(approver, api_as, cost_codes):
    ProjectFactory(number="3001", name="Created here too")
    staged = _key_erp_job("3001", {"1000": [2]})
    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 409
    assert "created in one system" in response.json()["detail"]
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"
    assert Project.objects.filter(number="3001").count() == 1


def test_path_a_refused_when_a_cost_code_has_no_cost_type(approver, api_as, cost_codes):
    staged = _key_erp_job("3002", {"1000": [2], "2300": []})
    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 409
    assert "cost code 2300.000 has no cost type" in response.json()["detail"]
    assert not Project.objects.filter(number="3002").exists()


def test_archived_erp_job_cannot_be_added(approver, api_as, cost_codes):
    staged = _key_erp_job("3003", {"1000": [2]})
    assert api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/archive/").json()["status"] == "archived"
    assert api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/").status_code == 409


def test_project_manager_cannot_import_erp_jobs(pm, api_as, cost_codes):
    staged = _key_erp_job("3004", {"1000": [2]})
    assert api_as(pm).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/").status_code == 403


def test_accepting_with_a_job_id_another_project_holds_is_a_field_error(approver, api_as, sent_project):
    Project.objects.filter(pk=ProjectFactory(number="OTHER").pk).update(erp_id="2501")
    response = api_as(approver).post(
        f"/api/v1/erp/requests/{sent_project['erp_request']}/accept/", {"erp_job_id": "2501"}
    )
    assert response.status_code == 400
    assert "already belongs to another project" in response.json()["erp_job_id"][0]


def test_staged_job_with_an_invalid_job_id_is_refused(approver, api_as, cost_codes):
    staged = StagedRecord.objects.create(kind="job", erp_id="J" * 40, label="Bad", data={"name": "Bad"})
    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 409
    assert "is not a valid ERP job id" in response.json()["detail"]
