from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from apps.change_orders import selectors, services
from apps.change_orders.api.serializers import ChangeOrderSerializer, ChangeOrderUpdateSerializer
from apps.change_orders.filters import ChangeOrderFilter
from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import RecordViewSet, export_steps, lines_as_dicts


@extend_schema_view(
    list=extend_schema(summary="Commitment change orders (filter by status, ERP status, commitment, project)"),
    create=extend_schema(
        summary="Create a change order on a synced commitment",
        responses={201: ChangeOrderSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: ChangeOrderSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: ChangeOrderSerializer, **ERROR_RESPONSES}),
)
class ChangeOrderViewSet(
    export_steps(
        services=services,
        record="change_order",
        serializer=ChangeOrderSerializer,
        noun="change order",
        send_summary="Send the approved change order to the accounting queue",
    ),
    RecordViewSet,
):
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

    def _move(self, request, step):
        return self._answer(services.change_order_move(change_order=self.get_object(), user=request.user, step=step))

    @step_schema(response=ChangeOrderSerializer, summary="Submit the change order for approval (pending)")
    @action(detail=True, methods=["post"], is_step=True)
    def submit(self, request, pk=None):
        return self._move(request, "submit")

    @step_schema(response=ChangeOrderSerializer, summary="Approve the pending change order")
    @action(detail=True, methods=["post"], is_step=True)
    def approve(self, request, pk=None):
        return self._move(request, "approve")

    @step_schema(
        response=ChangeOrderSerializer,
        summary="Reject the pending change order (its own status)",
        description="Not the ERP's rejection: accounting rejects a sent change order's request in /erp/requests/.",
    )
    @action(detail=True, methods=["post"], is_step=True)
    def reject(self, request, pk=None):
        return self._move(request, "reject")

    @step_schema(response=ChangeOrderSerializer, summary="Void the change order (before it is sent)")
    @action(detail=True, methods=["post"], is_step=True)
    def void(self, request, pk=None):
        return self._move(request, "void")
