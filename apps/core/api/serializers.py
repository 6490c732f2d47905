import math

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core import erp_profile
from apps.core.workflow import allowed_steps

# Checked input ---------------------------------------------------------------------------------
# Every serializer of the API derives from Serializer or ModelSerializer below (tests/core/test_input.py
# checks it), so that what a client can send is refused with a field message, never a 500.

NUL_MESSAGE = "Text may not contain the NUL character."
#: PostgreSQL's bigint, the widest integer column: a larger number in a lookup or a row overflows.
MAX_INTEGER = 2**63 - 1


def refuse_nul(value):
    """PostgreSQL refuses NUL in text (a 500); SQLite stores it and every later reader trips on it."""
    if isinstance(value, str) and "\x00" in value:
        raise serializers.ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")


def json_problem(value):
    """None, or why PostgreSQL's jsonb cannot store `value`: NUL in a string or a key (DRF refuses infinity itself)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return NUL_MESSAGE
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def refuse_bad_json(value):
    if problem := json_problem(value):
        raise serializers.ValidationError(problem, code="invalid")


def _check_field(field):
    """Adds to one writable field the checks its type needs (recursing into list and dict children)."""
    if field.read_only:
        return
    if isinstance(field, serializers.ManyRelatedField):
        _check_field(field.child_relation)
    elif isinstance(field, serializers.ListField | serializers.DictField):
        _check_field(field.child)
    elif isinstance(field, serializers.CharField):
        # DRF's own NUL check, in the words used everywhere here.
        kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        field.validators = [*kept, refuse_nul]
    elif isinstance(field, serializers.JSONField):
        field.validators = [*field.validators, refuse_bad_json]
    elif isinstance(field, serializers.IntegerField) and field.max_value is None:
        field.max_value = MAX_INTEGER
        message = field.error_messages["max_value"].format(max_value=MAX_INTEGER)
        field.validators = [*field.validators, MaxValueValidator(MAX_INTEGER, message=message)]
        if field.min_value is None:
            field.min_value = -MAX_INTEGER - 1
            message = field.error_messages["min_value"].format(min_value=field.min_value)
            field.validators = [*field.validators, MinValueValidator(field.min_value, message=message)]


class CheckedInputMixin:
    """Text without NUL, integers a database column holds, JSON that PostgreSQL stores: on every writable field."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            _check_field(field)
        return fields


class PrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A record by its id: a whole number. DRF's would look up 1.5 as 1, and 1e309 (infinity) raised OverflowError."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "not_a_whole_number": "Expected the id of a record, a whole number; received {value}.",
        "out_of_range": "This number is too large to be the id of a record.",
    }

    def to_internal_value(self, data):
        if isinstance(data, float):
            if not math.isfinite(data):
                self.fail("out_of_range")
            if not data.is_integer():
                self.fail("not_a_whole_number", value=data)
            data = int(data)
        elif isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")
        return super().to_internal_value(data)


class SlugField(serializers.SlugRelatedField):
    """A record by a text key, checked for NUL before the lookup (PostgreSQL would refuse the query with a 500)."""

    def to_internal_value(self, data):
        refuse_nul(data)
        return super().to_internal_value(data)


class SageCostCodeField(serializers.CharField):
    """A cost code as the ERP reports it: a valid Sage cost code, in its one spelling (2010 becomes 2010.000)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=10, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        problem = erp_profile.cost_code_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return erp_profile.cost_code_canonical(value)


class Serializer(CheckedInputMixin, serializers.Serializer):
    pass


class ModelSerializer(CheckedInputMixin, serializers.ModelSerializer):
    serializer_related_field = PrimaryKeyField


class BoundedListSerializer(serializers.ListSerializer):
    """A list refused at once when it has more than `max_length` items: each item costs queries to read."""

    default_error_messages = {"max_length": "At most {max_length:,} lines; this has {count:,}."}

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            message = self.error_messages["max_length"].format(max_length=self.max_length, count=len(data))
            raise serializers.ValidationError([message], code="max_length")
        return super().to_internal_value(data)


class WorkflowSerializerMixin(Serializer):
    """Adds the steps the requesting user may take on the record now."""

    allowed_steps = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_steps(self, obj):
        request = self.context.get("request")
        return allowed_steps(obj, request.user if request else None)


class StepConflictSerializer(Serializer):
    detail = serializers.CharField()
    # Only a refused workflow step has these; other workflow rules answer 409 with `detail` alone.
    status = serializers.CharField(required=False, help_text="The record's current state.")
    allowed_steps = serializers.ListField(child=serializers.CharField(), required=False)


class DetailSerializer(Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(Serializer):
    """Field name → messages; `non_field_errors` for the record as a whole."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class AuditEventSerializer(ModelSerializer):
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
