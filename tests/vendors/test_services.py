"""Service rules of companies (directory, link, unlink), each from a state the factories build directly."""

import pytest

from apps.core.exceptions import DomainError, PermissionDenied, StepNotAllowed, ValidationError
from apps.erp_queue.models import StagedRecord
from apps.vendors import services
from apps.vendors.models import Company, VendorType
from tests.erp_queue.factories import StagedRecordFactory
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db

ERP_VENDOR = {"name": "Acme Concrete Inc", "address": "9 Depot Rd", "city": "Modesto", "state": "CA", "zip": "95354"}


def test_create_puts_the_company_in_the_directories_given(pm):
    projects = [ProjectFactory(), ProjectFactory()]
    company = services.company_create(user=pm, name="Acme Concrete", projects=projects)
    assert set(company.projects.all()) == set(projects)
    assert (company.erp_status, company.created_by) == ("not_synced", pm)


@pytest.mark.parametrize("erp_status", ["ready_to_export", "exporting", "failed", "synced"])
def test_update_refuses_integrated_fields_while_the_erp_holds_the_company(pm, erp_status):
    company = CompanyFactory(name="Acme Concrete", tax_id="77-1", erp_status=erp_status)
    with pytest.raises(ValidationError) as refused:
        services.company_update(company=company, user=pm, name="Acme", tax_id="77-2")
    label = company.get_erp_status_display()
    assert refused.value.message_dict == {
        "name": [f"name is owned by the ERP while the company is '{label}'."],
        "tax_id": [f"tax id is owned by the ERP while the company is '{label}'."],
    }
    assert Company.objects.get(pk=company.pk).name == "Acme Concrete"


def test_update_of_a_linked_company_changes_what_the_erp_does_not_own(pm):
    company = CompanyFactory(synced=True, name="Acme Concrete")
    services.company_update(company=company, user=pm, name="Acme Concrete", phone="555-0100", email="ap@acme.test")
    company.refresh_from_db()
    assert (company.name, company.phone, company.email) == ("Acme Concrete", "555-0100", "ap@acme.test")


def test_link_refuses_an_invalid_vendor_id(approver):
    company = CompanyFactory()
    with pytest.raises(DomainError, match="ERP vendor V-12 cannot be linked: 'V-12' is not a valid ERP vendor id"):
        services.company_link(company_id=company.pk, erp_id="V-12", data=ERP_VENDOR, user=approver)


def test_link_refuses_a_company_that_does_not_exist(approver):
    with pytest.raises(ValidationError) as refused:
        services.company_link(company_id=999999, erp_id="1200", data=ERP_VENDOR, user=approver)
    assert refused.value.message_dict == {"company": ["There is no company with id 999999."]}


def test_link_refuses_a_vendor_already_linked_to_another_company(approver):
    holder = CompanyFactory(synced=True, erp_id="1200", name="Holder")
    company = CompanyFactory()
    with pytest.raises(DomainError, match="ERP vendor 1200 is already linked to Holder"):
        services.company_link(company_id=company.pk, erp_id="1200", data=ERP_VENDOR, user=approver)
    assert Company.objects.get(pk=company.pk).erp_status == "not_synced"
    assert Company.objects.get(pk=holder.pk).erp_id == "1200"


def test_link_refuses_a_company_already_linked(approver):
    company = CompanyFactory(synced=True, erp_id="1300")
    with pytest.raises(DomainError, match="is already linked to ERP vendor 1300: a company links to one ERP vendor"):
        services.company_link(company_id=company.pk, erp_id="1200", data=ERP_VENDOR, user=approver)
    assert Company.objects.get(pk=company.pk).erp_id == "1300"


@pytest.mark.parametrize("erp_status", ["ready_to_export", "exporting", "failed"])
def test_link_refuses_a_company_waiting_in_the_queue(approver, erp_status):
    company = CompanyFactory(erp_status=erp_status)
    with pytest.raises(DomainError, match="is waiting in the ERP queue"):
        services.company_link(company_id=company.pk, erp_id="1200", data=ERP_VENDOR, user=approver)
    assert Company.objects.get(pk=company.pk).erp_status == erp_status


def test_link_needs_the_link_permission(pm):
    company = CompanyFactory()
    with pytest.raises(PermissionDenied):
        services.company_link(company_id=company.pk, erp_id="1200", data=ERP_VENDOR, user=pm)
    assert Company.objects.get(pk=company.pk).erp_status == "not_synced"


def test_link_of_a_rejected_company_takes_the_erp_values_and_clears_the_rejection(approver):
    company = CompanyFactory(name="Acme Concrete", erp_status="rejected", rejection_reason="Duplicate vendor")
    services.company_link(company_id=company.pk, erp_id="1200", data={**ERP_VENDOR, "vendor_type": "2"}, user=approver)
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id, company.vendor_type) == ("synced", "1200", "2")
    assert (company.name, company.city, company.rejection_reason) == ("Acme Concrete Inc", "Modesto", "")


def test_unlink_stages_the_erp_vendor_again(approver):
    company = CompanyFactory(synced=True, erp_id="1400", name="Acme Concrete", vendor_type="3")
    services.company_unlink(company=company, user=approver)
    company.refresh_from_db()
    assert (company.erp_status, company.erp_id, company.vendor_type) == ("not_synced", None, "")
    staged = StagedRecord.objects.get(kind="vendor", erp_id="1400")
    assert (staged.status, staged.data["name"], staged.data["vendor_type"]) == ("staged", "Acme Concrete", "3")


def test_unlink_returns_an_imported_staged_record_to_ready_to_import(approver):
    company = CompanyFactory(synced=True, erp_id="1500")
    staged = StagedRecordFactory(erp_id="1500", imported=True, imported_object_id=company.pk)
    services.company_unlink(company=company, user=approver)
    staged.refresh_from_db()
    assert (staged.status, staged.imported_object_id, staged.imported_by) == ("staged", None, None)


def test_unlink_is_refused_for_a_company_that_is_not_linked(approver):
    company = CompanyFactory()
    with pytest.raises(StepNotAllowed, match="'unlink' is not allowed while"):
        services.company_unlink(company=company, user=approver)
    assert not StagedRecord.objects.exists()


def test_a_vendor_type_the_ledger_refuses_is_not_kept_here_either():
    with pytest.raises(ValidationError) as refused:
        services.vendor_type_upsert(code="SUB", name="Subcontractor")
    assert "a number from 1 to 999" in refused.value.message_dict["code"][0]
    assert not VendorType.objects.exists()
