"""A subcontract and its change order, clicked through the admin by a project manager and an approver.

The PM adds the subcontract with its schedule of values inline, approves and sends it; accounting
accepts it into the ERP; the PM adds a change order from the commitment, submits, approves and
sends it; accounting accepts, and the ERP's budget for the changed cost code rises.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.change_orders.models import ChangeOrder
from apps.commitments.models import Commitment
from apps.erp_queue import services as erp_services
from apps.jobs import services as job_services
from apps.ledger.models import ERPBudgetEntry, ERPChangeOrder, ERPCommitment
from tests.commitments.factories import linked_vendor
from tests.e2e.test_projects import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = "2801 Canal Street Lofts"


def synced_project(pm, approver):
    project = job_services.project_create(user=pm, number="2801", name="Canal Street Lofts", city="Fresno", state="CA")
    job_services.project_cost_code_assign(project=project, user=pm, code="2300", cost_types=[4])
    job_services.project_cost_code_assign(project=project, user=pm, code="3300", cost_types=[1, 4])
    _, request = erp_services.record_send(record=project, user=pm)
    erp_services.request_accept(request=request, user=approver, inputs={"erp_job_id": "7201"})
    return project


def open_model(page, app_name, model_name):
    """From the admin index, a model of an app section (by its row: the Commitments app has a Commitments model)."""
    page.locator("#site-name a").click()
    section = page.get_by_role("table", name=app_name)
    section.get_by_role("rowheader", name=model_name, exact=True).get_by_role("link").click()


def autocomplete(page, field, search, option):
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(search)
    page.get_by_role("option", name=option).click()


def step(page, name, label):
    page.locator(f'.object-tools a[data-step="{name}"]').click()
    page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def accept(page, record):
    open_model(page, "ERP Integrations", "ERP requests")
    row = page.locator("#result_list tbody tr").filter(has_text=record).filter(has_text="Ready to export")
    row.get_by_role("link").first.click()
    page.get_by_role("link", name="Accept and export").click()
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".messagelist .success")).to_contain_text("it is written into the ERP")


def test_subcontract_and_change_order_reach_the_erp(
    page, new_context, live_server, pm_user, approver_user, standard_cost_codes
):
    synced_project(pm_user, approver_user)
    linked_vendor("Sierra Drywall")
    pm = page
    approver = new_context().new_page()
    log_in(pm, live_server, pm_user)
    log_in(approver, live_server, approver_user)

    # The PM adds the subcontract with two schedule of values lines.
    open_model(pm, "Commitments", "Commitments")
    pm.get_by_role("link", name="Add commitment").click()
    autocomplete(pm, "project", "2801", PROJECT)
    pm.locator("#id_type").select_option("subcontract")
    pm.locator("#id_title").fill("Framing and drywall")
    autocomplete(pm, "vendor", "Sierra", "Sierra Drywall")
    pm.locator("#id_retainage_percent").fill("10")
    pm.locator("#id_accounting_method").select_option("amount")
    for i, (code, amount) in enumerate([("2300.000 Earthwork", "12000"), ("3300.000 Cast-in-Place Concrete", "30000")]):
        pm.get_by_role("button", name="Add another Schedule of values line").click()
        pm.locator(f"#id_lines-{i}-cost_code").select_option(label=code)
        pm.locator(f"#id_lines-{i}-cost_type").select_option(label="4 Subcontract")
        pm.locator(f"#id_lines-{i}-amount").fill(amount)
    pm.get_by_role("button", name="Save", exact=True).click()
    expect(pm.locator(".messagelist .success")).to_contain_text("was added successfully")
    pm.locator("#result_list").get_by_role("link", name="SC-001").click()
    expect(pm.locator(".field-revised_amount")).to_contain_text("42,000.00")

    step(pm, "approve", "Approve")
    expect(pm.locator(".field-status_badge")).to_contain_text("Approved")
    step(pm, "send-to-erp", "Send to ERP")
    expect(pm.locator(".field-erp_status_badge")).to_contain_text("Sent, awaiting accounting")

    accept(approver, "SC-001")
    erp = ERPCommitment.objects.get(job__job_id="7201", number="SC-001")
    assert sorted(erp.lines.values_list("line_number", "amount")) == [(1, Decimal("12000")), (2, Decimal("30000"))]

    # Synced: the PM changes it through a change order, added from the commitment's page.
    pm.reload()
    expect(pm.locator(".field-erp_status_badge")).to_contain_text("Synced")
    pm.locator('.object-tools a[data-link="add-change-order"]').click()
    pm.locator("#id_title").fill("Rock at grid C")
    pm.locator("#id_description").fill("Extra excavation")
    pm.get_by_role("button", name="Add another Change order line").click()
    pm.locator("#id_lines-0-commitment_line").select_option(label="Line 1: 2300.000 Subcontract (12,000.00)")
    pm.locator("#id_lines-0-amount").fill("1500")
    pm.get_by_role("button", name="Save", exact=True).click()
    expect(pm.locator(".messagelist .success")).to_contain_text("was added successfully")
    pm.locator("#result_list").get_by_role("link", name="001").click()
    for name, label in [("submit", "Submit"), ("approve", "Approve"), ("send-to-erp", "Send to ERP")]:
        step(pm, name, label)
    expect(pm.locator(".field-erp_status_badge")).to_contain_text("Sent, awaiting accounting")

    accept(approver, "CCO 001")
    assert ChangeOrder.objects.get().erp_status == "synced"
    assert Commitment.objects.get().erp_status == "synced"
    assert ERPChangeOrder.objects.get().lines.get().amount == Decimal("1500")
    raised = ERPBudgetEntry.objects.get(kind="commitment_change")
    assert (raised.cost_code.code, raised.cost_type_id, raised.amount) == ("2300.000", 4, Decimal("1500"))
