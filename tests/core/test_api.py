"""Cross-cutting API behaviour: auth, errors, audit trail, schema, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.erp_queue import services as erp_services
from tests.core.factories import PASSWORD
from tests.jobs.factories import ProjectCostCodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_token_auth_flow(pm):
    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "pm", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    token = client.post("/api/v1/auth/token/", {"username": "pm", "password": PASSWORD}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/projects/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/erp/requests/",
        "/api/v1/audit-events/",
        "/api/v1/cost-codes/",
        "/api/v1/erp/staged-records/",
    ],
)
def test_unauthenticated_calls_get_401(url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_unauthenticated_step_gets_401(db):
    project = ProjectFactory()
    assert APIClient().post(f"/api/v1/projects/{project.pk}/send-to-erp/").status_code == 401


def test_malformed_json_is_400(pm, api_as):
    response = api_as(pm).post("/api/v1/projects/", data='{"number": "1", ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_unknown_record_is_404(pm, api_as):
    assert api_as(pm).post("/api/v1/projects/999999/send-to-erp/").status_code == 404


def test_audit_trail_lists_every_transition_of_a_record(pm, approver, api_as, cost_codes, commit):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    _, request = erp_services.record_send(record=project, user=pm)
    erp_services.request_reject(request=request, user=approver, reason="Wrong address")
    erp_services.record_resend(record=project, user=pm)

    events = api_as(approver).get(f"/api/v1/audit-events/?record_type=jobs.project&record_id={project.pk}").json()
    rows = [(e["transition"], e["from_state"], e["to_state"], e["by"], e["description"]) for e in events["results"]]
    assert rows == [
        ("resend", "rejected", "ready_to_export", "pm", None),
        ("mark_rejected", "ready_to_export", "rejected", "approver", "Wrong address"),  # the approver's decision
        ("send", "not_synced", "ready_to_export", "pm", None),
    ]
    request_events = (
        api_as(approver)
        .get(f"/api/v1/audit-events/?record_type=erp_queue.erprequest&record_id={request.pk}")
        .json()["results"]
    )
    assert [(e["transition"], e["by"], e["description"]) for e in request_events] == [
        ("reject", "approver", "Wrong address")
    ]
    assert api_as(approver).get("/api/v1/audit-events/?record_type=nope.nothing").json()["results"] == []


def test_schema_and_offline_docs_page(pm, client):
    client.force_login(pm)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/projects/{id}/send-to-erp/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # The page's assets come from this server (the sidecar), not from a CDN.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


@pytest.mark.parametrize(
    "url", ["/api/v1/projects/", "/api/v1/erp/requests/", "/api/v1/audit-events/", "/api/v1/erp/staged-records/"]
)
def test_list_query_count_does_not_grow_with_rows(pm, approver, api_as, cost_codes, url):
    client = api_as(approver)

    def add_sent_projects(n):
        for _ in range(n):
            project = ProjectCostCodeFactory(cost_code=cost_codes[0], cost_types=[1, 2]).project
            erp_services.record_send(record=project, user=pm)

    def count_queries():
        client.get(url)  # warm the user's permission cache the same way for both counts
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    add_sent_projects(2)
    few = count_queries()
    add_sent_projects(8)
    assert count_queries() == few
