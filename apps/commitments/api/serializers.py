from rest_framework import serializers

from apps.commitments.models import Commitment, CommitmentLine
from apps.commitments.services import MAX_RECORD_LINES
from apps.core.api.serializers import (
    BoundedListSerializer,
    ModelSerializer,
    PrimaryKeyField,
    Serializer,
    WorkflowSerializerMixin,
)
from apps.jobs.api.serializers import CostCodeField, CostTypeField
from apps.jobs.models import COST_LINE_FIELDS, Project


class CommitmentLineSerializer(ModelSerializer):
    line_number = serializers.IntegerField(source="position", read_only=True)
    cost_code = CostCodeField()
    cost_type = CostTypeField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Typed for amount-based commitments; quantity × unit cost for unit-based ones.",
    )

    class Meta:
        model = CommitmentLine
        fields = [
            "id",
            "line_number",
            *COST_LINE_FIELDS,
            "amount",
        ]
        list_serializer_class = BoundedListSerializer


#: A schedule of values: refused at once past MAX_RECORD_LINES (each line costs queries to read).
LINES = {
    "many": True,
    "max_length": MAX_RECORD_LINES,
    "error_messages": {"max_length": "A commitment takes at most {max_length:,} lines; this has {count:,}."},
}


#: What a commitment or a change order says of its states and the ERP: read-only, the services move them.
STATE_FIELDS = ["status", "erp_status", "erp_id", "origin", "erp_messages", "rejection_reason"]
#: What closes a commitment's or a change order's answer.
RECORD_TAIL = ["lines", "allowed_steps", "created_by", "created_at", "updated_at"]


class CommitmentSerializer(WorkflowSerializerMixin, ModelSerializer):
    number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Empty: the next free SC-001 / PO-001 number."
    )
    lines = CommitmentLineSerializer(**LINES, required=False, help_text="The schedule of values.")
    erp_request = serializers.IntegerField(
        source="erp_request_id", read_only=True, allow_null=True, help_text="The latest ERP request's id."
    )
    original_amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    approved_changes = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="The sum of its approved change orders."
    )
    revised_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="Original amount plus approved changes."
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            *Commitment.ENTERED_FIELDS,
            *STATE_FIELDS,
            "erp_request",
            "original_amount",
            "approved_changes",
            "revised_amount",
            *RECORD_TAIL,
        ]
        read_only_fields = STATE_FIELDS
        # The service answers a taken number with a field message.
        validators = []


class CommitmentUpdateSerializer(ModelSerializer):
    """What may be edited: the project and type are fixed; the ERP's fields lock while sent and after sync."""

    lines = CommitmentLineSerializer(**LINES, required=False, help_text="Replaces the whole schedule of values.")

    class Meta:
        model = Commitment
        fields = ["number", "title", "description", "vendor", "retainage_percent", "accounting_method", "lines"]
        extra_kwargs = {field: {"required": False} for field in fields}


class CommittedCostQuerySerializer(Serializer):
    project = PrimaryKeyField(queryset=Project.objects.all())


class CommittedCostSerializer(Serializer):
    cost_code = serializers.CharField()
    cost_type = serializers.IntegerField()
    original = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Approved and complete commitments' schedule of values."
    )
    approved_changes = serializers.DecimalField(max_digits=16, decimal_places=2)
    committed = serializers.DecimalField(max_digits=16, decimal_places=2)
