"""The command line: `python -m erp_agent [run] …` runs the agent; `… init-sage …` makes the Sage stand-in."""

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path

from erp_agent import __version__
from erp_agent.agent import Agent
from erp_agent.api import Api
from erp_agent.journal import Journal
from erp_agent.writers import WriterSpecError, load_writer

log = logging.getLogger("erp_agent")


def _connection_options(parser):
    parser.add_argument("--url", required=True, help="The app's address, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--token",
        default=os.environ.get("ERP_AGENT_TOKEN"),
        help="The agent user's API token (default: $ERP_AGENT_TOKEN, which keeps it out of the process list)",
    )


def parser_for_run():
    parser = argparse.ArgumentParser(prog="python -m erp_agent", description="ERP Bridge's connector agent.")
    parser.add_argument("--version", action="version", version=__version__)
    _connection_options(parser)
    parser.add_argument(
        "--writer",
        required=True,
        help="sqlite:PATH (the SQLite stand-in for Sage) or package.module:ClassName[:ARGUMENT]",
    )
    parser.add_argument("--worker", default=f"agent@{socket.gethostname()}", help="The name this agent claims under")
    parser.add_argument("--journal", help="The journal file (default: next to the writer's database)")
    parser.add_argument("--batch", type=int, default=10, help="Requests per claim (1-100, default 10)")
    parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes when idle (default 5)")
    parser.add_argument("--once", action="store_true", help="Export what is claimable now, then exit")
    return parser


def parser_for_init():
    parser = argparse.ArgumentParser(
        prog="python -m erp_agent init-sage",
        description="Create the SQLite stand-in for Sage, holding what the app was told Sage holds.",
    )
    parser.add_argument("--db", required=True, help="The stand-in's file (created, or brought up to date)")
    _connection_options(parser)
    return parser


def default_journal(writer):
    """Next to the writer's database when it has one (the SQLite stand-in does), else in the working folder."""
    path = getattr(writer, "path", None)
    if path is not None:
        path = Path(path)
        return path.with_name(f"{path.stem}.journal.sqlite3")
    return Path("erp_agent_journal.sqlite3")


def _stop_on_signals(stop):
    """Ctrl-C and SIGTERM finish the request in hand, then stop (a write is never cut in the middle)."""

    def handler(signum, frame):
        log.info("Stopping after the request in hand (signal %s)", signum)
        stop.set()

    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):  # SIGBREAK: Ctrl-Break in a Windows console
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


def run(argv):
    args = parser_for_run().parse_args(argv)
    if not args.token:
        sys.exit("--token (or $ERP_AGENT_TOKEN) is required.")
    if not 1 <= args.batch <= 100:
        sys.exit("--batch takes 1 to 100.")
    try:
        writer = load_writer(args.writer)
    except (WriterSpecError, FileNotFoundError) as exc:
        sys.exit(str(exc))
    journal = Journal(args.journal or default_journal(writer))
    stop = threading.Event()
    _stop_on_signals(stop)
    agent = Agent(
        api=Api(args.url, args.token),
        writer=writer,
        journal=journal,
        worker=args.worker,
        batch=args.batch,
        interval=args.interval,
        stop=stop,
    )
    log.info("Agent %s (%s) for %s, journal %s", args.worker, __version__, args.url, journal.path)
    try:
        return agent.run(once=args.once)
    finally:
        writer.close()
        journal.close()


def init_sage(argv):
    from erp_agent.init_sage import fill

    args = parser_for_init().parse_args(argv)
    if not args.token:
        sys.exit("--token (or $ERP_AGENT_TOKEN) is required.")
    counts = fill(args.db, Api(args.url, args.token))
    print(f"Sage stand-in {args.db}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = argv[0] if argv and not argv[0].startswith("-") else "run"
    if command in ("run", "init-sage"):
        argv = argv[1:] if argv and argv[0] == command else argv
    else:
        sys.exit(f"Unknown command {command!r}: use run (the default) or init-sage.")
    return init_sage(argv) if command == "init-sage" else run(argv)
