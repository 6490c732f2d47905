import factory

from apps.jobs.models import CostCode, Project, ProjectCostCode
from apps.ledger.models import ERPCostCode, ERPJob, ERPJobCostCode


class CostCodeFactory(factory.django.DjangoModelFactory):
    """A standard cost code, in the ERP's list too (as the connector reported it)."""

    class Meta:
        model = CostCode
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: str(4000 + n))
    description = factory.Sequence(lambda n: f"Cost code {n}")

    @factory.post_generation
    def in_the_erp(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ERPCostCode.objects.get_or_create(code=self.code, defaults={"description": self.description})


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project in any ERP state: `erp_status="rejected"`, or `synced=True` (synced, with an ERP job id that
    the ERP has, as exported).

    The protected FSM field is given to the constructor, which django-fsm allows; only later
    assignments are refused.
    """

    class Meta:
        model = Project
        skip_postgeneration_save = True

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

    @factory.post_generation
    def erp_job(self, create, extracted, **kwargs):
        if create and self.erp_id and extracted is not False:
            ERPJob.objects.get_or_create(
                job_id=self.erp_id, defaults={"name": self.name[:75], "source": ERPJob.Source.EXPORTED}
            )


def held_in_the_erp(assignment):
    """A synced project's cost code is on its ERP job with its cost types, as if exported or updated there."""
    project = assignment.project
    if project.erp_status != Project.ERPStatus.SYNCED or not project.erp_id:
        return
    types = sorted(assignment.cost_types.values_list("code", flat=True))
    code = assignment.cost_code.code
    project.erp_cost_codes = {**project.erp_cost_codes, code: sorted({*project.erp_cost_codes.get(code, []), *types})}
    Project.objects.filter(pk=project.pk).update(erp_cost_codes=project.erp_cost_codes)
    job, _ = ERPJob.objects.get_or_create(job_id=project.erp_id, defaults={"name": project.name[:75]})
    erp_code, _ = ERPCostCode.objects.get_or_create(
        code=code, defaults={"description": assignment.cost_code.description}
    )
    ERPJobCostCode.objects.get_or_create(job=job, cost_code=erp_code)[0].cost_types.add(*types)


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
            held_in_the_erp(self)
