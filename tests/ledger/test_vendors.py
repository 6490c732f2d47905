"""The embedded ERP's vendors: Sage's rules on an exported company, one write per idempotency key."""

import uuid
from types import SimpleNamespace

import pytest

from apps.erp_queue.models import StagedRecord
from apps.ledger import services
from apps.ledger.connector import LedgerConnector
from apps.ledger.models import ERPVendor, ERPVendorType, ERPWrite
from tests.vendors.factories import ERPVendorFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "name": "Golden Gate Plumbing",
    "address": "12 Mission St",
    "city": "San Francisco",
    "state": "CA",
    "zip": "94105",
    "tax_id": "94-1234567",
}


def test_repeated_key_returns_the_first_result_and_writes_once():
    key = uuid.uuid4()
    assert services.vendor_write(key=key, payload=PAYLOAD, vendor_id="1500", vendor_type="2") == {"vendor_id": "1500"}
    assert services.vendor_write(key=key, payload=PAYLOAD, vendor_id="1500", vendor_type="2") == {"vendor_id": "1500"}
    assert ERPVendor.objects.count() == ERPWrite.objects.filter(kind="vendor").count() == 1
    vendor = ERPVendor.objects.get()
    assert (vendor.name, vendor.vendor_type_id, vendor.source) == ("Golden Gate Plumbing", 2, ERPVendor.Source.EXPORTED)


@pytest.mark.parametrize(
    ("vendor_id", "vendor_type", "change", "message"),
    [
        ("A-100", "1", {}, "not a valid ERP vendor id"),
        ("1500", "", {}, "Vendor type '' is not one of the ERP's vendor types"),
        ("1500", "abc", {}, "Vendor type 'abc' is not one of the ERP's vendor types"),
        ("1500", "77", {}, "Vendor type '77' is not one of the ERP's vendor types"),
        ("1500", "1", {"name": "N" * 31}, "at most 30 characters"),
        ("1500", "1", {"state": "Calif"}, "2-letter"),
        ("1500", "1", {"zip": "94105-123456"}, "at most 10 characters"),
    ],
)
def test_ledger_refuses_what_sage_would(vendor_id, vendor_type, change, message):
    with pytest.raises(services.LedgerRefused) as refused:
        services.vendor_write(
            key=uuid.uuid4(), payload={**PAYLOAD, **change}, vendor_id=vendor_id, vendor_type=vendor_type
        )
    assert any(message in m for m in refused.value.messages)
    assert not ERPVendor.objects.exists() and not ERPWrite.objects.exists()


def test_a_vendor_id_used_in_the_erp_is_refused_with_the_erps_message():
    ERPVendorFactory(vendor_id="1500")
    with pytest.raises(
        services.LedgerRefused, match=r"Vendor 1500 already exists in the ERP\. Enter another vendor id\."
    ):
        services.vendor_write(key=uuid.uuid4(), payload=PAYLOAD, vendor_id="1500", vendor_type="1")


def test_connector_exports_vendors_and_reads_vendor_types():
    request = SimpleNamespace(
        kind="vendor",
        idempotency_key=uuid.uuid4(),
        payload=PAYLOAD,
        inputs={"erp_vendor_id": "1500", "vendor_type": "1"},
    )
    result = LedgerConnector().export(request)
    assert (result.ok, result.erp_ids) == (True, {"vendor_id": "1500"})
    assert LedgerConnector().fetch_vendor_types()[0] == {"code": "1", "name": "Subcontractor"}


def test_only_vendors_keyed_in_the_erp_are_staged_for_import():
    keyed = ERPVendorFactory(vendor_id="2001", name="Acme Concrete", tax_id="77-1234567")
    exported = ERPVendorFactory(vendor_id="2002", source=ERPVendor.Source.EXPORTED)
    staged = services.vendor_stage(vendor=keyed)
    assert (staged.kind, staged.erp_id, staged.label, staged.status) == ("vendor", "2001", "Acme Concrete", "staged")
    assert staged.data == {
        "name": "Acme Concrete",
        "vendor_type": "1",
        "address": "9 Depot Rd",
        "city": "Modesto",
        "state": "CA",
        "zip": "95354",
        "tax_id": "77-1234567",
    }
    assert services.vendor_stage(vendor=exported) is None
    assert StagedRecord.objects.count() == 1


def test_vendor_types_are_refilled_on_migrate_without_renaming_any():
    ERPVendorType.objects.filter(code=5).update(name="Utilities")
    ERPVendorType.objects.filter(code=1).delete()
    services.seed_vendor_types(sender=None)  # what every migrate (and flush) runs
    assert list(ERPVendorType.objects.values_list("code", "name")) == [
        (1, "Subcontractor"),
        (2, "Material supplier"),
        (3, "Equipment rental"),
        (4, "Professional services"),
        (5, "Utilities"),
    ]
