from decimal import Decimal

import factory

from apps.commitments import services
from apps.commitments.models import Commitment, CommitmentLine
from apps.erp_queue import services as erp_services
from apps.jobs.models import CostType, ProjectCostCode
from apps.ledger.models import ERPCommitment, ERPJob, ERPVendor
from tests.jobs.factories import CostCodeFactory, ProjectFactory, held_in_the_erp
from tests.vendors.factories import CompanyFactory, ERPVendorFactory


class CommitmentFactory(factory.django.DjangoModelFactory):
    """A subcontract in any state: `status=Commitment.Status.APPROVED`, `erp_status="rejected"`, or `synced=True`.

    `purchase_order=True` makes it a unit-based purchase order. The vendor is a company linked to
    an ERP vendor; `synced=True` also puts the project in the ERP and gives the commitment its ERP number.
    """

    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    class Params:
        purchase_order = factory.Trait(
            type=Commitment.Type.PURCHASE_ORDER,
            number=factory.Sequence(lambda n: f"PO-{n + 1:03d}"),
            accounting_method=Commitment.AccountingMethod.UNIT,
        )
        synced = factory.Trait(
            project=factory.SubFactory(ProjectFactory, synced=True),
            status=Commitment.Status.APPROVED,
            erp_status=Commitment.ERPStatus.SYNCED,
            erp_id=factory.SelfAttribute("number"),
        )

    project = factory.SubFactory(ProjectFactory)
    type = Commitment.Type.SUBCONTRACT
    number = factory.Sequence(lambda n: f"SC-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Scope {n}")
    vendor = factory.SubFactory(CompanyFactory, synced=True)
    accounting_method = Commitment.AccountingMethod.AMOUNT
    retainage_percent = Decimal("10.00")
    status = Commitment.Status.DRAFT
    erp_status = Commitment.ERPStatus.NOT_SYNCED

    @factory.post_generation
    def in_the_erp(self, create, extracted, **kwargs):
        """A synced commitment is on its ERP job, as exported."""
        if create and self.erp_id and self.project.erp_id and extracted is not False:
            ERPCommitment.objects.get_or_create(
                job=ERPJob.objects.get(job_id=self.project.erp_id),
                kind=self.type,
                number=self.erp_id,
                defaults={
                    "description": self.title[:30],
                    "vendor": ERPVendor.objects.get(vendor_id=self.vendor.erp_id),
                    "retention": self.retainage_percent,
                    "source": ERPCommitment.Source.EXPORTED,
                },
            )


def _next_position(line):
    return CommitmentLine.objects.filter(commitment=line.commitment).count() + 1


class CommitmentLineFactory(factory.django.DjangoModelFactory):
    """A schedule of values line (the next position); its cost code and type are assigned to the project too."""

    class Meta:
        model = CommitmentLine
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    position = factory.LazyAttribute(_next_position)
    cost_code = factory.SubFactory(CostCodeFactory)
    cost_type = factory.LazyFunction(lambda: CostType.objects.get(code=4))
    description = factory.Sequence(lambda n: f"Scope line {n}")
    amount = Decimal("10000.00")

    @factory.post_generation
    def assigned(self, create, extracted, **kwargs):
        if create and extracted is not False:
            assignment, _ = ProjectCostCode.objects.get_or_create(
                project=self.commitment.project, cost_code=self.cost_code
            )
            assignment.cost_types.add(self.cost_type)
            held_in_the_erp(assignment)


SUBCONTRACT_LINES = [
    {"cost_code": "2300", "cost_type": 4, "description": "Excavation", "amount": "12000.00"},
    {"cost_code": "3300", "cost_type": 4, "description": "Footings", "amount": "30000.00"},
]
PO_LINES = [
    {
        "cost_code": "3300",
        "cost_type": 1,
        "description": "Rebar",
        "quantity": "100",
        "uom": "ton",
        "unit_cost": "850.50",
    }
]


def linked_vendor(name="Sierra Drywall"):
    """A company linked to a vendor the ERP holds (as the vendors workflow leaves it)."""
    erp_vendor = ERPVendorFactory(name=name)
    return CompanyFactory(name=name, erp_status="synced", erp_id=erp_vendor.vendor_id, vendor_type="1")


def subcontract_data(project, vendor, **overrides):
    return {
        "project": project.pk,
        "type": "subcontract",
        "vendor": vendor.pk,
        "title": "Earthwork and footings",
        "retainage_percent": "10.00",
        "accounting_method": "amount",
        "lines": SUBCONTRACT_LINES,
        **overrides,
    }


def purchase_order_data(project, vendor, **overrides):
    return {
        "project": project.pk,
        "type": "purchase_order",
        "vendor": vendor.pk,
        "title": "Rebar supply",
        "retainage_percent": "0",
        "accounting_method": "unit",
        "lines": PO_LINES,
        **overrides,
    }


def service_lines(rows):
    """API-shaped lines as the services take them (model instances, decimals)."""
    from decimal import Decimal

    from apps.jobs.models import CostCode, CostType

    return [
        {
            **row,
            "cost_code": CostCode.objects.get(code=row["cost_code"]),
            "cost_type": CostType.objects.get(code=row["cost_type"]),
            **{k: Decimal(row[k]) for k in ("quantity", "unit_cost", "amount") if k in row},
        }
        for row in rows
    ]


def synced_commitment(*, pm, approver, commit, project, vendor, type="subcontract"):
    """A commitment created, approved, sent and accepted: synced with the ERP."""
    if type == "subcontract":
        fields = {"title": "Earthwork and footings", "accounting_method": "amount", "lines": SUBCONTRACT_LINES}
    else:
        fields = {"title": "Rebar supply", "accounting_method": "unit", "lines": PO_LINES}
    commitment = services.commitment_create(
        user=pm, project=project, type=type, vendor=vendor, **{**fields, "lines": service_lines(fields["lines"])}
    )
    services.commitment_move(commitment=commitment, user=pm, transition=Commitment.approve)
    _, request = erp_services.record_send(record=commitment, user=pm)
    with commit():
        erp_services.request_accept(request=request, user=approver, inputs={})
    commitment.refresh_from_db()
    assert commitment.erp_status == "synced", commitment.erp_messages
    return commitment
