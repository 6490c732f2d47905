import pytest
from django.urls import reverse

from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest
from apps.jobs.models import CostCode, Project
from apps.ledger.models import ERPCostCode
from tests.jobs.factories import ProjectCostCodeFactory

pytestmark = pytest.mark.django_db


def project_url(project):
    return reverse("admin:jobs_project_change", args=[project.pk])


def test_pm_sends_from_the_admin_and_the_button_changes(client, pm, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    client.force_login(pm)
    assert 'data-step="send-to-erp"' in client.get(project_url(project)).content.decode()
    response = client.post(reverse("admin:jobs_project_step", args=[project.pk, "send-to-erp"]), follow=True)
    assert "was sent to accounting" in response.content.decode()
    page = client.get(project_url(project)).content.decode()
    assert 'data-step="send-to-erp"' not in page and 'data-step="retrieve"' in page
    assert Project.objects.get(pk=project.pk).erp_status == "ready_to_export"


def test_the_history_reads_as_people_say_it(client, pm, approver, cost_codes):
    from django.utils import timezone
    from django.utils.formats import date_format

    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    _, request = erp_services.record_send(record=project, user=pm)
    erp_services.request_reject(request=request, user=approver, reason="Wrong city")
    client.force_login(pm)
    page = client.get(project_url(project)).content.decode()
    history = page[page.index("<h2>History</h2>") :]
    assert "Sent to accounting" in history and "Rejected by accounting" in history and "Wrong city" in history
    assert "<td>pm</td>" in history and "<td>approver</td>" in history  # the rejection is the approver's
    assert date_format(timezone.localtime(), "M j, Y") in history
    assert "mark_rejected" not in history and "ready_to_export" not in history


def test_admin_send_refusal_names_the_cost_code(client, pm, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[1], cost_types=[]).project
    client.force_login(pm)
    response = client.post(reverse("admin:jobs_project_step", args=[project.pk, "send-to-erp"]), follow=True)
    assert "cost code 2300.000 has none" in response.content.decode()
    assert not ERPRequest.objects.exists()


def test_integrated_fields_are_read_only_in_the_admin_while_sent(client, pm, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    erp_services.record_send(record=project, user=pm)
    client.force_login(pm)
    page = client.get(project_url(project)).content.decode()
    assert 'name="name"' not in page
    assert project.name in page


def test_viewer_sees_projects_but_no_steps(client, viewer, cost_codes):
    project = ProjectCostCodeFactory(cost_code=cost_codes[0]).project
    client.force_login(viewer)
    page = client.get(project_url(project))
    assert page.status_code == 200
    assert "data-step=" not in page.content.decode()
    client.post(reverse("admin:jobs_project_step", args=[project.pk, "send-to-erp"]))
    assert Project.objects.get(pk=project.pk).erp_status == "not_synced"


def test_pm_creates_a_project_with_cost_codes_in_the_admin(client, pm, cost_codes):
    client.force_login(pm)
    data = {
        "number": "2601",
        "name": "Depot",
        "address": "",
        "city": "",
        "state": "CA",
        "zip": "",
        "cost_codes-TOTAL_FORMS": "1",
        "cost_codes-INITIAL_FORMS": "0",
        "cost_codes-0-cost_code": str(cost_codes[0].pk),
        "cost_codes-0-cost_types": ["1", "2"],
        "django_fsm_log-statelog-content_type-object_id-TOTAL_FORMS": "0",
        "django_fsm_log-statelog-content_type-object_id-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:jobs_project_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(number="2601")
    assert project.created_by == pm
    assert [sorted(ct.code for ct in pcc.cost_types.all()) for pcc in project.cost_codes.all()] == [[1, 2]]


def test_sync_cost_codes_button(client, approver, db):
    ERPCostCode.objects.create(code="1500", description="Temporary Facilities")
    client.force_login(approver)
    response = client.post(reverse("admin:jobs_costcode_sync"), follow=True)
    assert "cost codes are now in step with the ERP" in response.content.decode()
    assert CostCode.objects.get(code="1500").description == "Temporary Facilities"
