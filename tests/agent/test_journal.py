"""The journal's rules, with the agent driven in-process against a fake app: never written twice, always reported."""

import uuid

import pytest

from erp_agent import journal
from erp_agent.agent import Agent, Backoff
from erp_agent.api import ApiError, Unreachable
from erp_agent.journal import Journal
from erp_agent.writers import Result, Writer


class FakeApp:
    """Hands out the queued requests once per claim and answers reports as scripted (200 unless told)."""

    def __init__(self, *requests):
        self.queue = list(requests)
        self.reports, self.answers = [], {}

    def post(self, path, data):
        if path.endswith("/claim/"):
            claimed, self.queue = self.queue, []
            return [{**r, "lease_token": str(uuid.uuid4())} for r in claimed]
        if path.endswith("/heartbeat/"):
            return {}
        self.reports.append((path, data))
        answer = self.answers.pop(path, None)
        if isinstance(answer, Exception):
            raise answer
        return {}


class CountingWriter(Writer):
    def __init__(self, result=None):
        self.written, self.held, self.result = [], {}, result or Result.written({"job_id": "4100"})

    def write(self, request):
        self.written.append(request["idempotency_key"])
        if self.result.ok:
            self.held[request["idempotency_key"]] = self.result
        return self.result

    def lookup(self, idempotency_key):
        return self.held.get(idempotency_key)


def claimed(request_id=7):
    return {"id": request_id, "kind": "job", "payload": {}, "inputs": {}, "idempotency_key": str(uuid.uuid4())}


@pytest.fixture
def book(tmp_path):
    return Journal(tmp_path / "journal.sqlite3")


def agent_for(app, writer, book):
    return Agent(api=app, writer=writer, journal=book, worker="test", backoff=Backoff(0, 0))


def test_the_outcome_is_durable_before_the_report_and_re_sent_after_a_restart(tmp_path, book):
    request = claimed()
    app, writer = FakeApp(request), CountingWriter()
    app.answers["/api/v1/erp/requests/7/succeeded/"] = Unreachable("down")
    assert agent_for(app, writer, book).run(once=True) == 1
    assert book.get(request["idempotency_key"]).state == journal.OUTCOME

    reopened = Journal(tmp_path / "journal.sqlite3")  # a new process
    assert agent_for(app, writer, reopened).run(once=True) == 0
    assert writer.written == [request["idempotency_key"]]
    assert [path for path, _ in app.reports] == ["/api/v1/erp/requests/7/succeeded/"] * 2
    assert reopened.get(request["idempotency_key"]).state == journal.REPORTED


def test_a_write_cut_short_is_looked_up_not_written_again(book):
    request = claimed()
    writer = CountingWriter()
    book.start({**request, "lease_token": "old-lease"})
    writer.held[request["idempotency_key"]] = Result.written({"job_id": "4100"})  # Sage committed, then we died
    app = FakeApp()
    assert agent_for(app, writer, book).run(once=True) == 0
    assert writer.written == []
    assert app.reports == [
        ("/api/v1/erp/requests/7/succeeded/", {"lease_token": "old-lease", "erp_ids": {"job_id": "4100"}})
    ]


def test_a_request_claimed_again_is_reported_under_the_new_lease(book):
    request = claimed()
    app, writer = FakeApp(request), CountingWriter()
    app.answers["/api/v1/erp/requests/7/succeeded/"] = ApiError(409, {"detail": "lease lost"})
    agent_for(app, writer, book).run(once=True)
    assert book.get(request["idempotency_key"]).state == journal.DROPPED
    app.queue.append(request)  # the other worker died too: the request comes back to us
    agent_for(app, writer, book).run(once=True)
    assert len(writer.written) == 1
    first, second = (data["lease_token"] for _, data in app.reports)
    assert first != second
    assert book.get(request["idempotency_key"]).state == journal.REPORTED


def test_a_report_the_app_refuses_is_kept_and_never_written_again(book):
    request = claimed()
    app, writer = FakeApp(request), CountingWriter()
    app.answers["/api/v1/erp/requests/7/succeeded/"] = ApiError(400, {"erp_ids": ["job_id: taken"]})
    agent_for(app, writer, book).run(once=True)
    entry = book.get(request["idempotency_key"])
    assert (entry.state, entry.result.erp_ids) == (journal.REFUSED, {"job_id": "4100"})
    assert "job_id: taken" in entry.note
    app.queue.append(request)
    agent_for(app, writer, book).run(once=True)
    assert len(writer.written) == 1
    assert len(app.reports) == 2


def test_a_refusal_the_app_took_is_written_again_when_the_approver_retries(book):
    request = claimed()
    writer = CountingWriter(Result.refused(["Job 4100 already exists in the ERP."]))
    app = FakeApp(request)
    agent_for(app, writer, book).run(once=True)
    assert app.reports[0] == (
        "/api/v1/erp/requests/7/failed/",
        {"lease_token": app.reports[0][1]["lease_token"], "messages": ["Job 4100 already exists in the ERP."]},
    )
    writer.result = Result.written({"job_id": "4101"})
    app.queue.append({**request, "inputs": {"erp_job_id": "4101"}})
    agent_for(app, writer, book).run(once=True)
    assert writer.written == [request["idempotency_key"]] * 2
    assert app.reports[-1][0] == "/api/v1/erp/requests/7/succeeded/"


def test_a_writer_that_raises_fails_the_request_with_its_error(book):
    class Broken(CountingWriter):
        def write(self, request):
            raise ConnectionError("Sage is not running")

    app = FakeApp(claimed())
    agent_for(app, Broken(), book).run(once=True)
    assert app.reports[0][1]["messages"] == ["The ERP writer failed: Sage is not running"]


def test_backoff_doubles_up_to_its_cap_and_starts_over():
    backoff = Backoff(1, 8)
    assert [backoff.next() for _ in range(5)] == [1, 2, 4, 8, 8]
    backoff.reset()
    assert backoff.next() == 1
