"""The embedded ERP's side of commitments and change orders: idempotent writes and Sage's own refusals."""

import uuid

import pytest

from apps.ledger import services
from apps.ledger.models import ERPChangeOrder, ERPCommitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def payload(project, vendor):
    return {
        "type": "subcontract",
        "job_id": "5000",
        "number": "SC-001",
        "title": "Earthwork",
        "description": "",
        "vendor_id": vendor.erp_id,
        "retainage_percent": "10.00",
        "accounting_method": "amount",
        "lines": [
            {
                "line_number": 1,
                "cost_code": "2300",
                "cost_type": 4,
                "description": "Excavation",
                "quantity": None,
                "uom": "",
                "unit_cost": None,
                "amount": "100.00",
            }
        ],
    }


def test_a_repeated_key_is_the_same_write(payload):
    key = uuid.uuid4()
    first = services.commitment_write(key=key, payload=payload)
    assert services.commitment_write(key=key, payload=payload) == first == {"job_id": "5000", "number": "SC-001"}
    assert ERPCommitment.objects.count() == 1
    with pytest.raises(services.LedgerRefused) as refused:
        services.commitment_write(key=uuid.uuid4(), payload=payload)
    assert refused.value.messages == ["Subcontract SC-001 already exists on job 5000. Enter another number."]


def test_the_ledger_applies_the_erp_rules_itself(payload):
    bad = {**payload, "type": "purchase_order", "number": "PO-0000000001", "vendor_id": "99999"}
    with pytest.raises(services.LedgerRefused) as refused:
        services.commitment_write(key=uuid.uuid4(), payload=bad)
    assert any("at most 12 characters" in m for m in refused.value.messages)
    assert any("unit/quantity based" in m for m in refused.value.messages)
    assert "Vendor 99999 is not in the ERP: link or export the vendor first." in refused.value.messages


def test_one_change_per_commitment_line_per_change_order(payload):
    services.commitment_write(key=uuid.uuid4(), payload=payload)
    change = {
        "job_id": "5000",
        "commitment_type": "subcontract",
        "commitment_number": "SC-001",
        "number": "001",
        "description": "",
        "lines": [
            {"line_number": 1, "cost_code": "2300", "cost_type": 4, "description": "", "amount": "5.00"},
            {"line_number": 1, "cost_code": "2300", "cost_type": 4, "description": "", "amount": "6.00"},
        ],
    }
    with pytest.raises(services.LedgerRefused) as refused:
        services.change_order_write(key=uuid.uuid4(), payload=change)
    assert refused.value.messages == [
        "Line 1 is changed more than once: the ERP takes one change per commitment line per change order."
    ]
    assert not ERPChangeOrder.objects.exists()
