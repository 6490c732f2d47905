from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
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
from apps.core.api.views import RecordViewSet, export_steps, lines_as_dicts


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
    export_steps(
        services=services,
        record="commitment",
        serializer=CommitmentSerializer,
        noun="commitment",
        send_summary="Send the approved commitment to the accounting queue",
    ),
    RecordViewSet,
):
    serializer_class = CommitmentSerializer
    update_serializer_class = CommitmentUpdateSerializer
    filterset_class = CommitmentFilter

    def get_queryset(self):
        return selectors.commitment_list()

    def get_record(self, pk):
        return selectors.commitment_get(pk)

    def create_record(self, user, data):
        return services.commitment_create(user=user, **lines_as_dicts(data))

    def update_record(self, record, user, data):
        return services.commitment_update(commitment=record, user=user, **lines_as_dicts(data))

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
