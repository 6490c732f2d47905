"""Vendors in the embedded ERP: its vendor types, vendors written by an export or keyed in, staged for the app."""

from django.apps import apps as global_apps

from apps.core import erp_profile
from apps.erp_queue import services as erp_services
from apps.ledger.models import ERPVendor, ERPVendorType
from apps.ledger.services._writes import LedgerRefused, idempotent_write

VENDOR_FIELDS = ("name", "address", "city", "state", "zip", "tax_id")


def seed_vendor_types(sender, apps=None, using="default", **kwargs):
    """post_migrate: the ledger holds at least the typical vendor types (names are never reset; a flush refills)."""
    vendor_type = (apps or global_apps).get_model("ledger", "ERPVendorType")
    for code, name in erp_profile.SAGE_VENDOR_TYPES:
        vendor_type.objects.using(using).get_or_create(code=code, defaults={"name": name})


def vendor_types():
    """The ERP's vendor types as the connector reads them."""
    return [{"code": str(t.code), "name": t.name} for t in ERPVendorType.objects.all()]


def _vendor_problems(vendor_id, vendor_type, payload):
    problems = []
    id_problem = erp_profile.vendor_id_problem(vendor_id)
    if id_problem:
        problems.append(id_problem)
    elif ERPVendor.objects.filter(vendor_id=vendor_id).exists():
        problems.extend(_vendor_taken(vendor_id))
    if not str(vendor_type).isdigit() or not ERPVendorType.objects.filter(code=int(vendor_type)).exists():
        problems.append(f"Vendor type '{vendor_type}' is not one of the ERP's vendor types.")
    problems.extend(erp_profile.vendor_field_problems(payload).values())
    return problems


def _vendor_taken(vendor_id):
    return [f"Vendor {vendor_id} already exists in the ERP. Enter another vendor id."]


def vendor_write(*, key, payload, vendor_id, vendor_type):
    """Create a Sage vendor from an exported company; the same idempotency key returns the first write's result."""

    def write():
        problems = _vendor_problems(vendor_id, vendor_type, payload)
        if problems:
            raise LedgerRefused(problems)
        ERPVendor.objects.create(
            vendor_id=vendor_id,
            vendor_type_id=int(vendor_type),
            source=ERPVendor.Source.EXPORTED,
            **{field: payload.get(field) or "" for field in VENDOR_FIELDS},
        )
        return {"vendor_id": vendor_id}

    return idempotent_write(key=key, kind="vendor", write=write, taken=lambda: _vendor_taken(vendor_id))


def vendor_data(vendor):
    """A keyed-in Sage vendor as it is staged for the app (phones are not in Sage's vendor table)."""
    return {
        **{field: getattr(vendor, field) for field in VENDOR_FIELDS},
        "vendor_type": str(vendor.vendor_type_id or ""),
    }


def vendor_stage(*, vendor):
    """A vendor keyed in the ERP shows under Ready to Import in the app, with its suggested matches."""
    if vendor.source != ERPVendor.Source.KEYED:
        return None
    return erp_services.staged_record_upsert(
        kind="vendor", erp_id=vendor.vendor_id, data=vendor_data(vendor), user=None
    )
