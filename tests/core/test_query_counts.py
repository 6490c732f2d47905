"""Query counts of every list endpoint and admin changelist, pinned as absolute baselines.

Each list is read with a few rows and again with more: the same count means no query per row.
Where a list does repeat queries per row, both numbers are pinned and marked GROWS PER ROW.
"""

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from tests.budgets.factories import BudgetFactory, BudgetLineItemFactory, BudgetModificationFactory
from tests.change_orders.factories import ChangeOrderLineFactory
from tests.commitments.factories import CommitmentLineFactory
from tests.erp_queue.factories import ERPRequestFactory, StagedRecordFactory
from tests.jobs.factories import CostCodeFactory, ProjectCostCodeFactory, ProjectFactory
from tests.querycount import assert_queries
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db

FEW, MORE = 2, 5


def projects(n, **_):
    for _ in range(n):
        ProjectCostCodeFactory(cost_types=[1, 2])


def cost_codes(n, **_):
    CostCodeFactory.create_batch(n)


def companies(n, **_):
    for _ in range(n):
        CompanyFactory(synced=True).projects.add(ProjectFactory())


def budgets(n, **_):
    for _ in range(n):
        BudgetLineItemFactory(budget=BudgetFactory(status="locked"))


def line_items(n, *, budget, **_):
    BudgetLineItemFactory.create_batch(n, budget=budget)


def modifications(n, *, budget, **_):
    BudgetModificationFactory.create_batch(n, budget=budget)


def commitments(n, **_):
    for _ in range(n):
        CommitmentLineFactory()


def change_orders(n, **_):
    for _ in range(n):
        ChangeOrderLineFactory()


def erp_requests(n, **_):
    for i in range(n):
        if i % 2:
            ERPRequestFactory(record=CompanyFactory(erp_status="ready_to_export"))
        else:
            ERPRequestFactory()


def staged_records(n, **_):
    for i in range(n):
        StagedRecordFactory(job=bool(i % 2))


def audit_events(n, *, user, **_):
    for _ in range(n):
        StateLog.objects.create(
            content_object=ProjectFactory(),
            transition="send",
            source_state="not_synced",
            state="ready_to_export",
            by=user,
        )


# name: (url or callable(budget) -> url, make rows, (queries with FEW rows, queries with MORE rows))
API_LISTS = {
    "projects": ("/api/v1/projects/", projects, (7, 7)),
    "cost-codes": ("/api/v1/cost-codes/", cost_codes, (5, 5)),
    "companies": ("/api/v1/companies/", companies, (6, 6)),
    "budgets": ("/api/v1/budgets/", budgets, (5, 5)),
    "budget-line-items": (lambda budget: f"/api/v1/budgets/{budget.pk}/line-items/", line_items, (6, 6)),
    "commitments": ("/api/v1/commitments/", commitments, (6, 6)),
    "change-orders": ("/api/v1/change-orders/", change_orders, (6, 6)),
    "erp-requests": ("/api/v1/erp/requests/", erp_requests, (4, 4)),  # paged by cursor: no count
    "staged-records": ("/api/v1/erp/staged-records/", staged_records, (6, 6)),
    "audit-events": ("/api/v1/audit-events/", audit_events, (4, 4)),  # paged by cursor: no count
}

# name: (admin changelist url name, make rows, who reads it, (queries with FEW rows, with MORE rows))
ADMIN_CHANGELISTS = {
    "projects": ("admin:jobs_project_changelist", projects, "pm", (9, 9)),
    "companies": ("admin:vendors_company_changelist", companies, "pm", (9, 9)),  # + the ERP vendor types, once
    "budgets": ("admin:budgets_budget_changelist", budgets, "pm", (7, 7)),
    "budget-lines": ("admin:budgets_budgetlineitem_changelist", line_items, "pm", (10, 10)),
    "modifications": ("admin:budgets_budgetmodification_changelist", modifications, "pm", (9, 9)),
    "commitments": ("admin:commitments_commitment_changelist", commitments, "pm", (9, 9)),
    "change-orders": ("admin:change_orders_changeorder_changelist", change_orders, "pm", (10, 10)),
    # + a capped figure per kind tab (5), Ready to update and Ready to import; no full count
    "erp-requests": ("admin:erp_queue_erprequest_changelist", erp_requests, "approver", (13, 13)),
    "staged-records": ("admin:erp_queue_stagedrecord_changelist", staged_records, "approver", (8, 8)),
    "history": ("admin:core_historyentry_changelist", audit_events, "approver", (7, 7)),  # + the records named
}


def _count_rows(data):
    if isinstance(data, dict):  # a page: counted, or (by cursor) only its rows
        return data["count"] if "count" in data else len(data["results"])
    return len(data)


@pytest.mark.parametrize("name", API_LISTS)
def test_api_list_query_count(name, api_as, pm):
    url, make, (few, more) = API_LISTS[name]
    budget = BudgetFactory(status="locked")
    if callable(url):
        url = url(budget)
    client = api_as(pm)
    before = _count_rows(client.get(url).json())
    make(FEW, budget=budget, user=pm)
    with assert_queries(few, label=f"{url} with {FEW} rows"):
        response = client.get(url)
    assert response.status_code == 200
    assert _count_rows(response.json()) >= before + FEW
    make(MORE - FEW, budget=budget, user=pm)
    with assert_queries(more, label=f"{url} with {MORE} rows"):
        response = client.get(url)
    assert _count_rows(response.json()) >= before + MORE


@pytest.mark.parametrize("name", ADMIN_CHANGELISTS)
def test_admin_changelist_query_count(name, client, request):
    url_name, make, role, (few, more) = ADMIN_CHANGELISTS[name]
    user = request.getfixturevalue(role)
    budget = BudgetFactory(status="locked")
    client.force_login(user)
    url = reverse(url_name)
    # Read once first: caches filled by the first request of a process (content types) do not count.
    assert client.get(url).status_code == 200
    make(FEW, budget=budget, user=user)
    with assert_queries(few, label=f"{url} with {FEW} rows"):
        response = client.get(url)
    assert response.status_code == 200
    make(MORE - FEW, budget=budget, user=user)
    with assert_queries(more, label=f"{url} with {MORE} rows"):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= MORE
