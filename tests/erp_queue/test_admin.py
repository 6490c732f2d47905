"""The ERP Integrations screens as accounting uses them, and the permission hole they must not have."""

import pytest
from django.urls import reverse

from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import Project
from apps.ledger.models import ERPJob
from tests.jobs.factories import ProjectCostCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_request(pm, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0], project__number="8001").project
    return erp_services.record_send(record=project, user=pm)[1]


def step_url(request, step):
    return reverse("admin:erp_queue_erprequest_step", args=[request.pk, step])


def change_url(request):
    return reverse("admin:erp_queue_erprequest_change", args=[request.pk])


def test_approver_sees_accept_and_reject_buttons_pm_does_not(client, pm, approver, sent_request):
    client.force_login(approver)
    page = client.get(change_url(sent_request)).content.decode()
    assert 'data-step="accept"' in page and 'data-step="reject"' in page
    assert 'data-step="retry"' not in page
    client.force_login(pm)
    page = client.get(change_url(sent_request)).content.decode()
    assert 'data-step="accept"' not in page


def test_the_request_page_shows_the_payload_as_fields_and_tables(client, approver, sent_request):
    client.force_login(approver)
    page = client.get(change_url(sent_request)).content.decode()
    assert "<tr><th>Number</th><td>8001</td></tr>" in page
    code = sent_request.payload["cost_codes"][0]["code"]
    assert "<caption>Cost codes (1)</caption>" in page and f"<td>{code}</td>" in page
    assert "<summary>Exactly as exported (JSON)</summary>" in page


def test_pm_posting_accept_by_hand_is_refused(client, pm, sent_request, commit):
    client.force_login(pm)
    with commit():
        response = client.post(step_url(sent_request, "accept"), {"erp_job_id": "8001"}, follow=True)
    assert "You do not have permission to accept" in response.content.decode()
    sent_request.refresh_from_db()
    assert sent_request.status == "ready_to_export"
    assert not ERPJob.objects.exists()


def test_approver_accepts_with_job_id_in_the_admin(client, approver, sent_request, commit):
    client.force_login(approver)
    form = client.get(step_url(sent_request, "accept"))
    assert "ERP job id" in form.content.decode()
    bad = client.post(step_url(sent_request, "accept"), {"erp_job_id": "12-34"})
    assert bad.status_code == 200
    assert "is not a valid ERP job id" in bad.content.decode()
    with commit():
        good = client.post(step_url(sent_request, "accept"), {"erp_job_id": "8001"}, follow=True)
    assert "Accepted" in good.content.decode()
    sent_request.refresh_from_db()
    assert sent_request.status == "synced"
    assert Project.objects.get(number="8001").erp_id == "8001"


def test_reject_in_the_admin_needs_a_reason(client, approver, sent_request):
    client.force_login(approver)
    empty = client.post(step_url(sent_request, "reject"), {"reason": ""})
    assert "This field is required" in empty.content.decode()
    client.post(step_url(sent_request, "reject"), {"reason": "Wrong ZIP"})
    sent_request.refresh_from_db()
    assert (sent_request.status, sent_request.reason) == ("rejected", "Wrong ZIP")


def test_bulk_reject_with_one_reason(client, pm, approver, cost_codes, sent_request):
    other = erp_services.record_send(record=ProjectCostCodeFactory(cost_code=cost_codes[0]).project, user=pm)[1]
    client.force_login(approver)
    changelist = reverse("admin:erp_queue_erprequest_changelist")
    ids = [sent_request.pk, other.pk]
    ask = client.post(changelist, {"action": "reject_selected", "_selected_action": ids})
    assert "Reject the selected requests" in ask.content.decode()
    client.post(
        changelist, {"action": "reject_selected", "_selected_action": ids, "apply": "1", "reason": "Month-end freeze"}
    )
    assert set(ERPRequest.objects.values_list("status", "reason")) == {("rejected", "Month-end freeze")}


def test_bulk_accept_refuses_kinds_that_need_erp_ids(client, approver, sent_request):
    client.force_login(approver)
    response = client.post(
        reverse("admin:erp_queue_erprequest_changelist"),
        {"action": "accept_selected", "_selected_action": [sent_request.pk]},
        follow=True,
    )
    assert "needs the approver" in response.content.decode()
    assert ERPRequest.objects.get(pk=sent_request.pk).status == "ready_to_export"


def test_queue_is_grouped_by_kind_with_counts(client, approver, sent_request):
    client.force_login(approver)
    page = client.get(reverse("admin:erp_queue_erprequest_changelist") + "?status__exact=ready_to_export")
    html = page.content.decode()
    assert "Jobs (1)" in html and "Budgets (0)" in html
    assert "Ready to import (0)" in html
    assert "8001" in html


def test_staged_job_added_to_app_from_the_admin(client, approver, cost_codes):
    from apps.ledger import services as ledger_services
    from apps.ledger.models import ERPCostCode, ERPJobCostCode

    job = ERPJob.objects.create(job_id="9100", name="Depot")
    ERPJobCostCode.objects.create(job=job, cost_code=ERPCostCode.objects.get(code="1000")).cost_types.set([2])
    staged = ledger_services.job_stage(job=job)
    client.force_login(approver)
    client.post(reverse("admin:erp_queue_stagedrecord_step", args=[staged.pk, "add-to-app"]))
    assert StagedRecord.objects.get(pk=staged.pk).status == "imported"
    assert Project.objects.get(number="9100").erp_status == "synced"


