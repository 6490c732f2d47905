"""Reads on change orders: their lines and totals for the API and the admin, in a fixed number of queries."""

from django.db.models import OuterRef, Prefetch

from apps.change_orders.models import ChangeOrder, ChangeOrderLine
from apps.commitments.models import CommitmentLine
from apps.commitments.selectors import total
from apps.erp_queue.selectors import latest_request_id


def change_order_list():
    return (
        ChangeOrder.objects.select_related("commitment__project", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ChangeOrderLine.objects.select_related("cost_code", "commitment_line").order_by("id"),
            )
        )
        .annotate(
            erp_request_id=latest_request_id(ChangeOrder),
            amount=total(ChangeOrder.objects.filter(pk=OuterRef("pk")), "lines__amount"),
        )
        .order_by("commitment__project__number", "commitment__number", "number")
    )


def change_order_get(pk):
    return change_order_list().get(pk=pk)


def commitment_line_choices(commitment_id=None):
    """The commitment lines a change order may change: those of its commitment (none until it is chosen)."""
    lines = CommitmentLine.objects.select_related("commitment", "cost_code", "cost_type").order_by("position")
    return lines.filter(commitment_id=commitment_id) if commitment_id else lines.none()
