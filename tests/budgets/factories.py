from decimal import Decimal

import factory
from django.utils import timezone

from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.jobs.models import CostType, Origin, ProjectCostCode
from tests.jobs.factories import CostCodeFactory, ProjectFactory, held_in_the_erp


class BudgetFactory(factory.django.DjangoModelFactory):
    """A budget in any state: `status=Budget.Status.LOCKED`, `synced=True` (exported and posted) or `from_erp=True`.

    The status goes to the constructor (django-fsm's protected field refuses only later assignments).
    """

    class Meta:
        model = Budget

    class Params:
        synced = factory.Trait(
            project=factory.SubFactory(ProjectFactory, synced=True),
            status=Budget.Status.SYNCED,
            ever_exported=True,
            erp_id=factory.SelfAttribute("project.erp_id"),
        )
        from_erp = factory.Trait(
            project=factory.SubFactory(ProjectFactory, synced=True),
            origin=Origin.ERP,
            status=Budget.Status.SYNCED,
            erp_id=factory.SelfAttribute("project.erp_id"),
        )

    project = factory.SubFactory(ProjectFactory)
    status = Budget.Status.UNLOCKED


class BudgetLineItemFactory(factory.django.DjangoModelFactory):
    """A budget line; its cost code and type are assigned to the project too (`assigned=False` to leave them off)."""

    class Meta:
        model = BudgetLineItem
        skip_postgeneration_save = True

    budget = factory.SubFactory(BudgetFactory)
    cost_code = factory.SubFactory(CostCodeFactory)
    cost_type = factory.LazyFunction(lambda: CostType.objects.get(code=1))
    description = factory.Sequence(lambda n: f"Line {n}")
    original_amount = Decimal("1000.00")

    @factory.post_generation
    def assigned(self, create, extracted, **kwargs):
        if create and extracted is not False:
            assignment, _ = ProjectCostCode.objects.get_or_create(project=self.budget.project, cost_code=self.cost_code)
            assignment.cost_types.add(self.cost_type)
            held_in_the_erp(assignment)


class BudgetModificationFactory(factory.django.DjangoModelFactory):
    """A transfer between two lines of a locked budget (no transactions: see `BudgetTransactionFactory`)."""

    class Meta:
        model = BudgetModification

    budget = factory.SubFactory(BudgetFactory, status=Budget.Status.LOCKED)
    from_line = factory.SubFactory(BudgetLineItemFactory, budget=factory.SelfAttribute("..budget"))
    to_line = factory.SubFactory(BudgetLineItemFactory, budget=factory.SelfAttribute("..budget"))
    amount = Decimal("100.00")
    notes = ""


class BudgetTransactionFactory(factory.django.DjangoModelFactory):
    """A change the ERP must receive; `exported=True` makes it one the ERP already has."""

    class Meta:
        model = BudgetTransaction

    class Params:
        exported = factory.Trait(exported_at=factory.LazyFunction(timezone.now))

    line = factory.SubFactory(BudgetLineItemFactory)
    budget = factory.SelfAttribute("line.budget")
    kind = BudgetTransaction.Kind.ORIGINAL_ESTIMATE
    cost_code = factory.SelfAttribute("line.cost_code.code")
    cost_type = factory.SelfAttribute("line.cost_type_id")
    amount = factory.SelfAttribute("line.original_amount")
