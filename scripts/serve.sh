#!/usr/bin/env bash
# The production server, in the foreground (what `make serve` runs once the runtime packages are in):
# migrates, collects the static files, then runs gunicorn (static files served by whitenoise) and, with
# the embedded ledger, the export workers (`manage.py erp_worker`; in agent mode the agent exports, so
# none, and `manage.py erp_watch` tells the approvers when the agent goes silent). Ctrl-C or a TERM stops every one of them and waits for them; if any of them dies, the others
# are stopped and the script exits non-zero, so a process manager sees it and starts it again.
#
# Environment (besides the app's own settings, README "Settings"):
#   BIND             address gunicorn listens on (default 0.0.0.0:$PORT, PORT default 8000)
#   WEB_CONCURRENCY  gunicorn worker processes (default 2)
#   ERP_WORKERS      `erp_worker` processes in ledger mode (default 1)
#   GUNICORN_CMD_ARGS more gunicorn options (they win over the defaults here: --timeout 120,
#                    --graceful-timeout 20, access log on stdout, no control socket)
#   BIN              the virtualenv's bin directory (default .venv/bin)
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=$(cd "${BIN:-.venv/bin}" && pwd)
BIND=${BIND:-0.0.0.0:${PORT:-8000}}
WEB_CONCURRENCY=${WEB_CONCURRENCY:-2}
ERP_WORKERS=${ERP_WORKERS:-1}
# A budget file of 200,000 rows takes longer than gunicorn's 30 s default to import.
# No control socket: it would be one path in $HOME for every gunicorn of the user, and nothing here uses it.
export GUNICORN_CMD_ARGS="--timeout 120 --graceful-timeout 20 --access-logfile - --no-control-socket ${GUNICORN_CMD_ARGS:-}"

case ${DEBUG:-false} in
  1 | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn])
    echo "serve: DEBUG is on; production runs with it off (unset DEBUG, or use \`make run\` to try it out)" >&2
    exit 2
    ;;
esac

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 1

children=()
stopping=0

stop_children() {
  local pid
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
}

on_signal() {
  stopping=1
  echo "serve: stopping gunicorn and the export workers" >&2
  stop_children
  exit 0
}
trap on_signal INT TERM

"$BIN/gunicorn" config.wsgi:application --bind "$BIND" --workers "$WEB_CONCURRENCY" &
children+=("$!")

connector=${ERP_CONNECTOR:-ledger}
workers=$ERP_WORKERS
watch=""
if [ "$connector" = agent ]; then
  workers=0
  # The agent claims exports through the API; erp_watch e-mails the approvers (once per outage) when it
  # goes silent while exports wait, even when no monitor calls /health/.
  "$BIN/python" manage.py erp_watch &
  children+=("$!")
  watch=", erp_watch (agent mode: the agent exports)"
fi
for ((i = 0; i < workers; i++)); do
  "$BIN/python" manage.py erp_worker &
  children+=("$!")
done
echo "serve: gunicorn on $BIND with $WEB_CONCURRENCY workers, $workers erp_worker(s)$watch; Ctrl-C stops them all" >&2

# Until a child exits (or a signal arrives: the trap then stops the rest and exits). Needs bash 4.3.
rc=0
wait -n || rc=$?  # its only jobs are the children
[ "$stopping" = 1 ] && exit 0
echo "serve: a process exited (status $rc): stopping the others" >&2
stop_children
exit $((rc == 0 ? 1 : rc))
