"""Before anyone accepts: what a record needs of the ERP is checked against what the ERP holds now."""

import pytest
from django.test import override_settings

from apps.erp_queue.models import ERPRequest
from apps.jobs.models import CostCode, Project
from apps.ledger.models import ERPCostCode, ERPJob
from tests.vendors.factories import CompanyFactory, ERPVendorFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/erp/requests/"
STAGED_JOB = {"kind": "job", "erp_id": "712345", "data": {"name": "Depot keyed in Sage", "cost_codes": []}}


@pytest.fixture
def sent_project(pm, agent, api_as):
    api_as(agent).post("/api/v1/cost-codes/", {"code": "2010", "description": "Demolition"})
    client = api_as(pm)
    project = client.post("/api/v1/projects/", {"number": "2601", "name": "Clinic"}, format="json").json()
    client.post(f"/api/v1/projects/{project['id']}/cost-codes/", {"code": "2010", "cost_types": [1]}, format="json")
    sent = client.post(f"/api/v1/projects/{project['id']}/send-to-erp/")
    assert sent.status_code == 200, sent.json()
    return ERPRequest.objects.get(kind="job", object_id=project["id"])


@pytest.mark.parametrize("mode", ["ledger", "agent"])
def test_a_job_id_held_by_a_staged_erp_job_is_refused_on_accept(sent_project, agent, approver, api_as, mode):
    with override_settings(ERP_CONNECTOR=mode):
        assert api_as(agent).post("/api/v1/erp/staged-records/", STAGED_JOB, format="json").status_code == 201
        response = api_as(approver).post(f"{REQUESTS}{sent_project.pk}/accept/", {"erp_job_id": "712345"})
    assert response.status_code == 400
    assert response.json()["erp_job_id"] == [
        "ERP job 712345 already exists (Depot keyed in Sage) and waits under Ready to Import: add it to the app "
        "instead, or enter another job code."
    ]
    sent_project.refresh_from_db()
    assert sent_project.status == "ready_to_export"
    assert list(ERPJob.objects.values_list("job_id", flat=True)) == (["712345"] if mode == "ledger" else [])


def test_a_job_id_the_ledger_holds_is_refused_on_accept(sent_project, approver, api_as):
    ERPJob.objects.create(job_id="712346", name="Keyed, not staged yet")
    response = api_as(approver).post(f"{REQUESTS}{sent_project.pk}/accept/", {"erp_job_id": "712346"})
    assert response.status_code == 400
    assert response.json()["erp_job_id"] == ["Job 712346 already exists in the ERP. Enter another job code."]


def test_a_vendor_id_the_ledger_holds_is_refused_on_accept(pm, approver, api_as):
    ERPVendorFactory(vendor_id="1600")
    company = CompanyFactory(name="Valley Rebar")
    sent = api_as(pm).post(f"/api/v1/companies/{company.pk}/send-to-erp/")
    assert sent.status_code == 200, sent.json()
    request = ERPRequest.objects.get(kind="vendor")
    response = api_as(approver).post(f"{REQUESTS}{request.pk}/accept/", {"erp_vendor_id": "1600", "vendor_type": "1"})
    assert response.status_code == 400
    assert response.json()["erp_vendor_id"] == ["Vendor 1600 already exists in the ERP; type another vendor id."]


def test_a_cost_code_the_erp_no_longer_has_is_refused_at_send_and_at_accept(sent_project, pm, approver, api_as):
    ERPCostCode.objects.filter(code="2010.000").delete()  # deleted in the ERP after the send
    response = api_as(approver).post(f"{REQUESTS}{sent_project.pk}/accept/", {"erp_job_id": "712347"})
    assert response.status_code == 400
    assert response.json()["cost_codes"][0].startswith("Cost code 2010.000 is not in the ERP's cost code list.")
    assert not ERPJob.objects.exists()

    project = Project.objects.get(pk=sent_project.object_id)
    api_as(pm).post(f"/api/v1/projects/{project.pk}/retrieve/")
    refused = api_as(pm).post(f"/api/v1/projects/{project.pk}/send-to-erp/")
    assert refused.status_code == 400
    assert "2010.000 is not in the ERP's cost code list" in refused.json()["cost_codes"][0]
    assert CostCode.objects.filter(code="2010").exists()  # the app's list is refreshed by the next report
