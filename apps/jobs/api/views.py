from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.views import EditableRecordViewSet
from apps.jobs import selectors, services
from apps.jobs.api.serializers import (
    CostCodeSerializer,
    CostTypeSerializer,
    ProjectCostCodeSerializer,
    ProjectSerializer,
)
from apps.jobs.erp import JobExporter
from apps.jobs.filters import CostCodeFilter, ProjectFilter
from apps.jobs.models import CostCode, CostType


@extend_schema_view(
    list=extend_schema(summary="The ERP's nine cost types"),
    partial_update=extend_schema(
        summary="Rename a user-defined cost type (6–9)",
        responses={200: CostTypeSerializer, **ERROR_RESPONSES},
    ),
)
class CostTypeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    queryset = CostType.objects.all()
    serializer_class = CostTypeSerializer
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.cost_type_rename(
            cost_type=serializer.instance,
            name=serializer.validated_data.get("name", serializer.instance.name),
        )


@extend_schema_view(
    create=extend_schema(
        summary="Create or refresh a standard cost code (the agent's sync; upsert on code)",
        responses={201: CostCodeSerializer, **ERROR_RESPONSES},
    ),
)
class CostCodeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = CostCode.objects.all()
    serializer_class = CostCodeSerializer
    filterset_class = CostCodeFilter

    def perform_create(self, serializer):
        serializer.instance = services.cost_code_upsert(reported=True, **serializer.validated_data)


@extend_schema_view(
    create=extend_schema(
        summary="Create a project here (it reaches the ERP by being sent)",
        responses={201: ProjectSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: ProjectSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: ProjectSerializer, **ERROR_RESPONSES}),
)
class ProjectViewSet(EditableRecordViewSet):
    exporter = JobExporter
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def get_queryset(self):
        return selectors.project_list()

    def get_record(self, pk):
        return selectors.project_get(pk)

    def create_record(self, user, data):
        data.pop("cost_codes", None)
        return services.project_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.project_update(project=record, user=user, **data)

    @extend_schema(
        methods=["get"],
        responses={200: ProjectCostCodeSerializer(many=True), **ERROR_RESPONSES},
        summary="The project's cost codes and their cost types",
    )
    @extend_schema(
        methods=["post"],
        request=ProjectCostCodeSerializer,
        responses={201: ProjectCostCodeSerializer, **ERROR_RESPONSES},
        summary="Use a standard cost code on the project with these cost types",
    )
    @action(detail=True, methods=["get", "post"], url_path="cost-codes", pagination_class=None)
    def cost_codes(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            return Response(ProjectCostCodeSerializer(project.cost_codes.all(), many=True).data)
        serializer = ProjectCostCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.project_cost_code_assign(
            project=project,
            user=request.user,
            code=serializer.validated_data["cost_code"]["code"],
            cost_types=[ct.code for ct in serializer.validated_data["cost_types"]],
        )
        return Response(ProjectCostCodeSerializer(assignment).data, status=status.HTTP_201_CREATED)
