"""Vendors both ways, clicked through the admin: ERP vendors linked, added, archived and unlinked; a company
sent, retrieved, rejected, resent, failed in the ERP, retried and synced."""

import pytest
from playwright.sync_api import expect

from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import Origin
from apps.ledger.models import ERPVendor
from apps.vendors import services as vendor_services
from apps.vendors.models import Company
from tests.e2e.test_projects import log_in, log_out, open_model, text_field

pytestmark = pytest.mark.django_db(transaction=True)

LEDGER = "ERP ledger (embedded Sage 100 Contractor)"


def key_vendor_in_the_erp(page, *, vendor_id, name, vendor_type, tax_id=""):
    open_model(page, LEDGER, "ERP vendors")
    page.get_by_role("link", name="Add ERP vendor").click()
    text_field(page, "Vendor id").fill(vendor_id)
    text_field(page, "Name").fill(name)
    page.locator("#id_vendor_type").select_option(label=vendor_type)
    text_field(page, "City").fill("Modesto")
    text_field(page, "State").fill("CA")
    text_field(page, "Federal tax id").fill(tax_id)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Vendor {vendor_id} is staged under Ready to Import")


def open_companies(page):
    """From the admin index to the company directory (the Companies app's Companies model, by its row)."""
    page.locator("#site-name a").click()
    page.locator("#vendors-company").get_by_role("link", name="Companies").click()


def staged_row(page, erp_id):
    return page.locator("#result_list tbody tr").filter(has_text=erp_id)


def open_staged(page, erp_id):
    open_model(page, "ERP Integrations", "Staged ERP records")
    staged_row(page, erp_id).get_by_role("link").first.click()


def take_step(page, label, confirm=None):
    page.get_by_role("link", name=label, exact=True).click()
    page.get_by_role("button", name=confirm or label, exact=True).click()


def test_erp_vendors_are_linked_added_archived_and_unlinked(page, live_server, pm_user, approver_user):
    acme = vendor_services.company_create(user=pm_user, name="Acme Concrete", city="Modesto", state="CA")
    bay = vendor_services.company_create(user=pm_user, name="Bay Area Electric", city="Hayward", state="CA")
    log_in(page, live_server, approver_user)
    key_vendor_in_the_erp(page, vendor_id="2001", name="ACME CONCRETE, INC.", vendor_type="1 Subcontractor")
    key_vendor_in_the_erp(page, vendor_id="2002", name="Bay Area Electric LLC", vendor_type="1 Subcontractor")
    key_vendor_in_the_erp(page, vendor_id="2003", name="Bay Area Electric Inc", vendor_type="2 Material supplier")
    key_vendor_in_the_erp(page, vendor_id="2004", name="Harbor Crane Rental", vendor_type="3 Equipment rental")
    key_vendor_in_the_erp(page, vendor_id="2005", name="Old Quarry Supply", vendor_type="2 Material supplier")

    # Ready to Import shows each ERP vendor's suggested companies and why.
    open_model(page, "ERP Integrations", "Staged ERP records")
    expect(staged_row(page, "2001")).to_contain_text("Acme Concrete")
    expect(staged_row(page, "2001")).to_contain_text("same name apart from case, punctuation and legal suffix")
    expect(staged_row(page, "2004")).not_to_contain_text("same name")

    # Link all suggested: only the one-to-one suggestion; the two vendors sharing one company are skipped.
    page.get_by_role("button", name="Link all suggested").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Linked 1: ERP vendor 2001 ACME CONCRETE, INC.")
    expect(page.locator(".messagelist .warning").first).to_contain_text(
        "Bay Area Electric is also suggested for ERP vendor 2003"
    )

    # The approver links one of them by hand, choosing the company.
    open_staged(page, "2002")
    page.get_by_role("link", name="Link", exact=True).click()
    page.get_by_label("Company").select_option(label="Bay Area Electric")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("is linked: both sides are synced")
    expect(page.locator(".field-status_badge")).to_contain_text("Imported")

    # A vendor new to the app is added; a stale one is archived.
    open_staged(page, "2004")
    take_step(page, "Add to app")
    expect(page.locator(".messagelist .success")).to_contain_text("was added to the app")
    open_staged(page, "2005")
    take_step(page, "Archive")
    expect(page.locator(".field-status_badge")).to_contain_text("Archived")
    expect(page.locator("a.workflow-step")).to_have_count(0)

    # The linked company takes the ERP's values, read-only; unlinking returns both sides.
    open_companies(page)
    page.locator("#result_list").get_by_role("link", name="ACME CONCRETE, INC.").click()
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Synced")
    expect(page.locator(".field-erp_id")).to_contain_text("2001")
    expect(text_field(page, "Name")).to_have_count(0)
    take_step(page, "Unlink from ERP vendor")
    expect(page.locator(".messagelist .success")).to_contain_text("is unlinked")
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Not synced")
    expect(page.locator(".field-erp_vendor_matches")).to_contain_text("ERP vendor 2001 ACME CONCRETE, INC.")
    log_out(page)

    acme.refresh_from_db()
    bay.refresh_from_db()
    assert (acme.erp_status, acme.erp_id) == (Company.ERPStatus.NOT_SYNCED, None)
    assert (bay.erp_status, bay.erp_id, bay.vendor_type) == (Company.ERPStatus.SYNCED, "2002", "1")
    added = Company.objects.get(erp_id="2004")
    assert (added.name, added.origin, added.vendor_type) == ("Harbor Crane Rental", Origin.ERP, "3")
    assert dict(StagedRecord.objects.values_list("erp_id", "status")) == {
        "2001": "staged",
        "2002": "imported",
        "2003": "staged",
        "2004": "imported",
        "2005": "archived",
    }


