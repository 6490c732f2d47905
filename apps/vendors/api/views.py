from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import WorkflowViewSetMixin
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
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter

    def get_queryset(self):
        return selectors.company_list()

    def _answer(self, company, code=status.HTTP_200_OK):
        return Response(self.get_serializer(selectors.company_get(company.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = services.company_create(user=request.user, **serializer.validated_data)
        return self._answer(company, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        company = services.company_update(company=serializer.instance, user=request.user, **serializer.validated_data)
        return self._answer(company)

    @step_schema(response=CompanySerializer, summary="Send the company to the accounting queue to become an ERP vendor")
    @action(detail=True, methods=["post"], url_path="send-to-erp", is_step=True)
    def send_to_erp(self, request, pk=None):
        company, _ = services.company_send(company=self.get_object(), user=request.user)
        return self._answer(company)

    @step_schema(response=CompanySerializer, summary="Resend a rejected company")
    @action(detail=True, methods=["post"], is_step=True)
    def resend(self, request, pk=None):
        company, _ = services.company_resend(company=self.get_object(), user=request.user)
        return self._answer(company)

    @step_schema(response=CompanySerializer, summary="Retrieve a sent company before accounting decides")
    @action(detail=True, methods=["post"], url_path="retrieve", is_step=True)
    def retrieve_from_erp(self, request, pk=None):
        company = services.company_retrieve(company=self.get_object(), user=request.user)
        return self._answer(company)

    @step_schema(
        response=CompanySerializer,
        summary="Unlink the company from its ERP vendor",
        description="Both sides return to unlinked; the ERP vendor waits under Ready to Import again.",
    )
    @action(detail=True, methods=["post"], is_step=True)
    def unlink(self, request, pk=None):
        company = services.company_unlink(company=self.get_object(), user=request.user)
        return self._answer(company)
