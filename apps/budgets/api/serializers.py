from rest_framework import serializers

from apps.budgets.models import Budget, BudgetLineItem, BudgetModification
from apps.core.api.serializers import ModelSerializer, Serializer, WorkflowSerializerMixin
from apps.jobs.api.serializers import CostCodeField, CostTypeField
from apps.jobs.models import COST_LINE_FIELDS

#: No budget line goes below zero (SPEC §6); the services check it too, for the admin.
NON_NEGATIVE = ("quantity", "unit_cost", "original_amount")


class BudgetSerializer(WorkflowSerializerMixin, ModelSerializer):
    erp_request = serializers.IntegerField(source="erp_request_id", read_only=True, allow_null=True)
    original_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "project",
            "status",
            "origin",
            "erp_id",
            "ever_exported",
            "erp_messages",
            "rejection_reason",
            "erp_request",
            "original_total",
            "allowed_steps",
            "created_at",
        ]
        read_only_fields = ["status", "origin", "erp_id", "ever_exported", "erp_messages", "rejection_reason"]
        # budget_create answers a second budget for a project with a field message.
        extra_kwargs = {"project": {"validators": []}}


class BudgetLineSerializer(ModelSerializer):
    cost_code = CostCodeField()
    cost_type = CostTypeField()
    modifications_in = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    modifications_out = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    revised_amount = serializers.SerializerMethodField()
    unsent = serializers.BooleanField(read_only=True, help_text="Has changes the ERP has not received yet.")

    class Meta:
        model = BudgetLineItem
        fields = [
            "id",
            *COST_LINE_FIELDS,
            "calculation",
            "original_amount",
            "partial",
            "modifications_in",
            "modifications_out",
            "revised_amount",
            "unsent",
        ]
        # The service checks the (cost code, cost type) pair against the budget with a clear message.
        validators = []
        extra_kwargs = {field: {"min_value": 0} for field in NON_NEGATIVE}

    def get_revised_amount(self, line) -> str:
        return str(line.original_amount + line.modifications_in - line.modifications_out)


class BudgetLineUpdateSerializer(ModelSerializer):
    class Meta:
        model = BudgetLineItem
        fields = ["description", "quantity", "uom", "unit_cost", "calculation", "original_amount"]
        extra_kwargs = {field: {"min_value": 0} for field in NON_NEGATIVE}


class BudgetModificationSerializer(ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = BudgetModification
        fields = ["id", "from_line", "to_line", "amount", "notes", "created_by", "created_at"]

    def __init__(self, *args, budget=None, **kwargs):
        super().__init__(*args, **kwargs)
        if budget is not None:
            lines = BudgetLineItem.objects.filter(budget=budget)
            self.fields["from_line"].queryset = lines
            self.fields["to_line"].queryset = lines


class BudgetImportSerializer(Serializer):
    file = serializers.FileField(help_text="A budget file, CSV or XLSX, with the columns of the export.")
    dry_run = serializers.BooleanField(default=False, help_text="Check every row and count, but write nothing.")


class RowErrorSerializer(Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The file's row (the header is row 1).")
    field = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class BudgetImportResultSerializer(Serializer):
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class BudgetImportErrorsSerializer(Serializer):
    errors = RowErrorSerializer(many=True)
