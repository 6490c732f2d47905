"""Reads on the ERP queue that producer apps need (they import services, registry and selectors only)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from apps.erp_queue import registry
from apps.erp_queue.models import ERPRequest, StagedRecord


def latest_request_id(model):
    """A subquery: the id of the record's latest ERP request, for annotating a queryset of `model`."""
    kind = registry.exporter_of(model).kind
    return Subquery(
        ERPRequest.objects.filter(kind=kind, object_id=OuterRef("pk")).order_by("-sent_at", "-id").values("id")[:1]
    )


def request_open_for(*, kind, object_id):
    """The record's request that still waits for a decision or an export, if any."""
    return ERPRequest.objects.filter(kind=kind, object_id=object_id, status__in=ERPRequest.OPEN_STATUSES).first()


def staged_records(model, *, waiting=False):
    """The ERP's records staged for `model` (e.g. the ERP vendors for companies); `waiting`: only those not imported."""
    importer = registry.importer_of(model)
    qs = StagedRecord.objects.filter(kind=importer.kind)
    return qs.filter(status=StagedRecord.Status.STAGED) if waiting else qs


def request_list(*, kind=None):
    qs = ERPRequest.objects.select_related("sent_by", "decided_by")
    return qs.filter(kind=kind) if kind else qs


#: A tab's figure counts to here and then reads "1,000+": the queue's history only grows, its open work stays small.
TAB_FIGURE_CAP = 1_000


def _capped(queryset):
    n = queryset.values("pk")[: TAB_FIGURE_CAP + 1].count()
    return f"{TAB_FIGURE_CAP:,}+" if n > TAB_FIGURE_CAP else f"{n:,}"


@dataclass(frozen=True)
class TabFigures:
    by_kind: dict  # kind -> "12" or "1,000+", within the status tab shown
    updates: str  # updates of synced records waiting for a decision (Ready to Update)
    staged: str  # ERP records waiting under Ready to Import


def request_tab_figures(*, status=None):
    """The queue's tab figures, each read from an index and stopped at TAB_FIGURE_CAP: the same cost at any size."""
    requests = ERPRequest.objects.filter(status=status) if status else ERPRequest.objects.all()
    return TabFigures(
        by_kind={kind: _capped(requests.filter(kind=kind)) for kind, _ in registry.kind_choices()},
        updates=_capped(ERPRequest.objects.filter(status=ERPRequest.Status.READY_TO_EXPORT, payload__update=True)),
        staged=_capped(StagedRecord.objects.filter(status=StagedRecord.Status.STAGED)),
    )


def linking_kinds():
    """The staged record kinds that may be linked to a record here (vendors)."""
    return [kind for kind in registry.importable_kinds() if registry.importer_for(kind).can_link]


def staged_record_suggestions(staged_records):
    """{pk: [Suggestion]} for staged records still waiting (a page of them), each kind's computed in one go.

    Archived and imported records get none: they are not candidates for linking.
    """
    by_kind = defaultdict(list)
    for staged in staged_records:
        if staged.status == StagedRecord.Status.STAGED:
            by_kind[staged.kind].append(staged)
    suggestions = {}
    for kind, records in by_kind.items():
        importer = registry.importer_for(kind)
        if importer is not None and importer.can_link:
            suggestions.update(importer.suggestions(records))
    return suggestions
