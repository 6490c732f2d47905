"""Service rules of jobs, each from a state the factories build directly."""

import pytest

from apps.core.exceptions import DomainError, ValidationError
from apps.jobs import services
from apps.jobs.models import CostType, Origin, Project, ProjectCostCode
from tests.jobs.factories import CostCodeFactory, ProjectCostCodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PENDING = ["ready_to_export", "exporting", "failed"]


def test_create_refuses_a_number_already_used_and_strips_it(pm):
    ProjectFactory(number="2601")
    with pytest.raises(ValidationError) as refused:
        services.project_create(user=pm, number=" 2601 ", name="Depot")
    assert refused.value.message_dict == {"number": ["A project numbered 2601 already exists."]}
    assert Project.objects.count() == 1


def test_create_makes_a_project_of_this_app_not_synced(pm):
    project = services.project_create(user=pm, number="2602", name="Depot", state="CA")
    assert (project.origin, project.erp_status, project.created_by, project.erp_id) == (
        Origin.APP,
        "not_synced",
        pm,
        None,
    )


@pytest.mark.parametrize("erp_status", [*PENDING, "synced"])
def test_update_refuses_integrated_fields_while_the_erp_holds_the_project(pm, erp_status):
    project = ProjectFactory(name="Depot", erp_status=erp_status)
    with pytest.raises(ValidationError) as refused:
        services.project_update(project=project, user=pm, name="Depot II", city="Fresno")
    label = project.get_erp_status_display().lower()
    assert refused.value.message_dict == {
        "name": [f"name is owned by the ERP while the project is {label}."],
        "city": [f"city is owned by the ERP while the project is {label}."],
    }
    assert Project.objects.get(pk=project.pk).name == "Depot"


def test_update_of_a_synced_project_accepts_unchanged_integrated_values(pm):
    project = ProjectFactory(synced=True, name="Depot")
    services.project_update(project=project, user=pm, name="Depot")
    assert Project.objects.get(pk=project.pk).name == "Depot"


@pytest.mark.parametrize("erp_status", ["not_synced", "rejected"])
def test_update_changes_a_project_the_erp_does_not_hold(pm, erp_status):
    project = ProjectFactory(name="Depot", erp_status=erp_status)
    services.project_update(project=project, user=pm, name="Depot II")
    assert Project.objects.get(pk=project.pk).name == "Depot II"


def test_assign_refuses_a_code_that_is_not_a_standard_cost_code(pm):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as refused:
        services.project_cost_code_assign(project=project, user=pm, code="9999", cost_types=[1])
    assert refused.value.message_dict["code"] == [
        "9999 is not one of the ERP's standard cost codes. Add it in the ERP and sync cost codes."
    ]
    assert not ProjectCostCode.objects.exists()


def test_assign_refuses_unknown_cost_types(pm):
    project, cost_code = ProjectFactory(), CostCodeFactory(code="2300")
    with pytest.raises(ValidationError) as refused:
        services.project_cost_code_assign(project=project, user=pm, code=cost_code.code, cost_types=[1, 12, 10])
    assert refused.value.message_dict["cost_types"] == ["Unknown cost type 10, 12: the ERP's cost types are 1 to 9."]


@pytest.mark.parametrize("erp_status", PENDING)
def test_assign_refuses_while_the_project_waits_in_the_queue(pm, erp_status):
    project, cost_code = ProjectFactory(erp_status=erp_status), CostCodeFactory()
    with pytest.raises(DomainError, match="is waiting in the ERP queue; retrieve it"):
        services.project_cost_code_assign(project=project, user=pm, code=cost_code.code, cost_types=[1])
    assert not ProjectCostCode.objects.exists()


def test_assign_replaces_the_cost_types_of_a_code_already_used(pm):
    assignment = ProjectCostCodeFactory(cost_types=[1, 2])
    again = services.project_cost_code_assign(
        project=assignment.project, user=pm, code=assignment.cost_code.code, cost_types=[3, 3]
    )
    assert again.pk == assignment.pk
    assert list(again.cost_types.values_list("code", flat=True)) == [3]


@pytest.mark.parametrize(("erp_status", "removed"), [("ready_to_export", False), ("failed", False), ("synced", True)])
def test_remove_is_refused_only_while_the_project_is_pending(pm, erp_status, removed):
    assignment = ProjectCostCodeFactory(project=ProjectFactory(erp_status=erp_status))
    if removed:
        services.project_cost_code_remove(assignment=assignment, user=pm)
    else:
        with pytest.raises(DomainError, match="is waiting in the ERP queue"):
            services.project_cost_code_remove(assignment=assignment, user=pm)
    assert ProjectCostCode.objects.filter(pk=assignment.pk).exists() is not removed


@pytest.mark.parametrize(
    ("code", "description", "field"), [("0123", "Zero first", "code"), ("1000", "x" * 51, "description")]
)
def test_cost_code_upsert_refuses_what_the_erp_would_not_hold(code, description, field):
    with pytest.raises(ValidationError) as refused:
        services.cost_code_upsert(code=code, description=description)
    assert list(refused.value.message_dict) == [field]


def test_fixed_cost_types_cannot_be_renamed_and_user_defined_ones_can():
    with pytest.raises(ValidationError, match="fixed by the ERP"):
        services.cost_type_rename(cost_type=CostType.objects.get(code=4), name="Subs")
    with pytest.raises(ValidationError, match="needs a name"):
        services.cost_type_rename(cost_type=CostType.objects.get(code=6), name="   ")
    services.cost_type_rename(cost_type=CostType.objects.get(code=6), name=" Permits ")
    assert CostType.objects.get(code=6).name == "Permits"
    assert CostType.objects.get(code=4).name == "Subcontract"


def test_import_from_erp_refuses_a_job_whose_number_is_used_here(approver):
    ProjectFactory(number="1024", name="Created here too")
    with pytest.raises(DomainError, match="one created in both can never be linked"):
        services.project_import_from_erp(erp_id="1024", data={"name": "Tower"}, user=approver)
    assert Project.objects.count() == 1


def test_import_from_erp_refuses_a_cost_code_without_cost_type(approver):
    data = {"name": "Tower", "cost_codes": [{"code": "2300", "description": "Earthwork", "cost_types": []}]}
    with pytest.raises(DomainError, match="cost code 2300 has no cost type"):
        services.project_import_from_erp(erp_id="1025", data=data, user=approver)
    assert not Project.objects.exists()


def test_import_from_erp_adds_a_synced_project_with_its_cost_codes(approver):
    data = {"name": "Tower", "cost_codes": [{"code": "2300.000", "description": "Earthwork", "cost_types": [1, 4]}]}
    project = services.project_import_from_erp(erp_id="1026", data=data, user=approver)
    assert (project.number, project.erp_id, project.origin, project.erp_status) == ("1026", "1026", "erp", "synced")
    assignment = project.cost_codes.get()
    assert (assignment.cost_code.code, sorted(assignment.cost_types.values_list("code", flat=True))) == (
        "2300.000",
        [1, 4],
    )
