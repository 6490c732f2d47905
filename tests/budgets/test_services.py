"""Service rules of budgets (lines, lock, modifications), each from a state the factories build directly."""

import re
from decimal import Decimal

import pytest

from apps.budgets import services
from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.core.exceptions import DomainError, PermissionDenied, StepNotAllowed, ValidationError
from apps.erp_queue import services as erp_services
from apps.jobs.models import CostType
from tests.budgets.factories import (
    BudgetFactory,
    BudgetLineItemFactory,
    BudgetModificationFactory,
    BudgetTransactionFactory,
)
from tests.jobs.factories import CostCodeFactory, ProjectCostCodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

Status = Budget.Status


def assigned_code(budget, cost_types=(1,)):
    return ProjectCostCodeFactory(project=budget.project, cost_types=list(cost_types)).cost_code


def cost_type(code):
    return CostType.objects.get(code=code)


def test_a_project_has_one_budget(pm):
    budget = BudgetFactory()
    with pytest.raises(ValidationError) as refused:
        services.budget_create(project=budget.project, user=pm)
    assert refused.value.message_dict == {"project": [f"Project {budget.project} already has a budget."]}


def test_a_line_needs_a_cost_code_and_type_of_the_project(pm):
    budget = BudgetFactory()
    other = CostCodeFactory()
    with pytest.raises(ValidationError) as refused:
        services.budget_line_add(budget=budget, user=pm, cost_code=other, cost_type=cost_type(1))
    assert refused.value.message_dict == {
        "cost_code": [f"Cost code {other.code} is not one of this project's cost codes."]
    }
    code = assigned_code(budget, cost_types=[1])
    with pytest.raises(ValidationError) as refused:
        services.budget_line_add(budget=budget, user=pm, cost_code=code, cost_type=cost_type(2))
    assert refused.value.message_dict == {
        "cost_type": [f"Cost type 2 Labor is not assigned to cost code {code.code} on this project."]
    }
    assert not BudgetLineItem.objects.exists()


def test_a_budget_has_one_line_per_cost_code_and_type(pm):
    line = BudgetLineItemFactory()
    with pytest.raises(ValidationError, match="already has a line for cost code"):
        services.budget_line_add(budget=line.budget, user=pm, cost_code=line.cost_code, cost_type=line.cost_type)
    assert BudgetLineItem.objects.count() == 1


def test_an_automatic_line_is_quantity_times_unit_cost_rounded_half_up(pm):
    budget = BudgetFactory()
    line = services.budget_line_add(
        budget=budget,
        user=pm,
        cost_code=assigned_code(budget),
        cost_type=cost_type(1),
        quantity=Decimal("3"),
        unit_cost=Decimal("3.335"),
        calculation=BudgetLineItem.Calculation.AUTOMATIC,
    )
    assert line.original_amount == Decimal("10.01")
    with pytest.raises(ValidationError, match="Quantity and unit cost are required"):
        services.budget_line_update(line=line, user=pm, unit_cost=None)


@pytest.mark.parametrize("status", [Status.LOCKED, Status.REJECTED, Status.SYNCED])
def test_a_frozen_budget_takes_only_partial_lines(pm, status):
    budget = BudgetFactory(status=status, ever_exported=status == Status.SYNCED)
    code = assigned_code(budget)
    with pytest.raises(DomainError, match=r"its original amounts are frozen\. Add a partial line item"):
        services.budget_line_add(
            budget=budget, user=pm, cost_code=code, cost_type=cost_type(1), original_amount=Decimal("5")
        )
    with pytest.raises(ValidationError, match="A partial line has no money of its own"):  # never stored as 0
        services.budget_line_add(
            budget=budget, user=pm, cost_code=code, cost_type=cost_type(1), original_amount=Decimal("5"), partial=True
        )
    line = services.budget_line_add(budget=budget, user=pm, cost_code=code, cost_type=cost_type(1), partial=True)
    assert (line.partial, line.original_amount) == (True, Decimal("0.00"))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.READY_TO_EXPORT, "is in the ERP queue (sent, awaiting accounting); adding lines is possible"),
        (Status.FAILED, "is in the ERP queue (failed to export)"),
        (Status.AWAITING_POSTING, "waits for accounting to post its entries in the ERP"),
    ],
)
def test_no_line_is_added_while_the_erp_holds_the_budget(pm, status, message):
    budget = BudgetFactory(status=status)
    with pytest.raises(DomainError, match=re.escape(message)):
        services.budget_line_add(
            budget=budget, user=pm, cost_code=assigned_code(budget), cost_type=cost_type(1), partial=True
        )
    assert not BudgetLineItem.objects.exists()


