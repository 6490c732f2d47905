#!/usr/bin/env bash
# Bounded schemathesis run against the real app: a throwaway SQLite database with the demo data,
# `runserver` on a free 127.0.0.1 port, then one run per demo user with that user's API token,
# each from a fresh copy of the demo database. Exits non-zero when schemathesis reports a failure
# (a 500, a status code, content type or body the schema does not describe). Nothing is written to
# the repository: everything lives in a /tmp directory, removed on exit.
#
# Knobs (environment):
#   FUZZ_RUNS         runs as user[@connector] (default "admin approver admin@agent"): the connector
#                     is ERP_CONNECTOR for the server, ledger unless given. An agent-mode run fuzzes
#                     only /api/v1/erp/ (the rest is the same code as in ledger mode), where claim,
#                     succeeded and failed meet requests left exporting
#   FUZZ_MAX_EXAMPLES test cases per operation and phase (default 30)
#   FUZZ_SEED         schemathesis seed (default 20240601), so CI runs the same cases every time
#   FUZZ_TIMEOUT      wall-clock cap in seconds for each run (default 900); hitting it fails the script
#   FUZZ_KEEP=1       keep the temporary directory (server logs, JUnit reports) for a look
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=$(cd "${BIN:-.venv/bin}" && pwd)
RUNS=${FUZZ_RUNS:-admin approver admin@agent}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-30}
SEED=${FUZZ_SEED:-20240601}
TIMEOUT=${FUZZ_TIMEOUT:-900}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
export DEMO_PASSWORD=${DEMO_PASSWORD:-erp-bridge-demo}

work=$(mktemp -d /tmp/erp-bridge-fuzz.XXXXXX)
# DEBUG off serves hashed static files, as `make serve` does after collectstatic: without them any page
# a run reaches that renders the admin (its login page, where a redirect leads) is a 500.
export STATIC_ROOT="$work/static"
DEBUG=false "$BIN/python" manage.py collectstatic --noinput -v 0
server_pids=()
fuzz_pids=()

