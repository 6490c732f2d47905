import pytest

from apps.erp_queue import services as erp_services
from apps.jobs import services as job_services
from apps.ledger.models import ERPCostCode
from tests.jobs.factories import ProjectFactory

CODES = {"1000": [1, 2], "2300": [2, 3, 4], "3300": [1, 2, 4], "5100": [1, 4]}


@pytest.fixture
def project(pm, approver, commit):
    """A project synced with ERP job 5000, using four cost codes with their cost types."""
    for code in CODES:
        ERPCostCode.objects.get_or_create(code=code, defaults={"description": f"Code {code}"})
    job_services.cost_code_sync_from_erp(user=approver)
    project = ProjectFactory(number="5000", name="Budget Tower")
    for code, types in CODES.items():
        job_services.project_cost_code_assign(project=project, user=pm, code=code, cost_types=types)
    _, request = erp_services.record_send(record=project, user=pm)
    with commit():
        erp_services.request_accept(request=request, user=approver, inputs={"erp_job_id": "5000"})
    project.refresh_from_db()
    assert project.erp_status == "synced"
    return project


@pytest.fixture
def budget(pm, project):
    from apps.budgets import services

    return services.budget_create(project=project, user=pm)