def test_a_budget_from_the_erp_is_read_only(pm):
    line = BudgetLineItemFactory(budget=BudgetFactory(from_erp=True))
    with pytest.raises(DomainError, match="was created in the ERP and is read-only here: deleting lines"):
        services.budget_line_delete(line=line, user=pm)
    with pytest.raises(DomainError, match="read-only here: locking is not possible"):
        services.budget_lock(budget=line.budget, user=pm)
    assert BudgetLineItem.objects.filter(pk=line.pk).exists()


def test_original_amounts_change_only_while_unlocked(pm):
    line = BudgetLineItemFactory(budget=BudgetFactory(status=Status.LOCKED))
    with pytest.raises(DomainError, match="is locked: unlock it to change original amounts"):
        services.budget_line_update(line=line, user=pm, original_amount=Decimal("1"))
    assert BudgetLineItem.objects.get(pk=line.pk).original_amount == Decimal("1000.00")


def test_after_lock_only_a_zero_line_no_modification_touches_can_be_deleted(pm):
    budget = BudgetFactory(status=Status.LOCKED)
    funded = BudgetLineItemFactory(budget=budget)
    with pytest.raises(DomainError, match="only \\$0 lines can be deleted once the budget is locked"):
        services.budget_line_delete(line=funded, user=pm)
    touched = BudgetLineItemFactory(budget=budget, original_amount=0, partial=True)
    BudgetModificationFactory(budget=budget, from_line=funded, to_line=touched)
    with pytest.raises(DomainError, match="A budget modification moves money on line"):
        services.budget_line_delete(line=touched, user=pm)
    empty = BudgetLineItemFactory(budget=budget, original_amount=0, partial=True)
    services.budget_line_delete(line=empty, user=pm)
    assert set(budget.lines.all()) == {funded, touched}


def test_deleting_a_line_the_erp_has_exports_the_deletion(pm):
    budget = BudgetFactory(synced=True)
    line = BudgetLineItemFactory(budget=budget, original_amount=0)
    BudgetTransactionFactory(line=line, exported=True)
    services.budget_line_delete(line=line, user=pm)
    deleted = BudgetTransaction.objects.get(kind=BudgetTransaction.Kind.LINE_DELETED)
    assert (deleted.cost_code, deleted.cost_type, deleted.amount, deleted.exported_at) == (
        line.cost_code.code,
        line.cost_type_id,
        Decimal("0.00"),
        None,
    )


def test_lock_needs_an_unlocked_budget_and_the_lock_permission(pm, viewer):
    budget = BudgetFactory()
    with pytest.raises(PermissionDenied):
        services.budget_lock(budget=budget, user=viewer)
    assert services.budget_lock(budget=budget, user=pm).status == Status.LOCKED
    with pytest.raises(StepNotAllowed, match=r"'lock' is not allowed while Budget of .* is Locked\."):
        services.budget_lock(budget=budget, user=pm)


def test_unlock_is_refused_once_exported_or_modified(pm):
    exported = BudgetFactory(status=Status.REJECTED, ever_exported=True)
    with pytest.raises(DomainError, match="has been exported to the ERP; it cannot be unlocked again"):
        services.budget_unlock(budget=exported, user=pm)
    modified = BudgetModificationFactory().budget
    with pytest.raises(DomainError, match="a budget with modifications cannot be unlocked"):
        services.budget_unlock(budget=modified, user=pm)
    assert Budget.objects.get(pk=modified.pk).status == Status.LOCKED