def test_company_is_sent_retrieved_rejected_resent_failed_retried_and_synced(
    page, new_context, live_server, pm_user, approver_user, erp_unread
):
    """The ERP here cannot be read ahead (as with an agent), so the taken vendor id is found by the export."""
    ERPVendor.objects.create(vendor_id="1500", name="Keyed by accounting", vendor_type_id=1)
    log_in(page, live_server, pm_user)
    open_companies(page)
    page.get_by_role("link", name="Add company").click()
    text_field(page, "Name").fill("Golden Gate Plumbing of Northern CA")
    text_field(page, "Abbreviated name").fill("GGP")
    text_field(page, "City").fill("San Francisco")
    text_field(page, "State").fill("CA")
    text_field(page, "Phone").fill("415-555-0100")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    take_step(page, "Send to ERP")
    expect(page.locator(".messagelist .error")).to_contain_text("at most 30 characters for the company name")
    text_field(page, "Name").fill("Golden Gate Plumbing")
    page.get_by_role("button", name="Save and continue editing").click()
    take_step(page, "Send to ERP")
    expect(page.locator(".messagelist .success")).to_contain_text("was sent to accounting")
    take_step(page, "Take back from accounting")
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Not synced")
    take_step(page, "Send to ERP")
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Sent, awaiting accounting")
    company = Company.objects.get(name="Golden Gate Plumbing")

    approver = new_context().new_page()
    log_in(approver, live_server, approver_user)
    request = ERPRequest.objects.get(kind="vendor", status=ERPRequest.Status.READY_TO_EXPORT)
    approver.goto(f"{live_server.url}/admin/erp_queue/erprequest/{request.pk}/change/")
    approver.get_by_role("link", name="Reject", exact=True).click()
    approver.get_by_label("Reason").fill("Add the tax id from the W-9.")
    approver.get_by_role("button", name="Reject", exact=True).click()
    expect(approver.locator(".messagelist .success")).to_contain_text("Rejected")

    page.reload()
    expect(page.locator(".field-rejection_reason")).to_contain_text("Add the tax id from the W-9.")
    text_field(page, "Tax id").fill("94-1234567")
    page.get_by_role("button", name="Save and continue editing").click()
    take_step(page, "Resend to ERP")
    expect(page.locator(".messagelist .success")).to_contain_text("was sent to accounting again")

    resent = ERPRequest.objects.get(kind="vendor", status=ERPRequest.Status.READY_TO_EXPORT)
    approver.goto(f"{live_server.url}/admin/erp_queue/erprequest/{resent.pk}/change/")
    approver.get_by_role("link", name="Accept and export").click()
    approver.get_by_label("ERP vendor type").select_option(label="2 Material supplier")
    approver.get_by_label("ERP vendor id").fill("A-100")
    approver.get_by_role("button", name="Accept and export").click()
    expect(approver.locator(".errorlist")).to_contain_text("is not a valid ERP vendor id")
    approver.get_by_label("ERP vendor id").fill("1500")
    approver.get_by_role("button", name="Accept and export").click()
    expect(approver.locator(".messagelist .warning")).to_contain_text("Vendor 1500 already exists in the ERP")
    approver.get_by_role("link", name="Retry export").click()
    approver.get_by_label("ERP vendor id").fill("1501")
    approver.get_by_role("button", name="Retry export").click()
    expect(approver.locator(".messagelist .success")).to_contain_text("it is written into the ERP")

    page.reload()
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Synced")
    expect(page.locator(".field-erp_id")).to_contain_text("1501")
    expect(page.locator("a.workflow-step")).to_have_count(0)  # never exported again
    expect(text_field(page, "Phone")).to_have_value("415-555-0100")
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id, company.vendor_type) == (Company.ERPStatus.SYNCED, "1501", "2")
    vendor = ERPVendor.objects.get(vendor_id="1501")
    assert (vendor.name, vendor.tax_id, vendor.vendor_type_id) == ("Golden Gate Plumbing", "94-1234567", 2)
