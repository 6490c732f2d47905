from django.db.models import Prefetch

from apps.erp_queue.selectors import latest_request_id
from apps.jobs.models import CostType, Project, ProjectCostCode


def project_list():
    """Projects with what their API and admin show, in a fixed number of queries."""
    return Project.objects.annotate(erp_request_id=latest_request_id(Project)).prefetch_related(
        Prefetch(
            "cost_codes",
            queryset=ProjectCostCode.objects.select_related("cost_code").prefetch_related("cost_types"),
        )
    )


def project_get(pk):
    return project_list().get(pk=pk)


def cost_type_names():
    """{cost type code: name}: how a payload's cost types read on the approver's page (4 → Subcontract)."""
    return dict(CostType.objects.values_list("code", "name"))


def cost_type_payload_names():
    """Exporter.payload_names for the kinds whose payloads carry cost types."""
    names = cost_type_names()
    return {"cost_type": names, "cost_types": names}
