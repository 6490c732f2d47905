from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.change_orders import selectors, services
from apps.change_orders.api.serializers import ChangeOrderSerializer, ChangeOrderUpdateSerializer
from apps.change_orders.erp import ChangeOrderExporter
from apps.change_orders.filters import ChangeOrderFilter
from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.views import EditableRecordViewSet, lines_as_dicts


@extend_schema_view(
    list=extend_schema(summary="Commitment change orders (filter by status, ERP status, commitment, project)"),
    create=extend_schema(
        summary="Create a change order on a synced commitment",
        responses={201: ChangeOrderSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: ChangeOrderSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: ChangeOrderSerializer, **ERROR_RESPONSES}),
)
class ChangeOrderViewSet(EditableRecordViewSet):
    exporter = ChangeOrderExporter
    serializer_class = ChangeOrderSerializer
    update_serializer_class = ChangeOrderUpdateSerializer
    filterset_class = ChangeOrderFilter

    def get_queryset(self):
        return selectors.change_order_list()

    def get_record(self, pk):
        return selectors.change_order_get(pk)

    def create_record(self, user, data):
        return services.change_order_create(user=user, **lines_as_dicts(data))

    def update_record(self, record, user, data):
        return services.change_order_update(change_order=record, user=user, **lines_as_dicts(data))
