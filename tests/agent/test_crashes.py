"""Nothing lost, nothing doubled: an agent killed after the ERP write, one killed holding a lease, an app restart."""

import signal
import socket
import sqlite3
import threading
import time

import pytest

from apps.erp_queue.models import ERPRequest
from tests.agent.conftest import accepted, init_sage, run_agent, sage_rows, start_agent, wait_for, writes_per_key
from tests.jobs.factories import ProjectCostCodeFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _job_requests(pm, approver, cost_code, count, first_id=4300):
    requests = []
    for i in range(count):
        project = ProjectFactory(number=f"P-{first_id + i}")
        ProjectCostCodeFactory(project=project, cost_code=cost_code, cost_types=[1])
        requests.append(accepted(project, pm=pm, approver=approver, inputs={"erp_job_id": str(first_id + i)}))
    return requests


def test_an_agent_killed_after_the_erp_write_reports_it_once_on_restart(
    agent_mode, live_server, token, sage, tmp_path, pm, approver, cost_codes
):
    [request] = _job_requests(pm, approver, cost_codes[0], 1)
    init_sage(live_server.url, token, sage)
    journal = tmp_path / "journal.sqlite3"

    killed = run_agent(
        live_server.url, token, f"tests.agent.writers:KillAfterWrite:{sage}", "--once", "--journal", str(journal)
    )

    assert killed.returncode == -signal.SIGKILL
    request.refresh_from_db()
    assert request.status == "exporting"  # written in Sage, never reported
    assert writes_per_key(sage) == {str(request.idempotency_key): 1}

    restarted = run_agent(live_server.url, token, f"sqlite:{sage}", "--once", "--journal", str(journal))

    assert restarted.returncode == 0, restarted.stderr
    request.refresh_from_db()
    assert (request.status, request.erp_ids, request.attempts) == ("synced", {"job_id": "4300"}, 1)
    assert writes_per_key(sage) == {str(request.idempotency_key): 1}
    assert sage_rows(sage, "SELECT COUNT(*) FROM writes") == [(1,)]
    assert "was written before the agent stopped" in restarted.stderr


def test_an_agent_killed_holding_a_lease_is_taken_over_by_another_after_the_lease(
    agent_mode, live_server, token, sage, tmp_path, pm, approver, cost_codes
):
    [request] = _job_requests(pm, approver, cost_codes[0], 1)
    init_sage(live_server.url, token, sage)
    stuck = start_agent(
        live_server.url,
        token,
        f"tests.agent.writers:StuckWriter:{sage}",
        *("--worker", "agent-a", "--journal", str(tmp_path / "a.sqlite3")),
    )
    try:
        assert wait_for(lambda: (tmp_path / "sage.sqlite3.stuck").exists(), timeout=30), "agent A never claimed"
    finally:
        stuck.kill()  # SIGKILL, holding the lease
        stuck.wait(timeout=10)
    time.sleep(2.5)  # the two-second lease runs out

    other = run_agent(
        live_server.url,
        token,
        f"sqlite:{sage}",
        *("--once", "--worker", "agent-b", "--journal", str(tmp_path / "b.sqlite3")),
    )

    assert other.returncode == 0, other.stderr
    request.refresh_from_db()
    assert (request.status, request.leased_by, request.attempts) == ("synced", "agent-b", 2)
    assert writes_per_key(sage) == {str(request.idempotency_key): 1}


class DroppingProxy:
    """Forwards HTTP to the app; the first claim reaches the app, but its answer never reaches the agent, as when
    the app server restarts between committing the claim and answering it."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.dropped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    @staticmethod
    def _read_request(client):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
            0,
        )
        while len(body) < length:
            body += client.recv(65536)
        return head + b"\r\n\r\n" + body

    def _relay(self, client):
        with client, socket.create_connection(self.upstream, timeout=30) as server:
            request = self._read_request(client)
            server.sendall(request)
            answer = b""
            while chunk := server.recv(65536):  # urllib asks for Connection: close: the app closes after answering
                answer += chunk
            if request.startswith(b"POST /api/v1/erp/requests/claim/") and not self.dropped.is_set():
                self.dropped.set()
                return  # the claim is committed in the app; the agent sees the connection drop
            client.sendall(answer)

    def close(self):
        self.listener.close()


def _reported(journal, count):
    try:
        with sqlite3.connect(journal) as connection:
            return connection.execute("SELECT COUNT(*) FROM entries WHERE state = 'reported'").fetchone()[0] == count
    except sqlite3.OperationalError:  # not created yet
        return False


def test_the_app_restarting_mid_claim_loses_nothing(
    agent_mode, live_server, token, sage, tmp_path, pm, approver, cost_codes
):
    requests = _job_requests(pm, approver, cost_codes[0], 3)
    init_sage(live_server.url, token, sage)
    proxy = DroppingProxy((live_server.thread.host, live_server.thread.port))
    journal = tmp_path / "journal.sqlite3"
    agent = start_agent(proxy.url, token, f"sqlite:{sage}", "--interval", "0.3", "--journal", str(journal))
    try:
        # The agent's requests are the only ones the app serves meanwhile: the test watches the journal.
        finished = wait_for(lambda: _reported(journal, len(requests)), timeout=45)
    finally:
        agent.send_signal(signal.SIGTERM)
        output = agent.communicate(timeout=20)[0]
        proxy.close()

    assert finished, output
    assert agent.returncode == 0, output
    assert proxy.dropped.is_set()
    assert "unreachable" in output
    for request in requests:
        request.refresh_from_db()
    assert [r.status for r in requests] == ["synced"] * 3
    assert {r.attempts for r in requests} == {2}  # the lost claim, then the one after its lease ran out
    assert writes_per_key(sage) == {str(r.idempotency_key): 1 for r in requests}
    assert ERPRequest.objects.filter(status="exporting").count() == 0
