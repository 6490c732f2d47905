"""How commitments plug into the ERP queue: accept needs no inputs (the commitment number is the ERP's id)."""

from apps.commitments import services
from apps.commitments.models import Commitment
from apps.erp_queue.models import Kind
from apps.erp_queue.registry import Exporter


class CommitmentExporter(Exporter):
    kind = Kind.COMMITMENT
    model = Commitment

    def request_changed(self, *, request, user):
        services.commitment_follow_request(commitment_id=request.object_id, request=request)
