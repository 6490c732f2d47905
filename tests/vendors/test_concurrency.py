"""Linking races that only PostgreSQL can show: the row locks decide, exactly one link wins."""

import pytest

from apps.core import roles
from apps.erp_queue.models import StagedRecord
from apps.vendors.models import Company
from tests.erp_queue.test_concurrency import run_together
from tests.vendors.factories import CompanyFactory, key_erp_vendor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approvers(make_user, api_as):
    return api_as(make_user("approver1", roles.ACCOUNTING_APPROVER)), api_as(
        make_user("approver2", roles.ACCOUNTING_APPROVER)
    )


def test_one_erp_vendor_linked_to_two_companies_at_once_links_one(approvers):
    first, second = CompanyFactory(name="Acme Concrete"), CompanyFactory(name="Acme Concrete Inc")
    staged = key_erp_vendor(vendor_id="2001", name="ACME CONCRETE")
    url = f"/api/v1/erp/staged-records/{staged.pk}/link/"

    responses = run_together(
        lambda: approvers[0].post(url, {"company": first.pk}), lambda: approvers[1].post(url, {"company": second.pk})
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["status"] == "imported"
    staged.refresh_from_db()
    assert staged.status == StagedRecord.Status.IMPORTED
    linked = Company.objects.filter(erp_status=Company.ERPStatus.SYNCED)
    assert [(c.pk, c.erp_id) for c in linked] == [(staged.imported_object_id, "2001")]
    assert Company.objects.filter(erp_status=Company.ERPStatus.NOT_SYNCED).count() == 1


def test_two_erp_vendors_linked_to_one_company_at_once_link_one(approvers):
    company = CompanyFactory(name="Acme Concrete")
    vendors = [key_erp_vendor(vendor_id=vendor_id, name="Acme Concrete") for vendor_id in ("2001", "2002")]

    responses = run_together(
        *[
            lambda client=client, staged=staged: client.post(
                f"/api/v1/erp/staged-records/{staged.pk}/link/", {"company": company.pk}
            )
            for client, staged in zip(approvers, vendors, strict=True)
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert "already linked to ERP vendor" in next(r for r in responses if r.status_code == 409).json()["detail"]
    company.refresh_from_db()
    assert company.erp_status == Company.ERPStatus.SYNCED
    assert sorted(StagedRecord.objects.values_list("status", flat=True)) == ["imported", "staged"]
    assert StagedRecord.objects.get(status="imported").erp_id == company.erp_id
