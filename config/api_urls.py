from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.budgets.api.views import BudgetViewSet
from apps.change_orders.api.views import ChangeOrderViewSet
from apps.commitments.api.views import CommitmentViewSet
from apps.core.api.views import AuditEventViewSet, TokenView
from apps.erp_queue.api.views import AgentHeartbeatView, ERPRequestViewSet, StagedRecordViewSet
from apps.jobs.api.views import CostCodeViewSet, CostTypeViewSet, ProjectViewSet
from apps.vendors.api.views import CompanyViewSet, VendorTypeViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("cost-codes", CostCodeViewSet, basename="cost-code")
router.register("cost-types", CostTypeViewSet, basename="cost-type")
router.register("companies", CompanyViewSet, basename="company")
router.register("budgets", BudgetViewSet, basename="budget")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("change-orders", ChangeOrderViewSet, basename="change-order")
router.register("erp/requests", ERPRequestViewSet, basename="erp-request")
router.register("erp/staged-records", StagedRecordViewSet, basename="staged-record")
router.register("erp/vendor-types", VendorTypeViewSet, basename="vendor-type")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("erp/agent/heartbeat/", AgentHeartbeatView.as_view(), name="agent-heartbeat"),
    *router.urls,
]
