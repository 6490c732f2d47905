"""Reads on the ERP queue that producer apps need (they import services, registry and selectors only)."""

from django.db.models import OuterRef, Subquery

from apps.erp_queue.models import ERPRequest


def latest_request_id(kind):
    """A subquery: the id of the record's latest ERP request, for annotating a producer's queryset."""
    return Subquery(
        ERPRequest.objects.filter(kind=kind, object_id=OuterRef("pk")).order_by("-sent_at", "-id").values("id")[:1]
    )


def request_list(*, kind=None):
    qs = ERPRequest.objects.select_related("sent_by", "decided_by")
    return qs.filter(kind=kind) if kind else qs
