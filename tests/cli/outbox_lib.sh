# Helpers for the outbox tests (sourced after lib.sh): a scripted loopback receiver
# (outbox_receiver.py) and checks over its request log.

OUTBOX_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
outbox_pids=()
# Only the test's own shell cleans up: a background child signalled between its fork and
# its exec is still bash, with this trap, and must not remove the directory.
outbox_cleanup() {
  [[ $BASHPID == "$$" ]] || return
  for p in "${outbox_pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMPD"
}
trap outbox_cleanup EXIT

# Skips (77) when this jobwire was built without the outbox (no cpp-httplib or SQLite3).
outbox_require() {
  local out
  out="$("$JW" outbox --db "sqlite:$TMPD/probe.sqlite" status 2>&1)"
  if [[ $out == *"built without"* ]]; then
    echo "skipped: this jobwire has no outbox ($out)"
    exit 77
  fi
  command -v python3 >/dev/null || { echo "skipped: python3 is needed for the receiver"; exit 77; }
}

# start_receiver NAME PROFILE SECRET SCRIPT_JSON [DELAY_MS]: sets RECEIVER_PORT.
start_receiver() {
  local name=$1 profile=$2 secret=$3 script=$4 delay=${5:-0}
  rm -f "$TMPD/$name.port"
  python3 "$OUTBOX_HERE/outbox_receiver.py" --secret "$secret" --profile "$profile" --script "$script" \
    --log "$TMPD/$name.log" --port-file "$TMPD/$name.port" --delay-ms "$delay" &
  outbox_pids+=($!)
  local i
  for i in $(seq 1 100); do
    [[ -s "$TMPD/$name.port" ]] && break
    sleep 0.05
  done
  RECEIVER_PORT=$(cat "$TMPD/$name.port" 2>/dev/null)
  [[ -n $RECEIVER_PORT ]] || { echo "FAIL: receiver $name did not start" >&2; exit 1; }
  : >>"$TMPD/$name.log"
}

# check_eq WHAT GOT WANT
check_eq() {
  checks=$((checks + 1))
  if [[ $2 != "$3" ]]; then
    echo "FAIL: $1: got '$2', want '$3'" >&2
    failures=$((failures + 1))
  fi
}

# check_true WHAT COMMAND...: the command succeeds.
check_true() {
  local what=$1
  shift
  checks=$((checks + 1))
  if ! "$@"; then
    echo "FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}

# requests LOG PATH: how many requests arrived for PATH.
requests() { python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"] == sys.argv[2]))' "$1" "$2"; }
