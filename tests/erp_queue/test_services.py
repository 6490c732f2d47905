"""Service rules of the ERP queue (decisions, claims, reports, staging), from states the factories build directly.

The inline export runs on commit; these tests never commit, so an accepted request stays exporting.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.exceptions import DomainError, PermissionDenied, StepNotAllowed, ValidationError
from apps.erp_queue import services
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import Project
from apps.vendors.models import Company
from tests.commitments.factories import CommitmentFactory
from tests.erp_queue.factories import ERPRequestFactory, StagedRecordFactory
from tests.jobs.factories import ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db

Status = ERPRequest.Status


def exporting_request(**kwargs):
    return ERPRequestFactory(accepted=True, record=ProjectFactory(erp_status="exporting"), **kwargs)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_says_why(approver, reason):
    request = ERPRequestFactory()
    with pytest.raises(ValidationError) as refused:
        services.request_reject(request=request, user=approver, reason=reason)
    assert refused.value.message_dict == {
        "reason": ["Say why the request is rejected: the sender reads it to fix the record."]
    }
    assert ERPRequest.objects.get(pk=request.pk).status == Status.READY_TO_EXPORT


@pytest.mark.parametrize("trait", ["ready", "failed"])
def test_a_rejection_sends_the_record_back_with_the_reason(approver, trait):
    project = ProjectFactory(erp_status="ready_to_export" if trait == "ready" else "failed")
    request = ERPRequestFactory(record=project, failed=trait == "failed")
    request = services.request_reject(request=request, user=approver, reason=" Wrong address ")
    project.refresh_from_db()
    assert (request.status, request.reason, request.decided_by) == (Status.REJECTED, "Wrong address", approver)
    assert (project.erp_status, project.rejection_reason) == ("rejected", "Wrong address")


def test_only_an_approver_decides(pm):
    request = ERPRequestFactory()
    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, user=pm, inputs={"erp_job_id": "1024"})
    with pytest.raises(PermissionDenied):
        services.request_reject(request=request, user=pm, reason="No")
    assert ERPRequest.objects.get(pk=request.pk).status == Status.READY_TO_EXPORT


def test_a_decided_request_cannot_be_accepted_again(approver):
    request = ERPRequestFactory(synced=True, record=ProjectFactory(synced=True))
    with pytest.raises(StepNotAllowed, match="'accept' is not allowed while") as refused:
        services.request_accept(request=request, user=approver, inputs={"erp_job_id": "1024"})
    assert refused.value.state == "synced"


@pytest.mark.parametrize(
    ("erp_job_id", "message"),
    [
        ("10-24", "'10-24' is not a valid ERP job id"),
        ("", "The ERP job id is required."),
        ("7777", "ERP job 7777 already belongs to another project here. Enter another job code."),
    ],
)
def test_accepting_a_job_needs_a_free_valid_job_id(approver, erp_job_id, message):
    ProjectFactory(synced=True, erp_id="7777")
    request = ERPRequestFactory()
    with pytest.raises(ValidationError, match=message):
        services.request_accept(request=request, user=approver, inputs={"erp_job_id": erp_job_id})
    assert ERPRequest.objects.get(pk=request.pk).status == Status.READY_TO_EXPORT
    assert Project.objects.get(pk=request.object_id).erp_status == "ready_to_export"


def test_accepting_moves_the_request_and_its_record_to_exporting(approver):
    request = services.request_accept(request=ERPRequestFactory(), user=approver, inputs={"erp_job_id": "1024"})
    assert (request.status, request.inputs, request.decided_by) == (Status.EXPORTING, {"erp_job_id": "1024"}, approver)
    assert Project.objects.get(pk=request.object_id).erp_status == "exporting"


def test_a_failed_request_is_retried_and_only_a_failed_one(approver):
    project = ProjectFactory(erp_status="failed", erp_messages=["ERP offline"])
    request = services.request_retry(request=ERPRequestFactory(record=project, failed=True), user=approver)
    project.refresh_from_db()
    assert (request.status, request.messages, project.erp_status, project.erp_messages) == (
        Status.EXPORTING,
        [],
        "exporting",
        [],
    )
    with pytest.raises(StepNotAllowed, match="'retry' is not allowed"):
        services.request_retry(request=ERPRequestFactory(), user=approver)


def test_claims_lease_accepted_requests_once_until_the_lease_runs_out(agent, pm):
    first, second = exporting_request(), exporting_request()
    ERPRequestFactory()  # waiting for a decision: not claimable
    with pytest.raises(PermissionDenied):
        services.request_claim(user=pm, worker="w")
    claimed = services.request_claim(user=agent, worker="agent-1")
    assert {r.pk for r in claimed} == {first.pk, second.pk}
    assert services.request_claim(user=agent, worker="agent-2") == []
    ERPRequest.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    [again] = services.request_claim(user=agent, worker="agent-2")
    assert (again.pk, again.attempts, again.leased_by) == (first.pk, 2, "agent-2")


def test_success_lands_the_erp_id_on_the_record_and_a_repeat_changes_nothing(agent):
    request = exporting_request(claimed=True)
    lease = request.lease_token
    request = services.request_succeeded(request=request, user=agent, erp_ids={"job_id": "1024"}, lease_token=lease)
    project = Project.objects.get(pk=request.object_id)
    assert (request.status, project.erp_status, project.erp_id) == (Status.SYNCED, "synced", "1024")
    again = services.request_succeeded(request=request, user=agent, erp_ids={"job_id": "1024"}, lease_token=lease)
    assert again.completed_at == request.completed_at


def test_a_success_without_a_usable_job_id_is_refused(agent):
    request = exporting_request(claimed=True)
    with pytest.raises(ValidationError, match="job_id: 'J1' is not a valid ERP job id"):
        services.request_succeeded(
            request=request, user=agent, erp_ids={"job_id": "J1"}, lease_token=request.lease_token
        )


def test_a_vendor_id_other_than_the_one_the_approver_typed_is_refused(agent):
    company = CompanyFactory(erp_status="exporting")
    request = ERPRequestFactory(record=company, claimed=True, inputs={"erp_vendor_id": "1500", "vendor_type": "1"})
    with pytest.raises(DomainError, match=r"reported vendor_id 1600, but .* was exported as vendor_id 1500"):
        services.request_succeeded(
            request=request, user=agent, erp_ids={"vendor_id": "1600"}, lease_token=request.lease_token
        )
    assert Company.objects.get(pk=company.pk).erp_id is None
    assert ERPRequest.objects.get(pk=request.pk).status == Status.EXPORTING


def test_a_commitment_reported_on_another_erp_job_is_refused(agent):
    commitment = CommitmentFactory(erp_status="exporting")
    request = ERPRequestFactory(record=commitment, claimed=True, payload={"job_id": "2401", "number": "SC-1"})
    with pytest.raises(DomainError, match=r"reported job_id 2402, but .* was exported as job_id 2401"):
        services.request_succeeded(
            request=request, user=agent, erp_ids={"job_id": "2402", "number": "SC-1"}, lease_token=request.lease_token
        )
    assert ERPRequest.objects.get(pk=request.pk).status == Status.EXPORTING


def test_a_failure_needs_a_message_and_reaches_the_record(agent):
    request = exporting_request(claimed=True)
    lease = request.lease_token
    with pytest.raises(ValidationError, match="Report at least one message"):
        services.request_failed(request=request, user=agent, messages=["  "], lease_token=lease)
    request = services.request_failed(request=request, user=agent, messages=["Job 1024 exists"], lease_token=lease)
    project = Project.objects.get(pk=request.object_id)
    assert (request.status, request.messages, request.lease_token) == (Status.FAILED, ["Job 1024 exists"], None)
    assert (project.erp_status, project.erp_messages) == ("failed", ["Job 1024 exists"])


def test_staging_refuses_unknown_kinds_and_blank_ids(agent):
    with pytest.raises(ValidationError, match="'budget' records cannot be staged for import"):
        services.staged_record_upsert(kind="budget", erp_id="1", data={}, user=agent)
    with pytest.raises(ValidationError, match="The ERP id is required"):
        services.staged_record_upsert(kind="vendor", erp_id="  ", data={"name": "Acme"}, user=agent)
    assert not StagedRecord.objects.exists()


def test_a_change_in_the_erp_stages_an_imported_record_again(agent):
    staged = StagedRecordFactory(imported=True, imported_object_id=CompanyFactory(synced=True).pk)
    same = services.staged_record_upsert(kind="vendor", erp_id=staged.erp_id, data=staged.data, user=agent)
    assert same.status == StagedRecord.Status.IMPORTED
    changed = services.staged_record_upsert(
        kind="vendor", erp_id=staged.erp_id, data={**staged.data, "name": "Acme West"}, user=agent
    )
    assert (changed.status, changed.label) == (StagedRecord.Status.STAGED, "Acme West")


def test_jobs_are_never_linked_and_archived_records_stay_archived(approver):
    job = StagedRecordFactory(job=True)
    with pytest.raises(DomainError, match="is created in one system and added to the other, never linked"):
        services.staged_record_link(staged=job, target_id=ProjectFactory().pk, user=approver)
    services.staged_record_archive(staged=job, user=approver)
    with pytest.raises(StepNotAllowed, match="'archive' is not allowed"):
        services.staged_record_archive(staged=job, user=approver)
    assert StagedRecord.objects.get(pk=job.pk).status == StagedRecord.Status.ARCHIVED


def test_linking_a_staged_vendor_syncs_the_company_and_imports_the_record(approver):
    staged = StagedRecordFactory(erp_id="1200", label="Acme Concrete Inc")
    company = CompanyFactory(name="Acme Concrete")
    staged = services.staged_record_link(staged=staged, target_id=company.pk, user=approver)
    company.refresh_from_db()
    assert (staged.status, staged.imported_object_id, staged.imported_by) == ("imported", company.pk, approver)
    assert (company.erp_status, company.erp_id, company.name) == ("synced", "1200", "Acme Concrete Inc")


def test_adding_a_staged_vendor_creates_a_synced_company(approver, pm):
    staged = StagedRecordFactory(erp_id="1300", label="Granite Works")
    with pytest.raises(PermissionDenied):
        services.staged_record_add_to_app(staged=staged, user=pm)
    staged = services.staged_record_add_to_app(staged=staged, user=approver)
    company = Company.objects.get(pk=staged.imported_object_id)
    assert (company.name, company.erp_id, company.origin, company.erp_status) == (
        "Granite Works",
        "1300",
        "erp",
        "synced",
    )
