"""Two agents against one PostgreSQL-backed app share the queue (SKIP LOCKED) and one Sage: every key written once."""

import signal
import time

import pytest

from apps.erp_queue.models import ERPRequest
from tests.agent.conftest import init_sage, start_agent, wait_for, writes_per_key
from tests.agent.test_crashes import _job_requests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_agents_export_200_requests_each_once(
    agent_mode, live_server, token, sage, tmp_path, pm, approver, cost_codes
):
    agent_mode.ERP_LEASE_SECONDS = 300  # no lease runs out here: two live agents, not a dead one
    requests = _job_requests(pm, approver, cost_codes[0], 200, first_id=10000)
    init_sage(live_server.url, token, sage)
    started = time.monotonic()
    agents = [
        start_agent(
            live_server.url,
            token,
            f"sqlite:{sage}",
            *("--worker", name, "--journal", str(tmp_path / f"{name}.sqlite3"), "--interval", "0.2"),
        )
        for name in ("agent-a", "agent-b")
    ]
    try:
        finished = wait_for(lambda: ERPRequest.objects.filter(status="synced").count() == 200, timeout=120)
    finally:
        for agent in agents:
            agent.send_signal(signal.SIGTERM)
        outputs = [agent.communicate(timeout=30)[0] for agent in agents]
    elapsed = time.monotonic() - started

    assert finished, outputs
    assert [agent.returncode for agent in agents] == [0, 0], outputs
    keys = {str(r.idempotency_key) for r in requests}
    assert writes_per_key(sage) == dict.fromkeys(keys, 1)
    by_worker = {
        name: ERPRequest.objects.filter(status="synced", leased_by=name).count() for name in ("agent-a", "agent-b")
    }
    assert sum(by_worker.values()) == 200
    assert all(by_worker.values()), by_worker  # both took part
    assert set(ERPRequest.objects.values_list("attempts", flat=True)) == {1}  # no request was claimed twice
    print(f"200 requests exported by two agents in {elapsed:.1f} s: {by_worker}")
