import django_filters
from django.contrib.contenttypes.models import ContentType
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.serializers import AuditEventSerializer


class WorkflowViewSetMixin:
    """Step actions pass is_step=True: the view's model permission is `view`, the service checks the rest."""

    is_step = False


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
