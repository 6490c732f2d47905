import factory

from apps.jobs.models import CostCode, Project, ProjectCostCode


class CostCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCode
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: str(4000 + n))
    description = factory.Sequence(lambda n: f"Cost code {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    number = factory.Sequence(lambda n: f"P-{100 + n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    address = "1 Main St"
    city = "Sacramento"
    state = "CA"
    zip = "95814"


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
