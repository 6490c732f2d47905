"""Integration health for approvers: the queue per kind, the agent's last contact and the longest waits."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.erp_queue import services
from apps.erp_queue.health import integration_health, slowest_waits
from apps.erp_queue.models import AgentOutage, ERPRequest

Status = ERPRequest.Status


def _queue_link(kind, status):
    return f"{reverse('admin:erp_queue_erprequest_changelist')}?kind__exact={kind}&status__exact={status}"


def health_view(modeladmin, request):
    """The page: what monitors read at /health/, in the approvers' words, each figure a link to its queue."""
    if not modeladmin.has_view_permission(request):
        raise PermissionDenied
    health = integration_health()
    services.agent_outage_check(health=health)
    rows = [
        {
            "figures": k,
            "waiting_url": _queue_link(k.kind, Status.READY_TO_EXPORT),
            "exporting_url": _queue_link(k.kind, Status.EXPORTING),
            "failed_url": _queue_link(k.kind, Status.FAILED),
        }
        for k in health.kinds
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Integration health",
        "health": health,
        "rows": rows,
        "silent_after_minutes": int(health.silent_after.total_seconds() // 60),
        "slowest": slowest_waits(),
        "outages": AgentOutage.objects.all()[:5],
    }
    return TemplateResponse(request, "admin/erp_queue/erprequest/health.html", context)
