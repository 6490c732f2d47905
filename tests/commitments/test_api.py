"""Subcontracts and purchase orders through the API: created here, approved, sent, decided, synced; every branch."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.commitments.models import Commitment
from apps.erp_queue.models import ERPRequest
from apps.jobs import services as job_services
from apps.ledger.models import ERPCommitment, ERPWrite
from tests.commitments.factories import linked_vendor, purchase_order_data, subcontract_data, synced_commitment
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory

URL = "/api/v1/commitments/"
REQUESTS = "/api/v1/erp/requests/"


def step(client, commitment_id, name, data=None):
    return client.post(f"{URL}{commitment_id}/{name}/", data or {}, format="json")


def accept(client, commitment_id):
    request = ERPRequest.objects.get(kind="commitment", object_id=commitment_id, status="ready_to_export")
    return client.post(f"{REQUESTS}{request.pk}/accept/", {}, format="json")


def test_subcontract_walks_from_creation_to_synced(pm, approver, api_as, project, vendor, commit):
    client = api_as(pm)
    created = client.post(URL, subcontract_data(project, vendor), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["status"], body["erp_status"], body["origin"]) == (
        "SC-001",
        "draft",
        "not_synced",
        "app",
    )
    assert body["original_amount"] == "42000.00" and body["revised_amount"] == "42000.00"
    assert [line["line_number"] for line in body["lines"]] == [1, 2]
    assert "approve" in body["allowed_steps"] and "send-to-erp" not in body["allowed_steps"]

    for name, status in [("out-for-bid", "out_for_bid"), ("out-for-signature", "out_for_signature")]:
        assert step(client, body["id"], name).json()["status"] == status
    approved = step(client, body["id"], "approve").json()
    assert approved["status"] == "approved" and "send-to-erp" in approved["allowed_steps"]

    sent = step(client, body["id"], "send-to-erp")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["erp_status"] == "ready_to_export"
    assert sent.json()["allowed_steps"] == ["retrieve"]
    with commit():
        accepted = accept(api_as(approver), body["id"])
    assert accepted.status_code == 200, accepted.json()

    synced = client.get(f"{URL}{body['id']}/").json()
    assert (synced["erp_status"], synced["erp_id"], synced["allowed_steps"]) == ("synced", "SC-001", [])
    erp = ERPCommitment.objects.get(job__job_id="5000", number="SC-001")
    assert (erp.kind, erp.vendor.vendor_id, erp.description, erp.retention) == (
        "subcontract",
        vendor.erp_id,
        "Earthwork and footings",
        Decimal("10.00"),
    )
    assert list(erp.lines.values_list("line_number", "cost_code__code", "cost_type", "amount")) == [
        (1, "2300.000", 4, Decimal("12000.00")),
        (2, "3300.000", 4, Decimal("30000.00")),
    ]
    request = ERPRequest.objects.get(kind="commitment", object_id=body["id"])
    assert request.erp_ids == {"job_id": "5000", "number": "SC-001"}
    trail = api_as(pm).get(f"/api/v1/audit-events/?record_type=commitments.commitment&record_id={body['id']}").json()
    assert {e["transition"] for e in trail["results"]} >= {"approve", "send", "mark_exporting", "mark_synced"}


def test_purchase_order_is_unit_based_and_walks_to_synced(pm, approver, api_as, project, vendor, commit):
    client = api_as(pm)
    body = client.post(URL, purchase_order_data(project, vendor), format="json").json()
    assert body["number"] == "PO-001"
    assert body["lines"][0]["amount"] == "85050.00"  # 100 × 850.50
    step(client, body["id"], "approve")
    assert step(client, body["id"], "send-to-erp").status_code == 200
    with commit():
        assert accept(api_as(approver), body["id"]).status_code == 200
    assert client.get(f"{URL}{body['id']}/").json()["erp_status"] == "synced"
    line = ERPCommitment.objects.get(kind="purchase_order", number="PO-001").lines.get()
    assert (line.quantity, line.unit, line.unit_cost, line.amount) == (
        Decimal("100.0000"),
        "ton",
        Decimal("850.50"),
        Decimal("85050.00"),
    )


def test_numbers_default_to_the_next_free_one_per_project_and_type(pm, api_as, project, vendor):
    client = api_as(pm)
    numbers = [
        client.post(URL, subcontract_data(project, vendor), format="json").json()["number"],
        client.post(URL, subcontract_data(project, vendor, number="SC-007"), format="json").json()["number"],
        client.post(URL, subcontract_data(project, vendor), format="json").json()["number"],
        client.post(URL, purchase_order_data(project, vendor), format="json").json()["number"],
    ]
    assert numbers == ["SC-001", "SC-007", "SC-008", "PO-001"]
    other = ProjectFactory(number="5001")
    assert client.post(URL, subcontract_data(other, vendor, lines=[]), format="json").json()["number"] == "SC-001"
    taken = client.post(URL, subcontract_data(project, vendor, number="SC-007"), format="json")
    assert taken.status_code == 400
    assert "already has a subcontract numbered SC-007" in taken.json()["number"][0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"quantity": "-1", "unit_cost": "10"}, "greater than or equal to 0"),
        ({"quantity": "1", "unit_cost": "-10"}, "greater than or equal to 0"),
    ],
)
def test_negative_quantity_or_unit_cost_is_refused(pm, api_as, project, vendor, line, message):
    lines = [{"cost_code": "3300", "cost_type": 1, **line}]
    response = api_as(pm).post(URL, purchase_order_data(project, vendor, lines=lines), format="json")
    assert response.status_code == 400
    assert message in str(response.json()["lines"])
    assert not Commitment.objects.exists()


def test_a_line_whose_cost_type_is_not_assigned_to_its_cost_code_is_refused(pm, api_as, project, vendor):
    lines = [{"cost_code": "1000.000", "cost_type": 4, "amount": "100.00"}, {"cost_code": "9999", "cost_type": 12}]
    response = api_as(pm).post(URL, subcontract_data(project, vendor, lines=lines), format="json")
    assert response.status_code == 400
    assert response.json()["lines"] == {
        "1": {
            "cost_code": ["9999 is not one of the ERP's standard cost codes."],
            "cost_type": ["12 is not a cost type: use 1 to 9."],
        }
    }
    response = api_as(pm).post(URL, subcontract_data(project, vendor, lines=lines[:1]), format="json")
    assert response.status_code == 400
    assert response.json()["lines"] == [
        "Line 1: cost type 4 Subcontract is not assigned to cost code 1000.000 on the project."
    ]
    assert not Commitment.objects.exists()


def test_retainage_is_a_percentage(pm, api_as, project, vendor):
    response = api_as(pm).post(URL, subcontract_data(project, vendor, retainage_percent="100.01"), format="json")
    assert response.status_code == 400
    assert "retainage_percent" in response.json()


def test_send_names_every_unmet_precondition(pm, api_as, project):
    client = api_as(pm)
    unsynced_project = ProjectFactory(number="5002")
    unlinked = CompanyFactory(name="Unlinked Supply")
    data = purchase_order_data(
        unsynced_project,
        unlinked,
        number="PO-2026-00001",  # 13 characters
        title="Reinforcing steel for all the footings",  # 38 characters
        accounting_method="amount",
        lines=[],
    )
    body = client.post(URL, data, format="json").json()
    refused = step(client, body["id"], "send-to-erp")
    assert refused.status_code == 400
    problems = refused.json()
    assert set(problems) == {"project", "status", "vendor", "lines", "number", "title", "accounting_method"}
    assert "at most 12 characters" in problems["number"][0] and "PO-2026-00001" in problems["number"][0]
    assert "at most 30 characters" in problems["title"][0]
    assert "must be unit/quantity based" in problems["accounting_method"][0]
    assert "not linked to an ERP vendor" in problems["vendor"][0]
    assert "approved" in problems["status"][0]
    assert Commitment.objects.get().erp_status == "not_synced"
    assert not ERPRequest.objects.filter(kind="commitment").exists()


def test_a_line_no_longer_assigned_on_the_project_blocks_the_send(pm, api_as, project, vendor):
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    job_services.project_cost_code_assign(project=project, user=pm, code="2300.000", cost_types=[2, 3])
    refused = step(client, body["id"], "send-to-erp")
    assert refused.status_code == 400
    assert refused.json() == {
        "lines": ["Line 1: cost type 4 Subcontract is not assigned to cost code 2300.000 on the project."]
    }


def test_sending_locks_vendor_title_status_and_retainage(pm, api_as, project, vendor):
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    step(client, body["id"], "send-to-erp")
    other = linked_vendor("Valley Grading")
    for field, value in [("title", "New title"), ("vendor", other.pk), ("retainage_percent", "5.00")]:
        response = client.patch(f"{URL}{body['id']}/", {field: value}, format="json")
        assert response.status_code == 400, field
        assert list(response.json()) == [field]
        assert "cannot change while the commitment is sent, awaiting accounting" in response.json()[field][0]
    voided = step(client, body["id"], "void")
    assert voided.status_code == 409
    assert "its status cannot change while accounting reviews it" in voided.json()["detail"]
    # The same value is not a change.
    assert client.patch(f"{URL}{body['id']}/", {"title": body["title"]}, format="json").status_code == 200


def test_after_sync_vendor_status_and_schedule_of_values_stay_locked(pm, approver, api_as, project, vendor, commit):
    commitment = synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    client = api_as(pm)
    url = f"{URL}{commitment.pk}/"
    lines = [{"cost_code": "2300", "cost_type": 4, "amount": "1.00"}]
    for field, value in [("lines", lines), ("vendor", linked_vendor("Other").pk), ("number", "SC-900")]:
        response = client.patch(url, {field: value}, format="json")
        assert response.status_code == 400
        assert "change it through a change order" in response.json()[field][0]
    assert step(client, commitment.pk, "complete").status_code == 409
    renamed = client.patch(url, {"title": "Earthwork, footings"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Earthwork, footings"


def test_draft_edits_replace_the_schedule_of_values(pm, api_as, project, vendor):
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    lines = [{"cost_code": "5100.000", "cost_type": 4, "description": "Finishes", "amount": "5000.00"}]
    edited = client.patch(f"{URL}{body['id']}/", {"lines": lines, "number": "SC-100"}, format="json").json()
    assert edited["number"] == "SC-100" and edited["original_amount"] == "5000.00"
    assert [(line["line_number"], line["cost_code"]) for line in edited["lines"]] == [(1, "5100.000")]
    moved = client.patch(f"{URL}{body['id']}/", {"project": 999}, format="json")
    assert moved.status_code == 200 and moved.json()["project"] == project.pk  # the project is not editable


def test_reject_tells_the_creator_and_resend_after_correction(pm, make_user, approver, api_as, project, commit):
    from apps.core import roles

    creator = make_user("casey", roles.PROJECT_MANAGER, email="casey@example.com")
    vendor = linked_vendor()
    body = api_as(creator).post(URL, subcontract_data(project, vendor), format="json").json()
    step(api_as(creator), body["id"], "approve")
    step(api_as(pm), body["id"], "send-to-erp")  # another project manager sends it
    request = ERPRequest.objects.get(kind="commitment", object_id=body["id"])
    with commit():
        rejected = api_as(approver).post(f"{REQUESTS}{request.pk}/reject/", {"reason": "Retainage is 5%."})
    assert rejected.status_code == 200
    record = api_as(pm).get(f"{URL}{body['id']}/").json()
    assert (record["erp_status"], record["rejection_reason"]) == ("rejected", "Retainage is 5%.")
    assert set(record["allowed_steps"]) >= {"resend", "void", "return-to-draft"}
    assert [m.to for m in mail.outbox] == [["casey@example.com"]]
    assert "Retainage is 5%." in mail.outbox[0].body

    assert api_as(pm).patch(f"{URL}{body['id']}/", {"retainage_percent": "5.00"}, format="json").status_code == 200
    assert step(api_as(pm), body["id"], "send-to-erp").status_code == 409
    assert step(api_as(pm), body["id"], "resend").json()["erp_status"] == "ready_to_export"
    with commit():
        accept(api_as(approver), body["id"])
    assert ERPCommitment.objects.get(number="SC-001").retention == Decimal("5.00")


def test_retrieve_before_a_decision(pm, api_as, project, vendor):
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    step(client, body["id"], "send-to-erp")
    retrieved = step(client, body["id"], "retrieve").json()
    assert retrieved["erp_status"] == "not_synced"
    assert ERPRequest.objects.get(kind="commitment").status == "retrieved"
    assert client.patch(f"{URL}{body['id']}/", {"title": "Earthwork"}, format="json").status_code == 200


def _key_commitment_in_the_erp(vendor, number="SC-001"):
    """Accounting keys a subcontract on job 5000 in the ERP itself."""
    from apps.ledger.models import ERPJob, ERPVendor

    return ERPCommitment.objects.create(
        job=ERPJob.objects.get(job_id="5000"),
        kind="subcontract",
        number=number,
        description="Keyed in Sage",
        vendor=ERPVendor.objects.get(vendor_id=vendor.erp_id),
    )


def test_a_number_the_erp_job_already_has_is_refused_at_send_then_renumbered(
    pm, approver, api_as, project, vendor, commit
):
    _key_commitment_in_the_erp(vendor)
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    refused = step(client, body["id"], "send-to-erp")
    assert refused.status_code == 400
    assert refused.json()["number"] == [
        "Subcontract SC-001 on ERP job 5000 already exists in the ERP: give it another number here before sending it."
    ]
    assert not ERPRequest.objects.filter(kind="commitment").exists()
    assert client.patch(f"{URL}{body['id']}/", {"number": "SC-101"}, format="json").status_code == 200
    assert step(client, body["id"], "send-to-erp").status_code == 200
    with commit():
        assert accept(api_as(approver), body["id"]).status_code == 200
    assert client.get(f"{URL}{body['id']}/").json()["erp_id"] == "SC-101"


def test_a_number_taken_in_the_erp_after_the_send_is_refused_at_accept(pm, approver, api_as, project, vendor, commit):
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    step(client, body["id"], "send-to-erp")
    _key_commitment_in_the_erp(vendor)
    refused = accept(api_as(approver), body["id"])
    assert refused.status_code == 400
    assert "reject it, saying so, for the sender to renumber it and resend" in refused.json()["number"][0]
    request = ERPRequest.objects.get(kind="commitment", object_id=body["id"])
    assert (request.status, Commitment.objects.get().erp_status) == ("ready_to_export", "ready_to_export")
    assert not ERPWrite.objects.filter(kind="commitment").exists()


def test_a_number_used_on_the_job_fails_the_export_then_reject_fix_resend(
    pm, approver, api_as, project, vendor, commit, erp_unread
):
    _key_commitment_in_the_erp(vendor)
    client = api_as(pm)
    body = client.post(URL, subcontract_data(project, vendor), format="json").json()
    step(client, body["id"], "approve")
    step(client, body["id"], "send-to-erp")
    with commit():
        accept(api_as(approver), body["id"])
    failed = client.get(f"{URL}{body['id']}/").json()
    assert failed["erp_status"] == "failed"
    assert failed["erp_messages"] == ["Subcontract SC-001 already exists on job 5000. Enter another number."]
    assert client.patch(f"{URL}{body['id']}/", {"number": "SC-101"}, format="json").status_code == 400

    request = ERPRequest.objects.get(kind="commitment", object_id=body["id"])
    with commit():
        api_as(approver).post(f"{REQUESTS}{request.pk}/reject/", {"reason": "SC-001 is taken in Sage: use SC-101."})
    assert client.patch(f"{URL}{body['id']}/", {"number": "SC-101"}, format="json").status_code == 200
    step(client, body["id"], "resend")
    with commit():
        accept(api_as(approver), body["id"])
    assert client.get(f"{URL}{body['id']}/").json()["erp_id"] == "SC-101"


def test_failed_export_is_retried_once_the_erp_is_fixed(pm, approver, api_as, project, vendor, commit, erp_unread):
    from apps.ledger.models import ERPJob, ERPVendor

    keyed = ERPCommitment.objects.create(
        job=ERPJob.objects.get(job_id="5000"),
        kind="subcontract",
        number="SC-001",
        description="Entered by mistake",
        vendor=ERPVendor.objects.get(vendor_id=vendor.erp_id),
    )
    commitment_id = api_as(pm).post(URL, subcontract_data(project, vendor), format="json").json()["id"]
    step(api_as(pm), commitment_id, "approve")
    step(api_as(pm), commitment_id, "send-to-erp")
    with commit():
        accept(api_as(approver), commitment_id)
    request = ERPRequest.objects.get(kind="commitment", object_id=commitment_id)
    assert request.status == "failed"
    keyed.delete()  # accounting deletes the stray entry in Sage
    with commit():
        assert api_as(approver).post(f"{REQUESTS}{request.pk}/retry/", {}, format="json").status_code == 200
    assert Commitment.objects.get().erp_status == "synced"
    assert ERPWrite.objects.filter(kind="commitment").count() == 1


def test_a_number_the_erp_refused_is_corrected_on_retry_and_the_commitment_takes_it(
    pm, approver, api_as, project, vendor, commit, erp_unread
):
    from apps.ledger.models import ERPJob, ERPVendor

    ERPCommitment.objects.create(
        job=ERPJob.objects.get(job_id="5000"),
        kind="subcontract",
        number="SC-001",
        description="Keyed in Sage",
        vendor=ERPVendor.objects.get(vendor_id=vendor.erp_id),
    )
    commitment_id = api_as(pm).post(URL, subcontract_data(project, vendor), format="json").json()["id"]
    other = api_as(pm).post(URL, subcontract_data(project, vendor, number="SC-102"), format="json").json()
    step(api_as(pm), commitment_id, "approve")
    step(api_as(pm), commitment_id, "send-to-erp")
    with commit():
        accept(api_as(approver), commitment_id)
    request = ERPRequest.objects.get(kind="commitment", object_id=commitment_id)
    assert request.status == "failed"
    retry = f"{REQUESTS}{request.pk}/retry/"

    # A number another commitment of the project holds here, or one too long for the ERP, is refused at once.
    held = api_as(approver).post(retry, {"number": "SC-102"}, format="json")
    assert held.status_code == 400
    assert held.json()["number"] == [
        f"{Commitment.objects.get(pk=other['id'])} already has the number SC-102 here. Enter another number."
    ]
    assert "at most 12 characters" in api_as(approver).post(retry, {"number": "SC-0000000101"}).json()["number"][0]
    assert ERPRequest.objects.get(pk=request.pk).status == "failed"

    with commit():
        done = api_as(approver).post(retry, {"number": " SC-101 "}, format="json")
    assert (done.status_code, done.json()["inputs"]) == (200, {"number": "SC-101"})
    assert ERPRequest.objects.get(pk=request.pk).status == "synced"
    commitment = Commitment.objects.get(pk=commitment_id)
    assert (commitment.number, commitment.erp_id, commitment.erp_status) == ("SC-101", "SC-101", "synced")
    assert ERPCommitment.objects.filter(job__job_id="5000", number="SC-101").exists()


def test_the_agent_cannot_stage_a_commitment_for_import(agent, api_as):
    response = api_as(agent).post(
        "/api/v1/erp/staged-records/",
        {"kind": "commitment", "erp_id": "SC-001", "data": {"name": "Subcontract"}},
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()


def test_viewers_read_but_do_not_create_or_step(viewer, pm, api_as, project, vendor):
    body = api_as(pm).post(URL, subcontract_data(project, vendor), format="json").json()
    client = api_as(viewer)
    assert client.get(f"{URL}{body['id']}/").json()["allowed_steps"] == []
    assert client.post(URL, subcontract_data(project, vendor), format="json").status_code == 403
    assert step(client, body["id"], "approve").status_code == 403
    assert api_as(None).get(URL).status_code == 401


def test_committed_costs_per_cost_code_and_type(pm, approver, api_as, project, vendor, commit):
    synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor, type="purchase_order")
    api_as(pm).post(URL, subcontract_data(project, vendor), format="json")  # a draft commits nothing
    response = api_as(pm).get(f"{URL}committed-costs/?project={project.pk}")
    assert response.status_code == 200
    assert [(r["cost_code"], r["cost_type"], r["committed"]) for r in response.json()] == [
        ("2300.000", 4, "12000.00"),
        ("3300.000", 1, "85050.00"),
        ("3300.000", 4, "30000.00"),
    ]
    assert api_as(pm).get(f"{URL}committed-costs/").status_code == 400
    assert api_as(pm).get(f"{URL}committed-costs/?project=99999999999999999999").status_code == 400


def test_list_filters_by_state_fields(pm, approver, api_as, project, vendor, commit):
    synced = synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    api_as(pm).post(URL, subcontract_data(project, vendor), format="json")
    listed = api_as(pm).get(f"{URL}?erp_status=synced&status=approved").json()
    assert [c["id"] for c in listed["results"]] == [synced.pk]
    assert api_as(pm).get(f"{URL}?type=purchase_order").json()["count"] == 0
    assert api_as(pm).get(f"{URL}?erp_status=nonsense").status_code == 400


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_list_keeps_a_constant_number_of_queries(pm, api_as, project, vendor):
    client = api_as(pm)
    client.post(URL, subcontract_data(project, vendor), format="json")
    few = _count_queries(client, URL)
    for i in range(5):
        client.post(URL, subcontract_data(project, linked_vendor(f"Vendor {i}")), format="json")
        client.post(URL, purchase_order_data(project, vendor), format="json")
    many = _count_queries(client, URL)
    assert (few[1], many[1]) == (1, 11)
    assert many[0] == few[0]
