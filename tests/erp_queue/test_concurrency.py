"""Races that only PostgreSQL can show: row locks and SKIP LOCKED."""

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings

from apps.erp_queue import services
from apps.erp_queue import services as erp_services
from apps.erp_queue.models import ERPRequest
from apps.ledger.models import ERPJob, ERPWrite
from tests.jobs.factories import ProjectCostCodeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Start every call at the same moment, each on its own connection; return their results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the test inspects what each side got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _sent_request(pm, cost_code, number):
    project = ProjectCostCodeFactory(cost_code=cost_code, project__number=number).project
    return erp_services.record_send(record=project, user=pm)[1]


def test_two_approvers_accepting_at_once_export_once(pm, make_user, api_as, cost_codes):
    from apps.core import roles

    request = _sent_request(pm, cost_codes[0], "6001")
    first = api_as(make_user("approver1", roles.ACCOUNTING_APPROVER))
    second = api_as(make_user("approver2", roles.ACCOUNTING_APPROVER))
    url = f"/api/v1/erp/requests/{request.pk}/accept/"

    responses = run_together(
        lambda: first.post(url, {"erp_job_id": "6001"}), lambda: second.post(url, {"erp_job_id": "6002"})
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["status"] in {"exporting", "synced"}
    request.refresh_from_db()
    assert request.status == "synced"
    assert ERPJob.objects.filter(job_id__in=["6001", "6002"]).count() == 1
    assert ERPWrite.objects.count() == 1


def test_the_export_after_an_accept_waits_for_a_row_lock_held_a_moment(pm, approver, cost_codes):
    """Another transaction (a second approver's refused accept) holds the row as the export starts."""
    request = _sent_request(pm, cost_codes[0], "6101")
    with override_settings(ERP_CONNECTOR="agent"):  # accept without exporting inline
        services.request_accept(request=request, user=approver, inputs={"erp_job_id": "6101"})
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            ERPRequest.objects.select_for_update().get(pk=request.pk)
            locked.set()
            release.wait(timeout=30)

    def export():
        locked.wait(timeout=30)
        threading.Timer(0.5, release.set).start()
        return services.request_export(request_id=request.pk)

    holder, exported = run_together(hold_the_row, export)

    assert holder is None and exported is not None and exported.status == "synced", exported
    assert ERPJob.objects.filter(job_id="6101").count() == 1


def test_two_workers_share_the_queue_without_exporting_anything_twice(pm, approver, cost_codes):
    requests = [_sent_request(pm, cost_codes[0], f"70{i:02d}") for i in range(8)]
    with override_settings(ERP_CONNECTOR="agent"):  # accept without exporting inline
        for i, request in enumerate(requests):
            services.request_accept(request=request, user=approver, inputs={"erp_job_id": f"70{i:02d}"})

    done = run_together(
        lambda: services.request_export_pending(worker="worker-a", limit=2),
        lambda: services.request_export_pending(worker="worker-b", limit=2),
    )

    assert not any(isinstance(d, Exception) for d in done), done
    exported = [r.pk for batch in done for r in batch]
    assert sorted(exported) == sorted(r.pk for r in requests)
    assert set(ERPRequest.objects.values_list("status", flat=True)) == {"synced"}
    assert set(ERPRequest.objects.values_list("attempts", flat=True)) == {1}
    assert ERPJob.objects.count() == ERPWrite.objects.count() == 8
