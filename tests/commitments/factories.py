from apps.commitments import services
from apps.erp_queue import services as erp_services
from tests.vendors.factories import CompanyFactory, ERPVendorFactory

SUBCONTRACT_LINES = [
    {"cost_code": "2300", "cost_type": 4, "description": "Excavation", "amount": "12000.00"},
    {"cost_code": "3300", "cost_type": 4, "description": "Footings", "amount": "30000.00"},
]
PO_LINES = [
    {
        "cost_code": "3300",
        "cost_type": 1,
        "description": "Rebar",
        "quantity": "100",
        "uom": "ton",
        "unit_cost": "850.50",
    }
]


def linked_vendor(name="Sierra Drywall"):
    """A company linked to a vendor the ERP holds (as the vendors workflow leaves it)."""
    erp_vendor = ERPVendorFactory(name=name)
    return CompanyFactory(name=name, erp_status="synced", erp_id=erp_vendor.vendor_id, vendor_type="1")


def subcontract_data(project, vendor, **overrides):
    return {
        "project": project.pk,
        "type": "subcontract",
        "vendor": vendor.pk,
        "title": "Earthwork and footings",
        "retainage_percent": "10.00",
        "accounting_method": "amount",
        "lines": SUBCONTRACT_LINES,
        **overrides,
    }


def purchase_order_data(project, vendor, **overrides):
    return {
        "project": project.pk,
        "type": "purchase_order",
        "vendor": vendor.pk,
        "title": "Rebar supply",
        "retainage_percent": "0",
        "accounting_method": "unit",
        "lines": PO_LINES,
        **overrides,
    }


def service_lines(rows):
    """API-shaped lines as the services take them (model instances, decimals)."""
    from decimal import Decimal

    from apps.jobs.models import CostCode, CostType

    return [
        {
            **row,
            "cost_code": CostCode.objects.get(code=row["cost_code"]),
            "cost_type": CostType.objects.get(code=row["cost_type"]),
            **{k: Decimal(row[k]) for k in ("quantity", "unit_cost", "amount") if k in row},
        }
        for row in rows
    ]


def synced_commitment(*, pm, approver, commit, project, vendor, type="subcontract"):
    """A commitment created, approved, sent and accepted: synced with the ERP."""
    if type == "subcontract":
        fields = {"title": "Earthwork and footings", "accounting_method": "amount", "lines": SUBCONTRACT_LINES}
    else:
        fields = {"title": "Rebar supply", "accounting_method": "unit", "lines": PO_LINES}
    commitment = services.commitment_create(
        user=pm, project=project, type=type, vendor=vendor, **{**fields, "lines": service_lines(fields["lines"])}
    )
    services.commitment_move(commitment=commitment, user=pm, step="approve")
    _, request = services.commitment_send(commitment=commitment, user=pm)
    with commit():
        erp_services.request_accept(request=request, user=approver, inputs={})
    commitment.refresh_from_db()
    assert commitment.erp_status == "synced", commitment.erp_messages
    return commitment
