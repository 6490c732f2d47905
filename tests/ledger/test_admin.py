"""The ERP side's admin actions (performed in Sage in real life) are accounting's, and audited with their user."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django_fsm_log.models import StateLog

from apps.budgets.models import Budget
from apps.erp_queue.models import StagedRecord
from apps.ledger.models import ERPBudgetEntry, ERPCostCode, ERPCostType, ERPJob
from tests.budgets.factories import BudgetFactory
from tests.erp_queue.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:ledger_erpjob_changelist")


@pytest.fixture
def exported_budget():
    """A budget exported to ERP job 2403 whose entries wait to be posted there."""
    budget = BudgetFactory(status=Budget.Status.AWAITING_POSTING, ever_exported=True)
    request = ERPRequestFactory(record=budget, synced=True)
    job = ERPJob.objects.create(job_id="2403", name="Depot", source=ERPJob.Source.EXPORTED)
    ERPBudgetEntry.objects.create(
        job=job,
        cost_code=ERPCostCode.objects.create(code="1000", description="General"),
        cost_type=ERPCostType.objects.get(code=1),
        kind=ERPBudgetEntry.Kind.ORIGINAL,
        amount=Decimal("100.00"),
        key=uuid.uuid4(),
        request_key=request.idempotency_key,
    )
    return budget, job


def run_action(client, action, job):
    return client.post(CHANGELIST, {"action": action, helpers.ACTION_CHECKBOX_NAME: [job.pk]}, follow=True)


@pytest.mark.parametrize("role", ["viewer", "pm", "agent"])
def test_only_accounting_sees_and_runs_the_erp_steps(request, client, exported_budget, role):
    budget, job = exported_budget
    client.force_login(request.getfixturevalue(role))
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "post_budget_entries" not in listing.content.decode()
    for action in ("post_budget_entries", "stage_estimate"):
        run_action(client, action, job)
    budget.refresh_from_db()
    assert budget.status == Budget.Status.AWAITING_POSTING
    assert not ERPBudgetEntry.objects.filter(posted=True).exists()
    assert not StagedRecord.objects.exists()


def test_accounting_posts_the_entries_and_the_audit_trail_names_them(client, approver, exported_budget):
    budget, job = exported_budget
    client.force_login(approver)
    assert "post_budget_entries" in client.get(CHANGELIST).content.decode()
    response = run_action(client, "post_budget_entries", job)
    assert "Job 2403: 1 budget entries posted." in response.content.decode()
    budget.refresh_from_db()
    assert budget.status == Budget.Status.SYNCED
    posting = StateLog.objects.get(transition="mark_posted")
    assert posting.by == approver


def test_accounting_stages_the_posted_estimate(client, approver, exported_budget):
    _, job = exported_budget
    ERPBudgetEntry.objects.update(posted=True)
    client.force_login(approver)
    response = run_action(client, "stage_estimate", job)
    assert [str(m) for m in response.context["messages"]] == ["Job 2403's estimate is staged under Ready to Import."]
    assert StagedRecord.objects.get().kind == "estimate"
