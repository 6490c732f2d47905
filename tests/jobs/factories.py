import factory

from apps.jobs.models import CostCode, Project, ProjectCostCode


class CostCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCode
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: str(4000 + n))
    description = factory.Sequence(lambda n: f"Cost code {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project in any ERP state: `erp_status="rejected"`, or `synced=True` (synced, with an ERP job id).

    The protected FSM field is given to the constructor, which django-fsm allows; only later
    assignments are refused.
    """

    class Meta:
        model = Project

    class Params:
        synced = factory.Trait(
            erp_status=Project.ERPStatus.SYNCED,
            erp_id=factory.Sequence(lambda n: str(7000 + n)),
        )

    number = factory.Sequence(lambda n: f"P-{100 + n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    address = "1 Main St"
    city = "Sacramento"
    state = "CA"
    zip = "95814"
    erp_status = Project.ERPStatus.NOT_SYNCED


class ProjectCostCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCostCode
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    cost_code = factory.SubFactory(CostCodeFactory)

    @factory.post_generation
    def cost_types(self, create, extracted, **kwargs):
        if create:
            self.cost_types.set([1] if extracted is None else extracted)
