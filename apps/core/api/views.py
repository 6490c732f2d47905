import django_filters
from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from apps.core.api.pagination import NewestFirstCursorPagination
from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.serializers import AuditEventSerializer
from apps.core.workflow import step_inputs


class WorkflowViewSetMixin:
    """A viewset whose workflow steps are POST actions made from its `steps` (or its `exporter`'s).

    Step actions pass is_step=True: the view's model permission is `view`, the service checks the
    rest. Each step's serializer (if any) reads its inputs; empty values are left out.
    """

    is_step = False
    exporter = None
    steps = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        steps = cls.exporter.steps if cls.exporter is not None else cls.steps
        for step in steps:
            if not hasattr(cls, f"step_{step.action_name}"):
                setattr(cls, f"step_{step.action_name}", _step_action(step, cls.serializer_class))

    def _answer(self, record, code=status.HTTP_200_OK):
        return Response(self.get_serializer(record).data, status=code)


def _step_action(step, response_serializer):
    def run(self, request, pk=None):
        data = {}
        if step.serializer is not None:
            serializer = step.serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = step_inputs(serializer.validated_data)
        return self._answer(step.run(self.get_object(), request.user, data))

    run.__name__ = f"step_{step.action_name}"
    run.__doc__ = step.description
    routed = action(detail=True, methods=["post"], url_path=step.name, url_name=step.name, is_step=True)(run)
    return step_schema(
        request=step.serializer, response=response_serializer, summary=step.summary, description=step.description
    )(routed)


class RecordViewSet(
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A workflow record's API: read through its selectors, created through its services.

    `serializer_class` shapes every answer (each re-read with `get_record`, so that its allowed steps
    are current). Subclasses give `get_queryset`, `get_record(pk)` and `create_record(user, data)`.
    """

    def get_record(self, pk):
        raise NotImplementedError

    def create_record(self, user, data):
        raise NotImplementedError

    def _answer(self, record, code=status.HTTP_200_OK):
        serializer = self.serializer_class(self.get_record(record.pk), context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.create_record(request.user, dict(serializer.validated_data))
        return self._answer(record, status.HTTP_201_CREATED)


class EditableRecordViewSet(mixins.UpdateModelMixin, RecordViewSet):
    """A record also edited through its services: `update_record(record, user, data)`.

    `update_serializer_class`, when set, reads edits.
    """

    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def update_record(self, record, user, data):
        raise NotImplementedError

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        record = self.update_record(serializer.instance, request.user, dict(serializer.validated_data))
        return self._answer(record)


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
        description="Newest first, paged by cursor: follow `next`. No `count` is given (the trail holds millions).",
        responses={200: AuditEventSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(responses={200: AuditEventSerializer, **ERROR_RESPONSES}),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = StateLog.objects.select_related("content_type", "by").order_by("-timestamp", "-id")
    pagination_class = NewestFirstCursorPagination
    cursor_ordering = ("-timestamp", "-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter


def lines_as_dicts(data):
    """Validated data whose nested `lines` (when given) are plain dicts, as the services take them."""
    if "lines" in data:
        data["lines"] = [dict(line) for line in data["lines"]]
    return data


class LoginRateThrottle(AnonRateThrottle):
    """Password guessing on the token endpoint: a few tries a minute from one address (API_LOGIN_RATE)."""

    scope = "login"


class TokenView(ObtainAuthToken):
    """`{username, password}` → `{token}`, held to the login rate."""

    throttle_classes = [LoginRateThrottle]
    # ObtainAuthToken names DRF's own parsers: the API's JSON parser refuses bodies nested too deeply.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
