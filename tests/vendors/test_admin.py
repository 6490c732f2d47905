"""Companies and ERP vendors in the admin, as project managers and accounting use them."""

import pytest
from django.urls import reverse

from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.ledger.models import ERPVendor
from apps.vendors.models import Company
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory, key_erp_vendor

pytestmark = pytest.mark.django_db

NO_HISTORY = {
    "django_fsm_log-statelog-content_type-object_id-TOTAL_FORMS": "0",
    "django_fsm_log-statelog-content_type-object_id-INITIAL_FORMS": "0",
}


def company_url(company):
    return reverse("admin:vendors_company_change", args=[company.pk])


def company_step(company, step):
    return reverse("admin:vendors_company_step", args=[company.pk, step])


def staged_step(staged, step):
    return reverse("admin:erp_queue_stagedrecord_step", args=[staged.pk, step])


def test_pm_adds_a_company_to_project_directories_and_sends_it(client, pm):
    project = ProjectFactory()
    client.force_login(pm)
    data = {
        "name": "Golden Gate Plumbing",
        "address": "12 Mission St",
        "city": "San Francisco",
        "state": "CA",
        "zip": "94105",
        "tax_id": "94-1234567",
        "abbreviated_name": "GGP",
        "email": "",
        "phone": "415-555-0100",
        "is_active": "on",
        "projects": [str(project.pk)],
        **NO_HISTORY,
    }
    response = client.post(reverse("admin:vendors_company_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    company = Company.objects.get(name="Golden Gate Plumbing")
    assert (company.created_by, list(company.projects.all())) == (pm, [project])

    assert 'data-step="send-to-erp"' in client.get(company_url(company)).content.decode()
    sent = client.post(company_step(company, "send-to-erp"), follow=True)
    assert "was sent to accounting" in sent.content.decode()
    page = client.get(company_url(company)).content.decode()
    assert 'data-step="retrieve"' in page and 'data-step="send-to-erp"' not in page
    assert 'name="name"' not in page  # read-only while accounting reviews it
    assert 'name="phone"' in page


def test_admin_send_refusal_names_the_limit(client, pm):
    company = CompanyFactory(name="Northern California Mechanical Co")
    client.force_login(pm)
    response = client.post(company_step(company, "send-to-erp"), follow=True)
    assert "at most 30 characters for the company name" in response.content.decode()
    assert not ERPRequest.objects.exists()


def test_approver_accepts_a_vendor_with_its_type_and_id(client, pm, approver, commit):
    company, request = erp_services.record_send(record=CompanyFactory(name="Golden Gate Plumbing"), user=pm)
    url = reverse("admin:erp_queue_erprequest_step", args=[request.pk, "accept"])
    client.force_login(approver)
    form = client.get(url).content.decode()
    assert "ERP vendor type" in form and '<option value="2">2 Material supplier</option>' in form
    bad = client.post(url, {"vendor_type": "2", "erp_vendor_id": "A-100"})
    assert "is not a valid ERP vendor id" in bad.content.decode()
    missing = client.post(url, {"vendor_type": "", "erp_vendor_id": "1500"})
    assert "This field is required" in missing.content.decode()
    with commit():
        good = client.post(url, {"vendor_type": "2", "erp_vendor_id": "1500"}, follow=True)
    assert "Accepted" in good.content.decode()
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id, company.vendor_type) == ("synced", "1500", "2")
    assert ERPVendor.objects.get(vendor_id="1500").vendor_type_id == 2


def test_staged_vendors_list_their_suggestions_and_the_approver_links_one(client, approver):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="ACME CONCRETE, INC.")
    client.force_login(approver)
    listing = client.get(reverse("admin:erp_queue_stagedrecord_changelist") + "?kind__exact=vendor").content.decode()
    assert "Acme Concrete" in listing
    assert "same name apart from case, punctuation and legal suffix" in listing
    assert "Link all suggested" in listing

    page = client.get(reverse("admin:erp_queue_stagedrecord_change", args=[staged.pk])).content.decode()
    assert 'data-step="link"' in page
    form = client.get(staged_step(staged, "link")).content.decode()
    assert f'<option value="{company.pk}" selected>Acme Concrete</option>' in form
    response = client.post(staged_step(staged, "link"), {"target": company.pk}, follow=True)
    assert "is linked: both sides are synced" in response.content.decode()
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id, company.name) == ("synced", "2001", "ACME CONCRETE, INC.")
    assert StagedRecord.objects.get(pk=staged.pk).status == "imported"

    linked_page = client.get(company_url(company)).content.decode()
    assert 'name="name"' not in linked_page  # integrated fields are the ERP's now
    assert 'data-step="unlink"' in linked_page


