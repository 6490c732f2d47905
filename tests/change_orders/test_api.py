"""Commitment change orders through the API: only on synced commitments; summed per line on export; ERP effects."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.change_orders.models import ChangeOrder
from apps.commitments import services as commitment_services
from apps.commitments.models import Commitment
from apps.erp_queue.models import ERPRequest
from apps.ledger import services as ledger_services
from apps.ledger.models import ERPBudgetEntry, ERPChangeOrder, ERPCommitment, ERPJob
from tests.commitments.factories import SUBCONTRACT_LINES, service_lines, synced_commitment

URL = "/api/v1/change-orders/"
REQUESTS = "/api/v1/erp/requests/"


@pytest.fixture
def subcontract(pm, approver, commit, project, vendor):
    return synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)


@pytest.fixture
def purchase_order(pm, approver, commit, project, vendor):
    return synced_commitment(
        pm=pm, approver=approver, commit=commit, project=project, vendor=vendor, type="purchase_order"
    )


def line_ids(commitment):
    return list(commitment.lines.order_by("position").values_list("pk", flat=True))


def step(client, change_order_id, name, data=None):
    return client.post(f"{URL}{change_order_id}/{name}/", data or {}, format="json")


def approved_change_order(client, data):
    created = client.post(URL, data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert step(client, body["id"], "submit").json()["status"] == "pending"
    assert step(client, body["id"], "approve").json()["status"] == "approved"
    return body


def accept(client, change_order_id):
    request = ERPRequest.objects.get(kind="change_order", object_id=change_order_id, status="ready_to_export")
    return client.post(f"{REQUESTS}{request.pk}/accept/", {}, format="json")


def test_subcontract_change_order_sums_changes_and_raises_the_erp_budget(pm, approver, api_as, subcontract, commit):
    first, second = line_ids(subcontract)
    client = api_as(pm)
    data = {
        "commitment": subcontract.pk,
        "title": "Extra excavation",
        "description": "Rock found at grid C",
        "lines": [
            {"commitment_line": first, "amount": "1000.00"},
            {"commitment_line": second, "amount": "-200.00", "description": "Smaller footing"},
            {"commitment_line": first, "amount": "500.00"},
        ],
    }
    body = approved_change_order(client, data)
    assert (body["number"], body["amount"], body["erp_status"]) == ("001", "1300.00", "not_synced")
    assert "send-to-erp" in client.get(f"{URL}{body['id']}/").json()["allowed_steps"]
    sent = step(client, body["id"], "send-to-erp")
    assert sent.status_code == 200, sent.json()
    request = ERPRequest.objects.get(kind="change_order")
    assert [(r["line_number"], r["amount"]) for r in request.payload["lines"]] == [(1, "1500.00"), (2, "-200.00")]
    with commit():
        assert accept(api_as(approver), body["id"]).status_code == 200

    synced = client.get(f"{URL}{body['id']}/").json()
    assert (synced["erp_status"], synced["erp_id"], synced["allowed_steps"]) == ("synced", "001", [])
    erp = ERPChangeOrder.objects.get(commitment__number="SC-001")
    assert list(erp.lines.values_list("commitment_line__line_number", "amount")) == [
        (1, Decimal("1500.00")),
        (2, Decimal("-200.00")),
    ]
    raised = ERPBudgetEntry.objects.filter(kind="commitment_change")
    assert sorted(raised.values_list("cost_code__code", "cost_type", "amount")) == [
        ("2300.000", 4, Decimal("1500.00")),
        ("3300.000", 4, Decimal("-200.00")),
    ]
    budget = ledger_services.job_budget(ERPJob.objects.get(job_id="5000"))
    assert budget[("2300.000", 4)] == Decimal("1500.00")
    commitment = api_as(pm).get(f"/api/v1/commitments/{subcontract.pk}/").json()
    assert (commitment["original_amount"], commitment["approved_changes"], commitment["revised_amount"]) == (
        "42000.00",
        "1300.00",
        "43300.00",
    )
    costs = api_as(pm).get(f"/api/v1/commitments/committed-costs/?project={subcontract.project_id}").json()
    assert {(r["cost_code"], r["cost_type"]): r["committed"] for r in costs} == {
        ("2300.000", 4): "13500.00",
        ("3300.000", 4): "29800.00",
    }


def test_purchase_order_change_order_appends_its_lines_to_the_po(pm, approver, api_as, purchase_order, commit):
    [first] = line_ids(purchase_order)
    client = api_as(pm)
    data = {
        "commitment": purchase_order.pk,
        "title": "More rebar",
        "lines": [
            {"commitment_line": first, "amount": "850.50"},
            {
                "cost_code": "1000.000",
                "cost_type": 1,
                "description": "Tie wire",
                "quantity": "10",
                "uom": "roll",
                "unit_cost": "12.25",
            },
        ],
    }
    body = approved_change_order(client, data)
    assert body["amount"] == "973.00"
    step(client, body["id"], "send-to-erp")
    with commit():
        accept(api_as(approver), body["id"])
    assert ChangeOrder.objects.get().erp_status == "synced"
    po = ERPCommitment.objects.get(kind="purchase_order", number="PO-001")
    assert list(po.lines.values_list("line_number", "cost_code__code", "description", "amount", "change_order")) == [
        (1, "3300.000", "Rebar", Decimal("85050.00"), None),
        (2, "3300.000", "Rebar", Decimal("850.50"), ERPChangeOrder.objects.get().pk),
        (3, "1000.000", "Tie wire", Decimal("122.50"), ERPChangeOrder.objects.get().pk),
    ]
    assert not ERPBudgetEntry.objects.filter(kind="commitment_change").exists()


def test_a_change_order_on_an_unsynced_commitment_is_refused(pm, api_as, project, vendor):
    commitment = commitment_services.commitment_create(
        user=pm,
        project=project,
        type="subcontract",
        vendor=vendor,
        title="Draft",
        accounting_method="amount",
        lines=service_lines(SUBCONTRACT_LINES),
    )
    data = {
        "commitment": commitment.pk,
        "title": "Too early",
        "lines": [{"commitment_line": line_ids(commitment)[0], "amount": "1"}],
    }
    response = api_as(pm).post(URL, data, format="json")
    assert response.status_code == 400
    assert "is not synced with the ERP" in response.json()["commitment"][0]
    commitment_services.commitment_move(commitment=commitment, user=pm, transition=Commitment.void)
    response = api_as(pm).post(URL, data, format="json")
    assert response.status_code == 400
    assert "a void commitment takes no change orders" in response.json()["commitment"][0]
    assert not ChangeOrder.objects.exists()


@pytest.mark.parametrize(
    ("line", "field_or_message"),
    [
        ({"cost_code": "1000", "cost_type": 1, "quantity": "-1", "unit_cost": "5"}, "greater than or equal to 0"),
        ({"cost_code": "1000", "cost_type": 1, "quantity": "1", "unit_cost": "-5"}, "greater than or equal to 0"),
        ({"cost_code": "1000", "cost_type": 4, "quantity": "1", "unit_cost": "5"}, "is not assigned to cost code 1000"),
        ({"cost_code": "1000", "cost_type": 1, "unit_cost": "5"}, "A new line needs it"),
    ],
)
def test_bad_new_lines_are_refused(pm, api_as, purchase_order, line, field_or_message):
    response = api_as(pm).post(URL, {"commitment": purchase_order.pk, "title": "CO", "lines": [line]}, format="json")
    assert response.status_code == 400
    assert field_or_message in str(response.json()["lines"])


def test_a_subcontract_change_order_cannot_add_lines(pm, api_as, subcontract):
    line = {"cost_code": "2300", "cost_type": 4, "quantity": "1", "unit_cost": "5"}
    response = api_as(pm).post(URL, {"commitment": subcontract.pk, "title": "CO", "lines": [line]}, format="json")
    assert response.status_code == 400
    assert "only a purchase order change order adds new lines" in response.json()["lines"][0]


def test_a_line_of_another_commitment_is_refused(pm, api_as, subcontract, purchase_order):
    data = {
        "commitment": subcontract.pk,
        "title": "CO",
        "lines": [{"commitment_line": line_ids(purchase_order)[0], "amount": "5"}],
    }
    response = api_as(pm).post(URL, data, format="json")
    assert response.status_code == 400
    assert "is not a line of SC-001" in response.json()["lines"][0]


def test_send_requires_approved_linked_vendor_lines_and_erp_limits(pm, api_as, subcontract):
    client = api_as(pm)
    body = client.post(
        URL,
        {
            "commitment": subcontract.pk,
            "number": "CO-2026-000000000001",
            "title": "Nothing yet",
            "description": "x" * 51,
        },
        format="json",
    ).json()
    subcontract.vendor.__class__.objects.filter(pk=subcontract.vendor_id).update(erp_status="not_synced", erp_id=None)
    refused = step(client, body["id"], "send-to-erp")
    assert refused.status_code == 400
    assert set(refused.json()) == {"status", "vendor", "lines", "description"}
    assert "at most 50 characters" in refused.json()["description"][0]
    client.patch(f"{URL}{body['id']}/", {"number": "CO-2026-0000000000001"}, format="json")
    refused = step(client, body["id"], "send-to-erp")
    assert "at most 20 characters" in refused.json()["number"][0]


def test_own_reject_is_its_status_and_void_ends_it(pm, api_as, subcontract):
    client = api_as(pm)
    data = {
        "commitment": subcontract.pk,
        "title": "CO",
        "lines": [{"commitment_line": line_ids(subcontract)[0], "amount": "5"}],
    }
    body = client.post(URL, data, format="json").json()
    assert set(body["allowed_steps"]) == {"submit", "void"}
    step(client, body["id"], "submit")
    rejected = step(client, body["id"], "reject").json()
    assert (rejected["status"], rejected["erp_status"], rejected["allowed_steps"]) == (
        "rejected",
        "not_synced",
        ["void"],
    )
    refused = step(client, body["id"], "send-to-erp")
    assert refused.status_code == 400 and "Only an approved change order" in refused.json()["status"][0]
    assert step(client, body["id"], "void").json()["status"] == "void"


def test_erp_rejection_tells_the_creator_then_resend(make_user, pm, approver, api_as, subcontract, commit):
    from apps.core import roles

    creator = make_user("casey", roles.PROJECT_MANAGER, email="casey@example.com")
    data = {
        "commitment": subcontract.pk,
        "title": "CO",
        "lines": [{"commitment_line": line_ids(subcontract)[0], "amount": "5"}],
    }
    body = approved_change_order(api_as(creator), data)
    step(api_as(pm), body["id"], "send-to-erp")
    request = ERPRequest.objects.get(kind="change_order")
    with commit():
        api_as(approver).post(f"{REQUESTS}{request.pk}/reject/", {"reason": "Describe the change."})
    record = api_as(pm).get(f"{URL}{body['id']}/").json()
    assert (record["status"], record["erp_status"]) == ("approved", "rejected")
    assert [m.to for m in mail.outbox] == [["casey@example.com"]]
    assert api_as(pm).patch(f"{URL}{body['id']}/", {"description": "Rock at grid C"}, format="json").status_code == 200
    assert step(api_as(pm), body["id"], "resend").json()["erp_status"] == "ready_to_export"
    retrieved = step(api_as(pm), body["id"], "retrieve").json()
    assert retrieved["erp_status"] == "not_synced"
    assert step(api_as(pm), body["id"], "send-to-erp").status_code == 200
    with commit():
        accept(api_as(approver), body["id"])
    assert ERPChangeOrder.objects.get().description == "Rock at grid C"


def test_sent_change_order_is_locked(pm, api_as, subcontract):
    client = api_as(pm)
    data = {
        "commitment": subcontract.pk,
        "title": "CO",
        "lines": [{"commitment_line": line_ids(subcontract)[0], "amount": "5"}],
    }
    body = approved_change_order(client, data)
    step(client, body["id"], "send-to-erp")
    response = client.patch(f"{URL}{body['id']}/", {"title": "Changed"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["title"]
    assert step(client, body["id"], "void").status_code == 409


def test_change_order_steps_need_their_permission(viewer, pm, api_as, subcontract):
    data = {
        "commitment": subcontract.pk,
        "title": "CO",
        "lines": [{"commitment_line": line_ids(subcontract)[0], "amount": "5"}],
    }
    body = api_as(pm).post(URL, data, format="json").json()
    assert api_as(viewer).post(URL, data, format="json").status_code == 403
    assert step(api_as(viewer), body["id"], "submit").status_code == 403


def test_list_filters_and_keeps_a_constant_number_of_queries(pm, api_as, subcontract, purchase_order):
    client = api_as(pm)

    def create(commitment):
        line = {"commitment_line": line_ids(commitment)[0], "amount": "5"}
        return client.post(URL, {"commitment": commitment.pk, "title": "CO", "lines": [line, line]}, format="json")

    create(subcontract)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    few = count()
    for _ in range(4):
        create(subcontract)
        create(purchase_order)
    many = count()
    assert (few[1], many[1]) == (1, 9)
    assert many[0] == few[0]
    assert client.get(f"{URL}?commitment={purchase_order.pk}&status=draft").json()["count"] == 4
    assert client.get(f"{URL}?erp_status=synced").json()["count"] == 0