def test_a_rejection_reason_stays_through_unlock_until_the_budget_is_sent_again(pm):
    budget = BudgetFactory(
        project=ProjectFactory(synced=True), status=Status.REJECTED, rejection_reason="Wrong cost codes"
    )
    BudgetLineItemFactory(budget=budget)
    budget = services.budget_unlock(budget=budget, user=pm)
    assert (budget.status, budget.rejection_reason) == (Status.UNLOCKED, "Wrong cost codes")  # read while fixing
    budget = services.budget_lock(budget=budget, user=pm)
    assert budget.rejection_reason == "Wrong cost codes"
    budget, _ = erp_services.record_send(record=budget, user=pm)
    assert (budget.status, budget.rejection_reason) == (Status.READY_TO_EXPORT, "")


@pytest.mark.parametrize(
    ("amount", "field", "message"),
    [
        (Decimal("0"), "amount", "A modification moves a positive amount."),
        (Decimal("-5"), "amount", "A modification moves a positive amount."),
        (Decimal("1.005"), "amount", "An amount has at most 2 decimal places."),
    ],
)
def test_a_modification_moves_a_positive_amount_in_cents(pm, amount, field, message):
    budget = BudgetFactory(status=Status.LOCKED)
    a, b = BudgetLineItemFactory(budget=budget), BudgetLineItemFactory(budget=budget)
    with pytest.raises(ValidationError) as refused:
        services.budget_modification_create(budget=budget, user=pm, from_line=a, to_line=b, amount=amount)
    assert refused.value.message_dict == {field: [message]}


def test_a_modification_moves_money_between_two_lines_of_a_frozen_budget(pm):
    unlocked = BudgetLineItemFactory().budget
    a, b = unlocked.lines.get(), BudgetLineItemFactory(budget=unlocked)
    with pytest.raises(DomainError, match="is unlocked: change the original amounts directly"):
        services.budget_modification_create(budget=unlocked, user=pm, from_line=a, to_line=b, amount=Decimal("1"))
    budget = BudgetFactory(status=Status.LOCKED)
    mine, elsewhere = BudgetLineItemFactory(budget=budget), BudgetLineItemFactory(budget=BudgetFactory())
    with pytest.raises(ValidationError, match="Both lines must belong to this budget"):
        services.budget_modification_create(
            budget=budget, user=pm, from_line=mine, to_line=elsewhere, amount=Decimal("1")
        )
    with pytest.raises(ValidationError, match="two different lines"):
        services.budget_modification_create(budget=budget, user=pm, from_line=mine, to_line=mine, amount=Decimal("1"))
    assert not BudgetModification.objects.exists()


def test_a_modification_records_both_sides_as_transactions(pm):
    budget = BudgetFactory(synced=True)
    a, b = BudgetLineItemFactory(budget=budget), BudgetLineItemFactory(budget=budget, partial=True, original_amount=0)
    modification = services.budget_modification_create(
        budget=budget, user=pm, from_line=a, to_line=b, amount=Decimal("250.00"), notes="Shift"
    )
    rows = {t.line_id: t.amount for t in modification.transactions.all()}
    assert rows == {a.pk: Decimal("-250.00"), b.pk: Decimal("250.00")}
    assert all(t.exported_at is None and t.kind == "modification" for t in modification.transactions.all())


def test_a_modification_leaves_no_line_below_zero(pm):
    budget = BudgetFactory(status=Status.LOCKED)
    concrete = BudgetLineItemFactory(budget=budget, description="Concrete", original_amount=Decimal("180000.00"))
    steel = BudgetLineItemFactory(budget=budget, original_amount=Decimal("0.00"), partial=True)
    services.budget_modification_create(
        budget=budget, user=pm, from_line=concrete, to_line=steel, amount=Decimal("30000")
    )
    with pytest.raises(ValidationError) as refused:
        services.budget_modification_create(
            budget=budget, user=pm, from_line=concrete, to_line=steel, amount=Decimal("200000")
        )
    assert refused.value.message_dict == {
        "amount": [
            f"Line {concrete.cost_code.code} {concrete.cost_type.name} (Concrete) has 150,000.00 left: "
            "a modification can move at most that out of it, not 200,000.00."
        ]
    }
    # Everything that is left may move; then nothing more.
    services.budget_modification_create(
        budget=budget, user=pm, from_line=concrete, to_line=steel, amount=Decimal("150000")
    )
    with pytest.raises(ValidationError, match=r"has 0\.00 left"):
        services.budget_modification_create(
            budget=budget, user=pm, from_line=concrete, to_line=steel, amount=Decimal("1")
        )
    assert BudgetModification.objects.count() == 2


