"""A project's way into the ERP and back, clicked through the admin by a project manager and an approver."""

import pytest
from playwright.sync_api import expect

from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs import services as job_services
from apps.jobs.models import Origin, Project
from apps.ledger.models import ERPJob
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("Thanks for spending some quality time")).to_be_visible()


def text_field(page, label):
    return page.get_by_role("textbox", name=f"{label}:", exact=True)


def open_model(page, app_name, model_name):
    """From the admin index (the site header links to it), follow an app's section to one of its models."""
    page.locator("#site-name a").click()
    page.get_by_role("table", name=app_name).get_by_role("link", name=model_name, exact=True).click()


def sent_project(pm, *, number="2501", name="Harbor Office"):
    project = job_services.project_create(
        user=pm, number=number, name=name, address="1 Pier Ave", city="Oakland", state="CA", zip="94607"
    )
    job_services.project_cost_code_assign(project=project, user=pm, code="3300", cost_types=[1, 2])
    return erp_services.record_send(record=project, user=pm)


def test_project_created_here_is_sent_accepted_and_synced(
    page, live_server, pm_user, approver_user, standard_cost_codes
):
    log_in(page, live_server, pm_user)
    open_model(page, "Jobs", "Projects")
    page.get_by_role("link", name="Add project").click()
    text_field(page, "Number").fill("2601")
    text_field(page, "Name").fill("Bayview Library")
    text_field(page, "Address").fill("400 Bay St")
    text_field(page, "City").fill("San Francisco")
    text_field(page, "State").fill("CA")
    text_field(page, "ZIP").fill("94133")
    page.get_by_role("button", name="Add another Project cost code").click()
    # The cost code is an autocomplete (select2): open it, search, pick.
    page.locator(".dynamic-cost_codes .select2-selection").click()
    page.locator(".select2-search__field").fill("3300")
    page.get_by_role("option", name="3300.000 Cast-in-Place Concrete").click()
    page.locator(".dynamic-cost_codes").get_by_label("2 Labor").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.get_by_role("link", name="Send to ERP").click()
    page.get_by_role("button", name="Send to ERP").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was sent to accounting")
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Sent, awaiting accounting")
    log_out(page)

    request = ERPRequest.objects.get()
    log_in(page, live_server, approver_user)
    open_model(page, "ERP Integrations", "ERP requests")
    page.locator("#result_list").get_by_role("link", name=str(request.pk), exact=True).click()
    page.get_by_role("link", name="Accept and export").click()
    page.get_by_label("ERP job id").fill("7001")
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Accepted")
    expect(page.locator(".field-status_badge")).to_contain_text("Synced")

    page.locator(".field-record_link").get_by_role("link", name="2601 Bayview Library").click()
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Synced")
    expect(page.locator(".field-erp_id")).to_contain_text("7001")
    assert ERPJob.objects.filter(job_id="7001").count() == 1


def test_job_keyed_in_the_erp_is_added_to_the_app(page, live_server, approver_user, erp_reference_data):
    log_in(page, live_server, approver_user)
    open_model(page, "ERP ledger (embedded Sage 100 Contractor)", "ERP jobs")
    page.get_by_role("link", name="Add ERP job").click()
    text_field(page, "Job id").fill("3050")
    text_field(page, "Name").fill("Westgate Clinic")
    text_field(page, "City").fill("Modesto")
    text_field(page, "State").fill("CA")
    page.locator(".dynamic-cost_codes .select2-selection").click()
    page.locator(".select2-search__field").fill("2300")
    page.get_by_role("option", name="2300.000 Earthwork").click()
    page.locator(".dynamic-cost_codes").get_by_label("3 Equipment").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Job 3050 is staged under Ready to Import")

    open_model(page, "ERP Integrations", "Staged ERP records")
    page.locator("#result_list tbody tr").filter(has_text="3050").get_by_role("link").first.click()
    page.get_by_role("link", name="Add to app").click()
    page.get_by_role("button", name="Add to app").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added to the app")

    open_model(page, "Jobs", "Projects")
    row = page.locator("#result_list tbody tr").filter(has_text="3050")
    expect(row).to_contain_text("Synced")
    expect(row).to_contain_text("Created in the ERP")
    project = Project.objects.get(number="3050")
    assert (project.origin, project.erp_status, project.erp_id) == (Origin.ERP, Project.ERPStatus.SYNCED, "3050")
    assert StagedRecord.objects.get(erp_id="3050").status == StagedRecord.Status.IMPORTED


