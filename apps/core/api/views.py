import django_filters
from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.serializers import AuditEventSerializer
from apps.core.workflow import export_step


class WorkflowViewSetMixin:
    """Step actions pass is_step=True: the view's model permission is `view`, the service checks the rest."""

    is_step = False


class RecordViewSet(
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A workflow record's API: read through its selectors, created and edited through its services.

    `serializer_class` shapes every answer (each re-read with `get_record`, so that its allowed steps
    are current); `update_serializer_class`, when set, reads edits. Subclasses give `get_queryset`,
    `get_record(pk)`, `create_record(user, data)` and `update_record(record, user, data)`.
    """

    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def get_record(self, pk):
        raise NotImplementedError

    def create_record(self, user, data):
        raise NotImplementedError

    def update_record(self, record, user, data):
        raise NotImplementedError

    def _answer(self, record, code=status.HTTP_200_OK):
        serializer = self.serializer_class(self.get_record(record.pk), context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.create_record(request.user, dict(serializer.validated_data))
        return self._answer(record, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        record = self.update_record(serializer.instance, request.user, dict(serializer.validated_data))
        return self._answer(record)


def export_steps(*, services, record, serializer, noun, send_summary=None):
    """A mixin with the `send-to-erp`, `resend` and `retrieve` steps of a record exported through the queue.

    services/record name the services as `export_step` finds them; `serializer` documents the answer.
    """
    send, resend, retrieve = (export_step(services, record, step) for step in ("send", "resend", "retrieve"))

    class ExportSteps:
        @step_schema(response=serializer, summary=send_summary or f"Send the {noun} to the accounting queue")
        @action(detail=True, methods=["post"], url_path="send-to-erp", is_step=True)
        def send_to_erp(self, request, pk=None):
            return self._answer(send(self.get_object(), request.user))

        @step_schema(response=serializer, summary=f"Resend a rejected {noun}")
        @action(detail=True, methods=["post"], is_step=True)
        def resend(self, request, pk=None):
            return self._answer(resend(self.get_object(), request.user))

        @step_schema(response=serializer, summary=f"Retrieve a sent {noun} before accounting decides")
        @action(detail=True, methods=["post"], url_path="retrieve", is_step=True)
        def retrieve_from_erp(self, request, pk=None):
            return self._answer(retrieve(self.get_object(), request.user))

    return ExportSteps


class AuditEventFilter(django_filters.FilterSet):
    record_type = django_filters.CharFilter(
        method="filter_record_type", help_text="app_label.model, e.g. jobs.project or erp_queue.erprequest"
    )
    record_id = django_filters.NumberFilter(field_name="object_id")
    by = django_filters.CharFilter(field_name="by__username")

    class Meta:
        model = StateLog
        fields = ["record_type", "record_id", "by", "transition"]

    def filter_record_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model.lower()).first()
        return queryset.filter(content_type=content_type) if content_type else queryset.none()


@extend_schema_view(
    list=extend_schema(
        summary="Audit trail: every transition of every record",
        responses={200: AuditEventSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(responses={200: AuditEventSerializer, **ERROR_RESPONSES}),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = StateLog.objects.select_related("content_type", "by").order_by("-timestamp", "-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter


def lines_as_dicts(data):
    """Validated data whose nested `lines` (when given) are plain dicts, as the services take them."""
    if "lines" in data:
        data["lines"] = [dict(line) for line in data["lines"]]
    return data
