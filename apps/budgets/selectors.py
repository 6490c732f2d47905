"""What a project manager reads on a budget: per line original, modifications, revised, and sync state."""

from decimal import Decimal

from django.db.models import BooleanField, Case, DecimalField, Exists, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from apps.budgets.models import Budget, BudgetLineItem, BudgetModification, BudgetTransaction
from apps.erp_queue.selectors import latest_request_id

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _modification_sum(direction):
    return Coalesce(
        Subquery(
            BudgetModification.objects.filter(**{direction: OuterRef("pk")})
            .values(direction)
            .annotate(total=Sum("amount"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        ZERO,
    )


def line_list(*, budget):
    """The budget's lines with their modifications in and out, revised amount and whether they are unsent."""
    return (
        BudgetLineItem.objects.filter(budget=budget)
        .select_related("cost_code", "cost_type")
        .annotate(
            modifications_in=_modification_sum("to_line"),
            modifications_out=_modification_sum("from_line"),
            unsent=Exists(BudgetTransaction.objects.filter(line=OuterRef("pk"), exported_at__isnull=True)),
        )
    )


def line_totals(*, budget):
    """Totals over every line (modifications net to zero over the budget, but are shown per direction)."""
    totals = BudgetLineItem.objects.filter(budget=budget).aggregate(original=Sum("original_amount"))
    moved = BudgetModification.objects.filter(budget=budget).aggregate(moved=Sum("amount"))
    original = totals["original"] or Decimal("0.00")
    return {"original": original, "moved": moved["moved"] or Decimal("0.00"), "revised": original}


def _changes_to_send():
    """Budget._has_changes as a column: full lines before the first export, unsent transactions after it."""
    full_lines = Exists(BudgetLineItem.objects.filter(budget=OuterRef("pk"), partial=False))
    unsent = Exists(
        BudgetTransaction.objects.filter(budget=OuterRef("pk"), exported_at__isnull=True, request_id__isnull=True)
    )
    return Case(When(ever_exported=False, then=full_lines), default=unsent, output_field=BooleanField())


def budget_list():
    return (
        Budget.objects.select_related("project")
        .annotate(
            erp_request_id=latest_request_id(Budget),
            original_total=Coalesce(Sum("lines__original_amount"), ZERO),
            changes_to_send=_changes_to_send(),
        )
        .order_by("project__number")  # an aggregate drops Meta.ordering
    )
