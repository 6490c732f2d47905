"""The commitment screens a project manager uses: add with the schedule of values inline, steps, committed costs."""

import pytest
from django.urls import reverse

from apps.commitments.models import Commitment
from apps.jobs.models import CostCode
from tests.commitments.factories import synced_commitment

pytestmark = pytest.mark.django_db

ADD = reverse("admin:commitments_commitment_add")


def management(total, initial=0):
    return {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }


def add_form(project, vendor, lines, **fields):
    data = {
        "project": project.pk,
        "type": "subcontract",
        "number": "",
        "title": "Earthwork",
        "description": "",
        "vendor": vendor.pk,
        "retainage_percent": "10",
        "accounting_method": "amount",
        **management(len(lines)),
        **fields,
    }
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    return data


def line(code, cost_type, amount, description=""):
    return {
        "cost_code": CostCode.objects.get(code=code).pk,
        "cost_type": cost_type,
        "description": description,
        "amount": amount,
        "quantity": "",
        "uom": "",
        "unit_cost": "",
    }


def test_add_with_lines_inline_then_approve_and_send(client, pm, project, vendor):
    client.force_login(pm)
    response = client.post(ADD, add_form(project, vendor, [line("2300", 4, "12000"), line("3300", 4, "30000")]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    commitment = Commitment.objects.get()
    assert (commitment.number, commitment.created_by) == ("SC-001", pm)
    assert list(commitment.lines.values_list("position", "amount")) == [(1, 12000), (2, 30000)]

    change = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    page = client.get(change).content.decode()
    assert 'data-step="approve"' in page and 'data-step="send-to-erp"' not in page
    step = reverse("admin:commitments_commitment_step", args=[commitment.pk, "approve"])
    client.post(step)
    assert 'data-step="send-to-erp"' in client.get(change).content.decode()
    client.post(reverse("admin:commitments_commitment_step", args=[commitment.pk, "send-to-erp"]))
    commitment.refresh_from_db()
    assert (commitment.status, commitment.erp_status) == ("approved", "ready_to_export")
    page = client.get(change)
    # Sent: vendor, title and retainage are read-only, the lines too.
    assert {"vendor", "title", "retainage_percent"}.isdisjoint(page.context["adminform"].form.fields)
    assert 'name="lines-0-amount"' not in page.content.decode()


def test_a_bad_line_creates_nothing_and_names_the_line(client, pm, project, vendor):
    client.force_login(pm)
    response = client.post(ADD, add_form(project, vendor, [line("1000", 4, "100")]))
    assert response.status_code == 200
    assert "Line 1: cost type 4 Subcontract is not assigned to cost code 1000" in response.content.decode()
    response = client.post(ADD, add_form(project, vendor, [line("1000", 1, "-5")]))
    assert "Correct the lines below." in response.content.decode()
    assert not Commitment.objects.exists()


def test_editing_a_draft_replaces_its_lines(client, pm, project, vendor):
    client.force_login(pm)
    client.post(ADD, add_form(project, vendor, [line("2300", 4, "12000")]))
    commitment = Commitment.objects.get()
    existing = commitment.lines.get()
    data = {
        "title": "Earthwork and grading",
        "number": "SC-001",
        "description": "",
        "vendor": commitment.vendor_id,
        "retainage_percent": "10",
        "accounting_method": "amount",
        **management(2, initial=1),
        **{f"lines-0-{key}": value for key, value in line("2300", 4, "15000").items()},
        "lines-0-id": existing.pk,
        "lines-0-commitment": commitment.pk,
        **{f"lines-1-{key}": value for key, value in line("5100", 4, "800").items()},
        "lines-1-commitment": commitment.pk,
        "django_fsm_log-statelog-content_type-object_id-TOTAL_FORMS": "0",
        "django_fsm_log-statelog-content_type-object_id-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:commitments_commitment_change", args=[commitment.pk]), data)
    assert response.status_code == 302, (
        response.context["errors"],
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    commitment.refresh_from_db()
    assert commitment.title == "Earthwork and grading"
    assert list(commitment.lines.values_list("cost_code__code", "amount")) == [("2300.000", 15000), ("5100.000", 800)]


def test_a_viewer_cannot_take_a_step_even_by_posting_it(client, viewer, pm, project, vendor):
    from apps.commitments import services
    from tests.commitments.factories import SUBCONTRACT_LINES, service_lines

    commitment = services.commitment_create(
        user=pm,
        project=project,
        type="subcontract",
        vendor=vendor,
        title="Earthwork",
        accounting_method="amount",
        lines=service_lines(SUBCONTRACT_LINES),
    )
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    client.post(reverse("admin:commitments_commitment_step", args=[commitment.pk, "approve"]))
    commitment.refresh_from_db()
    assert commitment.status == "draft"


def test_a_synced_commitment_saves_what_may_change_and_shows_the_rest_read_only(
    client, pm, approver, project, vendor, commit
):
    commitment = synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    client.force_login(pm)
    change = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    page = client.get(change)
    form_fields = set(page.context["adminform"].form.fields)
    assert {"title", "description", "retainage_percent"} <= form_fields
    assert {"vendor", "number", "type", "accounting_method"}.isdisjoint(form_fields)
    assert 'name="lines-0-amount"' not in page.content.decode()  # the schedule of values: read-only values

    response = client.post(
        change,
        {
            "title": "Earthwork, footings and grading",
            "description": "Grading added to the scope text",
            "retainage_percent": "5",
            **management(2, initial=2),
            "django_fsm_log-statelog-content_type-object_id-TOTAL_FORMS": "0",
            "django_fsm_log-statelog-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    commitment.refresh_from_db()
    assert (commitment.title, str(commitment.retainage_percent)) == ("Earthwork, footings and grading", "5.00")
    assert list(commitment.lines.values_list("amount", flat=True)) == [12000, 30000]


def test_committed_costs_page_from_the_project(client, pm, approver, project, vendor, commit):
    synced_commitment(pm=pm, approver=approver, commit=commit, project=project, vendor=vendor)
    client.force_login(pm)
    project_page = client.get(reverse("admin:jobs_project_change", args=[project.pk])).content.decode()
    url = reverse("admin:commitments_commitment_committed_costs") + f"?project={project.pk}"
    assert url in project_page
    html = client.get(url).content.decode()
    assert "Committed costs of 5000 Budget Tower" in html
    assert "12,000.00" in html and "42,000.00" in html


def test_add_change_order_is_offered_to_those_who_may_add_one(client, pm, approver):
    from tests.commitments.factories import CommitmentFactory

    commitment = CommitmentFactory(synced=True)
    change = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    client.force_login(pm)
    assert 'data-link="add-change-order"' in client.get(change).content.decode()
    client.force_login(approver)  # accounting decides on change orders; it does not write them
    assert 'data-link="add-change-order"' not in client.get(change).content.decode()
