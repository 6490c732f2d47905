from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import RecordViewSet, export_steps
from apps.vendors import selectors, services
from apps.vendors.api.serializers import CompanySerializer, VendorTypeSerializer
from apps.vendors.filters import CompanyFilter
from apps.vendors.models import VendorType


@extend_schema_view(
    list=extend_schema(
        summary="The ERP's vendor types (read from the embedded ledger, or as the agent reported them)",
        responses={200: VendorTypeSerializer(many=True), **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary="Agent: report one of the ERP's vendor types (upsert on code)",
        request=VendorTypeSerializer,
        responses={201: VendorTypeSerializer, **ERROR_RESPONSES},
    ),
)
class VendorTypeViewSet(viewsets.GenericViewSet):
    queryset = VendorType.objects.all()
    serializer_class = VendorTypeSerializer
    pagination_class = None

    def list(self, request):
        return Response(VendorTypeSerializer(selectors.vendor_type_list(), many=True).data)

    def create(self, request):
        serializer = VendorTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vendor_type = services.vendor_type_upsert(**serializer.validated_data)
        return Response(VendorTypeSerializer(vendor_type).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="The company directory (filter by ERP status, project, …)"),
    create=extend_schema(
        summary="Create a company here (it reaches the ERP by being sent, or by being linked to an ERP vendor)",
        responses={201: CompanySerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(responses={200: CompanySerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(responses={200: CompanySerializer, **ERROR_RESPONSES}),
)
class CompanyViewSet(
    export_steps(
        services=services,
        record="company",
        serializer=CompanySerializer,
        noun="company",
        send_summary="Send the company to the accounting queue to become an ERP vendor",
    ),
    RecordViewSet,
):
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter

    def get_queryset(self):
        return selectors.company_list()

    def get_record(self, pk):
        return selectors.company_get(pk)

    def create_record(self, user, data):
        return services.company_create(user=user, **data)

    def update_record(self, record, user, data):
        return services.company_update(company=record, user=user, **data)

    @step_schema(
        response=CompanySerializer,
        summary="Unlink the company from its ERP vendor",
        description="Both sides return to unlinked; the ERP vendor waits under Ready to Import again.",
    )
    @action(detail=True, methods=["post"], is_step=True)
    def unlink(self, request, pk=None):
        company = services.company_unlink(company=self.get_object(), user=request.user)
        return self._answer(company)