@pytest.mark.django_db(transaction=True)
def test_accept_that_the_erp_refuses_says_so(client, approver, sent_request, erp_unread):
    """With real commits the ledger exports as the accept commits, so the page can tell the outcome."""
    ERPJob.objects.create(job_id="8001", name="Keyed")
    client.force_login(approver)
    response = client.post(step_url(sent_request, "accept"), {"erp_job_id": "8001"}, follow=True)
    html = response.content.decode()
    assert "but the ERP refused it" in html
    assert "Job 8001 already exists in the ERP" in html


def test_a_step_page_the_user_cannot_use_sends_them_back(client, pm, sent_request):
    client.force_login(pm)
    response = client.get(step_url(sent_request, "accept"), follow=True)
    assert "is not available to you" in response.content.decode()
    assert "ERP job id" not in response.content.decode()


def test_a_failed_commitment_is_retried_under_another_number_from_the_admin(client, approver, erp_unread):
    from tests.commitments.factories import CommitmentFactory
    from tests.erp_queue.factories import ERPRequestFactory

    commitment = CommitmentFactory(status="approved", erp_status="failed")
    request = ERPRequestFactory(record=commitment, failed=True, payload={"job_id": "5000", "number": "SC-001"})
    client.force_login(approver)
    page = client.get(step_url(request, "retry")).content.decode()
    assert "Number in the ERP" in page and "type another when the ERP says that one is taken" in page
    client.post(step_url(request, "retry"), {"number": "SC-101"})
    request.refresh_from_db()
    assert (request.status, request.inputs) == ("exporting", {"number": "SC-101"})


def test_the_request_page_speaks_the_approvers_words(client, approver):
    import uuid

    from tests.budgets.factories import BudgetFactory
    from tests.erp_queue.factories import ERPRequestFactory

    budget = BudgetFactory(project__number="2403")
    key = str(uuid.uuid4())
    payload = {
        "budget": budget.pk,
        "project": "2403",
        "job_id": "2403",
        "transactions": [
            {"key": key, "type": "original_estimate", "cost_code": "5100", "cost_type": 1, "amount": "114000.00"}
        ],
    }
    request = ERPRequestFactory(record=budget, accepted=True, payload=payload, inputs={"erp_job_id": "2403"})
    assert str(request) == f"Budget of {budget.project} (request {request.pk})"
    client.force_login(approver)
    page = client.get(change_url(request)).content.decode()
    readable, raw = page.split("Exactly as exported (JSON)", 1)
    assert "Original estimate" in readable and "114,000.00" in readable and "1 Material" in readable
    assert key not in readable and "original_estimate" not in readable and key in raw  # the raw JSON keeps it
    assert "ERP job id: 2403" in page and "{&quot;erp_job_id&quot;" not in page
    technical = page[page.index("Technical details") :]
    assert "Idempotency key" in technical and "Leased by" in technical


def test_the_queue_lists_each_request_with_its_project(client, pm, approver, sent_request):
    from tests.change_orders.factories import ChangeOrderFactory, ChangeOrderLineFactory

    change_order = ChangeOrderFactory(status="approved", commitment__project__number="2405")
    ChangeOrderLineFactory(change_order=change_order)
    _, co_request = erp_services.record_send(record=change_order, user=pm)
    client.force_login(approver)
    page = client.get(reverse("admin:erp_queue_erprequest_changelist")).content.decode()
    rows = {row.split("</tr>")[0] for row in page.split("<tr")[1:]}
    assert any("8001" in row and "field-project" in row for row in rows)  # a job request: the project itself
    assert any("2405" in row and co_request.record_label in row for row in rows)


def test_a_staged_record_links_the_record_it_became_by_its_name(client, approver, cost_codes):
    staged = StagedRecord.objects.create(
        kind="job",
        erp_id="5101",
        label="Depot",
        data={"name": "Depot", "cost_codes": [{"code": cost_codes[0].code, "cost_types": [2]}]},
    )
    erp_services.staged_record_add_to_app(staged=staged, user=approver)
    project = Project.objects.get(erp_id="5101")
    client.force_login(approver)
    url = reverse("admin:jobs_project_change", args=[project.pk])
    for page in (
        client.get(reverse("admin:erp_queue_stagedrecord_changelist")).content.decode(),
        client.get(reverse("admin:erp_queue_stagedrecord_change", args=[staged.pk])).content.decode(),
    ):
        assert f'<a href="{url}">{project}</a>' in page  # its name, not "#1"


def test_the_retry_page_shows_what_the_erp_said_and_what_is_exported(client, approver):
    from tests.commitments.factories import CommitmentFactory
    from tests.erp_queue.factories import ERPRequestFactory

    commitment = CommitmentFactory(status="approved", erp_status="failed")
    request = ERPRequestFactory(
        record=commitment,
        failed=True,
        messages=["PO-001 already exists on job 2401. Enter another number."],
        payload={"job_id": "2401", "number": "PO-001", "accounting_method": "unit"},
    )
    client.force_login(approver)
    page = client.get(step_url(request, "retry")).content.decode()
    assert "The ERP said" in page and "PO-001 already exists on job 2401" in page
    assert "What is exported" in page and "Unit" in page
