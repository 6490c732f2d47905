"""In ledger mode the embedded ledger is the ERP: what the agent API reports is written into it too."""

import pytest
from django.test import override_settings

from apps.erp_queue.models import StagedRecord
from apps.jobs.models import CostType
from apps.ledger.models import ERPCostType, ERPJob, ERPVendor, ERPVendorType
from apps.vendors.models import VendorType

pytestmark = pytest.mark.django_db

STAGE = "/api/v1/erp/staged-records/"


def _job(erp_id, codes, **fields):
    return {"kind": "job", "erp_id": erp_id, "data": {"name": "Depot", **fields, "cost_codes": codes}}


def test_a_job_the_agent_stages_is_a_job_of_the_ledger_with_its_cost_codes(agent, api_as, cost_codes):
    response = api_as(agent).post(STAGE, _job("712345", [{"code": "1000", "cost_types": [1, 2]}]), format="json")
    assert response.status_code == 201, response.json()
    job = ERPJob.objects.get(job_id="712345")
    assert (job.name, job.source) == ("Depot", ERPJob.Source.KEYED)
    assert [(c.cost_code.code, sorted(c.cost_types.values_list("code", flat=True))) for c in job.cost_codes.all()] == [
        ("1000.000", [1, 2])
    ]
    renamed = _job("712345", [{"code": "2300", "cost_types": [4]}], city="Fresno")
    assert api_as(agent).post(STAGE, renamed, format="json").status_code == 201
    job.refresh_from_db()
    assert job.city == "Fresno"
    assert [c.cost_code.code for c in job.cost_codes.all()] == ["2300.000"]


def test_a_staged_job_on_a_cost_code_the_erp_lacks_is_refused_and_nothing_is_staged(agent, api_as, cost_codes):
    response = api_as(agent).post(STAGE, _job("712346", [{"code": "8800", "cost_types": [1]}]), format="json")
    assert response.status_code == 400
    assert (
        "Cost code 8800.000 is not in the ERP's cost code list. Report the cost code first." in response.json()["data"]
    )
    assert not ERPJob.objects.filter(job_id="712346").exists()
    assert not StagedRecord.objects.exists()


def test_a_staged_job_past_the_erp_widths_is_refused(agent, api_as, cost_codes):
    response = api_as(agent).post(STAGE, _job("712347", [], address="x" * 60), format="json")
    assert response.status_code == 400
    assert "at most 50 characters for the job address" in str(response.json()["data"])
    assert not StagedRecord.objects.exists()


def test_a_vendor_the_agent_stages_is_a_vendor_of_the_ledger(agent, api_as):
    record = {"kind": "vendor", "erp_id": "4400", "data": {"name": "Valley Rebar", "vendor_type": "2"}}
    assert api_as(agent).post(STAGE, record, format="json").status_code == 201
    vendor = ERPVendor.objects.get(vendor_id="4400")
    assert (vendor.name, vendor.vendor_type_id, vendor.source) == ("Valley Rebar", 2, ERPVendor.Source.KEYED)
    record["data"]["vendor_type"] = "77"
    refused = api_as(agent).post(STAGE, record, format="json")
    assert refused.status_code == 400
    assert "Vendor type '77' is not one of the ERP's vendor types" in refused.json()["data"][0]


def test_a_cost_type_renamed_here_is_renamed_in_the_ledger(approver, api_as):
    response = api_as(approver).patch("/api/v1/cost-types/6/", {"name": "Permits"}, format="json")
    assert response.status_code == 200, response.json()
    assert (CostType.objects.get(code=6).name, ERPCostType.objects.get(code=6).name) == ("Permits", "Permits")


@override_settings(ERP_CONNECTOR="agent")
def test_in_agent_mode_the_ledger_is_left_alone(agent, api_as):
    assert api_as(agent).post("/api/v1/cost-codes/", {"code": "2010", "description": "Demolition"}).status_code == 201
    staged = api_as(agent).post(STAGE, _job("712348", [{"code": "2010", "cost_types": [1]}]), format="json")
    assert staged.status_code == 201, staged.json()
    assert not ERPJob.objects.exists()


def test_a_vendor_type_name_longer_than_the_erp_keeps_is_refused_and_nothing_is_kept(agent, api_as):
    response = api_as(agent).post("/api/v1/erp/vendor-types/", {"code": "8", "name": "x" * 40})
    assert response.status_code == 400
    assert "at most 30 characters in a vendor type name; this has 40" in str(response.json())
    assert not ERPVendorType.objects.filter(code=8).exists()
    assert not VendorType.objects.filter(code="8").exists()
