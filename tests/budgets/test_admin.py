"""The budget screens a project manager uses: upload → preview → confirm, the budget page, the steps."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.budgets.models import BudgetLineItem
from tests.budgets.test_api import FILE

pytestmark = pytest.mark.django_db


def preview(client, budget, text=FILE):
    return client.post(
        reverse("admin:budgets_budgetlineitem_import"),
        {"budget": budget.pk, "format": 0, "import_file": SimpleUploadedFile("budget.csv", text.encode())},
    )


def test_upload_preview_confirm(client, pm, budget):
    client.force_login(pm)
    form = client.get(reverse("admin:budgets_budgetlineitem_import") + f"?budget={budget.pk}")
    assert form.status_code == 200 and "Manual Calculation" in form.content.decode()
    page = preview(client, budget)
    html = page.content.decode()
    assert "4 rows checked" in html and "<strong>4</strong> new lines" in html
    assert not BudgetLineItem.objects.exists()  # the preview writes nothing
    confirm = page.context["confirm_form"]
    response = client.post(reverse("admin:budgets_budgetlineitem_process_import"), confirm.initial, follow=True)
    assert "Budget file imported: 4 new lines" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:budgets_budget_change", args=[budget.pk])
    assert budget.lines.count() == 4


def test_the_import_page_belongs_to_its_budget_and_the_preview_shows_computed_amounts(client, pm, budget):
    client.force_login(pm)
    form = client.get(reverse("admin:budgets_budgetlineitem_import") + f"?budget={budget.pk}").content.decode()
    assert f"<h1>Import a budget file into {budget}</h1>" in form
    assert f'<a href="{reverse("admin:budgets_budget_change", args=[budget.pk])}">{budget}</a>' in form
    page = preview(client, budget)
    diffs = {(row.diff[0], row.diff[1]): row.diff for row in page.context["result"].valid_rows()}
    assert diffs["2300", "3"][6] == "4,500.00"  # Unit Qty × Unit Cost, not an empty cell
    assert diffs["1000", "1"][6] == "30,000.00"


def test_the_preview_shows_each_value_under_its_own_column(client, pm, budget):
    client.force_login(pm)
    page = preview(client, budget, "Original Budget,Cost Type,Cost Code\n30000,1,1000\n")
    rows = page.context["result"].valid_rows()
    assert [str(cell) for cell in rows[0].diff] == ["1000", "1", "", "", "", "", "30,000.00", ""]
    html = page.content.decode()
    assert "The file has no Description, Unit Qty, UOM, Unit Cost columns" in html
    assert "the lines already on the budget keep theirs" in html


def test_preview_lists_every_error_and_offers_no_confirm(client, pm, budget):
    client.force_login(pm)
    html = preview(client, budget, FILE + "9999,1,,,,,5,yes\n1000,1,,,,,1.234,yes\n").content.decode()
    assert "Nothing was imported: 2 rows need correcting" in html
    assert "Cost code 9999 is not one of this project" in html
    assert "more than 2 decimal places" in html
    assert "Confirm import" not in html


def test_preview_names_the_spreadsheet_row_after_blank_rows(client, pm, budget):
    client.force_login(pm)
    html = preview(client, budget, FILE + "\n\n9999,1,,,,,5,yes\n").content.decode()
    bad_row = FILE.count("\n") + 3
    assert f"<tr><td>{bad_row}</td><td>Cost Code</td>" in html


def test_a_viewer_is_told_who_imports_instead_of_a_bare_403(client, viewer, budget):
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    page = client.get(reverse("admin:budgets_budget_change", args=[budget.pk])).content.decode()
    assert 'data-link="import"' not in page
    for response in (
        client.get(reverse("admin:budgets_budgetlineitem_import") + f"?budget={budget.pk}", follow=True),
        client.post(reverse("admin:budgets_budgetlineitem_process_import"), {"budget": budget.pk}, follow=True),
    ):
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("admin:budgets_budget_change", args=[budget.pk])
        assert "a project manager imports them" in response.content.decode()
    assert not budget.lines.exists()


def test_import_refused_on_a_locked_budget(client, pm, budget):
    from apps.budgets import services

    services.budget_lock(budget=budget, user=pm)
    client.force_login(pm)
    html = preview(client, budget).content.decode()
    assert "can only be imported while the budget is unlocked" in html


def test_budget_page_shows_lines_totals_and_steps(client, pm, budget):
    from apps.budgets import budget_file, services

    services.budget_import(budget=budget, dataset=budget_file.read(FILE.encode()), user=pm)
    client.force_login(pm)
    html = client.get(reverse("admin:budgets_budget_change", args=[budget.pk])).content.decode()
    assert 'data-step="lock"' in html and 'data-link="import"' in html
    assert "45,000.00" in html  # the total of the original amounts
    assert "Total (4 lines" in html
    client.post(reverse("admin:budgets_budget_step", args=[budget.pk, "lock"]))
    html = client.get(reverse("admin:budgets_budget_change", args=[budget.pk])).content.decode()
    assert 'data-step="send-to-erp"' in html and 'data-link="import"' not in html
    lines = client.get(reverse("admin:budgets_budgetlineitem_changelist") + f"?budget__id__exact={budget.pk}")
    assert lines.status_code == 200 and "Excavator" in lines.content.decode()


def test_partial_line_and_modification_from_the_admin(client, pm, budget):
    from apps.budgets import budget_file, services
    from apps.jobs.models import CostCode

    services.budget_import(budget=budget, dataset=budget_file.read(FILE.encode()), user=pm)
    services.budget_lock(budget=budget, user=pm)
    client.force_login(pm)
    refused = client.post(
        reverse("admin:budgets_budgetlineitem_add"),
        {
            "budget": budget.pk,
            "cost_code": CostCode.objects.get(code="5100").pk,
            "cost_type": 1,
            "calculation": "manual",
            "original_amount": "10",
        },
    )
    assert "Add a partial line item" in refused.content.decode()
    client.post(
        reverse("admin:budgets_budgetlineitem_add"),
        {
            "budget": budget.pk,
            "cost_code": CostCode.objects.get(code="5100").pk,
            "cost_type": 1,
            "calculation": "manual",
            "original_amount": "0",
            "partial": "on",
        },
    )
    partial = budget.lines.get(partial=True)
    source = budget.lines.get(cost_code__code="1000", cost_type=1)
    response = client.post(
        reverse("admin:budgets_budgetmodification_add"),
        {"budget": budget.pk, "from_line": source.pk, "to_line": partial.pk, "amount": "250.00", "notes": "x"},
    )
    assert response.status_code == 302
    assert budget.modifications.get().amount == 250
    zero = client.post(
        reverse("admin:budgets_budgetmodification_add"),
        {"budget": budget.pk, "from_line": source.pk, "to_line": partial.pk, "amount": "0"},
    )
    assert "moves a positive amount" in zero.content.decode()


def test_a_line_of_an_unlocked_budget_is_edited_in_place_and_a_locked_one_is_read_only(client, pm, budget):
    from apps.budgets import budget_file, services

    services.budget_import(budget=budget, dataset=budget_file.read(FILE.encode()), user=pm)
    concrete = budget.lines.get(cost_code__code="3300", cost_type=4)
    excavator = budget.lines.get(cost_code__code="2300", cost_type=3)  # automatic: 10 × 450
    client.force_login(pm)
    url = reverse("admin:budgets_budgetlineitem_change", args=[concrete.pk])
    page = client.get(url).content.decode()
    assert 'name="original_amount"' in page and 'name="cost_code"' not in page  # the pair is the line's identity

    fields = {"description": "Concrete sub", "calculation": "manual", "quantity": "", "uom": "", "unit_cost": ""}
    saved = client.post(url, {**fields, "original_amount": "52000"})
    assert saved.status_code == 302
    assert budget.lines.get(pk=concrete.pk).original_amount == 52000

    # Only the quantity changed on an automatic line: its amount follows; a typed wrong amount is refused.
    excavator_url = reverse("admin:budgets_budgetlineitem_change", args=[excavator.pk])
    automatic = {"description": "Excavator", "calculation": "automatic", "uom": "day", "unit_cost": "450.00"}
    assert client.post(excavator_url, {**automatic, "quantity": "12", "original_amount": "4500.00"}).status_code == 302
    assert budget.lines.get(pk=excavator.pk).original_amount == 5400
    refused = client.post(excavator_url, {**automatic, "quantity": "12", "original_amount": "6000"})
    assert "6,000.00 is not quantity × unit cost (12 × 450.00 = 5,400.00)" in refused.content.decode()

    services.budget_lock(budget=budget, user=pm)
    page = client.get(url).content.decode()
    assert 'name="original_amount"' not in page and "52,000.00" in page
    assert client.post(url, {**fields, "original_amount": "1"}).status_code == 403
    assert budget.lines.get(pk=concrete.pk).original_amount == 52000


def test_export_from_the_admin(client, pm, budget):
    from apps.budgets import budget_file, services

    services.budget_import(budget=budget, dataset=budget_file.read(FILE.encode()), user=pm)
    client.force_login(pm)
    response = client.get(reverse("admin:budgets_budget_export", args=[budget.pk, "csv"]))
    assert response.content.decode().startswith("Cost Code,Cost Type,Description")
