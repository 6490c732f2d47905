from rest_framework import serializers

from apps.change_orders.models import ChangeOrder, ChangeOrderLine
from apps.commitments.api.serializers import RECORD_TAIL, STATE_FIELDS
from apps.commitments.models import CommitmentLine
from apps.commitments.services import MAX_RECORD_LINES
from apps.core.api.serializers import BoundedListSerializer, ModelSerializer, PrimaryKeyField, WorkflowSerializerMixin
from apps.jobs.api.serializers import CostCodeField, CostTypeField
from apps.jobs.models import COST_LINE_FIELDS

NEW_LINE_FIELDS = ("cost_code", "cost_type", "quantity", "unit_cost")


class ChangeOrderLineSerializer(ModelSerializer):
    """Either {commitment_line, amount} (a change of that line) or a new purchase order line."""

    commitment_line = PrimaryKeyField(
        queryset=CommitmentLine.objects.all(), required=False, allow_null=True, help_text="The line it changes."
    )
    line_number = serializers.IntegerField(source="commitment_line.position", read_only=True, allow_null=True)
    cost_code = CostCodeField(required=False)
    cost_type = CostTypeField(required=False)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False, allow_null=True)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="The change (negative for a deduction); a new line's amount is quantity × unit cost.",
    )

    class Meta:
        model = ChangeOrderLine
        fields = [
            "id",
            "commitment_line",
            "line_number",
            *COST_LINE_FIELDS,
            "amount",
        ]
        list_serializer_class = BoundedListSerializer

    def validate(self, attrs):
        if attrs.get("commitment_line") is not None:
            extra = {
                field: "A change of a commitment line takes its amount (and a description) only."
                for field in NEW_LINE_FIELDS
                if attrs.get(field) is not None
            }
            if extra:
                raise serializers.ValidationError(extra)
            if attrs.get("amount") is None:
                raise serializers.ValidationError({"amount": "Give the amount the commitment line changes by."})
            return attrs
        missing = {
            field: "A new line needs it (or give commitment_line and amount to change an existing line)."
            for field in NEW_LINE_FIELDS
            if attrs.get(field) is None
        }
        if missing:
            raise serializers.ValidationError(missing)
        if attrs.get("amount") is not None:
            raise serializers.ValidationError(
                {"amount": "A new line's amount is its quantity × unit cost: leave it out."}
            )
        return attrs


#: Refused at once past MAX_RECORD_LINES (each line costs queries to read).
LINES = {
    "many": True,
    "max_length": MAX_RECORD_LINES,
    "error_messages": {"max_length": "A change order takes at most {max_length:,} lines; this has {count:,}."},
}


class ChangeOrderSerializer(WorkflowSerializerMixin, ModelSerializer):
    number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Empty: the commitment's next number (001, …)."
    )
    project = serializers.IntegerField(source="commitment.project_id", read_only=True)
    lines = ChangeOrderLineSerializer(**LINES, required=False)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True, help_text="The sum of its lines."
    )
    erp_request = serializers.IntegerField(
        source="erp_request_id", read_only=True, allow_null=True, help_text="The latest ERP request's id."
    )
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ChangeOrder
        fields = [
            "id",
            "commitment",
            "project",
            "number",
            "title",
            "description",
            *STATE_FIELDS,
            "erp_request",
            "amount",
            *RECORD_TAIL,
        ]
        read_only_fields = STATE_FIELDS
        # The service answers a taken number with a field message.
        validators = []


class ChangeOrderUpdateSerializer(ModelSerializer):
    """What may be edited: everything it exports, until it is sent (again after an ERP rejection)."""

    lines = ChangeOrderLineSerializer(**LINES, required=False, help_text="Replaces all its lines.")

    class Meta:
        model = ChangeOrder
        fields = ["number", "title", "description", "lines"]
        extra_kwargs = {field: {"required": False} for field in fields}
