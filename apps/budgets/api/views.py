from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.budgets import budget_file, selectors, services
from apps.budgets.api.serializers import (
    BudgetImportErrorsSerializer,
    BudgetImportResultSerializer,
    BudgetImportSerializer,
    BudgetLineSerializer,
    BudgetLineUpdateSerializer,
    BudgetModificationSerializer,
    BudgetSerializer,
)
from apps.budgets.erp import BudgetExporter
from apps.budgets.filters import BudgetFilter
from apps.budgets.models import BudgetLineItem, BudgetModification
from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.views import RecordViewSet

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@extend_schema_view(
    create=extend_schema(summary="Create a project's budget", responses={201: BudgetSerializer, **ERROR_RESPONSES}),
)
class BudgetViewSet(RecordViewSet):
    exporter = BudgetExporter
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter

    def get_queryset(self):
        return selectors.budget_list()

    def get_record(self, pk):
        return selectors.budget_list().get(pk=pk)

    def create_record(self, user, data):
        return services.budget_create(project=data["project"], user=user)

    @extend_schema(
        methods=["get"],
        responses={200: BudgetLineSerializer(many=True), **ERROR_RESPONSES},
        summary="The budget's lines: original, modifications, revised, unsent",
    )
    @extend_schema(
        methods=["post"],
        request=BudgetLineSerializer,
        responses={201: BudgetLineSerializer, **ERROR_RESPONSES},
        summary="Add a line (unlocked), or a partial line (locked or synced)",
    )
    @action(detail=True, methods=["get", "post"], url_path="line-items", is_step=True)
    def line_items(self, request, pk=None):
        budget = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.line_list(budget=budget))
            return self.get_paginated_response(BudgetLineSerializer(page, many=True).data)
        serializer = BudgetLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        line = services.budget_line_add(budget=budget, user=request.user, **data)
        return Response(
            BudgetLineSerializer(selectors.line_list(budget=budget).get(pk=line.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["patch"],
        request=BudgetLineUpdateSerializer,
        responses={200: BudgetLineSerializer, **ERROR_RESPONSES},
        summary="Change a line (unlocked)",
    )
    @extend_schema(
        methods=["delete"],
        responses={204: None, **ERROR_RESPONSES},
        summary="Delete a line ($0 and untouched by modifications once locked)",
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"line-items/(?P<line_id>\d+)", is_step=True)
    def line_item(self, request, pk=None, line_id=None):
        budget = self.get_object()
        line = get_object_or_404(BudgetLineItem, budget=budget, pk=line_id)
        if request.method == "DELETE":
            services.budget_line_delete(line=line, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = BudgetLineUpdateSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.budget_line_update(line=line, user=request.user, **serializer.validated_data)
        return Response(BudgetLineSerializer(selectors.line_list(budget=budget).get(pk=line.pk)).data)

    @extend_schema(
        methods=["get"],
        responses={200: BudgetModificationSerializer(many=True), **ERROR_RESPONSES},
        summary="The budget's modifications",
    )
    @extend_schema(
        methods=["post"],
        request=BudgetModificationSerializer,
        responses={201: BudgetModificationSerializer, **ERROR_RESPONSES},
        summary="Move an amount from one line to another (locked or synced budget)",
    )
    @action(detail=True, methods=["get", "post"], is_step=True, pagination_class=None)
    def modifications(self, request, pk=None):
        budget = self.get_object()
        if request.method == "GET":
            rows = BudgetModification.objects.filter(budget=budget).select_related("created_by")
            return Response(BudgetModificationSerializer(rows, many=True).data)
        serializer = BudgetModificationSerializer(data=request.data, budget=budget)
        serializer.is_valid(raise_exception=True)
        modification = services.budget_modification_create(
            budget=budget, user=request.user, **serializer.validated_data
        )
        return Response(BudgetModificationSerializer(modification).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **ERROR_RESPONSES}, summary="Delete a modification not yet exported")
    @action(detail=True, methods=["delete"], url_path=r"modifications/(?P<modification_id>\d+)", is_step=True)
    def modification(self, request, pk=None, modification_id=None):
        modification = get_object_or_404(BudgetModification, budget=self.get_object(), pk=modification_id)
        services.budget_modification_delete(modification=modification, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": BudgetImportSerializer},
        responses={
            200: BudgetImportResultSerializer,
            400: OpenApiResponse(
                BudgetImportErrorsSerializer,
                description=(
                    "The bad rows (the first 200 errors, then one entry with row null counting the other bad rows); "
                    "nothing was written. A file over BUDGET_FILE_MAX_BYTES or BUDGET_FILE_MAX_ROWS is refused."
                ),
            ),
            **{code: r for code, r in ERROR_RESPONSES.items() if code != 400},
        },
        summary="Import a budget file (CSV or XLSX): every row or none",
    )
    @action(
        detail=True, methods=["post"], is_step=True, parser_classes=[MultiPartParser, FormParser], url_path="import"
    )
    def import_file(self, request, pk=None):
        budget = self.get_object()
        serializer = BudgetImportSerializer(data=request.data)
        if not serializer.is_valid():
            # The documented 400 for this endpoint is the row-error list, also when the file itself is missing.
            errors = [
                {"row": None, "field": field, "value": str(request.data.get(field, "")), "message": str(message)}
                for field, messages in serializer.errors.items()
                for message in messages
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        upload = serializer.validated_data["file"]
        dry_run = serializer.validated_data["dry_run"]
        try:
            budget_file.refuse_size(upload.size)  # before reading it into memory
            dataset = budget_file.read(upload.read(), upload.name)
        except budget_file.FileError as exc:
            error = {"row": None, "field": "file", "value": upload.name, "message": str(exc)}
            return Response({"errors": [error]}, status=status.HTTP_400_BAD_REQUEST)
        outcome = services.budget_import(budget=budget, dataset=dataset, user=request.user, dry_run=dry_run)
        if outcome["errors"]:
            errors = [e.as_dict() for e in outcome["errors"]]
            if outcome["more_rows"]:  # the list is capped: a last entry counts the rest
                message = budget_file.more_rows_message(outcome["more_rows"])
                errors.append({"row": None, "field": "", "value": "", "message": message})
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({**{k: outcome[k] for k in ("new", "updated", "unchanged")}, "dry_run": dry_run})

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(EXPORT_TYPES), default="csv")],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, EXPORT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            **ERROR_RESPONSES,
        },
        summary="Export the budget in the columns the import reads",
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        budget = self.get_object()
        fmt = request.query_params.get("format", "csv")
        if fmt not in EXPORT_TYPES:
            return Response({"format": [f"Choose one of: {', '.join(EXPORT_TYPES)}."]}, status=400)
        response = HttpResponse(services.budget_export(budget=budget, fmt=fmt), content_type=EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="budget-{budget.project.number}.{fmt}"'
        return response
