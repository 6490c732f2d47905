"""The production server (`make serve` runs `scripts/serve.sh`): gunicorn behind a TLS proxy, static files by
whitenoise, the export workers beside it, all stopped by one signal; and `check --deploy` finds nothing to say."""

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

#: What a production process inherits from the test run: nothing of its settings (the tests' key and
#: settings module, DJANGO_ALLOW_ASYNC_UNSAFE of the browser tests, a developer's DEBUG or DATABASE_URL).
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")


def production_env(**settings):
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), **settings)
    return environment


def test_the_deploy_check_finds_no_issue_with_a_production_environment():
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(ALLOWED_HOSTS="erp.example.com"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes():
    """{pid: (parent pid, command line)} of every process on the machine: from /proc, else from `ps`."""
    table = {}
    proc = Path("/proc")
    if (proc / "self" / "stat").exists():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:  # gone meanwhile
                continue
            state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]  # after "pid (name) "
            if state != "Z":  # exited, its parent not yet told
                table[int(entry.name)] = (int(ppid), args)
        return table
    listed = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    for line in listed.splitlines():
        pid, ppid, args = [*line.split(None, 2), ""][:3]
        table[int(pid)] = (int(ppid), args)
    return table


def descendants(root):
    table = processes()
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, args) in table.items():
            if ppid == parent:
                found[pid] = (ppid, args)
                frontier.append(pid)
    return found


class Server:
    def __init__(self, port, process, log, static_root):
        self.port, self.process, self.log, self.static_root = port, process, log, static_root

    def get(self, path, https=True, **headers):
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def output(self):
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def serving(tmp_path, **settings):
    """scripts/serve.sh on a free port with its own SQLite database and static root, once it answers."""
    if not (BIN / "gunicorn").exists():
        pytest.skip(f"gunicorn is not installed in {BIN} (requirements/runtime.txt)")
    port = free_port()
    log = tmp_path / "serve.log"
    environment = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        BIND=f"127.0.0.1:{port}",
        BIN=str(BIN),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        LOG_LEVEL="WARNING",
        **settings,
    )
    with log.open("wb") as out:
        # Its own session: whatever happens here, the cleanup below can stop the whole tree.
        process = subprocess.Popen(
            ["scripts/serve.sh"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Server(port, process, log, tmp_path / "static")
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                served.get("/admin/login/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"scripts/serve.sh did not answer on port {port}:\n{served.output()}")
                time.sleep(0.2)
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):  # nothing left of it: as it should be
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def process_tree(server, web_concurrency, erp_workers, watchers=0):
    """The script's processes once gunicorn's master, its workers and the erp_workers are all up, by kind."""
    tree = {}

    def complete():
        children = descendants(server.process.pid)
        masters = [pid for pid, (ppid, args) in children.items() if ppid == server.process.pid and "gunicorn" in args]
        tree.update(
            children=children,
            masters=masters,
            workers=[pid for pid, (ppid, args) in children.items() if ppid in masters and "gunicorn" in args],
            erp_workers=[pid for pid, (_, args) in children.items() if "manage.py erp_worker" in args],
            watchers=[pid for pid, (_, args) in children.items() if "manage.py erp_watch" in args],
        )
        counts = len(tree["masters"]), len(tree["workers"]), len(tree["erp_workers"]), len(tree["watchers"])
        return counts == (1, web_concurrency, erp_workers, watchers)

    assert wait_for(complete, 15), f"{tree}\n{server.output()}"
    assert set(tree["children"]) == {*tree["masters"], *tree["workers"], *tree["erp_workers"], *tree["watchers"]}, tree
    return tree


def all_gone(pids, server):
    alive = lambda: set(pids) & set(processes())  # noqa: E731
    assert wait_for(lambda: not alive(), 5), f"left running: {alive()}\n{server.output()}"


def test_serve_answers_behind_a_tls_proxy_serves_static_files_and_stops_with_every_child(tmp_path):
    with serving(tmp_path, WEB_CONCURRENCY="2", ERP_WORKERS="2") as server:
        status, headers, _ = server.get("/admin/login/")
        assert status == 200, server.output()
        assert "max-age=" in headers["Strict-Transport-Security"]
        assert "Secure" in headers["Set-Cookie"]

        status, headers, _ = server.get("/admin/login/", https=False)
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{server.port}/admin/login/"

        # Load balancers call it over plain http: not redirected.
        status, headers, body = server.get("/health/", https=False)
        assert status == 200, server.output()
        assert json.loads(body) == {"status": "ok"}

        manifest = json.loads((server.static_root / "staticfiles.json").read_text())
        hashed = manifest["paths"]["admin/css/base.css"]
        assert hashed != "admin/css/base.css"
        status, headers, _ = server.get(f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
        assert headers["Content-Encoding"] == "gzip"

        tree = process_tree(server, web_concurrency=2, erp_workers=2)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0, server.output()
        all_gone(tree["children"], server)
        assert time.monotonic() - started < 10


def test_in_agent_mode_no_export_worker_runs_and_a_dying_child_stops_the_rest(tmp_path):
    with serving(tmp_path, WEB_CONCURRENCY="1", ERP_WORKERS="3", ERP_CONNECTOR="agent") as server:
        tree = process_tree(server, web_concurrency=1, erp_workers=0, watchers=1)
        os.kill(tree["masters"][0], signal.SIGTERM)
        assert server.process.wait(timeout=15) != 0, server.output()
        all_gone(tree["children"], server)
        assert "a process exited" in server.output()
