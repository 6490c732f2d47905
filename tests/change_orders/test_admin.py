"""The change order screens: added from a synced commitment with its lines inline, then its steps."""

import pytest
from django.urls import reverse

from apps.change_orders.models import ChangeOrder
from tests.commitments.factories import synced_commitment

pytestmark = pytest.mark.django_db


def test_add_from_the_commitment_then_submit_approve_send(client, pm, approver, project, vendor, commit):
    commitment = synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    first, second = commitment.lines.order_by("position")
    client.force_login(pm)
    page = client.get(reverse("admin:commitments_commitment_change", args=[commitment.pk])).content.decode()
    add = reverse("admin:change_orders_changeorder_add") + f"?commitment={commitment.pk}"
    assert add in page
    form = client.get(add).content.decode()
    assert "Line 1: 2300.000 Subcontract — Excavation (12,000.00)" in form  # what a person recognises

    def line(i, commitment_line, amount):
        fields = {"commitment_line": commitment_line, "amount": amount, "cost_code": "", "cost_type": ""}
        return {
            f"lines-{i}-{k}": v
            for k, v in {**fields, "description": "", "quantity": "", "uom": "", "unit_cost": ""}.items()
        }

    data = {
        "commitment": commitment.pk,
        "number": "",
        "title": "Rock at grid C",
        "description": "Extra excavation",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000.000",
        **line(0, first.pk, "1000.00"),
        **line(1, second.pk, "250.00"),
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.context["errors"]
    change_order = ChangeOrder.objects.get()
    assert (change_order.number, change_order.lines.count()) == ("001", 2)
    for name in ("submit", "approve", "send-to-erp"):
        client.post(reverse("admin:change_orders_changeorder_step", args=[change_order.pk, name]))
    change_order.refresh_from_db()
    assert (change_order.status, change_order.erp_status) == ("approved", "ready_to_export")


def test_a_change_order_on_an_unsynced_commitment_shows_why(client, pm, project, vendor):
    from apps.commitments import services
    from tests.commitments.factories import SUBCONTRACT_LINES, service_lines

    commitment = services.commitment_create(
        user=pm,
        project=project,
        type="subcontract",
        vendor=vendor,
        title="Draft",
        accounting_method="amount",
        lines=service_lines(SUBCONTRACT_LINES),
    )
    client.force_login(pm)
    data = {
        "commitment": commitment.pk,
        "number": "",
        "title": "Too early",
        "description": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:change_orders_changeorder_add"), data)
    assert "change orders are made on synced commitments only" in response.content.decode()
    assert not ChangeOrder.objects.exists()


@pytest.mark.parametrize(
    ("state", "saves"),
    [
        ({"status": "draft", "erp_status": "not_synced"}, True),
        ({"status": "approved", "erp_status": "ready_to_export"}, False),
        ({"synced": True}, False),
    ],
)
def test_save_is_offered_only_where_something_on_the_page_can_change(client, pm, state, saves):
    from tests.change_orders.factories import ChangeOrderFactory, ChangeOrderLineFactory

    change_order = ChangeOrderFactory(**state)
    ChangeOrderLineFactory(change_order=change_order)
    client.force_login(pm)
    page = client.get(reverse("admin:change_orders_changeorder_change", args=[change_order.pk])).content.decode()
    assert ('name="_save"' in page, 'name="_continue"' in page) == (saves, saves)
