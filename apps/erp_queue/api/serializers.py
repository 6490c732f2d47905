from rest_framework import serializers

from apps.core.api.serializers import WorkflowSerializerMixin
from apps.erp_queue.models import ERPRequest, StagedRecord


class ERPRequestSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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


class AcceptSerializer(serializers.Serializer):
    """The approver's inputs: `erp_job_id` for a job; `erp_vendor_id` and `vendor_type` for a vendor."""

    erp_job_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    erp_vendor_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    vendor_type = serializers.CharField(required=False, allow_blank=True, max_length=64)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ClaimSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10)
    worker = serializers.CharField(max_length=255, required=False, default="agent")


class SucceededSerializer(serializers.Serializer):
    erp_ids = serializers.DictField(child=serializers.CharField(max_length=64), allow_empty=False)


class FailedSerializer(serializers.Serializer):
    messages = serializers.ListField(child=serializers.CharField(max_length=2000), allow_empty=False)


class StagedRecordSerializer(WorkflowSerializerMixin, serializers.ModelSerializer):
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
