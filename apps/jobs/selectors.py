from django.db.models import Prefetch

from apps.erp_queue import registry
from apps.erp_queue.selectors import latest_request_id, request_list
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


def project_update_payload(project):
    """What a synced project's update request exports: the cost code pairs the ERP job lacks; None when none."""
    pending = project.pending_pairs()
    if not pending:
        return None
    types_by_code = {}
    for code, cost_type in pending:
        types_by_code.setdefault(code, set()).add(cost_type)
    descriptions = dict(project.cost_codes.values_list("cost_code__code", "cost_code__description"))
    return {
        "update": True,
        "number": project.number,
        "name": project.name,
        "job_id": project.erp_id,
        "cost_codes": [
            {"code": code, "description": descriptions.get(code, ""), "cost_types": sorted(types)}
            for code, types in sorted(types_by_code.items())
        ],
    }


def pending_pairs_problem(project, pairs):
    """Why lines on `pairs` [(cost code, cost type)] cannot go to the ERP yet: some wait under Ready to Update."""
    waiting = sorted(set(pairs) & project.pending_pairs())
    if not waiting:
        return None
    names = cost_type_names()
    listed = ", ".join(f"{code} with cost type {cost_type} ({names.get(cost_type, '')})" for code, cost_type in waiting)
    return (
        f"Cost code {listed} is not on ERP job {project.erp_id} yet: it waits under ERP Integrations → Jobs → "
        "Ready to Update, and accounting accepts the project's update before anything that uses it is sent."
    )


def ready_to_update_text(project):
    """How a synced project's cost codes stand against its ERP job, for the project's page."""
    pending = sorted(project.pending_pairs())
    if not pending:
        return "Nothing waits: the ERP job has every cost code and cost type the project uses."
    names = cost_type_names()
    listed = ", ".join(f"{code} {cost_type} {names.get(cost_type, '')}".strip() for code, cost_type in pending)
    last = request_list(kind=registry.exporter_of(Project).kind).filter(object_id=project.pk).first()
    if last is not None and last.status == last.Status.REJECTED:
        return (
            f"{listed}: accounting rejected the update ({last.reason}). Fix the project's cost codes and save the "
            "project: the update is sent again."
        )
    if last is not None and last.status == last.Status.FAILED:
        return f"{listed}: the ERP refused the update ({' '.join(last.messages)}); accounting retries or rejects it."
    return f"{listed}: waiting for accounting under ERP Integrations → Ready to update."
