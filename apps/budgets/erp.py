"""How budgets plug into the ERP queue: the budget exporter and the ERP-estimate importer."""

from rest_framework import serializers

from apps.budgets import services
from apps.budgets.models import Budget
from apps.core import erp_profile
from apps.core.api.serializers import flatten_errors
from apps.core.exceptions import ValidationError
from apps.erp_queue.models import Kind
from apps.erp_queue.registry import Exporter, Importer


class BudgetExporter(Exporter):
    kind = Kind.BUDGET
    model = Budget

    def request_changed(self, *, request, user):
        services.budget_follow_request(budget_id=request.object_id, request=request)

    def entries_posted(self, *, request, user):
        budget = Budget.objects.get(pk=request.object_id)
        if budget.status == Budget.Status.AWAITING_POSTING:
            services.budget_mark_posted(budget=budget, user=None)


class _EstimateLineSerializer(serializers.Serializer):
    cost_code = serializers.CharField(max_length=10)
    cost_type = serializers.IntegerField(min_value=1, max_value=9)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    def validate_cost_code(self, value):
        problem = erp_profile.cost_code_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class EstimateDataSerializer(serializers.Serializer):
    """A posted Sage estimate, staged under Ready to Import (erp_id is the job id)."""

    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    lines = _EstimateLineSerializer(many=True, allow_empty=False)


class EstimateImporter(Importer):
    kind = "estimate"

    def clean_data(self, data):
        serializer = EstimateDataSerializer(data=data)
        if not serializer.is_valid():
            raise ValidationError({"data": flatten_errors(serializer.errors)})
        lines = [
            {**line, "amount": str(line["amount"])} for line in serializer.validated_data["lines"] if line["amount"] > 0
        ]
        return {"name": serializer.validated_data["name"], "lines": lines}

    def label(self, data):
        return data.get("name") or f"Estimate ({len(data.get('lines', []))} lines)"

    def add_to_app(self, *, staged, user):
        return services.budget_import_from_erp(job_id=staged.erp_id, lines=staged.data["lines"], user=user)
