"""The agent exports every kind the app sends into the SQLite Sage, and the ERP's refusals come back as failures."""

import pytest

from apps.budgets import services as budget_services
from apps.change_orders.models import ChangeOrder
from apps.commitments.models import Commitment
from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest
from apps.jobs.models import Project
from erp_agent import sage_db
from tests.agent.conftest import accepted, init_sage, run_agent, sage_rows, writes_per_key
from tests.budgets.factories import BudgetFactory, BudgetLineItemFactory
from tests.change_orders.factories import ChangeOrderLineFactory
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.jobs.factories import ProjectCostCodeFactory, ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _one_of_each(pm, approver, cost_codes):
    """Accepted requests of every kind: a new job and vendor, and on a synced project a budget, a subcontract and
    a change order of a synced subcontract."""
    project = ProjectFactory(number="P-NEW", name="Riverside Clinic")
    ProjectCostCodeFactory(project=project, cost_code=cost_codes[0], cost_types=[1, 2])
    company = CompanyFactory(name="Granite Supply")
    synced = ProjectFactory(synced=True, number="P-SYNC")
    budget = BudgetFactory(project=synced)
    BudgetLineItemFactory(budget=budget, cost_code=cost_codes[1])
    budget_services.budget_lock(budget=budget, user=pm)
    commitment = CommitmentFactory(project=synced, status=Commitment.Status.APPROVED, title="Site work")
    CommitmentLineFactory(commitment=commitment, cost_code=cost_codes[2])
    change = ChangeOrderLineFactory(change_order__status=ChangeOrder.Status.APPROVED).change_order
    return (
        {
            "job": accepted(project, pm=pm, approver=approver, inputs={"erp_job_id": "4100"}),
            "vendor": accepted(company, pm=pm, approver=approver, inputs={"erp_vendor_id": "6100", "vendor_type": "1"}),
            "budget": accepted(budget, pm=pm, approver=approver),
            "commitment": accepted(commitment, pm=pm, approver=approver),
            "change_order": accepted(change, pm=pm, approver=approver),
        },
        synced,
        commitment,
        change,
    )


def test_every_kind_is_written_once_and_synced_with_the_erp_ids(
    agent_mode, live_server, token, sage, pm, approver, cost_codes
):
    requests, synced, commitment, change = _one_of_each(pm, approver, cost_codes)
    init_sage(live_server.url, token, sage)

    done = run_agent(live_server.url, token, f"sqlite:{sage}", "--once")

    assert done.returncode == 0, done.stderr
    by_kind = {kind: ERPRequest.objects.get(pk=r.pk) for kind, r in requests.items()}
    assert {kind: r.status for kind, r in by_kind.items()} == dict.fromkeys(requests, "synced"), {
        kind: r.messages for kind, r in by_kind.items()
    }
    job_id, co_job = synced.erp_id, change.commitment.project.erp_id
    assert by_kind["job"].erp_ids == {"job_id": "4100"}
    assert by_kind["vendor"].erp_ids == {"vendor_id": "6100"}
    assert by_kind["budget"].erp_ids == {"job_id": job_id, "entries": "1"}
    assert by_kind["commitment"].erp_ids == {"job_id": job_id, "number": commitment.number}
    assert by_kind["change_order"].erp_ids == {
        "job_id": co_job,
        "commitment_number": change.commitment.erp_id,
        "number": change.number,
    }
    assert Project.objects.get(number="P-NEW").erp_id == "4100"
    # What Sage holds now, each write once.
    assert sage_rows(sage, "SELECT name, source FROM jobs WHERE job_id = '4100'") == [("Riverside Clinic", "exported")]
    assert sage_rows(sage, "SELECT cost_code, cost_type FROM job_cost_types WHERE job_id = '4100'") == [
        (f"{cost_codes[0].code}", 1),
        (f"{cost_codes[0].code}", 2),
    ]
    assert sage_rows(sage, "SELECT name, vendor_type FROM vendors WHERE vendor_id = '6100'") == [("Granite Supply", 1)]
    assert sage_rows(sage, "SELECT amount, posted FROM budget_entries WHERE job_id = ?", job_id) == [("1000.00", 0)]
    assert sage_rows(sage, "SELECT kind, number FROM commitments WHERE source = 'exported'") == [
        ("subcontract", commitment.number)
    ]
    # A subcontract change order raises the job's budget in Sage.
    assert sage_rows(sage, "SELECT amount, kind FROM budget_entries WHERE job_id = ?", co_job) == [
        ("500.00", "commitment_change")
    ]
    keys = {str(r.idempotency_key) for r in requests.values()}
    assert writes_per_key(sage) == dict.fromkeys(keys, 1)
    assert {key for (key,) in sage_rows(sage, "SELECT idempotency_key FROM writes")} == keys


def test_the_erps_refusal_fails_the_request_and_a_retry_with_another_id_is_written(
    agent_mode, live_server, token, sage, pm, approver, cost_codes
):
    project = ProjectFactory(number="P-TAKEN")
    ProjectCostCodeFactory(project=project, cost_code=cost_codes[0], cost_types=[1])
    init_sage(live_server.url, token, sage)
    with sage_db.connect(sage) as connection:  # accounting keyed job 4200 in Sage; the app was never told
        sage_db.put_job(connection, "4200", {"name": "Keyed in Sage"})
    request = accepted(project, pm=pm, approver=approver, inputs={"erp_job_id": "4200"})

    first = run_agent(live_server.url, token, f"sqlite:{sage}", "--once")

    assert first.returncode == 0, first.stderr
    request.refresh_from_db()
    assert request.status == "failed"
    assert request.messages == ["Job 4200 already exists in the ERP. Enter another job code."]
    assert Project.objects.get(pk=project.pk).erp_status == "failed"
    assert sage_rows(sage, "SELECT name FROM jobs WHERE job_id = '4200'") == [("Keyed in Sage",)]

    erp_services.request_retry(request=request, user=approver, inputs={"erp_job_id": "4201"})
    second = run_agent(live_server.url, token, f"sqlite:{sage}", "--once")

    assert second.returncode == 0, second.stderr
    request.refresh_from_db()
    assert (request.status, request.erp_ids, request.attempts) == ("synced", {"job_id": "4201"}, 2)
    assert writes_per_key(sage) == {str(request.idempotency_key): 1}
