from rest_framework import serializers

from apps.core.api.serializers import WorkflowSerializerMixin
from apps.jobs.models import CostCode, CostType, Project, ProjectCostCode


class CostTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostType
        fields = ["code", "name"]
        read_only_fields = ["code"]


class CostCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostCode
        fields = ["id", "code", "description", "division", "synced_at"]
        read_only_fields = ["id", "synced_at"]
        # The upsert is on `code`: the model's unique check would refuse a refresh of a known code.
        extra_kwargs = {"code": {"validators": []}}


class ProjectCostCodeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="cost_code.code", max_length=10)
    description = serializers.CharField(source="cost_code.description", read_only=True)
    cost_types = serializers.PrimaryKeyRelatedField(many=True, queryset=CostType.objects.all())

    class Meta:
        model = ProjectCostCode
        fields = ["id", "code", "description", "cost_types"]


class ProjectSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    erp_request = serializers.IntegerField(
        source="erp_request_id", read_only=True, allow_null=True, help_text="The latest ERP request's id."
    )
    cost_codes = ProjectCostCodeSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "name",
            "address",
            "city",
            "state",
            "zip",
            "origin",
            "erp_id",
            "erp_status",
            "erp_messages",
            "rejection_reason",
            "erp_request",
            "cost_codes",
            "allowed_steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["origin", "erp_id", "erp_status", "erp_messages", "rejection_reason"]
        # project_create answers a taken number with a field message; no second check here.
        extra_kwargs = {"number": {"validators": []}}
