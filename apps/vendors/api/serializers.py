from rest_framework import serializers

from apps.core.api.serializers import ModelSerializer, PrimaryKeyField, Serializer, WorkflowSerializerMixin
from apps.jobs.models import Project
from apps.vendors.models import Company


class VendorTypeSerializer(Serializer):
    code = serializers.CharField(max_length=10)
    name = serializers.CharField(max_length=50)


class CompanySerializer(WorkflowSerializerMixin, ModelSerializer):
    projects = PrimaryKeyField(
        many=True,
        queryset=Project.objects.all(),
        required=False,
        help_text="The projects whose directory lists the company (it is in the company directory either way).",
    )
    erp_request = serializers.IntegerField(
        source="erp_request_id", read_only=True, allow_null=True, help_text="The latest ERP request's id."
    )

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "abbreviated_name",
            "address",
            "city",
            "state",
            "zip",
            "tax_id",
            "email",
            "phone",
            "is_active",
            "projects",
            "origin",
            "erp_id",
            "vendor_type",
            "erp_status",
            "erp_messages",
            "rejection_reason",
            "erp_request",
            "allowed_steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["origin", "erp_id", "vendor_type", "erp_status", "erp_messages", "rejection_reason"]
