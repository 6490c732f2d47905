"""The agent's loop: report what is owed, claim, write through the writer, report; back off when the app is away.

Nothing is written twice: a claimed request whose key the journal holds with an outcome is reported
again, not written; one whose write was interrupted (no outcome) is written only if the writer's
`lookup` says the ERP does not hold it; and the writer itself answers a key it holds with its first
result. A refusal by the ERP wrote nothing, so an approver's retry of a failed request is written again.
"""

import logging
import socket
import threading

from erp_agent import __version__, journal
from erp_agent.api import ApiError, Unreachable
from erp_agent.writers import Result

log = logging.getLogger("erp_agent")


class Backoff:
    """Waits that double after each failure, capped, and start over after a success."""

    def __init__(self, first=1.0, cap=60.0):
        self.first, self.cap, self.current = first, cap, first

    def next(self):
        wait, self.current = self.current, min(self.current * 2, self.cap)
        return wait

    def reset(self):
        self.current = self.first


class Agent:
    def __init__(self, *, api, writer, journal, worker, batch=10, interval=5.0, backoff=None, stop=None):
        self.api, self.writer, self.journal = api, writer, journal
        self.worker, self.batch, self.interval = worker, batch, interval
        self.backoff = backoff or Backoff()
        self.stop = stop or threading.Event()

    def run(self, *, once=False):
        """Work until stopped; `once`: one pass that drains what is claimable, then return (0 done, 1 app away)."""
        self.finish_interrupted()
        self.heartbeat()
        while not self.stop.is_set():
            try:
                busy = self.work()
            except Unreachable as exc:
                if once:
                    log.error("The app is unreachable: %s", exc)
                    return 1
                wait = self.backoff.next()
                log.warning("The app is unreachable (%s); trying again in %.0f s", exc, wait)
                self.stop.wait(wait)
                continue
            self.backoff.reset()
            if once:
                return 0
            if not busy:
                self.heartbeat()
                self.stop.wait(self.interval)
        return 0

    def heartbeat(self):
        """Tell the app we are alive; its silence is for the monitors to notice, never a reason to stop."""
        try:
            self.api.post(
                "/api/v1/erp/agent/heartbeat/",
                {"worker": self.worker, "version": __version__, "host": socket.gethostname()},
            )
        except (Unreachable, ApiError) as exc:
            log.warning("Heartbeat not taken: %s", exc)

    def work(self):
        """Report what is owed, then claim and export until nothing is claimable; whether anything was claimed."""
        self.report_owed()
        seen, busy = set(), False
        while not self.stop.is_set():
            try:
                claimed = self.api.post("/api/v1/erp/requests/claim/", {"limit": self.batch, "worker": self.worker})
            except ApiError as exc:
                log.error("The app refused the claim: %s", exc)
                raise Unreachable(f"claim refused ({exc.status})") from None
            fresh = [request for request in claimed or [] if request["id"] not in seen]
            if not fresh:
                return busy
            busy = True
            seen.update(request["id"] for request in fresh)
            owed = False
            for request in fresh:
                if self.stop.is_set():
                    break  # the rest stay leased; their leases run out and they are claimed again
                owed |= not self.export(request)
            if owed:
                raise Unreachable("reports are waiting for the app")
        return busy

    def finish_interrupted(self):
        """On start: writes cut short by a crash that the ERP holds get their outcome (then reported)."""
        for entry in self.journal.in_state(journal.STARTED):
            held = self.writer.lookup(entry.key)
            if held is not None:
                log.info("Request %s (%s) was written before the agent stopped", entry.request_id, entry.key)
                self.journal.record(entry.key, held)

    def report_owed(self):
        """Re-send every recorded outcome the app has not taken yet, under the lease it was claimed with."""
        for entry in self.journal.in_state(journal.OUTCOME):
            if not self.report(entry):
                raise Unreachable("reports are waiting for the app")

    def export(self, request):
        """Write one claimed request (unless the journal or the ERP has it already) and report it; False when
        the report must wait for the app."""
        key = str(request["idempotency_key"])
        entry = self.journal.get(key)
        if entry is not None and entry.result is not None:
            if not (entry.refused_by_erp and entry.state in journal.SETTLED):
                log.info("Request %s was written already: reporting it again", request["id"])
                return self.report(self.journal.relet(key, request))
            # The app took the ERP's refusal and an approver retried: a refusal wrote nothing, so write.
        elif entry is not None and (held := self.writer.lookup(key)) is not None:
            log.info("Request %s was written before the agent stopped: reporting it", request["id"])
            self.journal.start(request)
            return self.report(self.journal.record(key, held))
        self.journal.start(request)
        result = self._write(request)
        return self.report(self.journal.record(key, result))

    def _write(self, request):
        try:
            result = self.writer.write(request)
        except Exception as exc:  # a writer bug or the ERP down: the approver sees it, nothing is guessed
            log.exception("The writer failed on request %s", request["id"])
            held = self.writer.lookup(str(request["idempotency_key"]))
            return held or Result.refused([f"The ERP writer failed: {exc}"])
        log.info(
            "Request %s (%s) %s", request["id"], request.get("kind"), "written" if result.ok else "refused by the ERP"
        )
        return result

    def report(self, entry):
        """Tell the app the outcome under the entry's lease; False when the app could not be reached."""
        result = entry.result
        if result.ok:
            path, body = "succeeded", {"lease_token": entry.lease_token, "erp_ids": result.erp_ids}
        else:
            path, body = "failed", {"lease_token": entry.lease_token, "messages": result.messages or ["Refused."]}
        try:
            self.api.post(f"/api/v1/erp/requests/{entry.request_id}/{path}/", body)
        except Unreachable as exc:
            log.warning("Report of request %s waits for the app: %s", entry.request_id, exc)
            return False
        except ApiError as exc:
            return self._report_refused(entry, exc)
        self.journal.settle(entry.key, journal.REPORTED)
        log.info("Request %s reported %s", entry.request_id, path)
        return True

    def _report_refused(self, entry, exc):
        if exc.status in (404, 409):
            # The lease went to another worker (it reports), or the request moved on: nothing for us to do.
            log.warning("Report of request %s not taken (%s): %s", entry.request_id, exc.status, exc.body)
            self.journal.settle(entry.key, journal.DROPPED, str(exc.body))
            return True
        if exc.status == 400:
            # Kept with its outcome: a later claim re-sends this report and never writes the request again.
            log.error("The app refused the report of request %s: %s", entry.request_id, exc.body)
            self.journal.settle(entry.key, journal.REFUSED, str(exc.body))
            return True
        log.error("Report of request %s refused (%s): %s; trying again later", entry.request_id, exc.status, exc.body)
        return False