cleanup() {
  local pid
  for pid in "${fuzz_pids[@]}" "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${fuzz_pids[@]}" "${server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "Kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Migrate and load the demo data once per connector (in agent mode the demo's master data is reported
# as the agent reports it); every user's run starts from a copy of its connector's database.
prepare_template() {  # $1: ERP connector
  local template="$work/template-$1.sqlite3"
  [ -f "$template" ] && return 0
  echo "Preparing the demo database ($1 connector) in $work"
  DATABASE_URL="sqlite:///$template" ERP_CONNECTOR="$1" "$BIN/python" manage.py migrate --noinput \
    >"$work/setup-$1.log" 2>&1 || { cat "$work/setup-$1.log"; exit 1; }
  DATABASE_URL="sqlite:///$template" ERP_CONNECTOR="$1" "$BIN/python" manage.py demo_data \
    >>"$work/setup-$1.log" 2>&1 || { cat "$work/setup-$1.log"; exit 1; }
}

# --nothreading: the single-threaded server closes every connection (no keep-alive), which spares
# each request the ~40 ms that Nagle's algorithm and delayed ACKs add on a kept-alive connection.
# DEBUG off as in production, but plain http with no TLS proxy in front: no redirect to https.
# Sets $base; the server's pid joins server_pids (stopped on exit).
start_server() {  # $1: database file, $2: log file, $3: ERP connector
  local port pid
  port=$(free_port)
  DATABASE_URL="sqlite:///$1" ERP_CONNECTOR="$3" DEBUG=false SECURE_SSL_REDIRECT=false LOG_LEVEL=WARNING \
    "$BIN/python" manage.py runserver --noreload --nothreading "127.0.0.1:$port" >"$2" 2>&1 &
  pid=$!
  server_pids+=("$pid")
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$base/api/schema/" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "The app did not come up on $base:" >&2
  cat "$2" >&2
  return 1
}

token_for() {  # $1: username
  curl -fsS -X POST "$base/api/v1/auth/token/" -H "Content-Type: application/json" \
    -d "{\"username\": \"$1\", \"password\": \"$DEMO_PASSWORD\"}" |
    "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# Agent mode: accept the demo's waiting job requests first, so that claim, succeeded and failed
# meet requests that are exporting (the ledger would have exported them at once).
accept_waiting_jobs() {  # $1: token of a user who may accept
  "$BIN/python" - "$base" "$1" <<'PY'
import json, sys, urllib.request

base, token = sys.argv[1], sys.argv[2]

def call(method, path, body=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)

for item in call("GET", "/api/v1/erp/requests/?kind=job&status=ready_to_export")["results"]:
    accepted = call("POST", f"/api/v1/erp/requests/{item['id']}/accept/", {"erp_job_id": item["payload"]["number"]})
    print(f"Accepted ERP request {accepted['id']} ({accepted['record_label']}): {accepted['status']}")
PY
}

# One server per run, started one after the other (each on its own free port and database copy),
# then every schemathesis run at once: each is a single client waiting on a single-threaded
# server, so side by side they use the cores a sequential run leaves idle.
names=()
for run in $RUNS; do
  user=${run%%@*}
  connector=ledger
  [ "$run" != "$user" ] && connector=${run#*@}
  name="$user-$connector"
  prepare_template "$connector"
  cp "$work/template-$connector.sqlite3" "$work/$name.sqlite3"
  start_server "$work/$name.sqlite3" "$work/$name-server.log" "$connector"
  token=$(token_for "$user")
  only=()
  if [ "$connector" = agent ]; then
    accept_waiting_jobs "$(token_for admin)"
    only=(--include-path-regex '^/api/v1/erp/')
  fi
  echo "Fuzzing as '$user' ($connector connector) on $base: seed $SEED, $MAX_EXAMPLES examples per operation"
  # From the temporary directory: schemathesis and hypothesis write nothing into the repository.
  # `exec`: the job's pid is timeout's, which passes a TERM from cleanup on to schemathesis.
  (
    cd "$work"
    exec timeout --signal=INT --kill-after=20 "$TIMEOUT" "$BIN/schemathesis" --no-color run "$base/api/schema/" \
      --header "Authorization: Token $token" \
      --checks "$CHECKS" \
      --max-examples "$MAX_EXAMPLES" \
      --seed "$SEED" \
      --generation-database none \
      --workers 1 \
      --request-timeout 20 \
      --output-truncate false \
      --report junit --report-dir "$work/report-$name" \
      "${only[@]}"
  ) >"$work/$name.out" 2>&1 &
  fuzz_pids+=("$!")
  names+=("$name")
done
started=$(date +%s)
rcs=()
for pid in "${fuzz_pids[@]}"; do
  rc=0
  wait "$pid" || rc=$?
  rcs+=("$rc")
done
elapsed=$(($(date +%s) - started))
fuzz_pids=()
for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
server_pids=()

status=0
summary=()
for i in "${!names[@]}"; do
  name=${names[$i]}
  rc=${rcs[$i]}
  log="$work/$name-server.log"
  echo
  echo "=== schemathesis as ${name%%-*} (${name#*-} connector) ==="
  cat "$work/$name.out"
  if grep -q "^Traceback" "$log"; then
    # The server's side of the 500s: each failing path and exception once, then the first traceback.
    echo "--- server errors logged during the $name run ---"
    grep -E "^Internal Server Error: |^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception): " "$log" | sort | uniq -c | head -40 || true
    awk '/^Internal Server Error: / {n++} n == 1' "$log" | head -80 || true
  fi
  label="${name%%-*} (${name#*-} connector)"
  # The run's own line, e.g. "2 failures, 1 warning in 57.33s".
  result=$(grep -E "^=+ .* in [0-9.]+s =+$" "$work/$name.out" | tail -1 | tr -d '=' | xargs || true)
  case $rc in
    0) summary+=("$label: passed ($result)") ;;
    124 | 137) summary+=("$label: TIMED OUT (cap ${TIMEOUT}s)"); status=1 ;;
    *) summary+=("$label: FAILED, schemathesis exit $rc ($result)"); status=1 ;;
  esac
done

echo
echo "=== API fuzz summary: ${elapsed}s for ${#names[@]} runs side by side; checks $CHECKS ==="
printf '  %s\n' "${summary[@]}"
exit $status
