"""A budget's whole way into the ERP, clicked through the admin by a project manager and an approver.

Upload a file, preview, confirm, lock, send; the approver rejects with a reason; edit; send again;
accept; post in the ERP; then a partial line and a modification are sent, and only those new
transactions reach the ledger.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.budgets import selectors
from apps.budgets.admin import line_choice_label
from apps.budgets.models import Budget, BudgetLineItem
from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest
from apps.jobs import services as job_services
from apps.jobs.models import Project
from apps.ledger.models import ERPBudgetEntry
from tests.e2e.test_projects import log_in, text_field

pytestmark = pytest.mark.django_db(transaction=True)

JOB_ID = "7101"
PROJECT = "2701 Riverside Depot"
BUDGET = f"Budget of {PROJECT}"
HEADER = "Cost Code,Cost Type,Description,Unit Qty,UOM,Unit Cost,Original Budget,Manual Calculation\n"
BAD_FILE = HEADER + (
    '1000,Material,Site materials,,,,"$30,000.00",yes\n'
    '9999,Labor,Unknown code,,,,"1,000.00",yes\n'
    '2300,Equipment,Excavator,10,day,450.00,"1,234.567",yes\n'
)
FIRST_FILE = HEADER + (
    '1000,Material,Site materials,,,,"$30,000.00",yes\n'
    '1000,Labor,Site crew,,,,"12,500.00",yes\n'
    "2300,Equipment,Excavator,10,day,450.00,,no\n"
    '3300,Subcontract,Concrete sub,,,,"$48,000.00",yes\n'
)
# What accounting asked for: the concrete subcontract at its quoted price.
CORRECTED_FILE = FIRST_FILE.replace("$48,000.00", "$52,000.00")
REASON = "The concrete subcontract is quoted at $52,000.00, not $48,000.00: correct line 3300/4."


def synced_project(pm, approver):
    """Project 2701, sent by the PM and accepted by accounting: synced with ERP job 7101."""
    project = job_services.project_create(
        user=pm, number="2701", name="Riverside Depot", address="9 Levee Rd", city="Sacramento", state="CA"
    )
    for code, cost_types in {"1000": [1, 2], "2300": [2, 3], "3300": [1, 4]}.items():
        job_services.project_cost_code_assign(project=project, user=pm, code=code, cost_types=cost_types)
    _, request = erp_services.record_send(record=project, user=pm)
    # Outside any transaction the ledger export runs as soon as the accept commits.
    erp_services.request_accept(request=request, user=approver, inputs={"erp_job_id": JOB_ID})
    project.refresh_from_db()
    assert project.erp_status == Project.ERPStatus.SYNCED
    return project


def open_model(page, app_name, model_name):
    """From the admin index, a model of an app section (by its row: the Budgets app has a Budgets model)."""
    page.locator("#site-name a").click()
    section = page.get_by_role("table", name=app_name)
    section.get_by_role("rowheader", name=model_name, exact=True).get_by_role("link").click()


def budget_status(page, text):
    expect(page.locator(".field-status_badge")).to_contain_text(text)


def step(page, name, label):
    """A workflow button on the record's page, then its confirmation page's button."""
    page.locator(f'.object-tools a[data-step="{name}"]').click()
    page.get_by_role("button", name=label, exact=True).click()


def upload(page, path):
    """On the import page: the budget is the one the page was opened from; CSV; the file."""
    expect(page.get_by_label("Budget")).to_have_value(str(Budget.objects.get().pk))
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_label("File to import").set_input_files(path)
    page.get_by_role("button", name="Submit").click()


def create_budget(page):
    open_model(page, "Budgets", "Budgets")
    page.get_by_role("link", name="Add budget").click()
    page.locator(".field-project .select2-selection").click()
    page.locator(".select2-search__field").fill("2701")
    page.get_by_role("option", name=PROJECT).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    page.locator("#result_list").get_by_role("link", name=PROJECT).click()
    budget_status(page, "Unlocked")


def saved_lines():
    return sorted(BudgetLineItem.objects.values_list("cost_code__code", "cost_type", "original_amount"))


def import_file(page, tmp_path, *, content, name, counts, from_budget_page=True):
    """Upload → preview (nothing written yet) → confirm: back on the budget page with its lines."""
    path = tmp_path / name
    path.write_text(content)
    if from_budget_page:
        page.locator('.object-tools a[data-link="import"]').click()
    before = saved_lines()
    upload(page, path)
    expect(page.locator(".budget-import-counts")).to_contain_text(counts)
    assert saved_lines() == before  # the preview writes nothing
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("Budget file imported")


def bad_file_is_refused(page, tmp_path):
    path = tmp_path / "budget-bad.csv"
    path.write_text(BAD_FILE)
    page.locator('.object-tools a[data-link="import"]').click()
    upload(page, path)
    expect(page.get_by_role("heading", name="Nothing was imported: 2 rows need correcting")).to_be_visible()
    errors = page.locator(".budget-import-errors tbody tr")
    expect(errors).to_have_count(2)
    # Row 3 of the file (its header is row 1): the unknown cost code; row 4: the amount with three decimals.
    unknown = errors.filter(has_text="Cost code 9999 is not one of this project's cost codes").locator("td")
    expect(unknown).to_have_text(["3", "Cost Code", re.compile("add it to the project first")])
    decimals = errors.filter(has_text="has more than 2 decimal places").locator("td")
    expect(decimals).to_have_text(["4", "Original Budget", re.compile("1,234.567")])
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert not BudgetLineItem.objects.exists()


def open_request(page, record, status="Ready to export"):
    """The approver's queue: the record's open request, opened from the list."""
    open_model(page, "ERP Integrations", "ERP requests")
    row = page.locator("#result_list tbody tr").filter(has_text=record).filter(has_text=status)
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()


def accept(page):
    open_request(page, BUDGET)
    page.get_by_role("link", name="Accept and export").click()
    expect(page.locator(".workflow-step-page input:not([type=hidden]):not([type=submit])")).to_have_count(0)
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".messagelist .success")).to_contain_text("it is written into the ERP")
    expect(page.locator(".field-status_badge")).to_contain_text("Synced")


def reject(page, reason):
    open_request(page, BUDGET)
    page.get_by_role("link", name="Reject", exact=True).click()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Rejected")


def post_entries_in_the_erp(page, expected):
    """Sage's Job Cost → Post Entries, as the ledger's admin action on the job."""
    open_model(page, "ERP ledger (embedded Sage 100 Contractor)", "ERP jobs")
    page.locator("#result_list tbody tr").filter(has_text=JOB_ID).locator("input.action-select").check()
    page.get_by_role("combobox", name="Action").select_option(label="Post budget entries (Job Cost → Post Entries)")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Job {JOB_ID}: {expected} budget entries posted.")


def add_partial_line(page, budget):
    open_model(page, "Budgets", "Budget line items")
    page.get_by_role("link", name="Add budget line item").click()
    page.get_by_label("Budget:", exact=True).select_option(label=BUDGET)
    page.locator(".field-cost_code .select2-selection").click()
    page.locator(".select2-search__field").fill("2300")
    page.get_by_role("option", name="2300.000 Earthwork").click()
    page.get_by_label("Cost type").select_option(label="2 Labor")
    text_field(page, "Description").fill("Trench crew")
    page.get_by_label("Partial").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    return budget.lines.get(cost_code__code="2300", cost_type=2)


def add_modification(page, from_line, to_line, amount):
    open_model(page, "Budgets", "Budget modifications")
    page.get_by_role("link", name="Add budget modification").click()
    page.get_by_label("Budget:", exact=True).select_option(label=BUDGET)
    # Choosing the budget lists its lines (the page reloads with it): picked by what a person reads.
    for field, line in (("from_line", from_line), ("to_line", to_line)):
        listed = selectors.line_list(budget=line.budget_id).get(pk=line.pk)
        page.locator(f"#id_{field}").select_option(label=line_choice_label(listed))
    page.get_by_label("Amount:").fill(amount)
    page.get_by_label("Notes").fill("Trenching moved from materials to the crew.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")


def open_budget(page, budget):
    open_model(page, "Budgets", "Budgets")
    page.get_by_role("link", name=PROJECT).click()
    expect(page).to_have_url(re.compile(rf"/admin/budgets/budget/{budget.pk}/change/$"))


def test_budget_is_imported_rejected_fixed_exported_posted_and_updated(
    page, new_context, live_server, tmp_path, pm_user, approver_user, standard_cost_codes
):
    synced_project(pm_user, approver_user)
    pm = page
    approver = new_context().new_page()  # accounting's own browser session
    log_in(pm, live_server, pm_user)
    log_in(approver, live_server, approver_user)

    # The PM creates the budget, tries a bad file, then imports a good one.
    create_budget(pm)
    budget = Budget.objects.get()
    bad_file_is_refused(pm, tmp_path)
    # Still on the import page, the PM uploads the good file.
    first = {"content": FIRST_FILE, "name": "budget.csv", "counts": "4 rows checked: 4 new lines"}
    import_file(pm, tmp_path, **first, from_budget_page=False)
    lines = pm.locator(".field-lines_summary table.budget-lines")
    expect(lines.locator("tbody tr")).to_have_count(4)
    expect(lines.locator("tbody tr").filter(has_text="Excavator")).to_contain_text("4,500.00")
    expect(lines.locator("tfoot")).to_contain_text("Total (4 lines")
    expect(lines.locator("tfoot")).to_contain_text("95,000.00")

    step(pm, "lock", "Lock")
    expect(pm.locator(".messagelist .success")).to_contain_text("is locked")
    budget_status(pm, "Locked")
    expect(pm.locator('.object-tools a[data-link="import"]')).to_have_count(0)  # import only while unlocked
    step(pm, "send-to-erp", "Send to ERP")
    expect(pm.locator(".messagelist .success")).to_contain_text("was sent to accounting")
    budget_status(pm, "Sent, awaiting accounting")

    # Accounting rejects it; the PM reads why.
    reject(approver, REASON)
    pm.reload()
    budget_status(pm, "Rejected by accounting")
    expect(pm.locator(".field-rejection_reason")).to_contain_text(REASON)
    # "Resend to ERP" would send it as it is; changing an original amount needs the budget unlocked.
    expect(pm.locator('.object-tools a[data-step="resend"]')).to_have_text("Resend to ERP")

    # The PM unlocks, re-imports the corrected file, locks and sends again (from locked the step is "Send").
    step(pm, "unlock", "Unlock")
    budget_status(pm, "Unlocked")
    expect(pm.locator(".field-rejection_reason")).to_contain_text(REASON)  # still there while it is fixed
    import_file(
        pm, tmp_path, content=CORRECTED_FILE, name="budget-fixed.csv", counts="4 rows checked: 0 new lines, 1 updated"
    )
    expect(lines.locator("tfoot")).to_contain_text("99,000.00")
    step(pm, "lock", "Lock")
    step(pm, "send-to-erp", "Send to ERP")
    budget_status(pm, "Sent, awaiting accounting")

    # Accounting accepts (a budget needs no ERP ids) and the entries wait for posting in the ERP.
    accept(approver)
    approver.locator(".field-record_link").get_by_role("link", name=BUDGET).click()
    budget_status(approver, "Exported, awaiting posting in the ERP")
    pm.reload()
    budget_status(pm, "Exported, awaiting posting in the ERP")
    expect(pm.locator('.object-tools a[data-step="send-to-erp"]')).to_have_count(0)

    post_entries_in_the_erp(approver, expected=4)
    open_budget(approver, budget)
    budget_status(approver, "Synced")

    # An update after export: a partial line, funded by a modification, sent and accepted.
    partial = add_partial_line(pm, budget)
    add_modification(pm, budget.lines.get(cost_code__code="1000", cost_type=1), partial, "2500.00")
    open_budget(pm, budget)
    budget_status(pm, "Synced")
    trench = lines.locator("tbody tr").filter(has_text="Trench crew")
    expect(trench).to_contain_text("(partial)")
    expect(trench).to_contain_text("Not sent yet")
    expect(trench.locator("td strong")).to_have_text("2,500.00")
    materials = lines.locator("tbody tr").filter(has_text="Site materials")
    expect(materials.locator("td").nth(5)).to_have_text("2,500.00")  # modifications out
    expect(materials.locator("td strong")).to_have_text("27,500.00")
    expect(lines.locator("tfoot")).to_contain_text("99,000.00")  # a modification moves money, net zero
    step(pm, "send-to-erp", "Send to ERP")
    expect(pm.locator(".messagelist .success")).to_contain_text("was sent to accounting")
    accept(approver)

    # Only the new transactions reached the ledger: the original estimate is there once.
    budget.refresh_from_db()
    assert budget.status == Budget.Status.AWAITING_POSTING
    requests = list(ERPRequest.objects.filter(kind="budget").order_by("pk"))
    assert [r.status for r in requests] == [ERPRequest.Status.REJECTED, *[ERPRequest.Status.SYNCED] * 2]
    last = requests[-1]
    assert len(last.payload["transactions"]) == 2
    entries = ERPBudgetEntry.objects.filter(job__job_id=JOB_ID)
    originals = entries.filter(kind=ERPBudgetEntry.Kind.ORIGINAL)
    assert sorted((e.cost_code.code, e.cost_type_id, e.amount, e.posted) for e in originals) == [
        ("1000.000", 1, Decimal("30000.00"), True),
        ("1000.000", 2, Decimal("12500.00"), True),
        ("2300.000", 3, Decimal("4500.00"), True),
        ("3300.000", 4, Decimal("52000.00"), True),
    ]
    assert {e.request_key for e in originals} == {requests[1].idempotency_key}
    changes = entries.filter(kind=ERPBudgetEntry.Kind.CHANGE)
    assert sorted((e.cost_code.code, e.cost_type_id, e.amount, e.posted) for e in changes) == [
        ("1000.000", 1, Decimal("-2500.00"), False),
        ("2300.000", 2, Decimal("2500.00"), False),
    ]
    assert {e.request_key for e in changes} == {last.idempotency_key}
    assert entries.count() == 6
