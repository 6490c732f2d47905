"""How change orders plug into the ERP queue: accept needs no inputs (the change order number is the ERP's id)."""

from apps.change_orders import services
from apps.change_orders.models import ChangeOrder
from apps.erp_queue.models import Kind
from apps.erp_queue.registry import Exporter


class ChangeOrderExporter(Exporter):
    kind = Kind.CHANGE_ORDER
    model = ChangeOrder

    def request_changed(self, *, request, user):
        services.change_order_follow_request(change_order_id=request.object_id, request=request)
