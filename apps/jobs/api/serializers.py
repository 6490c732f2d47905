from rest_framework import serializers

from apps.core.api.serializers import ModelSerializer, PrimaryKeyField, SlugField, WorkflowSerializerMixin
from apps.jobs.models import CostCode, CostType, Project, ProjectCostCode


class CostCodeField(SlugField):
    """A standard cost code written as its code (`5100`), refused in words a project manager reads."""

    default_error_messages = {
        **SlugField.default_error_messages,
        "does_not_exist": "{value} is not one of the ERP's standard cost codes.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=CostCode.objects.all(), **kwargs)


class CostTypeField(PrimaryKeyField):
    """One of the ERP's nine cost types, written as its number."""

    default_error_messages = {
        **PrimaryKeyField.default_error_messages,
        "does_not_exist": "{pk_value} is not a cost type: use 1 to 9.",
        "not_a_whole_number": "{value} is not a cost type: use 1 to 9.",
        "out_of_range": "This number is too large to be a cost type: use 1 to 9.",
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=CostType.objects.all(), **kwargs)


class CostTypeSerializer(ModelSerializer):
    class Meta:
        model = CostType
        fields = ["code", "name"]
        read_only_fields = ["code"]


class CostCodeSerializer(ModelSerializer):
    class Meta:
        model = CostCode
        fields = ["id", "code", "description", "division", "synced_at"]
        read_only_fields = ["id", "synced_at"]
        # The upsert is on `code`: the model's unique check would refuse a refresh of a known code.
        extra_kwargs = {"code": {"validators": []}}


class ProjectCostCodeSerializer(ModelSerializer):
    code = serializers.CharField(source="cost_code.code", max_length=10)
    description = serializers.CharField(source="cost_code.description", read_only=True)
    cost_types = CostTypeField(many=True)

    class Meta:
        model = ProjectCostCode
        fields = ["id", "code", "description", "cost_types"]


class ProjectSerializer(WorkflowSerializerMixin, ModelSerializer):
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
