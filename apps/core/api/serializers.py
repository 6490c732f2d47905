from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.workflow import allowed_steps


class WorkflowSerializerMixin(serializers.Serializer):
    """Adds the steps the requesting user may take on the record now."""

    allowed_steps = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_steps(self, obj):
        request = self.context.get("request")
        return allowed_steps(obj, request.user if request else None)


class StepConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # Only a refused workflow step has these; other workflow rules answer 409 with `detail` alone.
    status = serializers.CharField(required=False, help_text="The record's current state.")
    allowed_steps = serializers.ListField(child=serializers.CharField(), required=False)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Field name → messages; `non_field_errors` for the record as a whole."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class AuditEventSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()
    record_id = serializers.IntegerField(source="object_id")
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    from_state = serializers.CharField(source="source_state", allow_null=True)
    to_state = serializers.CharField(source="state")

    class Meta:
        model = StateLog
        fields = [
            "id",
            "timestamp",
            "record_type",
            "record_id",
            "transition",
            "from_state",
            "to_state",
            "by",
            "description",
        ]

    def get_record_type(self, obj) -> str:
        return record_type_label(obj.content_type)


def record_type_label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def flatten_errors(errors, prefix=""):
    """DRF's nested errors as flat 'field.0.code: message' lines, for data staged inside a JSON field."""
    messages = []
    if isinstance(errors, dict):
        for field, value in errors.items():
            messages.extend(flatten_errors(value, f"{prefix}{field}."))
    elif isinstance(errors, list):
        for i, value in enumerate(errors):
            if isinstance(value, dict | list):
                messages.extend(flatten_errors(value, f"{prefix}{i}."))
            else:
                messages.append(f"{prefix.rstrip('.')}: {value}")
    return messages
