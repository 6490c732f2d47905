"""Nothing is lost in the admin: a re-import keeps what its file does not carry, a line is fixed in place, a
synced commitment saves what may change, and Delete is offered only where it can succeed.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.budgets.models import Budget, BudgetLineItem
from tests.budgets.factories import BudgetFactory, BudgetLineItemFactory
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.e2e.test_projects import log_in, text_field

pytestmark = pytest.mark.django_db(transaction=True)


def upload_and_confirm(page, live_server, budget, tmp_path, content):
    path = tmp_path / "budget.csv"
    path.write_text(content)
    page.goto(f"{live_server.url}/admin/budgets/budgetlineitem/import/?budget={budget.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import a budget file into {budget}")
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_label("File to import").set_input_files(path)
    page.get_by_role("button", name="Submit").click()


def test_a_reimport_without_a_description_column_keeps_the_descriptions(page, live_server, pm_user, tmp_path):
    budget = BudgetFactory()
    line = BudgetLineItemFactory(budget=budget, description="Site materials", original_amount=Decimal("30000"))
    log_in(page, live_server, pm_user)
    upload_and_confirm(
        page, live_server, budget, tmp_path, f"Cost Code,Cost Type,Original Budget\n{line.cost_code.code},1,35000\n"
    )
    expect(page.locator(".budget-import-missing")).to_contain_text("The file has no Description, Unit Qty, UOM")
    preview = page.locator("table.import-preview tbody tr").first.locator("td")
    expect(preview.nth(2)).to_have_text("")  # Description: not under the amount
    expect(preview.nth(6)).to_have_text("35,000.00")
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("Budget file imported: 0 new lines, 1 updated")
    line.refresh_from_db()
    assert (line.description, line.original_amount) == ("Site materials", Decimal("35000.00"))


def test_a_line_of_an_unlocked_budget_is_fixed_in_place(page, live_server, pm_user):
    budget = BudgetFactory()
    line = BudgetLineItemFactory(budget=budget, description="Concrete sub", original_amount=Decimal("48000"))
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/budgets/budgetlineitem/{line.pk}/change/")
    page.get_by_label("Original amount").fill("52000")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert BudgetLineItem.objects.get(pk=line.pk).original_amount == Decimal("52000.00")

    Budget.objects.filter(pk=budget.pk).update(status=Budget.Status.LOCKED)
    page.goto(f"{live_server.url}/admin/budgets/budgetlineitem/{line.pk}/change/")
    expect(page.locator(".field-original .readonly")).to_have_text("52,000.00")
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    # A locked line with money can never be deleted: no Delete is offered.
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    page.goto(f"{live_server.url}/admin/budgets/budgetlineitem/{line.pk}/delete/")
    expect(page.locator(".messagelist .error")).to_contain_text(
        "only $0 lines can be deleted once the budget is locked"
    )
    assert BudgetLineItem.objects.filter(pk=line.pk).exists()


def test_a_synced_commitment_saves_its_title_and_shows_the_locked_fields_read_only(page, live_server, pm_user):
    commitment = CommitmentFactory(synced=True, title="Framing")
    CommitmentLineFactory(commitment=commitment, amount=Decimal("125000.00"))
    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/commitments/commitment/{commitment.pk}/change/")
    expect(page.locator(".field-vendor .readonly")).to_contain_text(commitment.vendor.name)
    expect(page.locator("#lines-group")).to_contain_text("125,000.00")
    text_field(page, "Title").fill("Framing and drywall")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    commitment.refresh_from_db()
    assert commitment.title == "Framing and drywall"