def test_rejected_project_shows_the_reason_and_can_be_resent(
    page, new_context, live_server, pm_user, approver_user, standard_cost_codes
):
    project, request = sent_project(pm_user)
    reason = "The ZIP code does not match the site address."
    log_in(page, live_server, approver_user)
    page.goto(f"{live_server.url}/admin/erp_queue/erprequest/{request.pk}/change/")
    page.get_by_role("link", name="Reject", exact=True).click()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Rejected")

    pm_page = new_context().new_page()  # a second browser session, as on the PM's own machine
    log_in(pm_page, live_server, pm_user)
    open_model(pm_page, "Jobs", "Projects")
    pm_page.get_by_role("link", name="2501").click()
    expect(pm_page.locator(".field-erp_status_badge")).to_contain_text("Rejected by accounting")
    expect(pm_page.locator(".field-rejection_reason")).to_contain_text(reason)
    expect(pm_page.get_by_role("link", name="Resend to ERP")).to_be_visible()
    project.refresh_from_db()
    assert (project.erp_status, project.rejection_reason) == (Project.ERPStatus.REJECTED, reason)


def test_project_manager_cannot_accept_a_request(page, live_server, pm_user, standard_cost_codes):
    project, request = sent_project(pm_user)
    log_in(page, live_server, pm_user)
    change_url = f"{live_server.url}/admin/erp_queue/erprequest/{request.pk}/change/"
    page.goto(change_url)
    expect(page.locator(".field-status_badge")).to_contain_text("Ready to export")
    expect(page.locator("a.workflow-step")).to_have_count(0)
    expect(page.get_by_role("link", name="Accept and export")).to_have_count(0)

    # The button is hidden; posting the step anyway (with a valid session and CSRF token) is refused.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/admin/erp_queue/erprequest/{request.pk}/step/accept/",
        form={"csrfmiddlewaretoken": csrf, "erp_job_id": "7002", "confirm": "Accept and export"},
        max_redirects=0,
    )
    assert response.status == 302
    page.goto(change_url)
    expect(page.locator(".messagelist .error")).to_contain_text("You do not have permission to accept")
    request.refresh_from_db()
    project.refresh_from_db()
    assert request.status == ERPRequest.Status.READY_TO_EXPORT
    assert request.decided_by is None
    assert project.erp_status == Project.ERPStatus.READY_TO_EXPORT
    assert not ERPJob.objects.filter(job_id="7002").exists()


def test_a_cost_code_added_to_a_synced_project_waits_under_ready_to_update_until_accepted(
    page, live_server, pm_user, approver_user, standard_cost_codes
):
    project, request = sent_project(pm_user)
    erp_services.request_accept(request=request, user=approver_user, inputs={"erp_job_id": "7002"})
    project.refresh_from_db()
    assert project.erp_status == Project.ERPStatus.SYNCED

    log_in(page, live_server, pm_user)
    page.goto(f"{live_server.url}/admin/jobs/project/{project.pk}/change/")
    expect(page.locator(".field-ready_to_update")).to_contain_text("Nothing waits")
    page.get_by_role("button", name="Add another Project cost code").click()
    added = page.locator(".dynamic-cost_codes").last
    added.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("2300")
    page.get_by_role("option", name="2300.000 Earthwork").click()
    added.get_by_label("4 Subcontract").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("wait for accounting under ERP Integrations → Ready to update")
    expect(page.locator(".field-ready_to_update")).to_contain_text("2300.000 4 Subcontract: waiting for accounting")
    expect(page.locator(".field-erp_status_badge")).to_contain_text("Synced")
    log_out(page)

    log_in(page, live_server, approver_user)
    open_model(page, "ERP Integrations", "ERP requests")
    page.get_by_role("link", name="Ready to update (1)").click()
    page.locator("#result_list").get_by_role("link", name="2501 Harbor Office").first.wait_for()
    update = ERPRequest.objects.get(status=ERPRequest.Status.READY_TO_EXPORT)
    page.locator("#result_list").get_by_role("link", name=str(update.pk), exact=True).click()
    page.get_by_role("link", name="Accept and export").click()
    expect(page.get_by_label("ERP job id")).to_have_count(0)  # the ERP job is the project's already
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Accepted")
    expect(page.locator(".field-status_badge")).to_contain_text("Synced")

    page.goto(f"{live_server.url}/admin/jobs/project/{project.pk}/change/")
    expect(page.locator(".field-ready_to_update")).to_contain_text("Nothing waits")
    assert ERPJob.objects.get(job_id="7002").cost_codes.filter(cost_code__code="2300").exists()


def test_a_job_id_held_by_a_job_waiting_under_ready_to_import_is_refused_at_accept(
    page, live_server, pm_user, approver_user, standard_cost_codes
):
    _, request = sent_project(pm_user)
    StagedRecord.objects.create(kind="job", erp_id="712345", label="712345 Harbor Annex", data={})
    log_in(page, live_server, approver_user)
    page.goto(f"{live_server.url}/admin/erp_queue/erprequest/{request.pk}/change/")
    page.get_by_role("link", name="Accept and export").click()
    page.get_by_label("ERP job id").fill("712345")
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "ERP job 712345 already exists (712345 Harbor Annex) and waits under Ready to Import"
    )
    page.get_by_label("ERP job id").fill("712346")
    page.get_by_role("button", name="Accept and export").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Accepted")
    assert not ERPJob.objects.filter(job_id="712345").exists()
