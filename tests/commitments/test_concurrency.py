"""Two approvers accepting the same commitment at once: PostgreSQL row locks let one export through."""

import pytest

from apps.commitments import services
from apps.commitments.models import Commitment
from apps.core import roles
from apps.erp_queue import services as erp_services
from apps.ledger.models import ERPCommitment, ERPWrite
from tests.commitments.factories import SUBCONTRACT_LINES, service_lines
from tests.erp_queue.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_accepting_the_same_commitment_export_it_once(pm, make_user, api_as, project, vendor):
    commitment = services.commitment_create(
        user=pm,
        project=project,
        type="subcontract",
        vendor=vendor,
        title="Earthwork",
        accounting_method="amount",
        lines=service_lines(SUBCONTRACT_LINES),
    )
    services.commitment_move(commitment=commitment, user=pm, transition=Commitment.approve)
    _, request = erp_services.record_send(record=commitment, user=pm)
    first = api_as(make_user("approver1", roles.ACCOUNTING_APPROVER))
    second = api_as(make_user("approver2", roles.ACCOUNTING_APPROVER))
    url = f"/api/v1/erp/requests/{request.pk}/accept/"

    responses = run_together(lambda: first.post(url, {}), lambda: second.post(url, {}))

    assert sorted(r.status_code for r in responses) == [200, 409]
    commitment.refresh_from_db()
    assert (commitment.erp_status, commitment.erp_id) == ("synced", "SC-001")
    assert ERPCommitment.objects.filter(number="SC-001").count() == 1
    assert ERPWrite.objects.filter(kind="commitment").count() == 1