def test_link_all_button_reports_what_it_skipped_and_why(client, approver):
    acme = CompanyFactory(name="Acme Concrete")
    CompanyFactory(name="Bay Area Electric")
    key_erp_vendor(vendor_id="2001", name="Acme Concrete Inc")
    key_erp_vendor(vendor_id="2002", name="Bay Area Electric LLC")
    key_erp_vendor(vendor_id="2003", name="Bay Area Electric Inc")
    client.force_login(approver)
    response = client.post(reverse("admin:erp_queue_stagedrecord_link_all"), follow=True)
    html = response.content.decode()
    assert "Linked 1: ERP vendor 2001 Acme Concrete Inc to Acme Concrete." in html
    assert (
        "Skipped ERP vendor 2002 Bay Area Electric LLC: Bay Area Electric is also suggested for ERP vendor 2003" in html
    )
    assert (
        "Skipped ERP vendor 2003 Bay Area Electric Inc: Bay Area Electric is also suggested for ERP vendor 2002" in html
    )
    assert Company.objects.get(pk=acme.pk).erp_id == "2001"
    assert Company.objects.filter(erp_status="synced").count() == 1


def test_pm_posting_link_or_link_all_by_hand_is_refused(client, pm):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    client.force_login(pm)
    listing = client.get(reverse("admin:erp_queue_stagedrecord_changelist")).content.decode()
    assert "Link all suggested" not in listing
    refused = client.post(staged_step(staged, "link"), {"target": company.pk}, follow=True)
    assert "You do not have permission to link" in refused.content.decode()
    refused_all = client.post(reverse("admin:erp_queue_stagedrecord_link_all"), follow=True)
    assert "You do not have permission to link staged ERP records" in refused_all.content.decode()
    assert Company.objects.get(pk=company.pk).erp_status == "not_synced"
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"


def test_a_job_cannot_be_linked_from_the_admin_either(client, approver, agent, api_as):
    staged = (
        api_as(agent)
        .post(
            "/api/v1/erp/staged-records/", {"kind": "job", "erp_id": "3001", "data": {"name": "Depot"}}, format="json"
        )
        .json()
    )
    client.force_login(approver)
    page = client.get(reverse("admin:erp_queue_stagedrecord_change", args=[staged["id"]])).content.decode()
    assert 'data-step="link"' not in page
    response = client.post(
        reverse("admin:erp_queue_stagedrecord_step", args=[staged["id"], "link"]), {"target": "1"}, follow=True
    )
    assert "never linked" in response.content.decode()


def test_company_page_shows_matching_erp_vendors(client, pm):
    company = CompanyFactory(name="Acme Concrete", tax_id="77-1234567")
    key_erp_vendor(vendor_id="2001", name="Acme Concrete Co", tax_id="")
    key_erp_vendor(vendor_id="2002", name="A.C. Holdings", tax_id="771234567")
    archived = key_erp_vendor(vendor_id="2003", name="Acme Concrete")
    erp_services.staged_record_archive(staged=archived, user=None)
    client.force_login(pm)
    page = client.get(company_url(company)).content.decode()
    assert "ERP vendor 2001 Acme Concrete Co" in page and "same name apart from legal suffix" in page
    assert "ERP vendor 2002 A.C. Holdings" in page and "same tax id" in page
    assert "ERP vendor 2003" not in page


def test_approver_unlinks_in_the_admin(client, approver):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    client.force_login(approver)
    client.post(staged_step(staged, "link"), {"target": company.pk})
    response = client.post(company_step(company, "unlink"), follow=True)
    assert "is unlinked" in response.content.decode()
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id) == ("not_synced", None)
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"


def test_the_vendor_type_reads_by_its_name(client, pm):
    from apps.ledger.models import ERPVendorType

    erp_type = ERPVendorType.objects.first() or ERPVendorType.objects.create(code=1, name="Subcontractor")
    company = CompanyFactory(name="Sierra Drywall", synced=True, vendor_type=str(erp_type.code))
    client.force_login(pm)
    expected = f"{erp_type.code} {erp_type.name}"
    assert expected in client.get(company_url(company)).content.decode()
    assert expected in client.get(reverse("admin:vendors_company_changelist")).content.decode()
