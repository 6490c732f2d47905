"""`/health/`: for load balancers and monitors, which call it often, over plain HTTP, often without logging in."""

import logging

from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.erp_queue import services
from apps.erp_queue.health import health_document, integration_health

logger = logging.getLogger(__name__)


@extend_schema(exclude=True)  # not an API resource: a monitor's probe, described in the README
class HealthView(APIView):
    """200 when the app can serve and export, 503 when not. The status for anyone; the figures for queue readers.

    Sign in (a session, or a token such as the agent's) with permission to view ERP requests to see the
    figures per kind and the agent's last contact.
    """

    permission_classes = [AllowAny]
    throttle_classes = []
    renderer_classes = [JSONRenderer]

    def perform_authentication(self, request):
        """Who asks is read only once the database answered (a session or token is looked up there)."""

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            health = integration_health()
            services.agent_outage_check(health=health)
            may_read = request.user.has_perm("erp_queue.view_erprequest")
        except DatabaseError as exc:
            logger.error("Health check: the database cannot be reached: %s", exc)  # every probe: no traceback
            return Response({"status": "unhealthy", "database": "unreachable"}, status=503)
        document = health_document(health)
        body = document if may_read else {"status": document["status"]}
        return Response(body, status=200 if health.healthy else 503)