def test_deleting_a_modification_leaves_no_line_below_zero(pm):
    budget = BudgetFactory(status=Status.LOCKED)
    a, b, c = (BudgetLineItemFactory(budget=budget, original_amount=amount) for amount in ("100", "0", "0"))
    into_b = services.budget_modification_create(budget=budget, user=pm, from_line=a, to_line=b, amount=Decimal("100"))
    services.budget_modification_create(budget=budget, user=pm, from_line=b, to_line=c, amount=Decimal("60"))
    with pytest.raises(
        DomainError, match=rf"Deleting it would leave line {b.cost_code.code} {b.cost_type.name} \(.*\) at -60.00"
    ):
        services.budget_modification_delete(modification=into_b, user=pm)
    assert BudgetModification.objects.filter(pk=into_b.pk).exists()


def test_an_exported_modification_cannot_be_deleted(pm):
    modification = BudgetModificationFactory(budget=BudgetFactory(synced=True))
    BudgetTransactionFactory(line=modification.from_line, modification=modification, kind="modification", exported=True)
    with pytest.raises(DomainError, match="exported modifications cannot be deleted"):
        services.budget_modification_delete(modification=modification, user=pm)
    unsent = BudgetModificationFactory()
    services.budget_modification_delete(modification=unsent, user=pm)
    assert list(BudgetModification.objects.all()) == [modification]


def test_send_is_offered_only_when_there_is_something_to_send(pm):
    from apps.core.workflow import allowed_steps

    empty = BudgetFactory(project=ProjectFactory(synced=True), status=Status.LOCKED)
    assert "send-to-erp" not in allowed_steps(empty, pm)
    BudgetLineItemFactory(budget=empty, original_amount=Decimal("0.00"), partial=True)  # a partial line has no money
    assert "send-to-erp" not in allowed_steps(Budget.objects.get(pk=empty.pk), pm)
    BudgetLineItemFactory(budget=empty)
    assert "send-to-erp" in allowed_steps(Budget.objects.get(pk=empty.pk), pm)

    synced = BudgetFactory(synced=True)
    line = BudgetLineItemFactory(budget=synced)
    BudgetTransactionFactory(line=line, exported=True)
    assert "send-to-erp" not in allowed_steps(synced, pm)  # everything is the ERP's already
    BudgetTransactionFactory(line=line)
    assert "send-to-erp" in allowed_steps(Budget.objects.get(pk=synced.pk), pm)


def test_add_to_app_is_not_offered_for_an_estimate_of_a_budget_exported_from_here(approver):
    from apps.core.workflow import allowed_steps
    from tests.erp_queue.factories import StagedRecordFactory

    exported = BudgetFactory(synced=True)
    estimate = StagedRecordFactory(
        kind="estimate", erp_id=exported.project.erp_id, data={"name": "Estimate", "lines": []}
    )
    assert "add-to-app" not in allowed_steps(estimate, approver)
    fresh = StagedRecordFactory(kind="estimate", erp_id="9911", data={"name": "Estimate", "lines": []})
    assert "add-to-app" in allowed_steps(fresh, approver)  # no project yet: fixable, so offered


def test_a_partial_line_gets_no_money_by_an_edit_either(pm):
    line = BudgetLineItemFactory(partial=True, original_amount=Decimal("0.00"))
    with pytest.raises(ValidationError, match="A partial line has no money of its own"):
        services.budget_line_update(line=line, user=pm, original_amount=Decimal("5000"))
    line = services.budget_line_update(line=line, user=pm, description="Trench crew")
    assert (line.description, line.original_amount) == ("Trench crew", Decimal("0.00"))
