from decimal import Decimal

import factory

from apps.change_orders.models import ChangeOrder, ChangeOrderLine
from apps.jobs.models import CostType
from tests.commitments.factories import CommitmentFactory, CommitmentLineFactory
from tests.jobs.factories import CostCodeFactory


class ChangeOrderFactory(factory.django.DjangoModelFactory):
    """A change order on a synced commitment, in any state: `status=ChangeOrder.Status.APPROVED`, `synced=True`."""

    class Meta:
        model = ChangeOrder

    class Params:
        synced = factory.Trait(
            status=ChangeOrder.Status.APPROVED,
            erp_status=ChangeOrder.ERPStatus.SYNCED,
            erp_id=factory.SelfAttribute("number"),
        )

    commitment = factory.SubFactory(CommitmentFactory, synced=True)
    number = factory.Sequence(lambda n: f"{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Change {n}")
    status = ChangeOrder.Status.DRAFT
    erp_status = ChangeOrder.ERPStatus.NOT_SYNCED


class ChangeOrderLineFactory(factory.django.DjangoModelFactory):
    """A change of one line of the change order's commitment by `amount` (a new line of that commitment by default)."""

    class Meta:
        model = ChangeOrderLine

    class Params:
        #: A new purchase order line (no commitment line): quantity × unit cost.
        new_line = factory.Trait(
            change_order=factory.SubFactory(ChangeOrderFactory, commitment__purchase_order=True),
            commitment_line=None,
            cost_code=factory.SubFactory(CostCodeFactory),
            cost_type=factory.LazyFunction(lambda: CostType.objects.get(code=1)),
            quantity=Decimal("10"),
            uom="ea",
            unit_cost=Decimal("50.00"),
        )

    change_order = factory.SubFactory(ChangeOrderFactory)
    commitment_line = factory.SubFactory(
        CommitmentLineFactory, commitment=factory.SelfAttribute("..change_order.commitment")
    )
    cost_code = factory.SelfAttribute("commitment_line.cost_code")
    cost_type = factory.SelfAttribute("commitment_line.cost_type")
    description = ""
    amount = Decimal("500.00")
