"""Every admin door that deletes goes through a service: a refusal keeps the record and shows the service's words."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from apps.budgets.models import Budget, BudgetLineItem, BudgetModification
from apps.change_orders.models import ChangeOrder
from apps.commitments.models import Commitment
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import CostCode, CostType, Project
from apps.vendors.models import Company
from tests.budgets.factories import (
    BudgetFactory,
    BudgetLineItemFactory,
    BudgetModificationFactory,
    BudgetTransactionFactory,
)
from tests.change_orders.factories import ChangeOrderFactory
from tests.commitments.factories import CommitmentFactory
from tests.erp_queue.factories import ERPRequestFactory, StagedRecordFactory
from tests.jobs.factories import CostCodeFactory, ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def bulk_delete(client, model, *objs):
    """The changelist's "Delete selected" action, confirmed as Django's confirmation page does."""
    return client.post(
        changelist(model),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objs], "post": "yes"},
        follow=True,
    )


def page_text(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_a_locked_budgets_line_survives_the_bulk_delete_with_the_services_message(client, pm):
    line = BudgetLineItemFactory(budget=BudgetFactory(status=Budget.Status.LOCKED), original_amount=Decimal("100"))
    client.force_login(pm)
    response = bulk_delete(client, BudgetLineItem, line)
    assert response.status_code == 200
    assert "only $0 lines can be deleted once the budget is locked" in page_text(response)
    assert "Deleted" not in page_text(response)
    assert BudgetLineItem.objects.filter(pk=line.pk).exists()


def test_the_line_page_delete_refuses_it_too(client, pm):
    line = BudgetLineItemFactory(budget=BudgetFactory(status=Budget.Status.LOCKED), original_amount=Decimal("100"))
    client.force_login(pm)
    url = reverse("admin:budgets_budgetlineitem_delete", args=[line.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert "only $0 lines can be deleted once the budget is locked" in page_text(response)
    assert BudgetLineItem.objects.filter(pk=line.pk).exists()


def delete_link(client, obj):
    info = obj._meta.app_label, obj._meta.model_name
    page = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).content.decode()
    return reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]) in page


def test_delete_is_offered_only_where_the_service_would_delete(client, pm):
    locked = BudgetFactory(status=Budget.Status.LOCKED)
    funded = BudgetLineItemFactory(budget=locked, original_amount=Decimal("100"))
    empty = BudgetLineItemFactory(budget=locked, original_amount=Decimal("0"))
    unlocked = BudgetLineItemFactory(original_amount=Decimal("100"))
    exported = BudgetModificationFactory()
    BudgetTransactionFactory(line=exported.to_line, modification=exported, exported=True)
    unsent = BudgetModificationFactory()
    client.force_login(pm)
    assert (delete_link(client, funded), delete_link(client, empty), delete_link(client, unlocked)) == (
        False,
        True,
        True,
    )
    assert (delete_link(client, exported), delete_link(client, unsent)) == (False, True)
    # The delete page of one that cannot go answers with the reason on the record's page, not a 403 or a 500.
    url = reverse("admin:budgets_budgetmodification_delete", args=[exported.pk])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "exported modifications cannot be deleted" in page_text(response)


def test_the_bulk_delete_deletes_what_the_service_allows_and_names_the_rest(client, pm):
    budget = BudgetFactory(status=Budget.Status.LOCKED)
    kept = BudgetLineItemFactory(budget=budget, original_amount=Decimal("100"))
    empty = BudgetLineItemFactory(budget=budget, original_amount=Decimal("0"))
    client.force_login(pm)
    response = bulk_delete(client, BudgetLineItem, kept, empty)
    assert "Deleted 1 of the 2 selected budget line items." in page_text(response)
    assert list(BudgetLineItem.objects.values_list("pk", flat=True)) == [kept.pk]


def test_an_exported_modification_survives_the_bulk_delete(client, pm):
    modification = BudgetModificationFactory()
    BudgetTransactionFactory(line=modification.to_line, modification=modification, exported=True)
    client.force_login(pm)
    response = bulk_delete(client, BudgetModification, modification)
    assert "exported modifications cannot be deleted" in page_text(response)
    assert BudgetModification.objects.filter(pk=modification.pk).exists()


def test_a_viewer_cannot_bulk_delete_a_line(client, viewer):
    line = BudgetLineItemFactory(original_amount=Decimal("0"))
    client.force_login(viewer)
    bulk_delete(client, BudgetLineItem, line)
    assert BudgetLineItem.objects.filter(pk=line.pk).exists()


NO_DELETE = [
    (Project, lambda: ProjectFactory()),
    (Company, lambda: CompanyFactory()),
    (Budget, lambda: BudgetFactory()),
    (Commitment, lambda: CommitmentFactory()),
    (ChangeOrder, lambda: ChangeOrderFactory()),
    (ERPRequest, lambda: ERPRequestFactory()),
    (StagedRecord, lambda: StagedRecordFactory()),
    (CostCode, lambda: CostCodeFactory()),
    (CostType, lambda: CostType.objects.get(code=1)),
]


@pytest.mark.parametrize(("model", "make"), NO_DELETE, ids=[m.__name__ for m, _ in NO_DELETE])
def test_records_no_service_deletes_cannot_be_deleted_through_any_admin_door(client, make_user, model, make):
    obj = make()
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(changelist(model))
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    bulk_delete(client, model, obj)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_bulk_delete_with_a_refused_line_confirms_and_names_the_refusal(client, pm):
    budget = BudgetFactory(status=Budget.Status.LOCKED)
    kept = BudgetLineItemFactory(budget=budget, original_amount=Decimal("100"))
    empty = BudgetLineItemFactory(budget=budget, original_amount=Decimal("0"))
    client.force_login(pm)
    confirm = client.post(
        changelist(BudgetLineItem),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [kept.pk, empty.pk]},
    )
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()  # not "no permission"
    response = bulk_delete(client, BudgetLineItem, kept, empty)
    assert "only $0 lines can be deleted once the budget is locked" in page_text(response)
    assert list(BudgetLineItem.objects.values_list("pk", flat=True)) == [kept.pk]
