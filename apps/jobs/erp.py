"""How jobs plug into the ERP queue: the job exporter and the ERP-job importer."""

from django import forms
from rest_framework import serializers

from apps.core import erp_profile
from apps.core.api.serializers import flatten_errors
from apps.core.exceptions import ValidationError
from apps.erp_queue.models import Kind
from apps.erp_queue.registry import Exporter, Importer
from apps.jobs import services
from apps.jobs.models import Project


class JobAcceptForm(forms.Form):
    erp_job_id = forms.CharField(
        label="ERP job id",
        max_length=10,
        help_text=f"The Sage job number to create: {erp_profile.JOB_ID_RULE}.",
    )


class JobExporter(Exporter):
    kind = Kind.JOB
    model = Project
    accept_form = JobAcceptForm

    def clean_inputs(self, *, request, inputs):
        erp_job_id = inputs.get("erp_job_id")
        problem = erp_profile.job_id_problem(erp_job_id)
        if problem is None and Project.objects.filter(erp_id=erp_job_id).exclude(pk=request.object_id).exists():
            problem = f"ERP job {erp_job_id} already belongs to another project here. Enter another job code."
        if problem:
            raise ValidationError({"erp_job_id": problem})
        return {"erp_job_id": str(erp_job_id)}

    def request_changed(self, *, request, user):
        services.project_follow_request(project_id=request.object_id, request=request, user=user)


class _ERPCostCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10)
    description = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    division = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    cost_types = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=9), required=False, default=list
    )

    def validate_code(self, value):
        problem = erp_profile.cost_code_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class ERPJobDataSerializer(serializers.Serializer):
    """A job as the ERP stages it under Ready to Import."""

    name = serializers.CharField(max_length=255)
    address = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    city = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    state = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    zip = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    cost_codes = _ERPCostCodeSerializer(many=True, required=False, default=list)


class JobImporter(Importer):
    kind = Kind.JOB

    def clean_data(self, data):
        serializer = ERPJobDataSerializer(data=data)
        if not serializer.is_valid():
            raise ValidationError({"data": flatten_errors(serializer.errors)})
        return serializer.validated_data | {"cost_codes": [dict(c) for c in serializer.validated_data["cost_codes"]]}

    def label(self, data):
        return data.get("name", "")

    def add_to_app(self, *, staged, user):
        return services.project_import_from_erp(erp_id=staged.erp_id, data=staged.data, user=user)
