from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.change_orders import selectors, services
from apps.change_orders.api.serializers import ChangeOrderSerializer, ChangeOrderUpdateSerializer
from apps.change_orders.filters import ChangeOrderFilter
from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import WorkflowViewSetMixin


def _lines(data):
    return [dict(line) for line in data]


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
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChangeOrderSerializer
    filterset_class = ChangeOrderFilter

    def get_queryset(self):
        return selectors.change_order_list()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ChangeOrderUpdateSerializer
        return ChangeOrderSerializer

    def _answer(self, change_order, code=status.HTTP_200_OK):
        data = ChangeOrderSerializer(
            selectors.change_order_get(change_order.pk), context=self.get_serializer_context()
        ).data
        return Response(data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["lines"] = _lines(data.get("lines", []))
        change_order = services.change_order_create(user=request.user, **data)
        return self._answer(change_order, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "lines" in data:
            data["lines"] = _lines(data["lines"])
        change_order = services.change_order_update(change_order=serializer.instance, user=request.user, **data)
        return self._answer(change_order)

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

    @step_schema(response=ChangeOrderSerializer, summary="Send the approved change order to the accounting queue")
    @action(detail=True, methods=["post"], url_path="send-to-erp", is_step=True)
    def send_to_erp(self, request, pk=None):
        change_order, _ = services.change_order_send(change_order=self.get_object(), user=request.user)
        return self._answer(change_order)

    @step_schema(response=ChangeOrderSerializer, summary="Resend a rejected change order")
    @action(detail=True, methods=["post"], is_step=True)
    def resend(self, request, pk=None):
        change_order, _ = services.change_order_resend(change_order=self.get_object(), user=request.user)
        return self._answer(change_order)

    @step_schema(response=ChangeOrderSerializer, summary="Retrieve a sent change order before accounting decides")
    @action(detail=True, methods=["post"], url_path="retrieve", is_step=True)
    def retrieve_from_erp(self, request, pk=None):
        return self._answer(services.change_order_retrieve(change_order=self.get_object(), user=request.user))
