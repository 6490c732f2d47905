from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.pagination import NewestFirstCursorPagination
from apps.core.api.schema import ERROR_RESPONSES, step_schema
from apps.core.api.views import WorkflowViewSetMixin
from apps.erp_queue import selectors, services
from apps.erp_queue.api.serializers import (
    AgentContactSerializer,
    ClaimedRequestSerializer,
    ClaimSerializer,
    ERPRequestSerializer,
    FailedSerializer,
    HeartbeatSerializer,
    LinkAllResultSerializer,
    StagedRecordSerializer,
    SucceededSerializer,
)
from apps.erp_queue.filters import ERPRequestFilter, StagedRecordFilter
from apps.erp_queue.models import StagedRecord
from apps.erp_queue.steps import REQUEST_STEPS, STAGED_STEPS


@extend_schema_view(
    list=extend_schema(
        summary="The ERP Integrations queue (filter by kind and status)",
        description="Newest first, paged by cursor: follow `next`. No `count` is given (the queue only grows).",
    ),
)
class ERPRequestViewSet(
    WorkflowViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ERPRequestSerializer
    filterset_class = ERPRequestFilter
    pagination_class = NewestFirstCursorPagination
    cursor_ordering = ("-sent_at", "-id")
    steps = REQUEST_STEPS

    def get_queryset(self):
        return selectors.request_list()

    @step_schema(
        request=ClaimSerializer,
        response=ClaimedRequestSerializer(many=True),
        summary="Agent: claim accepted requests with a lease",
    )
    @action(detail=False, methods=["post"], is_step=True, pagination_class=None)
    def claim(self, request):
        serializer = ClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claimed = services.request_claim(
            user=request.user,
            worker=serializer.validated_data["worker"],
            limit=serializer.validated_data["limit"],
        )
        return Response(ClaimedRequestSerializer(claimed, many=True, context=self.get_serializer_context()).data)

    @step_schema(
        request=SucceededSerializer,
        response=ERPRequestSerializer,
        summary="Agent: the request was written into the ERP (idempotent)",
    )
    @action(detail=True, methods=["post"], is_step=True)
    def succeeded(self, request, pk=None):
        serializer = SucceededSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.request_succeeded(request=self.get_object(), user=request.user, **serializer.validated_data)
        )

    @step_schema(
        request=FailedSerializer,
        response=ERPRequestSerializer,
        summary="Agent: the ERP refused the request (idempotent)",
    )
    @action(detail=True, methods=["post"], is_step=True)
    def failed(self, request, pk=None):
        serializer = FailedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(
            services.request_failed(request=self.get_object(), user=request.user, **serializer.validated_data)
        )


@extend_schema_view(
    list=extend_schema(summary="Ready to Import: records created in the ERP"),
    create=extend_schema(
        summary="Agent: stage an ERP record (upsert on kind + erp_id)",
        responses={201: StagedRecordSerializer, **ERROR_RESPONSES},
    ),
)
class StagedRecordViewSet(
    WorkflowViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = StagedRecord.objects.all()
    serializer_class = StagedRecordSerializer
    filterset_class = StagedRecordFilter
    steps = STAGED_STEPS
    page_suggestions = None

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # One computation for the page, not one query per row.
            self.page_suggestions = selectors.staged_record_suggestions(page)
        return page

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "suggestions": self.page_suggestions}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staged = services.staged_record_upsert(user=request.user, reported=True, **serializer.validated_data)
        return Response(self.get_serializer(staged).data, status=status.HTTP_201_CREATED)

    @step_schema(
        response=LinkAllResultSerializer,
        summary="Link all suggested: every ERP vendor with one suggestion that no other vendor shares",
        description="The response lists what was linked and, for every vendor with suggestions that was not, why.",
    )
    @action(detail=False, methods=["post"], url_path="link-all", is_step=True, pagination_class=None)
    def link_all(self, request):
        result = services.staged_record_link_all(user=request.user)
        data = {
            "linked": [
                {
                    "staged_record": staged.pk,
                    "erp_id": staged.erp_id,
                    "label": staged.label,
                    "company": suggestion.target_id,
                    "company_label": suggestion.label,
                }
                for staged, suggestion in result.linked
            ],
            "skipped": [
                {"staged_record": staged.pk, "erp_id": staged.erp_id, "label": staged.label, "reason": reason}
                for staged, reason in result.skipped
            ],
        }
        return Response(LinkAllResultSerializer(data).data)


class AgentHeartbeatView(APIView):
    """The agent says it is alive when it has nothing to claim; claims and reports count as contact too."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=HeartbeatSerializer,
        responses={200: AgentContactSerializer, **ERROR_RESPONSES},
        summary="Agent: heartbeat (worker, version, host) when there is nothing to do",
    )
    def post(self, request):
        serializer = HeartbeatSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = services.agent_heartbeat(user=request.user, **serializer.validated_data)
        return Response(AgentContactSerializer(contact).data)
