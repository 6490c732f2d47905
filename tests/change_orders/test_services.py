"""Service rules of commitment change orders, from states the factories build directly."""

from decimal import Decimal

import pytest

from apps.change_orders import services
from apps.change_orders.models import ChangeOrder
from apps.core.exceptions import PermissionDenied, ValidationError
from apps.jobs.models import CostType
from tests.change_orders.factories import ChangeOrderFactory, ChangeOrderLineFactory
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.jobs.factories import ProjectCostCodeFactory

pytestmark = pytest.mark.django_db


def new_line(cost_code, quantity, unit_cost):
    return {
        "cost_code": cost_code,
        "cost_type": CostType.objects.get(code=1),
        "quantity": None if quantity is None else Decimal(quantity),
        "unit_cost": None if unit_cost is None else Decimal(unit_cost),
    }


def change_of(commitment_line, amount):
    return {"commitment_line": commitment_line, "amount": Decimal(amount)}


@pytest.mark.parametrize("erp_status", ["not_synced", "ready_to_export", "rejected"])
def test_change_orders_are_made_on_synced_commitments_only(pm, erp_status):
    commitment = CommitmentFactory(status="approved", erp_status=erp_status)
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(user=pm, commitment=commitment, title="Extra")
    label = commitment.get_erp_status_display().lower()
    assert refused.value.message_dict == {
        "commitment": [
            f"{commitment} is not synced with the ERP ({label}): change orders are made on synced commitments only. "
            "Until then, edit the commitment itself."
        ]
    }
    assert not ChangeOrder.objects.exists()


def test_a_void_commitment_takes_no_change_orders(pm):
    commitment = CommitmentFactory(synced=True, status="void")
    with pytest.raises(ValidationError, match="a void commitment takes no change orders"):
        services.change_order_create(user=pm, commitment=commitment, title="Extra")


def test_default_numbers_count_up_per_commitment_and_are_unique(pm):
    commitment = CommitmentFactory(synced=True)
    ChangeOrderFactory(commitment=commitment, number="004")
    assert services.change_order_create(user=pm, commitment=commitment, title="Extra").number == "005"
    assert services.change_order_create(user=pm, commitment=CommitmentFactory(synced=True), title="X").number == "001"
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(user=pm, commitment=commitment, title="Again", number="004")
    assert refused.value.message_dict == {"number": [f"{commitment} already has a change order numbered 004."]}


def test_a_line_changes_a_line_of_its_own_commitment_by_a_non_zero_amount(pm):
    commitment = CommitmentFactory(synced=True)
    own, foreign = CommitmentLineFactory(commitment=commitment), CommitmentLineFactory()
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(
            user=pm,
            commitment=commitment,
            title="Extra",
            lines=[change_of(foreign, "10"), change_of(own, "0"), change_of(own, "1000000000000")],
        )
    assert refused.value.message_dict["lines"] == [
        f"Line 1: the commitment line it changes is not a line of {commitment}.",
        "Line 2: a change of a commitment line needs a non-zero amount.",
        "Line 3: 1000000000000 is too large; an amount has at most 12 digits before the decimal point.",
    ]
    assert not ChangeOrder.objects.exists()


def test_a_change_may_lower_a_line_and_takes_its_code_and_description(pm):
    own = CommitmentLineFactory(commitment=CommitmentFactory(synced=True), description="Footings")
    change_order = services.change_order_create(
        user=pm, commitment=own.commitment, title="Deduct", lines=[change_of(own, "-2500.00")]
    )
    saved = change_order.lines.get()
    assert (saved.amount, saved.cost_code, saved.cost_type, saved.description) == (
        Decimal("-2500.00"),
        own.cost_code,
        own.cost_type,
        "Footings",
    )


def test_only_a_purchase_order_change_order_adds_lines(pm):
    subcontract = CommitmentFactory(synced=True)
    code = ProjectCostCodeFactory(project=subcontract.project, cost_types=[1]).cost_code
    new = new_line(code, "2", "5")
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(user=pm, commitment=subcontract, title="More", lines=[new])
    assert refused.value.message_dict["lines"] == [
        "Line 1: a subcontract change order changes the subcontract's own lines (choose the commitment line and the "
        "amount it changes by); only a purchase order change order adds new lines."
    ]


