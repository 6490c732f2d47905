from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.commitments import selectors, services
from apps.commitments.api.serializers import (
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    CommittedCostQuerySerializer,
    CommittedCostSerializer,
)
from apps.commitments.filters import CommitmentFilter
from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import WorkflowViewSetMixin


def _lines(data):
    return [dict(line) for line in data]


@extend_schema_view(
    list=extend_schema(summary="Commitments: subcontracts and purchase orders (filter by status, ERP status, …)"),
    create=extend_schema(
        summary="Create a subcontract or purchase order with its schedule of values",
        responses={201: CommitmentSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: CommitmentSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: CommitmentSerializer, **ERROR_RESPONSES}),
)
class CommitmentViewSet(
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter

    def get_queryset(self):
        return selectors.commitment_list()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return CommitmentUpdateSerializer
        return CommitmentSerializer

    def _answer(self, commitment, code=status.HTTP_200_OK):
        serializer = CommitmentSerializer(
            selectors.commitment_get(commitment.pk), context=self.get_serializer_context()
        )
        return Response(serializer.data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["lines"] = _lines(data.get("lines", []))
        commitment = services.commitment_create(user=request.user, **data)
        return self._answer(commitment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "lines" in data:
            data["lines"] = _lines(data["lines"])
        commitment = services.commitment_update(commitment=serializer.instance, user=request.user, **data)
        return self._answer(commitment)

    def _move(self, request, step):
        return self._answer(services.commitment_move(commitment=self.get_object(), user=request.user, step=step))

    @step_schema(response=CommitmentSerializer, summary="Put the commitment out for bid")
    @action(detail=True, methods=["post"], url_path="out-for-bid", is_step=True)
    def out_for_bid(self, request, pk=None):
        return self._move(request, "out-for-bid")

    @step_schema(response=CommitmentSerializer, summary="Put the commitment out for signature")
    @action(detail=True, methods=["post"], url_path="out-for-signature", is_step=True)
    def out_for_signature(self, request, pk=None):
        return self._move(request, "out-for-signature")

    @step_schema(response=CommitmentSerializer, summary="Approve the commitment (required before sending it)")
    @action(detail=True, methods=["post"], is_step=True)
    def approve(self, request, pk=None):
        return self._move(request, "approve")

    @step_schema(response=CommitmentSerializer, summary="Return the commitment to draft")
    @action(detail=True, methods=["post"], url_path="return-to-draft", is_step=True)
    def return_to_draft(self, request, pk=None):
        return self._move(request, "return-to-draft")

    @step_schema(response=CommitmentSerializer, summary="Mark an approved commitment complete (before it is sent)")
    @action(detail=True, methods=["post"], is_step=True)
    def complete(self, request, pk=None):
        return self._move(request, "complete")

    @step_schema(response=CommitmentSerializer, summary="Terminate the commitment (before it is sent)")
    @action(detail=True, methods=["post"], is_step=True)
    def terminate(self, request, pk=None):
        return self._move(request, "terminate")

    @step_schema(response=CommitmentSerializer, summary="Void the commitment (before it is sent)")
    @action(detail=True, methods=["post"], is_step=True)
    def void(self, request, pk=None):
        return self._move(request, "void")

    @step_schema(response=CommitmentSerializer, summary="Send the approved commitment to the accounting queue")
    @action(detail=True, methods=["post"], url_path="send-to-erp", is_step=True)
    def send_to_erp(self, request, pk=None):
        commitment, _ = services.commitment_send(commitment=self.get_object(), user=request.user)
        return self._answer(commitment)

    @step_schema(response=CommitmentSerializer, summary="Resend a rejected commitment")
    @action(detail=True, methods=["post"], is_step=True)
    def resend(self, request, pk=None):
        commitment, _ = services.commitment_resend(commitment=self.get_object(), user=request.user)
        return self._answer(commitment)

    @step_schema(response=CommitmentSerializer, summary="Retrieve a sent commitment before accounting decides")
    @action(detail=True, methods=["post"], url_path="retrieve", is_step=True)
    def retrieve_from_erp(self, request, pk=None):
        return self._answer(services.commitment_retrieve(commitment=self.get_object(), user=request.user))

    @extend_schema(
        parameters=[OpenApiParameter("project", int, required=True, description="The project's id.")],
        responses={200: CommittedCostSerializer(many=True), **ERROR_RESPONSES},
        summary="Committed cost per cost code and cost type of a project",
        description="Approved and complete commitments' schedule of values plus their approved change orders.",
    )
    @action(detail=False, methods=["get"], url_path="committed-costs", filterset_class=None, pagination_class=None)
    def committed_costs(self, request):
        query = CommittedCostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.committed_costs(project=query.validated_data["project"])
        return Response(CommittedCostSerializer(rows, many=True).data)
