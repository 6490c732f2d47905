"""The admin's confirm step reads only the file its own upload wrote: never another file of the server."""

import os
import tempfile

import pytest
from django.urls import reverse

from apps.budgets import admin_import as budget_admin
from apps.budgets.models import BudgetLineItem
from apps.core import roles
from tests.budgets.test_admin import preview
from tests.budgets.test_api import FILE

pytestmark = pytest.mark.django_db

CONFIRM = "admin:budgets_budgetlineitem_process_import"


@pytest.fixture
def other_file():
    """A file of the temporary folder that no upload of this user wrote (a valid budget file, to tempt it)."""
    handle, path = tempfile.mkstemp(dir=tempfile.gettempdir(), suffix=".csv")
    with os.fdopen(handle, "w") as stream:
        stream.write(FILE)
    yield path
    if os.path.exists(path):
        os.remove(path)


def confirmed_file(page):
    """(the confirm form's POST data, the path of the uploaded copy it refers to)."""
    data = dict(page.context["confirm_form"].initial)
    name = budget_admin.signing.loads(data["import_file_name"], salt=budget_admin.UPLOAD_SALT)["file"]
    return data, os.path.join(tempfile.gettempdir(), name)


def refused(response, message, budget):
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:budgets_budgetlineitem_import") + f"?budget={budget.pk}"
    assert message in html
    assert not BudgetLineItem.objects.exists()


@pytest.mark.parametrize("forge", ["absolute path", "bare name"])
def test_a_hand_set_file_name_is_refused_and_the_file_kept(client, pm, budget, other_file, forge):
    client.force_login(pm)
    data, own_copy = confirmed_file(preview(client, budget))
    data["import_file_name"] = other_file if forge == "absolute path" else os.path.basename(other_file)
    response = client.post(reverse(CONFIRM), data, follow=True)
    refused(response, budget_admin.UPLOAD_FORGED, budget)
    assert os.path.exists(other_file)  # neither read nor deleted
    os.remove(own_copy)


def test_another_users_confirmation_is_refused(client, make_user, pm, budget):
    other = make_user("pm2", roles.PROJECT_MANAGER)
    client.force_login(other)
    data, their_copy = confirmed_file(preview(client, budget))
    client.force_login(pm)
    refused(client.post(reverse(CONFIRM), data, follow=True), budget_admin.UPLOAD_FORGED, budget)
    assert os.path.exists(their_copy)
    os.remove(their_copy)


def test_a_reference_signed_for_another_budget_is_refused(client, pm, budget):
    client.force_login(pm)
    data, own_copy = confirmed_file(preview(client, budget))
    other_budget = type("B", (), {"pk": budget.pk + 1})()
    data["import_file_name"] = budget_admin.sign_upload(name=own_copy, user=pm, budget=other_budget)
    refused(client.post(reverse(CONFIRM), data, follow=True), budget_admin.UPLOAD_FORGED, budget)
    assert os.path.exists(own_copy)
    os.remove(own_copy)


def test_an_expired_preview_goes_back_to_the_upload(client, pm, budget, monkeypatch):
    client.force_login(pm)
    data, own_copy = confirmed_file(preview(client, budget))
    monkeypatch.setattr(budget_admin, "UPLOAD_MAX_AGE", -1)
    refused(client.post(reverse(CONFIRM), data, follow=True), budget_admin.UPLOAD_EXPIRED, budget)
    os.remove(own_copy)


def test_a_missing_file_and_a_second_confirm_are_messages_not_errors(client, pm, budget):
    client.force_login(pm)
    data, own_copy = confirmed_file(preview(client, budget))
    first = client.post(reverse(CONFIRM), data, follow=True)
    assert "Budget file imported: 4 new lines" in first.content.decode()
    assert not os.path.exists(own_copy)  # the confirm step removes the copy it read
    again = client.post(reverse(CONFIRM), data, follow=True)
    assert again.status_code == 200 and budget_admin.UPLOAD_GONE in again.content.decode()
    assert budget.lines.count() == 4


def test_a_preview_with_bad_rows_leaves_no_copy_behind(client, pm, budget, monkeypatch):
    saved = []
    original_save = budget_admin.BudgetUploadStorage.save

    def save(storage, data):
        original_save(storage, data)
        saved.append(os.path.join(tempfile.gettempdir(), storage.name))

    monkeypatch.setattr(budget_admin.BudgetUploadStorage, "save", save)
    client.force_login(pm)
    html = preview(client, budget, FILE + "9999,1,,,,,5,yes\n").content.decode()
    assert "Nothing was imported: 1 row needs correcting" in html
    assert len(saved) == 1 and not os.path.exists(saved[0])


def test_a_confirm_the_budget_no_longer_takes_goes_back_with_the_reason(client, pm, budget):
    from apps.budgets import services

    client.force_login(pm)
    data, _ = confirmed_file(preview(client, budget))
    budget.lines.create(cost_code=budget.project.cost_codes.first().cost_code, cost_type_id=1, original_amount=1)
    services.budget_lock(budget=budget, user=pm)  # locked between preview and confirm
    budget.lines.all().delete()
    response = client.post(reverse(CONFIRM), data, follow=True)
    refused(response, "a budget file can only be imported while the budget is unlocked", budget)
    assert "Budget file imported" not in response.content.decode()