def test_a_new_purchase_order_line_is_priced_and_needs_quantity_and_unit_cost(pm):
    order = CommitmentFactory(synced=True, purchase_order=True)
    code = ProjectCostCodeFactory(project=order.project, cost_types=[1]).cost_code
    new = new_line(code, "4", "2.125")
    change_order = services.change_order_create(user=pm, commitment=order, title="More", lines=[new])
    assert change_order.lines.get().amount == Decimal("8.50")
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(user=pm, commitment=order, title="More", lines=[new_line(code, "4", None)])
    assert refused.value.message_dict["lines"] == [
        "Line 1: a new purchase order line needs a quantity and a unit cost."
    ]


def test_a_typed_amount_of_a_new_purchase_order_line_is_refused_unless_it_is_the_product(pm):
    order = CommitmentFactory(synced=True, purchase_order=True)
    code = ProjectCostCodeFactory(project=order.project, cost_types=[1]).cost_code
    with pytest.raises(ValidationError) as refused:
        services.change_order_create(
            user=pm, commitment=order, title="More", lines=[{**new_line(code, "16", "125"), "amount": Decimal("2500")}]
        )
    assert refused.value.message_dict["lines"] == [
        "Line 1: 2,500.00 is not quantity × unit cost (16 × 125.00 = 2,000.00): leave the amount empty, or correct "
        "the quantity or the unit cost."
    ]
    assert not ChangeOrder.objects.exists()
    typed_right = {**new_line(code, "16", "125"), "amount": Decimal("2000.00")}
    change_order = services.change_order_create(user=pm, commitment=order, title="More", lines=[typed_right])
    assert change_order.lines.get().amount == Decimal("2000.00")


def test_a_viewer_creates_no_change_order(viewer):
    with pytest.raises(PermissionDenied):
        services.change_order_create(user=viewer, commitment=CommitmentFactory(synced=True), title="Extra")


@pytest.mark.parametrize("erp_status", ["ready_to_export", "exporting", "failed", "synced"])
def test_what_a_change_order_exports_is_read_only_while_sent_and_after_sync(pm, erp_status):
    line = ChangeOrderLineFactory(change_order__status="approved", change_order__erp_status=erp_status)
    change_order = line.change_order
    with pytest.raises(ValidationError) as refused:
        services.change_order_update(change_order=change_order, user=pm, title="Renamed", lines=[])
    label = change_order.get_erp_status_display().lower()
    assert refused.value.message_dict == {
        "title": [f"The title cannot change while the change order is {label}."],
        "lines": [f"The lines cannot change while the change order is {label}."],
    }
    assert list(change_order.lines.all()) == [line]


def test_an_open_change_order_is_edited_and_only_its_editable_fields(pm):
    change_order = ChangeOrderFactory(erp_status="rejected", title="Extra")
    with pytest.raises(ValidationError) as refused:
        services.change_order_update(change_order=change_order, user=pm, status="approved")
    assert refused.value.message_dict == {"status": ["This field cannot be changed."]}
    services.change_order_update(change_order=change_order, user=pm, title="Extra work", number=" 010 ")
    change_order.refresh_from_db()
    assert (change_order.title, change_order.number) == ("Extra work", "010")


def test_approving_counts_the_change_orders_approved_since_and_refuses_a_line_below_zero(pm):
    from apps.change_orders.models import ChangeOrder

    commitment = CommitmentFactory(synced=True)
    line = CommitmentLineFactory(commitment=commitment, amount=Decimal("12000.00"))
    first, second = (
        services.change_order_create(
            user=pm, commitment=commitment, title=f"Less {n}", lines=[change_of(line, "-8000")]
        )
        for n in (1, 2)
    )
    for change_order in (first, second):
        services.change_order_move(change_order=change_order, user=pm, transition=ChangeOrder.submit)
    services.change_order_move(change_order=first, user=pm, transition=ChangeOrder.approve)
    with pytest.raises(ValidationError) as refused:
        services.change_order_move(change_order=second, user=pm, transition=ChangeOrder.approve)
    assert "a deduction of 8,000.00 is more than the 4,000.00 left on it" in refused.value.message_dict["lines"][0]
    assert ChangeOrder.objects.get(pk=second.pk).status == "pending"
    # A change order that only raises the line is never refused for what others took.
    services.change_order_create(user=pm, commitment=commitment, title="More", lines=[change_of(line, "500")])
