"""How jobs plug into the ERP queue: the job exporter and the ERP-job importer."""

from django import forms
from rest_framework import serializers

from apps.core import erp_profile
from apps.core.api.serializers import SageCostCodeField, flatten_errors
from apps.core.exceptions import ValidationError
from apps.erp_queue import selectors as erp_selectors
from apps.erp_queue import services as erp_services
from apps.erp_queue.registry import Exporter, Importer
from apps.jobs import services
from apps.jobs.models import Project
from apps.jobs.selectors import cost_type_payload_names


class JobAcceptForm(forms.Form):
    erp_job_id = forms.CharField(
        label="ERP job id",
        max_length=10,
        help_text=f"The Sage job number to create: {erp_profile.JOB_ID_RULE}.",
    )


def _job_id_problem(erp_job_id, project_id, hint=""):
    """Why `erp_job_id` cannot be the ERP job of project `project_id`, or None."""
    problem = erp_profile.job_id_problem(erp_job_id)
    if problem is None and Project.objects.filter(erp_id=erp_job_id).exclude(pk=project_id).exists():
        problem = f"ERP job {erp_job_id} already belongs to another project here.{hint}"
    return problem


def _new_job_id_problem(erp_job_id, project_id):
    """Why the approver cannot create ERP job `erp_job_id` for project `project_id`: the id is held, or None.

    Held by a project here, by an ERP job the connector reported (waiting under Ready to Import, even
    archived), or by a job the connector's ERP has.
    """
    problem = _job_id_problem(erp_job_id, project_id, hint=" Enter another job code.")
    if problem is not None:
        return problem
    staged = erp_selectors.staged_records(Project).filter(erp_id=erp_job_id).first()
    if staged is not None and staged.status != staged.Status.IMPORTED:
        where = "waits under Ready to Import" if staged.status == staged.Status.STAGED else "was archived there"
        return (
            f"ERP job {erp_job_id} already exists ({staged.label}) and {where}: add it to the app instead, "
            "or enter another job code."
        )
    if erp_services.erp_holds_job(erp_job_id):
        return f"Job {erp_job_id} already exists in the ERP. Enter another job code."
    return None


class JobExporter(Exporter):
    """A project created here becomes an ERP job; the approver types its job id on accept."""

    kind = "job"
    label = "Job"
    model = Project
    accept_form = JobAcceptForm
    payload_names = staticmethod(cost_type_payload_names)
    steps = erp_services.export_steps(
        Project,
        noun="project",
        send_help="Accounting reviews the project and, on accept, creates the job in Sage with the job id they type.",
        retrieve_help="Takes the project back before accounting decides, so that it can be edited.",
    )

    def payload(self, project):
        cost_codes = [
            {
                "code": pcc.cost_code.code,
                "description": pcc.cost_code.description,
                "cost_types": sorted(ct.code for ct in pcc.cost_types.all()),
            }
            for pcc in project.cost_codes.select_related("cost_code").prefetch_related("cost_types")
        ]
        return {
            **{field: getattr(project, field) for field in Project.INTEGRATED_FIELDS},
            "cost_codes": cost_codes,
        }

    def check(self, project, payload):
        problems = erp_profile.job_field_problems(payload)
        missing = erp_profile.cost_codes_without_types(payload["cost_codes"])
        if missing:
            problems["cost_codes"] = (
                f"Every cost code needs at least one cost type before the project goes to the ERP; "
                f"cost code {', '.join(missing)} has none."
            )
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def is_update(request):
        """An update request of a synced project: the cost codes and types its ERP job lacks (Ready to Update)."""
        return bool(request.payload.get("update"))

    def accept_form_for(self, request):
        return None if self.is_update(request) else self.accept_form

    def moves_record(self, request):
        return not self.is_update(request)

    def erp_problems(self, payload, inputs=None):
        problems = {}
        if payload.get("update") and (problem := erp_services.erp_job_problem(payload["job_id"])):
            problems["project"] = problem
        if problem := erp_services.erp_cost_code_problem([c["code"] for c in payload.get("cost_codes", [])]):
            problems["cost_codes"] = problem
        return problems

    def clean_inputs(self, *, request, inputs):
        if self.is_update(request):
            return {}
        erp_job_id = inputs.get("erp_job_id")
        problem = _new_job_id_problem(erp_job_id, request.object_id)
        if problem:
            raise ValidationError({"erp_job_id": problem})
        return {"erp_job_id": str(erp_job_id)}

    def expected_erp_ids(self, request):
        if self.is_update(request):
            return {"job_id": request.payload["job_id"]}
        return {"job_id": request.inputs.get("erp_job_id")}

    def project_of(self, request):
        return str(request.payload.get("number") or "")  # the request is the project itself

    def land(self, project, request):
        """The ERP job was created, or took the update's cost codes: the project records what it holds."""
        if not self.is_update(request):
            super().land(project, request)
            project.erp_cost_codes = {}
        held = {code: set(types) for code, types in project.erp_cost_codes.items()}
        for row in request.payload.get("cost_codes", []):
            held.setdefault(row["code"], set()).update(row["cost_types"])
        project.erp_cost_codes = {code: sorted(types) for code, types in sorted(held.items())}

    def synced_fields(self, project, request):
        """The job id the connector reported: a valid one that no other project holds (else 400)."""
        erp_id = request.erp_ids.get("job_id")
        problem = _job_id_problem(erp_id, project.pk)
        if problem:
            raise ValidationError({"erp_ids": [f"job_id: {problem}"]})
        return {"erp_id": erp_id}


class _ERPCostCodeSerializer(serializers.Serializer):
    code = SageCostCodeField()
    description = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    division = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    cost_types = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=9), required=False, default=list
    )


class ERPJobDataSerializer(serializers.Serializer):
    """A job as the ERP stages it under Ready to Import."""

    name = serializers.CharField(max_length=255)
    address = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    city = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    state = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    zip = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    cost_codes = _ERPCostCodeSerializer(many=True, required=False, default=list)


class JobImporter(Importer):
    """An ERP job under Ready to Import becomes a synced project here (Path A)."""

    kind = "job"
    label = "Job"
    model = Project
    payload_names = staticmethod(cost_type_payload_names)

    def clean_data(self, data):
        serializer = ERPJobDataSerializer(data=data)
        if not serializer.is_valid():
            raise ValidationError({"data": flatten_errors(serializer.errors)})
        return serializer.validated_data | {"cost_codes": [dict(c) for c in serializer.validated_data["cost_codes"]]}

    def record_label(self, data):
        return data.get("name", "")

    def add_to_app(self, *, staged, user):
        return services.project_import_from_erp(erp_id=staged.erp_id, data=staged.data, user=user)
