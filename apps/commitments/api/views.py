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
from apps.commitments.erp import CommitmentExporter
from apps.commitments.filters import CommitmentFilter
from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.views import EditableRecordViewSet, lines_as_dicts


@extend_schema_view(
    list=extend_schema(summary="Commitments: subcontracts and purchase orders (filter by status, ERP status, …)"),
    create=extend_schema(
        summary="Create a subcontract or purchase order with its schedule of values",
        responses={201: CommitmentSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: CommitmentSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: CommitmentSerializer, **ERROR_RESPONSES}),
)
class CommitmentViewSet(EditableRecordViewSet):
    exporter = CommitmentExporter
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
