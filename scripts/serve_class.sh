#!/usr/bin/env bash
# Serve a class: K `streamlit run app.py` workers on loopback ports behind HAProxy with cookie stickiness.
#   bash scripts/serve_class.sh --workers 2 [--port 8080] [--bind 0.0.0.0] [--first-worker-port 8601]
# Students open http://<this machine>:<port>. One worker is one Python process, i.e. about one core:
# use K = number of cores. Ctrl-C stops everything. Installs Debian's haproxy if it is missing.
# PYTHON picks the interpreter (default: python3); extra `--section.option value` arguments after `--`
# go to every worker, e.g. `-- --server.disconnectedSessionTTL 60`.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=2
PORT=8080
BIND=0.0.0.0
FIRST=8601
PY="${PYTHON:-python3}"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) WORKERS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --bind) BIND="$2"; shift 2 ;;
    --first-worker-port) FIRST="$2"; shift 2 ;;
    --run-dir) RUN="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "serve_class.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$WORKERS" in ''|*[!0-9]*|0) echo "serve_class.sh: --workers must be a whole number ≥ 1, got '$WORKERS'" >&2; exit 2 ;; esac

if ! command -v haproxy >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing haproxy (Debian package)…"
  $SUDO apt-get install -y -q haproxy >/dev/null || { $SUDO apt-get update -q && $SUDO apt-get install -y -q haproxy; }
fi

RUN="${RUN:-$(mktemp -d /tmp/serve_class.XXXXXX)}"
mkdir -p "$RUN"
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped (logs in $RUN)."
}
trap cleanup INT TERM EXIT

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"  # one OpenMP thread per worker, as scripts/run_app.sh
export GAN_PLAYGROUND_WORKERS="$WORKERS"  # a loaded class is told of more workers only while K < cores (ui/class_load.py)
if [ "$WORKERS" -ge 2 ]; then  # workers share the cores: each plans its ticks to 0.75 of a core (ui/tick_budget.py)
  export GAN_PLAYGROUND_CPU_TARGET="${GAN_PLAYGROUND_CPU_TARGET:-0.75}"
fi
SERVERS=""
: > "$RUN/worker_pids"
for i in $(seq 1 "$WORKERS"); do
  port=$((FIRST + i - 1))
  "$PY" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 --server.headless true \
    --browser.gatherUsageStats false --server.fileWatcherType none "${EXTRA[@]}" > "$RUN/worker$i.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" >> "$RUN/worker_pids"
  SERVERS+="    server w$i 127.0.0.1:$port check inter 2s cookie w$i"$'\n'
done

for i in $(seq 1 "$WORKERS"); do
  port=$((FIRST + i - 1))
  for _ in $(seq 1 180); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
      break
    fi
    kill -0 "${PIDS[$((i - 1))]}" 2>/dev/null || { echo "worker $i died, see $RUN/worker$i.log" >&2; exit 1; }
    sleep 0.5
  done
done

printf '%s' "$SERVERS" > "$RUN/servers.cfg"
awk -v bind="$BIND" -v port="$PORT" -v servers="$RUN/servers.cfg" \
  '{ gsub("@BIND@", bind); gsub("@PORT@", port) }
   $0 == "@SERVERS@" { while ((getline line < servers) > 0) print line; next }
   { print }' deploy/haproxy.cfg.in > "$RUN/haproxy.cfg"
haproxy -c -q -f "$RUN/haproxy.cfg"
haproxy -db -f "$RUN/haproxy.cfg" > "$RUN/haproxy.log" 2>&1 &
PIDS+=("$!")
echo "$!" > "$RUN/haproxy_pid"
echo "Serving the class at http://$BIND:$PORT with $WORKERS worker(s) (ports $FIRST…$((FIRST + WORKERS - 1))); Ctrl-C stops."
wait -n "${PIDS[@]}" || true
echo "A process exited; stopping the others." >&2
