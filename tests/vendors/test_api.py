"""Every branch of the vendor workflow, walked through the REST API by the people (and the agent) who use it."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.ledger import services as ledger_services
from apps.ledger.models import ERPVendor, ERPVendorType
from apps.vendors.models import Company, VendorType
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory, ERPVendorFactory, key_erp_vendor

pytestmark = pytest.mark.django_db

COMPANY = {
    "name": "Golden Gate Plumbing",
    "abbreviated_name": "GGP",
    "address": "12 Mission St",
    "city": "San Francisco",
    "state": "CA",
    "zip": "94105",
    "tax_id": "94-1234567",
    "email": "office@ggplumbing.example",
    "phone": "415-555-0100",
    "is_active": True,
}
STAGED = "/api/v1/erp/staged-records/"


def company_url(company_id, step=""):
    return f"/api/v1/companies/{company_id}/{step + '/' if step else ''}"


def request_url(request_id, step=""):
    return f"/api/v1/erp/requests/{request_id}/{step + '/' if step else ''}"


def staged_url(staged_id, step=""):
    return f"{STAGED}{staged_id}/{step + '/' if step else ''}"


@pytest.fixture
def sent_company(pm, api_as):
    """A company the PM created and sent: its request waits for the approver."""
    company = api_as(pm).post("/api/v1/companies/", COMPANY, format="json").json()
    response = api_as(pm).post(company_url(company["id"], "send-to-erp"))
    assert response.status_code == 200, response.json()
    return response.json()


def accept(api_as, approver, commit, request_id, **inputs):
    with commit():
        return api_as(approver).post(
            request_url(request_id, "accept"), inputs or {"erp_vendor_id": "1500", "vendor_type": "2"}
        )


# Created here: send → accept → synced, and every way off that path.


def test_company_is_created_in_the_company_directory_and_its_project_directories(pm, approver, api_as):
    projects = [ProjectFactory(), ProjectFactory()]
    response = api_as(pm).post("/api/v1/companies/", {**COMPANY, "projects": [p.pk for p in projects]}, format="json")
    assert response.status_code == 201, response.json()
    company = response.json()
    assert sorted(company["projects"]) == sorted(p.pk for p in projects)
    assert (company["erp_status"], company["erp_id"], company["origin"]) == ("not_synced", None, "app")
    assert company["allowed_steps"] == ["send-to-erp"]
    assert api_as(approver).get(company_url(company["id"])).json()["allowed_steps"] == []
    in_project = api_as(pm).get(f"/api/v1/companies/?project={projects[0].pk}").json()
    assert [c["id"] for c in in_project["results"]] == [company["id"]]
    assert api_as(pm).get("/api/v1/companies/").json()["count"] == 1


def test_abbreviated_name_is_at_most_ten_characters(pm, api_as):
    response = api_as(pm).post("/api/v1/companies/", {**COMPANY, "abbreviated_name": "GOLDENGATEP"}, format="json")
    assert response.status_code == 400
    assert "no more than 10 characters" in response.json()["abbreviated_name"][0]


def test_created_here_sent_accepted_synced_and_never_exported_again(pm, approver, api_as, sent_company, commit):
    assert sent_company["erp_status"] == "ready_to_export"
    assert sent_company["allowed_steps"] == ["retrieve"]
    request_id = sent_company["erp_request"]
    queue = api_as(approver).get("/api/v1/erp/requests/?kind=vendor&status=ready_to_export").json()
    assert [r["id"] for r in queue["results"]] == [request_id]
    # Phones (and e-mail) never go to Sage: the approver reviews exactly what is exported.
    assert queue["results"][0]["payload"] == {
        "name": "Golden Gate Plumbing",
        "address": "12 Mission St",
        "city": "San Francisco",
        "state": "CA",
        "zip": "94105",
        "tax_id": "94-1234567",
    }

    response = accept(api_as, approver, commit, request_id, erp_vendor_id="1500", vendor_type="2")
    assert response.status_code == 200, response.json()
    assert api_as(approver).get(request_url(request_id)).json()["status"] == "synced"

    company = api_as(approver).get(company_url(sent_company["id"])).json()
    assert (company["erp_status"], company["erp_id"], company["vendor_type"]) == ("synced", "1500", "2")
    assert company["allowed_steps"] == ["unlink"]
    assert api_as(pm).get(company_url(sent_company["id"])).json()["allowed_steps"] == []
    vendor = ERPVendor.objects.get(vendor_id="1500")
    assert (vendor.name, vendor.vendor_type_id, vendor.tax_id, vendor.source) == (
        "Golden Gate Plumbing",
        2,
        "94-1234567",
        ERPVendor.Source.EXPORTED,
    )

    again = api_as(pm).post(company_url(sent_company["id"], "send-to-erp"))
    assert again.status_code == 409
    assert again.json()["status"] == "synced"
    assert ERPRequest.objects.filter(kind="vendor").count() == 1
    synced = api_as(pm).get("/api/v1/companies/?erp_status=synced").json()
    assert [c["id"] for c in synced["results"]] == [sent_company["id"]]


@pytest.mark.parametrize(
    ("inputs", "field", "message"),
    [
        ({"erp_vendor_id": "A-100", "vendor_type": "1"}, "erp_vendor_id", "digits only"),
        ({"erp_vendor_id": "1 500", "vendor_type": "1"}, "erp_vendor_id", "digits only"),
        ({"vendor_type": "1"}, "erp_vendor_id", "required"),
        ({"erp_vendor_id": "1500"}, "vendor_type", "Pick the ERP vendor type: 1 Subcontractor"),
        ({"erp_vendor_id": "1500", "vendor_type": "99"}, "vendor_type", "'99' is not one of the ERP's vendor types"),
    ],
)
def test_accept_with_wrong_inputs_is_a_field_error_not_a_failed_export(
    approver, api_as, sent_company, inputs, field, message
):
    response = api_as(approver).post(request_url(sent_company["erp_request"], "accept"), inputs)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert ERPRequest.objects.get(pk=sent_company["erp_request"]).status == "ready_to_export"
    assert not ERPVendor.objects.exists()


def test_accept_refuses_a_vendor_id_a_company_here_is_linked_to(approver, api_as, sent_company):
    CompanyFactory(name="Bay Area Electric", erp_id="1500", erp_status="synced")
    response = api_as(approver).post(
        request_url(sent_company["erp_request"], "accept"), {"erp_vendor_id": "1500", "vendor_type": "1"}
    )
    assert response.status_code == 400
    assert "already linked to Bay Area Electric" in response.json()["erp_vendor_id"][0]


def test_accept_refuses_a_vendor_id_the_erp_reported(approver, api_as, sent_company):
    key_erp_vendor(vendor_id="1500", name="Harbor Crane Rental")
    response = api_as(approver).post(
        request_url(sent_company["erp_request"], "accept"), {"erp_vendor_id": "1500", "vendor_type": "1"}
    )
    assert response.status_code == 400
    assert "The ERP already has vendor 1500 (Harbor Crane Rental)" in response.json()["erp_vendor_id"][0]


def test_vendor_id_taken_in_the_erp_fails_the_export_then_retry_with_another(
    pm, approver, api_as, sent_company, commit, erp_unread
):
    ERPVendorFactory(vendor_id="1500", name="Keyed last year, never synced")
    request_id = sent_company["erp_request"]
    assert accept(api_as, approver, commit, request_id, erp_vendor_id="1500", vendor_type="1").status_code == 200
    failed = api_as(approver).get(request_url(request_id)).json()
    assert failed["status"] == "failed"
    assert failed["messages"] == ["Vendor 1500 already exists in the ERP. Enter another vendor id."]
    assert failed["allowed_steps"] == ["reject", "retry"]
    company = api_as(pm).get(company_url(sent_company["id"])).json()
    assert (company["erp_status"], company["erp_messages"]) == ("failed", failed["messages"])

    with commit():
        retried = api_as(approver).post(request_url(request_id, "retry"), {"erp_vendor_id": "1501"})
    assert retried.status_code == 200
    company = api_as(pm).get(company_url(sent_company["id"])).json()
    assert (company["erp_status"], company["erp_id"], company["vendor_type"]) == ("synced", "1501", "1")
    assert ERPRequest.objects.get(pk=request_id).attempts == 2


def test_failed_export_can_be_rejected_and_resent(pm, approver, api_as, sent_company, commit):
    ERPVendorFactory(vendor_id="1500")
    accept(api_as, approver, commit, sent_company["erp_request"], erp_vendor_id="1500", vendor_type="1")
    rejected = api_as(approver).post(request_url(sent_company["erp_request"], "reject"), {"reason": "Duplicate"})
    assert rejected.json()["status"] == "rejected"
    company = api_as(pm).get(company_url(sent_company["id"])).json()
    assert (company["erp_status"], company["rejection_reason"], company["allowed_steps"]) == (
        "rejected",
        "Duplicate",
        ["resend"],
    )


def test_retrieve_before_a_decision(pm, approver, api_as, sent_company):
    response = api_as(pm).post(company_url(sent_company["id"], "retrieve"))
    assert response.status_code == 200
    assert (response.json()["erp_status"], response.json()["allowed_steps"]) == ("not_synced", ["send-to-erp"])
    assert ERPRequest.objects.get(pk=sent_company["erp_request"]).status == "retrieved"
    late = api_as(approver).post(
        request_url(sent_company["erp_request"], "accept"), {"erp_vendor_id": "1500", "vendor_type": "1"}
    )
    assert late.status_code == 409
    assert late.json()["status"] == "retrieved"


def test_reject_with_reason_then_edit_and_resend(pm, approver, api_as, sent_company, commit):
    request_id = sent_company["erp_request"]
    assert api_as(approver).post(request_url(request_id, "reject"), {"reason": " "}).status_code == 400
    reason = "Use the legal name from the W-9"
    assert api_as(approver).post(request_url(request_id, "reject"), {"reason": reason}).status_code == 200
    company = api_as(pm).get(company_url(sent_company["id"])).json()
    assert (company["erp_status"], company["rejection_reason"], company["allowed_steps"]) == (
        "rejected",
        reason,
        ["resend"],
    )

    fixed = api_as(pm).patch(company_url(sent_company["id"]), {"name": "Golden Gate Plumbing Co"})
    assert fixed.status_code == 200, fixed.json()
    resent = api_as(pm).post(company_url(sent_company["id"], "resend"))
    assert resent.status_code == 200
    assert resent.json()["erp_status"] == "ready_to_export"
    assert resent.json()["erp_request"] != request_id
    assert ERPRequest.objects.get(pk=resent.json()["erp_request"]).payload["name"] == "Golden Gate Plumbing Co"
    accept(api_as, approver, commit, resent.json()["erp_request"])
    assert Company.objects.get(pk=sent_company["id"]).erp_status == "synced"


def test_sending_a_name_over_thirty_characters_is_refused_naming_the_limit(pm, api_as):
    name = "Northern California Mechanical"  # 30: fits
    assert len(name) == 30
    fits = api_as(pm).post("/api/v1/companies/", {**COMPANY, "name": name}, format="json").json()
    assert api_as(pm).post(company_url(fits["id"], "send-to-erp")).status_code == 200

    too_long = api_as(pm).post("/api/v1/companies/", {**COMPANY, "name": name + "s"}, format="json").json()
    response = api_as(pm).post(company_url(too_long["id"], "send-to-erp"))
    assert response.status_code == 400
    assert "at most 30 characters" in response.json()["name"][0]
    assert "this has 31" in response.json()["name"][0]
    assert Company.objects.get(pk=too_long["id"]).erp_status == "not_synced"
    assert ERPRequest.objects.count() == 1


def test_sending_an_inactive_company_or_bad_fields_is_refused(pm, api_as):
    company = (
        api_as(pm)
        .post("/api/v1/companies/", {**COMPANY, "is_active": False, "state": "California"}, format="json")
        .json()
    )
    response = api_as(pm).post(company_url(company["id"], "send-to-erp"))
    assert response.status_code == 400
    assert "inactive company cannot be sent" in response.json()["is_active"][0]
    assert "2-letter" in response.json()["state"][0]
    assert not ERPRequest.objects.exists()


def test_sending_twice_is_409_with_the_state_and_allowed_steps(pm, api_as, sent_company):
    response = api_as(pm).post(company_url(sent_company["id"], "send-to-erp"))
    assert response.status_code == 409
    assert (response.json()["status"], response.json()["allowed_steps"]) == ("ready_to_export", ["retrieve"])
    assert ERPRequest.objects.count() == 1


def test_integrated_fields_are_read_only_while_sent_and_after_sync(pm, approver, api_as, sent_company, commit):
    url = company_url(sent_company["id"])
    pending = api_as(pm).patch(url, {"name": "Renamed while pending"})
    assert pending.status_code == 400
    assert "owned by the ERP" in pending.json()["name"][0]
    accept(api_as, approver, commit, sent_company["erp_request"])
    assert api_as(pm).patch(url, {"city": "Oakland"}).status_code == 400
    # What the ERP does not own stays editable: phones, e-mail, active, project directories.
    project = ProjectFactory()
    edited = api_as(pm).patch(url, {"phone": "415-555-0199", "projects": [project.pk]}, format="json")
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["phone"], edited.json()["projects"], edited.json()["city"]) == (
        "415-555-0199",
        [project.pk],
        "San Francisco",
    )


def test_viewer_and_approver_cannot_create_or_send(viewer, approver, api_as):
    company = CompanyFactory()
    for user in (viewer, approver):
        assert api_as(user).post("/api/v1/companies/", COMPANY, format="json").status_code == 403
        assert api_as(user).post(company_url(company.pk, "send-to-erp")).status_code == 403
    assert Company.objects.get(pk=company.pk).erp_status == "not_synced"


# Created in the ERP: staged → link / add to app / archive.


def test_erp_vendor_is_staged_with_its_suggestions_and_linked(approver, api_as):
    company = CompanyFactory(name="Acme Concrete", address="Old address", tax_id="")
    staged = key_erp_vendor(
        vendor_id="2001", name="ACME CONCRETE, INC.", vendor_type_id=1, address="500 Quarry Rd", tax_id="77-1234567"
    )
    listing = api_as(approver).get(f"{STAGED}?kind=vendor&status=staged").json()
    [row] = listing["results"]
    assert (row["erp_id"], row["label"], row["allowed_steps"]) == (
        "2001",
        "ACME CONCRETE, INC.",
        ["link", "add-to-app", "archive"],
    )
    assert row["suggestions"] == [
        {
            "company": company.pk,
            "label": "Acme Concrete",
            "reasons": ["same name apart from case, punctuation and legal suffix"],
        }
    ]

    response = api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["imported_object_id"]) == ("imported", company.pk)
    linked = api_as(approver).get(company_url(company.pk)).json()
    assert (linked["erp_status"], linked["erp_id"], linked["vendor_type"], linked["origin"]) == (
        "synced",
        "2001",
        "1",
        "app",
    )
    # After linking, the ERP's values are the company's (the ERP's address is the billing address).
    assert (linked["name"], linked["address"], linked["tax_id"]) == (
        "ACME CONCRETE, INC.",
        "500 Quarry Rd",
        "77-1234567",
    )
    assert linked["allowed_steps"] == ["unlink"]


def test_agent_stages_an_erp_vendor_and_it_is_suggested(agent, approver, api_as):
    company = CompanyFactory(name="Sierra Drywall", tax_id="68-0000001")
    response = api_as(agent).post(
        STAGED,
        {"kind": "vendor", "erp_id": "3100", "data": {"name": "Sierra Drywall & Paint", "tax_id": "680000001"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["suggestions"] == [
        {"company": company.pk, "label": "Sierra Drywall", "reasons": ["same tax id"]}
    ]
    bad = api_as(agent).post(STAGED, {"kind": "vendor", "erp_id": "3101", "data": {"name": "N" * 76}}, format="json")
    assert bad.status_code == 400
    assert "name: Ensure this field has no more than 75 characters." in bad.json()["data"][0]


def test_add_to_app_creates_the_company_linked(approver, api_as):
    staged = key_erp_vendor(vendor_id="2002", name="Bay Area Electric LLC", vendor_type_id=3, tax_id="12-3456789")
    response = api_as(approver).post(staged_url(staged.pk, "add-to-app"))
    assert response.status_code == 200, response.json()
    company = Company.objects.get(pk=response.json()["imported_object_id"])
    assert (company.name, company.origin, company.erp_status, company.erp_id, company.vendor_type, company.tax_id) == (
        "Bay Area Electric LLC",
        "erp",
        "synced",
        "2002",
        "3",
        "12-3456789",
    )
    assert api_as(approver).post(staged_url(staged.pk, "add-to-app")).status_code == 409


def test_archived_erp_vendor_is_never_suggested_and_cannot_be_linked(approver, api_as):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    archived = api_as(approver).post(staged_url(staged.pk, "archive")).json()
    assert (archived["status"], archived["suggestions"], archived["allowed_steps"]) == ("archived", [], [])
    response = api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk})
    assert response.status_code == 409
    assert response.json()["status"] == "archived"
    assert Company.objects.get(pk=company.pk).erp_status == "not_synced"


def test_link_all_links_only_one_to_one_suggestions_and_says_why_it_skipped_the_rest(approver, api_as):
    acme = CompanyFactory(name="Acme Concrete")
    bay = CompanyFactory(name="Bay Area Electric")
    granite = CompanyFactory(name="Granite Works")
    stone = CompanyFactory(name="Stoneworks West", tax_id="33-1111111")
    one_to_one = key_erp_vendor(vendor_id="2001", name="ACME CONCRETE INC")
    first_bay = key_erp_vendor(vendor_id="2002", name="Bay Area Electric LLC")
    second_bay = key_erp_vendor(vendor_id="2003", name="Bay Area Electric, Inc.")
    two_suggestions = key_erp_vendor(vendor_id="2004", name="Granite Works Ltd", tax_id="331111111")
    unmatched = key_erp_vendor(vendor_id="2005", name="Harbor Crane Rental")

    response = api_as(approver).post(f"{STAGED}link-all/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["linked"] == [
        {
            "staged_record": one_to_one.pk,
            "erp_id": "2001",
            "label": "ACME CONCRETE INC",
            "company": acme.pk,
            "company_label": "Acme Concrete",
        }
    ]
    skipped = {row["erp_id"]: row["reason"] for row in body["skipped"]}
    assert [row["staged_record"] for row in body["skipped"]] == [first_bay.pk, second_bay.pk, two_suggestions.pk]
    assert set(skipped) == {"2002", "2003", "2004"}
    assert "Bay Area Electric is also suggested for ERP vendor 2003 Bay Area Electric, Inc." in skipped["2002"]
    assert "Bay Area Electric is also suggested for ERP vendor 2002 Bay Area Electric LLC" in skipped["2003"]
    assert "2 records are suggested (Granite Works; Stoneworks West)" in skipped["2004"]

    assert Company.objects.get(pk=acme.pk).erp_id == "2001"
    assert {c.erp_status for c in Company.objects.filter(pk__in=[bay.pk, granite.pk, stone.pk])} == {"not_synced"}
    statuses = dict(StagedRecord.objects.values_list("erp_id", "status"))
    assert statuses == {"2001": "imported", "2002": "staged", "2003": "staged", "2004": "staged", "2005": "staged"}
    # A vendor with no suggestion is not a candidate: it is neither linked nor listed as skipped.
    assert unmatched.pk not in [row["staged_record"] for row in body["skipped"]]


def test_a_linked_company_cannot_be_linked_to_a_second_erp_vendor(approver, api_as):
    company = CompanyFactory(name="Acme Concrete")
    first = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    second = key_erp_vendor(vendor_id="2002", name="Acme Concrete Inc")
    assert api_as(approver).post(staged_url(first.pk, "link"), {"company": company.pk}).status_code == 200
    # Linked companies are never suggested again.
    assert api_as(approver).get(staged_url(second.pk)).json()["suggestions"] == []
    response = api_as(approver).post(staged_url(second.pk, "link"), {"company": company.pk})
    assert response.status_code == 409
    assert "already linked to ERP vendor 2001" in response.json()["detail"]
    assert StagedRecord.objects.get(pk=second.pk).status == "staged"
    assert Company.objects.get(pk=company.pk).erp_id == "2001"


def test_a_linked_erp_vendor_cannot_be_linked_to_a_second_company(approver, api_as):
    first, second = CompanyFactory(name="Acme Concrete"), CompanyFactory(name="Acme Concrete Co")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    assert api_as(approver).post(staged_url(staged.pk, "link"), {"company": first.pk}).status_code == 200
    response = api_as(approver).post(staged_url(staged.pk, "link"), {"company": second.pk})
    assert response.status_code == 409
    assert response.json()["status"] == "imported"
    assert Company.objects.get(pk=second.pk).erp_status == "not_synced"


def test_an_erp_vendor_changed_after_linking_refreshes_its_company(approver, api_as):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk})
    vendor = ERPVendor.objects.get(vendor_id="2001")
    vendor.address = "1 New Quarry Rd"
    vendor.save()
    restaged = ledger_services.vendor_stage(vendor=vendor)
    assert restaged.status == "staged"
    response = api_as(approver).post(staged_url(staged.pk, "add-to-app"))
    assert response.status_code == 200
    assert response.json()["imported_object_id"] == company.pk
    assert Company.objects.get().address == "1 New Quarry Rd"


def test_linking_a_company_waiting_in_the_queue_is_refused(approver, api_as, sent_company):
    staged = key_erp_vendor(vendor_id="2001", name="Golden Gate Plumbing")
    response = api_as(approver).post(staged_url(staged.pk, "link"), {"company": sent_company["id"]})
    assert response.status_code == 409
    assert "waiting in the ERP queue" in response.json()["detail"]


def test_linking_to_a_company_that_does_not_exist_is_a_field_error(approver, api_as):
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    for company in (999999, "abc", None, 2**70):
        response = api_as(approver).post(staged_url(staged.pk, "link"), {"company": company}, format="json")
        assert response.status_code == 400
        assert "company" in response.json()
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"


def test_jobs_are_never_linked(agent, approver, api_as, cost_codes):
    response = api_as(agent).post(
        STAGED, {"kind": "job", "erp_id": "3001", "data": {"name": "Westfield Warehouse"}}, format="json"
    )
    assert api_as(approver).get(staged_url(response.json()["id"])).json()["allowed_steps"] == ["add-to-app", "archive"]
    company = CompanyFactory()
    link = api_as(approver).post(staged_url(response.json()["id"], "link"), {"company": company.pk})
    assert link.status_code == 409
    assert "never linked" in link.json()["detail"]


def test_project_manager_cannot_link_unlink_or_link_all(pm, approver, api_as):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete")
    assert api_as(pm).get(staged_url(staged.pk)).json()["allowed_steps"] == []
    assert api_as(pm).post(staged_url(staged.pk, "link"), {"company": company.pk}).status_code == 403
    assert api_as(pm).post(f"{STAGED}link-all/").status_code == 403
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"
    api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk})
    assert api_as(pm).post(company_url(company.pk, "unlink")).status_code == 403
    assert Company.objects.get(pk=company.pk).erp_status == "synced"


# Unlink: both sides return to unlinked.


def test_unlink_returns_both_sides_to_unlinked_and_restages_the_erp_vendor(approver, pm, api_as):
    company = CompanyFactory(name="Acme Concrete")
    staged = key_erp_vendor(vendor_id="2001", name="Acme Concrete Inc")
    api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk})

    response = api_as(approver).post(company_url(company.pk, "unlink"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["erp_status"], body["erp_id"], body["vendor_type"], body["allowed_steps"]) == (
        "not_synced",
        None,
        "",
        [],
    )
    assert api_as(pm).get(company_url(company.pk)).json()["allowed_steps"] == ["send-to-erp"]
    restaged = api_as(approver).get(staged_url(staged.pk)).json()
    assert (restaged["status"], restaged["imported_object_id"]) == ("staged", None)
    assert [s["company"] for s in restaged["suggestions"]] == [company.pk]
    # Editable again, and linkable again.
    assert api_as(pm).patch(company_url(company.pk), {"city": "Oakland"}).status_code == 200
    assert api_as(approver).post(staged_url(staged.pk, "link"), {"company": company.pk}).status_code == 200
    assert api_as(approver).post(company_url(company.pk, "unlink")).status_code == 200
    assert api_as(approver).post(company_url(company.pk, "unlink")).status_code == 409


def test_unlinking_an_exported_company_stages_its_erp_vendor(approver, api_as, sent_company, commit):
    accept(api_as, approver, commit, sent_company["erp_request"], erp_vendor_id="1500", vendor_type="2")
    assert not StagedRecord.objects.exists()
    assert api_as(approver).post(company_url(sent_company["id"], "unlink")).status_code == 200
    staged = StagedRecord.objects.get(kind="vendor", erp_id="1500")
    assert staged.status == "staged"
    assert (staged.label, staged.data["vendor_type"], staged.data["tax_id"]) == (
        "Golden Gate Plumbing",
        "2",
        "94-1234567",
    )


def test_audit_trail_of_a_company(approver, api_as, sent_company, commit):
    accept(api_as, approver, commit, sent_company["erp_request"])
    api_as(approver).post(company_url(sent_company["id"], "unlink"))
    events = api_as(approver).get(f"/api/v1/audit-events/?record_type=vendors.company&record_id={sent_company['id']}")
    trail = [(e["transition"], e["from_state"], e["to_state"], e["by"]) for e in reversed(events.json()["results"])]
    assert trail == [
        ("send", "not_synced", "ready_to_export", "pm"),
        ("mark_exporting", "ready_to_export", "exporting", "approver"),  # moved by the approver's accept
        ("mark_synced", "exporting", "synced", None),  # the connector's report
        ("unlink", "synced", "not_synced", "approver"),
    ]


def test_staged_list_computes_suggestions_without_a_query_per_row(approver, api_as):
    client = api_as(approver)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{STAGED}?kind=vendor")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    CompanyFactory(name="Acme Concrete")
    key_erp_vendor(name="Acme Concrete")
    few = count_queries()
    for i in range(6):
        CompanyFactory(name=f"Vendor {i}")
        key_erp_vendor(name=f"Vendor {i} Inc")
    many = count_queries()
    assert (few[1], many[1]) == (1, 7)
    assert many[0] == few[0]


# The ERP's vendor types, and the agent mode.


def test_vendor_types_come_from_the_ledger_and_what_the_agent_reports_is_written_there(approver, agent, api_as):
    response = api_as(approver).get("/api/v1/erp/vendor-types/")
    assert response.status_code == 200
    assert response.json()[:2] == [{"code": "1", "name": "Subcontractor"}, {"code": "2", "name": "Material supplier"}]
    pushed = api_as(agent).post("/api/v1/erp/vendor-types/", {"code": "9", "name": "Union"})
    assert pushed.status_code == 201, pushed.json()
    assert api_as(approver).get("/api/v1/erp/vendor-types/").json()[-1] == {"code": "9", "name": "Union"}
    assert ERPVendorType.objects.get(code=9).name == "Union"
    not_sage = api_as(agent).post("/api/v1/erp/vendor-types/", {"code": "SUB", "name": "Subcontractor"})
    assert not_sage.status_code == 400
    assert "a number from 1 to 999" in not_sage.json()["code"][0]
    assert not VendorType.objects.filter(code="SUB").exists()


@override_settings(ERP_CONNECTOR="agent")
def test_agent_mode_the_agent_reports_vendor_types_and_exports_the_vendor(pm, approver, agent, api_as, sent_company):
    request_id = sent_company["erp_request"]
    unknown = api_as(approver).post(request_url(request_id, "accept"), {"erp_vendor_id": "1500", "vendor_type": "1"})
    assert unknown.status_code == 400
    assert "not known yet" in unknown.json()["vendor_type"][0]

    assert api_as(pm).post("/api/v1/erp/vendor-types/", {"code": "SUB", "name": "Subcontractor"}).status_code == 403
    for code, name in [("SUB", "Subcontractor"), ("SUP", "Supplier"), ("SUB", "Subcontractors")]:
        assert api_as(agent).post("/api/v1/erp/vendor-types/", {"code": code, "name": name}).status_code == 201
    assert api_as(approver).get("/api/v1/erp/vendor-types/").json() == [
        {"code": "SUB", "name": "Subcontractors"},
        {"code": "SUP", "name": "Supplier"},
    ]

    accepted = api_as(approver).post(request_url(request_id, "accept"), {"erp_vendor_id": "1500", "vendor_type": "SUB"})
    assert accepted.json()["status"] == "exporting"
    [claimed] = api_as(agent).post("/api/v1/erp/requests/claim/", {}, format="json").json()
    assert claimed["inputs"] == {"erp_vendor_id": "1500", "vendor_type": "SUB"}
    lease = claimed["lease_token"]
    no_id = api_as(agent).post(
        request_url(request_id, "succeeded"), {"erp_ids": {"job_id": "1500"}, "lease_token": lease}, format="json"
    )
    assert no_id.status_code == 400
    done = api_as(agent).post(
        request_url(request_id, "succeeded"), {"erp_ids": {"vendor_id": "1500"}, "lease_token": lease}, format="json"
    )
    assert done.status_code == 200
    company = Company.objects.get(pk=sent_company["id"])
    assert (company.erp_status, company.erp_id, company.vendor_type) == ("synced", "1500", "SUB")
    assert not ERPVendor.objects.exists()  # the agent wrote it into Sage, not the embedded ledger
