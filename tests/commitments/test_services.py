"""Service rules of commitments (creation, schedule of values, edits), from states the factories build directly."""

from decimal import Decimal

import pytest

from apps.commitments import services
from apps.commitments.models import Commitment, CommitmentLine
from apps.core.exceptions import PermissionDenied, ValidationError
from apps.jobs.models import CostType
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.jobs.factories import CostCodeFactory, ProjectCostCodeFactory, ProjectFactory
from tests.vendors.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def line(cost_code, cost_type=4, **values):
    return {"cost_code": cost_code, "cost_type": CostType.objects.get(code=cost_type), **values}


def create(user, project, **fields):
    return services.commitment_create(
        user=user,
        project=project,
        type=fields.pop("type", "subcontract"),
        vendor=fields.pop("vendor", None) or CompanyFactory(synced=True),
        title=fields.pop("title", "Earthwork"),
        accounting_method=fields.pop("accounting_method", "amount"),
        **fields,
    )


def test_default_numbers_follow_the_type_and_skip_numbers_in_use(pm):
    project = ProjectFactory()
    CommitmentFactory(project=project, number="SC-007")
    CommitmentFactory(project=project, number="Custom")
    assert create(pm, project).number == "SC-008"
    assert create(pm, project, type="purchase_order", accounting_method="unit").number == "PO-001"


def test_a_number_is_used_once_per_project_and_type(pm):
    existing = CommitmentFactory(number="SC-100")
    with pytest.raises(ValidationError) as refused:
        create(pm, existing.project, number=" SC-100 ")
    assert refused.value.message_dict == {
        "number": [f"Project {existing.project.number} already has a subcontract numbered SC-100."]
    }
    assert create(pm, existing.project, type="purchase_order", accounting_method="unit", number="SC-100")


def test_every_bad_line_is_named_at_once(pm):
    project = ProjectFactory()
    code = ProjectCostCodeFactory(project=project, cost_types=[4]).cost_code
    stranger = CostCodeFactory()
    lines = [
        line(stranger, amount=Decimal("1")),
        line(code, cost_type=1, amount=Decimal("1")),
        line(code, amount=Decimal("-1")),
        line(code, amount=Decimal("1000000000000")),
        line(code),
    ]
    with pytest.raises(ValidationError) as refused:
        create(pm, project, lines=lines)
    assert refused.value.message_dict["lines"] == [
        f"Line 1: cost code {stranger.code} is not one of the project's cost codes.",
        f"Line 2: cost type 1 Material is not assigned to cost code {code.code} on the project.",
        "Line 3: the amount cannot be negative.",
        "Line 4: 1000000000000 is too large; an amount has at most 12 digits before the decimal point.",
        "Line 5: an amount based line needs its amount.",
    ]
    assert not Commitment.objects.exists()


def test_unit_based_lines_are_priced_quantity_times_unit_cost(pm):
    project = ProjectFactory()
    code = ProjectCostCodeFactory(project=project, cost_types=[1]).cost_code
    with pytest.raises(ValidationError) as typed:  # a typed amount is refused, never replaced
        create(
            pm,
            project,
            type="purchase_order",
            accounting_method="unit",
            lines=[line(code, 1, quantity=Decimal("16"), unit_cost=Decimal("125"), amount=Decimal("2500"))],
        )
    assert typed.value.message_dict["lines"] == [
        "Line 1: 2,500.00 is not quantity × unit cost (16 × 125.00 = 2,000.00): leave the amount empty, or correct "
        "the quantity or the unit cost."
    ]
    commitment = create(
        pm,
        project,
        type="purchase_order",
        accounting_method="unit",
        lines=[line(code, 1, quantity=Decimal("3"), unit_cost=Decimal("3.335"))],
    )
    assert commitment.lines.get().amount == Decimal("10.01")
    with pytest.raises(ValidationError) as refused:
        create(pm, project, type="purchase_order", accounting_method="unit", lines=[line(code, 1, quantity=1)])
    assert refused.value.message_dict["lines"] == [
        "Line 1: a unit/quantity based line needs a quantity and a unit cost."
    ]


def test_negative_quantities_are_refused(pm):
    project = ProjectFactory()
    code = ProjectCostCodeFactory(project=project, cost_types=[1]).cost_code
    with pytest.raises(ValidationError) as refused:
        create(
            pm,
            project,
            accounting_method="unit",
            lines=[line(code, 1, quantity=Decimal("-2"), unit_cost=Decimal("-1"))],
        )
    assert refused.value.message_dict["lines"] == ["Line 1: the quantity and unit cost cannot be negative."]


def test_a_viewer_creates_no_commitment(viewer):
    with pytest.raises(PermissionDenied):
        create(viewer, ProjectFactory())
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("erp_status", ["ready_to_export", "exporting", "failed"])
def test_what_was_sent_stays_as_it_was_sent(pm, erp_status):
    commitment = CommitmentFactory(status="approved", erp_status=erp_status, title="Earthwork")
    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, user=pm, title="Earthwork II", description="Notes")
    label = commitment.get_erp_status_display().lower()
    assert refused.value.message_dict == {"title": [f"The title cannot change while the commitment is {label}."]}
    assert Commitment.objects.get(pk=commitment.pk).title == "Earthwork"


def test_a_synced_commitment_changes_its_vendor_and_lines_through_change_orders(pm):
    commitment = CommitmentFactory(synced=True, title="Earthwork")
    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, user=pm, vendor=CompanyFactory(synced=True), lines=[])
    assert refused.value.message_dict == {
        "vendor": ["The vendor cannot change while the commitment is synced: change it through a change order."],
        "lines": ["The lines cannot change while the commitment is synced: change it through a change order."],
    }
    services.commitment_update(commitment=commitment, user=pm, vendor=commitment.vendor, title="Earthwork II")
    assert Commitment.objects.get(pk=commitment.pk).title == "Earthwork II"


def test_only_editable_fields_change(pm):
    commitment = CommitmentFactory()
    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, user=pm, status="approved", erp_id="X")
    assert refused.value.message_dict == {
        "erp_id": ["This field cannot be changed."],
        "status": ["This field cannot be changed."],
    }


def test_a_submitted_line_with_an_id_updates_that_line_and_the_rest_go(pm):
    commitment = CommitmentFactory()
    kept, dropped = CommitmentLineFactory(commitment=commitment), CommitmentLineFactory(commitment=commitment)
    lines = [
        line(CostCodeFactory(), amount=Decimal("5")),
        {**line(kept.cost_code, amount=Decimal("7")), "id": kept.pk},
    ]
    ProjectCostCodeFactory(project=commitment.project, cost_code=lines[0]["cost_code"], cost_types=[4])
    services.commitment_update(commitment=commitment, user=pm, lines=lines)
    rows = list(commitment.lines.order_by("position").values_list("pk", "position", "amount"))
    assert rows[1] == (kept.pk, 2, Decimal("7.00"))
    assert rows[0][1:] == (1, Decimal("5.00")) and not CommitmentLine.objects.filter(pk=dropped.pk).exists()


def test_switching_to_unit_based_checks_the_existing_lines_again(pm):
    commitment = CommitmentFactory()
    CommitmentLineFactory(commitment=commitment)
    with pytest.raises(ValidationError) as refused:
        services.commitment_update(commitment=commitment, user=pm, accounting_method="unit")
    assert refused.value.message_dict["lines"] == [
        "Line 1: a unit/quantity based line needs a quantity and a unit cost."
    ]
    assert Commitment.objects.get(pk=commitment.pk).accounting_method == "amount"
