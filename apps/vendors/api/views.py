from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from apps.core.api.schema import ERROR_RESPONSES
from apps.core.api.views import EditableRecordViewSet
from apps.vendors import selectors, services
from apps.vendors.api.serializers import CompanySerializer, VendorTypeSerializer
from apps.vendors.erp import VendorExporter
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
class CompanyViewSet(EditableRecordViewSet):
    exporter = VendorExporter
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
