"""What a project manager reads on commitments: original, approved changes, revised; committed cost per code/type."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.commitments.models import Commitment, CommitmentLine
from apps.erp_queue.selectors import latest_request_id
from apps.jobs.models import ProjectCostCode

AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=AMOUNT)
# change_orders.ChangeOrder.Status.APPROVED: change orders build on commitments, so this app reads them
# through the reverse relation only and never imports them.
APPROVED_CHANGE_ORDER = "approved"
#: The commitments whose amounts count as committed cost.
COMMITTED_STATUSES = (Commitment.Status.APPROVED, Commitment.Status.COMPLETE)


def project_assignments(project):
    """{(cost code id, cost type code)} assigned on the project: what a commitment line may be charged to."""
    return set(
        ProjectCostCode.cost_types.through.objects.filter(projectcostcode__project=project).values_list(
            "projectcostcode__cost_code_id", "costtype_id"
        )
    )


def total(queryset, field):
    """A subquery: the sum of `field` over the outer row alone (no join multiplies it)."""
    return Coalesce(Subquery(queryset.order_by().values("pk").annotate(total=Sum(field)).values("total")[:1]), ZERO)


def commitment_list():
    """Commitments with their amounts, lines and latest ERP request, in a fixed number of queries."""
    return (
        Commitment.objects.select_related("project", "vendor", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=CommitmentLine.objects.select_related("cost_code").order_by("position"))
        )
        .annotate(
            erp_request_id=latest_request_id(Commitment),
            original_amount=total(Commitment.objects.filter(pk=OuterRef("pk")), "lines__amount"),
            approved_changes=total(
                Commitment.objects.filter(pk=OuterRef("pk"), change_orders__status=APPROVED_CHANGE_ORDER),
                "change_orders__lines__amount",
            ),
        )
        .annotate(revised_amount=ExpressionWrapper(F("original_amount") + F("approved_changes"), output_field=AMOUNT))
        .order_by("project__number", "type", "number")
    )


def commitment_get(pk):
    return commitment_list().get(pk=pk)


def committed_costs(*, project):
    """Per cost code and cost type: approved and complete commitments' original amounts plus approved changes."""
    committed = Commitment.objects.filter(project=project, status__in=COMMITTED_STATUSES)
    rows = {}

    def row(code, cost_type):
        return rows.setdefault(
            (code, cost_type),
            {
                "cost_code": code,
                "cost_type": cost_type,
                "original": Decimal("0.00"),
                "approved_changes": Decimal("0.00"),
            },
        )

    for line in (
        CommitmentLine.objects.filter(commitment__in=committed)
        .values("cost_code__code", "cost_type_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        row(line["cost_code__code"], line["cost_type_id"])["original"] += line["total"]
    for change in (
        committed.filter(change_orders__status=APPROVED_CHANGE_ORDER, change_orders__lines__isnull=False)
        .values("change_orders__lines__cost_code__code", "change_orders__lines__cost_type")
        .annotate(total=Sum("change_orders__lines__amount"))
        .order_by()
    ):
        key = (change["change_orders__lines__cost_code__code"], change["change_orders__lines__cost_type"])
        row(*key)["approved_changes"] += change["total"]
    return [{**r, "committed": r["original"] + r["approved_changes"]} for _, r in sorted(rows.items())]
