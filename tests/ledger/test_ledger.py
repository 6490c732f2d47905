"""The embedded ERP applies Sage's rules and answers a repeated idempotency key without writing twice."""

import uuid

import pytest

from apps.ledger import services
from apps.ledger.connector import LedgerConnector
from apps.ledger.models import ERPCostCode, ERPJob, ERPWrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def payload(db):
    ERPCostCode.objects.create(code="1000", description="General Requirements")
    return {
        "number": "P-1",
        "name": "Depot",
        "address": "",
        "city": "",
        "state": "CA",
        "zip": "",
        "cost_codes": [{"code": "1000", "description": "General Requirements", "cost_types": [1, 2]}],
    }


def test_repeated_key_returns_the_first_result_and_writes_once(payload):
    key = uuid.uuid4()
    assert services.job_write(key=key, payload=payload, job_id="100") == {"job_id": "100"}
    assert services.job_write(key=key, payload=payload, job_id="100") == {"job_id": "100"}
    assert ERPJob.objects.count() == ERPWrite.objects.count() == 1


@pytest.mark.parametrize(
    ("job_id", "change", "message"),
    [
        ("12-34", {}, "not a valid ERP job id"),
        ("100", {"name": "N" * 76}, "at most 75 characters"),
        ("100", {"state": "Calif"}, "2-letter"),
        ("100", {"cost_codes": [{"code": "9999", "cost_types": [1]}]}, "Cost code 9999 is not in the ERP"),
        ("100", {"cost_codes": [{"code": "1000", "cost_types": []}]}, "Cost code 1000 has no cost type"),
    ],
)
def test_ledger_refuses_what_sage_would(payload, job_id, change, message):
    with pytest.raises(services.LedgerRefused) as refused:
        services.job_write(key=uuid.uuid4(), payload={**payload, **change}, job_id=job_id)
    assert any(message in m for m in refused.value.messages)
    assert not ERPJob.objects.exists() and not ERPWrite.objects.exists()


def test_a_job_id_used_in_the_erp_is_refused_with_the_erps_message(payload):
    ERPJob.objects.create(job_id="100", name="Keyed")
    with pytest.raises(services.LedgerRefused, match="Job 100 already exists in the ERP"):
        services.job_write(key=uuid.uuid4(), payload=payload, job_id="100")


def test_connector_reports_refusals_as_a_failed_result(payload):
    class Request:
        kind = "job"
        idempotency_key = uuid.uuid4()
        inputs = {"erp_job_id": "1-2"}

    Request.payload = payload
    result = LedgerConnector().export(Request)
    assert not result.ok
    assert "not a valid ERP job id" in result.messages[0]


def test_only_jobs_keyed_in_the_erp_are_staged_for_import(payload):
    keyed = ERPJob.objects.create(job_id="200", name="Keyed in Sage")
    exported = ERPJob.objects.create(job_id="201", name="Came from the app", source=ERPJob.Source.EXPORTED)
    assert services.job_stage(job=keyed).erp_id == "200"
    assert services.job_stage(job=exported) is None
