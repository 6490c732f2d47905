"""No wrong number gets in and nothing typed is lost in the admin: each refusal is shown where the person typed.

A deduction below what a commitment line holds, a modification larger than what a budget line has
left, a partial line typed with an amount, a purchase order line whose typed amount is not its
quantity × unit cost: each is refused with the line named; editing only the quantity of a unit line
recomputes its amount instead. A workflow step clicked with unsaved edits on the page asks to save them.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.budgets.models import Budget, BudgetModification
from apps.change_orders.models import ChangeOrder
from apps.commitments.models import CommitmentLine
from apps.jobs import services as job_services
from apps.jobs.models import CostType
from tests.budgets.factories import BudgetFactory, BudgetLineItemFactory
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.e2e.test_projects import log_in, text_field
from tests.jobs.factories import CostCodeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def save(page):
    page.get_by_role("button", name="Save", exact=True).click()


def refused(page, message):
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text(message)


def test_a_deduction_larger_than_the_commitment_line_is_refused(page, live_server, pm_user):
    subcontract = CommitmentFactory(synced=True, title="Framing")
    line = CommitmentLineFactory(commitment=subcontract, amount=Decimal("125000.00"))
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/change_orders/changeorder/add/?commitment={subcontract.pk}")
    text_field(page, "Title").fill("Scope reduced")
    page.get_by_role("button", name="Add another Change order line").click()
    page.locator("#id_lines-0-commitment_line").select_option(str(line.pk))
    page.locator("#id_lines-0-amount").fill("-200000")
    save(page)
    refused(page, "a deduction of 200,000.00 is more than the 125,000.00 left on it")
    assert not ChangeOrder.objects.exists()


def test_a_modification_larger_than_what_the_line_has_left_is_refused(page, live_server, pm_user):
    budget = BudgetFactory(status=Budget.Status.LOCKED)
    concrete = BudgetLineItemFactory(budget=budget, description="Concrete", original_amount=Decimal("180000.00"))
    steel = BudgetLineItemFactory(budget=budget, description="Steel", original_amount=Decimal("0.00"), partial=True)
    other_budget_line = BudgetLineItemFactory()
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/budgets/budgetmodification/add/")
    page.get_by_label("Budget:", exact=True).select_option(str(budget.pk))  # reloads with the budget's lines
    code = concrete.cost_code.code
    page.locator("#id_from_line").select_option(label=f"{code} Material — Concrete (revised 180,000.00)")
    page.locator("#id_to_line").select_option(label=f"{steel.cost_code.code} Material — Steel (revised 0.00)")
    expect(page.locator("#id_from_line option")).to_have_count(3)  # blank, Concrete, Steel: no other budget's
    expect(page.locator("#id_from_line")).not_to_contain_text(other_budget_line.description)
    page.get_by_label("Amount:").fill("200000")
    save(page)
    refused(page, "has 180,000.00 left: a modification can move at most that out of it, not 200,000.00.")
    assert not BudgetModification.objects.exists()


def test_a_partial_line_typed_with_an_amount_is_refused_not_saved_at_zero(page, live_server, pm_user):
    budget = BudgetFactory(status=Budget.Status.LOCKED)
    code = CostCodeFactory(code="5100", description="Steel")
    BudgetLineItemFactory(budget=budget, cost_code=code, cost_type=CostType.objects.get(code=1))  # assigns 5100
    budget.project.cost_codes.get(cost_code=code).cost_types.add(CostType.objects.get(code=2))
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/budgets/budgetlineitem/add/")
    page.get_by_label("Budget:", exact=True).select_option(str(budget.pk))
    page.locator(".field-cost_code .select2-selection").click()
    page.locator(".select2-search__field").fill("5100")
    page.get_by_role("option", name="5100.000 Steel").click()
    page.get_by_label("Cost type").select_option(label="2 Labor")
    page.get_by_label("Original amount").fill("5000")
    page.get_by_label("Partial").check()
    save(page)
    refused(page, "A partial line has no money of its own")
    assert budget.lines.count() == 1

    page.get_by_label("Original amount").fill("")
    save(page)
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    assert budget.lines.get(cost_type=2).partial


def test_a_purchase_order_line_keeps_quantity_times_unit_cost_without_replacing_a_typed_amount(
    page, live_server, pm_user
):
    order = CommitmentFactory(purchase_order=True, title="Rebar")
    line = CommitmentLineFactory(
        commitment=order,
        cost_type=CostType.objects.get(code=1),
        quantity=Decimal("16"),
        unit_cost=Decimal("125.00"),
        amount=Decimal("2000.00"),
    )
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/commitments/commitment/{order.pk}/change/")

    page.locator("#id_lines-0-amount").fill("2500")
    save(page)
    refused(page, "2,500.00 is not quantity × unit cost (16 × 125.00 = 2,000.00)")
    assert CommitmentLine.objects.get(pk=line.pk).amount == Decimal("2000.00")

    # Only the quantity edited: the amount beside it is the old product, so it is computed again.
    page.goto(f"{live_server.url}/admin/commitments/commitment/{order.pk}/change/")
    page.locator("#id_lines-0-quantity").fill("20")
    save(page)
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert CommitmentLine.objects.get(pk=line.pk).amount == Decimal("2500.00")


def test_a_workflow_step_with_unsaved_edits_asks_to_save_them_first(page, live_server, pm_user, standard_cost_codes):
    project = job_services.project_create(user=pm_user, number="2602", name="Mission Clinic", city="Fresno")
    job_services.project_cost_code_assign(project=project, user=pm_user, code="3300", cost_types=[1])
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/jobs/project/{project.pk}/change/")
    text_field(page, "City").fill("Clovis")
    page.get_by_role("link", name="Send to ERP").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "You have unsaved changes on this page. Save them first (Save and continue editing), then Send to ERP"
    )
    expect(text_field(page, "City")).to_have_value("Clovis")  # nothing was dropped
    assert page.url.endswith(f"/admin/jobs/project/{project.pk}/change/")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    page.get_by_role("link", name="Send to ERP").click()
    page.get_by_role("button", name="Send to ERP").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was sent to accounting")
    project.refresh_from_db()
    assert (project.city, project.erp_status) == ("Clovis", "ready_to_export")
