"""A Sage cost code is a number (Numeric(9,3)): 2010, 2010.0 and 2010.000 are one code, kept as 2010.000."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection

from apps.jobs.models import CostCode, CostType, ProjectCostCode
from apps.ledger.models import ERPCostCode
from tests.budgets.factories import BudgetFactory, BudgetLineItemFactory
from tests.jobs.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spelling", ["2010", "2010.0", "2010.000"])
def test_the_agent_reports_a_code_in_any_spelling_and_it_is_one_code(agent, api_as, spelling):
    first = api_as(agent).post("/api/v1/cost-codes/", {"code": "2010", "description": "Demolition"}, format="json")
    assert first.status_code == 201, first.json()
    again = api_as(agent).post("/api/v1/cost-codes/", {"code": spelling, "description": "Site demolition"})
    assert again.status_code == 201, again.json()
    assert again.json()["code"] == "2010.000"
    assert list(CostCode.objects.values_list("code", "description")) == [("2010.000", "Site demolition")]
    # In ledger mode the ERP is the embedded ledger: what the agent reports is what the ERP holds.
    assert list(ERPCostCode.objects.values_list("code", "description")) == [("2010.000", "Site demolition")]


@pytest.mark.parametrize("spelling", ["2010", "2010.0", "2010.000"])
def test_a_project_manager_assigns_a_code_in_any_spelling(pm, agent, api_as, spelling):
    api_as(agent).post("/api/v1/cost-codes/", {"code": "2010.000", "description": "Demolition"})
    project = api_as(pm).post("/api/v1/projects/", {"number": "2601", "name": "Depot"}, format="json").json()
    url = f"/api/v1/projects/{project['id']}/cost-codes/"
    response = api_as(pm).post(url, {"code": spelling, "cost_types": [1]}, format="json")
    assert response.status_code == 201, response.json()
    listing = api_as(pm).get(f"/api/v1/cost-codes/?code={spelling}").json()
    assert [c["code"] for c in listing["results"]] == ["2010.000"]


@pytest.mark.parametrize("code", ["02010", "2010.0000", "1234567", "20a0", "２０１０"])
def test_an_agent_report_that_breaks_the_sage_format_is_refused_and_nothing_is_stored(agent, api_as, code):
    response = api_as(agent).post("/api/v1/cost-codes/", {"code": code, "description": "Bad"})
    assert response.status_code == 400
    assert "not a valid Sage cost code" in str(response.json()["code"])
    assert not CostCode.objects.exists()
    assert not ERPCostCode.objects.exists()


def _merge():
    migration = importlib.import_module("apps.jobs.migrations.0002_cost_codes_are_numbers")
    migration.merge_spellings(global_apps, None)


def _raw_code(code, description):
    """A code stored as an older release spelled it (before codes were numbers)."""
    cost_code = CostCode.objects.create(code=str(900000 + CostCode.objects.count()), description=description)
    with connection.cursor() as cursor:  # the field would store the canonical spelling
        cursor.execute(f"UPDATE {CostCode._meta.db_table} SET code = %s WHERE id = %s", [code, cost_code.pk])
    return CostCode.objects.get(pk=cost_code.pk)


def test_the_migration_merges_two_spellings_with_their_assignments_and_lines():
    short, long = _raw_code("2010", "Demolition"), _raw_code("2010.000", "Demolition (ERP)")
    project = ProjectFactory()
    ProjectCostCode.objects.create(project=project, cost_code=short).cost_types.set([1])
    ProjectCostCode.objects.create(project=project, cost_code=long).cost_types.set([2])
    budget = BudgetFactory(project=project)
    line = BudgetLineItemFactory(budget=budget, cost_code=short, cost_type=CostType.objects.get(code=1))

    _merge()

    assert list(CostCode.objects.values_list("code", "description")) == [("2010.000", "Demolition (ERP)")]
    [assignment] = ProjectCostCode.objects.filter(project=project)
    assert sorted(assignment.cost_types.values_list("code", flat=True)) == [1, 2]
    line.refresh_from_db()
    assert line.cost_code.code == "2010.000"


def test_the_merge_stops_naming_the_budget_when_two_lines_would_become_one():
    short, long = _raw_code("2010", "Demolition"), _raw_code("2010.0", "Demolition again")
    project = ProjectFactory(number="4100")
    budget = BudgetFactory(project=project)
    BudgetLineItemFactory(budget=budget, cost_code=short, cost_type=CostType.objects.get(code=1))
    BudgetLineItemFactory(budget=budget, cost_code=long, cost_type=CostType.objects.get(code=1))

    with pytest.raises(RuntimeError, match="the budget of project 4100 has a line on each with cost type 1"):
        _merge()
    assert CostCode.objects.count() == 2
