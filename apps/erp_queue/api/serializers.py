from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import ModelSerializer, Serializer, WorkflowSerializerMixin
from apps.erp_queue import selectors
from apps.erp_queue.models import AgentContact, ERPRequest, StagedRecord

MAX_ID = 2**63 - 1


class ERPRequestSerializer(WorkflowSerializerMixin, ModelSerializer):
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ERPRequest
        fields = [
            "id",
            "kind",
            "object_id",
            "record_label",
            "status",
            "payload",
            "idempotency_key",
            "sent_by",
            "sent_at",
            "decided_by",
            "decided_at",
            "inputs",
            "reason",
            "messages",
            "erp_ids",
            "attempts",
            "lease_expires_at",
            "completed_at",
            "allowed_steps",
        ]
        read_only_fields = fields


class ClaimedRequestSerializer(ERPRequestSerializer):
    class Meta(ERPRequestSerializer.Meta):
        fields = [*ERPRequestSerializer.Meta.fields, "lease_token"]
        read_only_fields = fields


class AcceptSerializer(Serializer):
    """The approver's inputs: `erp_job_id` for a job; `erp_vendor_id` and `vendor_type` for a vendor; for a
    commitment or change order, optionally another `number` when the ERP refused the one sent."""

    erp_job_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    erp_vendor_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    vendor_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
    number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Commitments and change orders: export under this number instead (the record here takes it).",
    )


class RejectSerializer(Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ClaimSerializer(Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)
    worker = serializers.CharField(max_length=255, required=False, default="agent")


LEASE_TOKEN_HELP = "The lease_token of the claim this report answers; a report without the current lease is a 409."


class SucceededSerializer(Serializer):
    lease_token = serializers.UUIDField(help_text=LEASE_TOKEN_HELP)
    erp_ids = serializers.DictField(
        child=serializers.CharField(max_length=64),
        allow_empty=False,
        help_text="The ids the ERP filed the record under; a job's or vendor's id must be the one the approver typed.",
    )

    def validate_erp_ids(self, value):
        bad = [key for key in value if not key.isascii() or not key.isprintable() or len(key) > 64]
        if bad:
            raise serializers.ValidationError("Name each ERP id with a short plain name (job_id, vendor_id, number).")
        return value


class FailedSerializer(Serializer):
    lease_token = serializers.UUIDField(help_text=LEASE_TOKEN_HELP)
    messages = serializers.ListField(child=serializers.CharField(max_length=2000), allow_empty=False)


class HeartbeatSerializer(Serializer):
    worker = serializers.CharField(max_length=255, help_text="The name the agent claims under.")
    version = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    host = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class AgentContactSerializer(ModelSerializer):
    class Meta:
        model = AgentContact
        fields = ["worker", "version", "host", "first_contact_at", "last_contact_at"]
        read_only_fields = fields


class SuggestionSerializer(Serializer):
    company = serializers.IntegerField(
        source="target_id", help_text="The id of the company here that may be this ERP vendor."
    )
    label = serializers.CharField(help_text="The company's name.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it was suggested.")


class StagedRecordSerializer(WorkflowSerializerMixin, ModelSerializer):
    suggestions = serializers.SerializerMethodField(
        help_text="Records here that may be this one, for the kinds that link (vendors); empty otherwise."
    )

    class Meta:
        model = StagedRecord
        fields = [
            "id",
            "kind",
            "erp_id",
            "label",
            "data",
            "status",
            "staged_at",
            "updated_at",
            "imported_object_id",
            "imported_at",
            "suggestions",
            "allowed_steps",
        ]
        read_only_fields = [
            "id",
            "label",
            "status",
            "staged_at",
            "updated_at",
            "imported_object_id",
            "imported_at",
        ]
        # Staging is an upsert on (kind, erp_id); the service handles a known record.
        validators = []

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, obj):
        # A list computes the suggestions of its whole page at once (the view passes them in).
        suggestions = self.context.get("suggestions")
        if suggestions is None:
            suggestions = selectors.staged_record_suggestions([obj])
        return SuggestionSerializer(suggestions.get(obj.pk, []), many=True).data


class LinkSerializer(Serializer):
    company = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The id of the company to link.")


class LinkedSerializer(Serializer):
    staged_record = serializers.IntegerField()
    erp_id = serializers.CharField()
    label = serializers.CharField()
    company = serializers.IntegerField()
    company_label = serializers.CharField()


class SkippedSerializer(Serializer):
    staged_record = serializers.IntegerField()
    erp_id = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField(help_text="Why it was not linked.")


class LinkAllResultSerializer(Serializer):
    linked = LinkedSerializer(many=True)
    skipped = SkippedSerializer(many=True)
