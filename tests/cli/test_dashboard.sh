#!/usr/bin/env bash
# The operations dashboard in a real browser (PROTOCOL.md §14, docs/DASHBOARD.md).
#
# Headless Chromium (Debian's `chromium`, installed through tools/deps.sh browser when
# missing) loads the page, lets its polling run (--virtual-time-budget) and dumps the DOM;
# dashboard_dom.py reads back what an operator sees. Two parts:
#  1. the sample document (jobwire-dashboard-sample: one job per health class and one whose
#     error message and response body are markup), served by a throw-away static server:
#     every class, count and status is shown, and hostile text renders as text;
#  2. the demo (`jobwire demo --keep-open`): the receiver's and the gateway's /dashboard
#     during the real scenario show the failing generation and the failing delivery with
#     their classes, counts and last HTTP status. A screenshot goes to
#     $JOBWIRE_BUILD_DIR/dashboard.png (and to docs/dashboard.png with
#     JOBWIRE_UPDATE_SCREENSHOT=1).
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
BIN="$JOBWIRE_BUILD_DIR/bin"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$TMPD"
}
trap cleanup EXIT

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (tools/deps.sh browser)"
  "$JOBWIRE_SOURCE_DIR/tools/deps.sh" browser || { echo "FAIL: chromium is not installed and could not be" >&2; exit 1; }
fi

# render URL OUT [chromium flags...]: the DOM after the page's script ran, into OUT.
render() {
  local url=$1 out=$2
  shift 2
  local profile
  profile="$(mktemp -d "$TMPD/profile.XXXXXX")"  # a new, empty profile every time
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --virtual-time-budget=5000 "$@" "$url" >"$out" 2>>"$TMPD/chromium.log"
}

# check DESCRIPTION PYTHON_EXPRESSION: evaluated with d (dashboard_dom.py's view of the
# DOM), rows (by job id), doc (the JSON document, when one was saved) in scope.
check() {
  checks=$((checks + 1))
  if ! python3 - "$TMPD/dom.json" "$TMPD/doc.json" "$2" <<'EOF'; then
import json, os, re, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
rows = {r["id"]: r for r in d["rows"]}
doc = json.load(open(sys.argv[2], encoding="utf-8")) if os.path.exists(sys.argv[2]) else None
def f(job, field):
    return rows[job]["fields"].get(field)
def job_where(pred):
    return [j for j in doc["jobs"] if pred(j)]
try:
    ok = eval(sys.argv[3])
except Exception as e:
    print("  error:", repr(e), file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
EOF
    echo "FAIL: $1" >&2
    failures=$((failures + 1))
  fi
}

dom() { # read the dump into $TMPD/dom.json
  python3 "$HERE/dashboard_dom.py" "$1" >"$TMPD/dom.json" || { echo "FAIL: cannot read the DOM dump $1" >&2; exit 1; }
}

# --- 1. the sample document, served statically ---------------------------------------------
site="$TMPD/site"
mkdir -p "$site"
"$BIN/jobwire-dashboard-sample" "$site" || { echo "FAIL: jobwire-dashboard-sample" >&2; exit 1; }
cp "$site/dashboard.json" "$TMPD/doc.json"
python3 -u - "$site" >"$TMPD/static.port" 2>"$TMPD/static.log" <<'EOF' &
import http.server, os, socketserver, sys
os.chdir(sys.argv[1])
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
with socketserver.TCPServer(("127.0.0.1", 0), Quiet) as s:
    print(s.server_address[1], flush=True)
    s.serve_forever()
EOF
pids+=($!)
for _ in $(seq 50); do [[ -s "$TMPD/static.port" ]] && break; sleep 0.1; done
port="$(head -1 "$TMPD/static.port")"
render "http://127.0.0.1:$port/dashboard.html" "$TMPD/sample.html" --dump-dom
dom "$TMPD/sample.html"

check "the sample page polled and rendered its document" 'd["conn"] == "live" and d["body"].get("data-rendered") == doc["generated_at"]'
check "one row per job, in document order" '[r["id"] for r in d["rows"]] == [j["id"] for j in doc["jobs"]]'
check "every row carries the health class of its job, on the row and on the badge" \
  'all(rows[j["id"]]["health"] == j["health"] == rows[j["id"]]["badge_health"] and ("health-" + j["health"]) in rows[j["id"]]["badge_class"] for j in doc["jobs"])'
check "the four classes are all present and distinct" \
  'sorted(set(r["health"] for r in d["rows"])) == ["delivery_exhausted", "delivery_failing", "generation_failed", "healthy"]'
check "health is spelled out, not only coloured" \
  'f("job_generation_failed", "health").endswith("Generation failed") and f("job_delivery_exhausted", "health").endswith("Delivery exhausted") and f("job_delivery_failing", "health").endswith("Delivery failing") and f("job_ok", "health").endswith("Healthy")'
check "counts and last HTTP status of every job match the document" \
  'all(f(j["id"], k) == str(j["deliveries"][k]) for j in doc["jobs"] for k in ("delivered", "retried", "rejected", "attempted")) and all(f(j["id"], "last_response_status") == (str(j["last_response_status"]) if j["last_response_status"] is not None else "—") for j in doc["jobs"])'
check "the generation failure shows its status and the job error" \
  'f("job_generation_failed", "status") == "failed" and f("job_generation_failed", "job_error") == "the provider rejected the request"'
check "the exhausted delivery: 4 attempts, 3 retries, 4 rejected, last HTTP 500, no next retry" \
  'f("job_delivery_exhausted", "attempted") == "4" and f("job_delivery_exhausted", "retried") == "3" and f("job_delivery_exhausted", "rejected") == "4" and f("job_delivery_exhausted", "last_response_status") == "500" and "next_retry_at" not in rows["job_delivery_exhausted"]["fields"]'
check "the failing delivery shows its failure time, message and next retry" \
  'f("job_delivery_failing", "last_response_status") == "503" and f("job_delivery_failing", "last_error_message") == "HTTP 503" and f("job_delivery_failing", "last_failure_at") == job_where(lambda j: j["id"] == "job_delivery_failing")[0]["last_failure_at"] and f("job_delivery_failing", "next_retry_at") == job_where(lambda j: j["id"] == "job_delivery_failing")[0]["next_retry_at"]'
check "totals at the top match the document" \
  'd["totals"]["jobs"] == str(doc["totals"]["jobs"]) and all(d["totals"]["health." + k] == str(v) for k, v in doc["totals"]["health"].items() if k != "unclassified") and all(d["totals"][k] == str(doc["totals"][k]) for k in ("attempted", "delivered", "retried", "rejected", "pending_retries", "unattributed_rejections"))'
# <script> in an error message, markup in a response body and in a job id: shown as text.
check "the sample has a job whose error message contains <script>" \
  'len(job_where(lambda j: "<script>" in (j["last_error_message"] or ""))) == 1'
check "a <script> error message renders as exactly its text" \
  'all(f(j["id"], "last_error_message") == j["last_error_message"] for j in job_where(lambda j: "<script>" in (j["last_error_message"] or "")))'
check "a markup response preview and a markup job id render as text" \
  'all(f(j["id"], "last_failure_preview") == j["last_failure_preview"] and f(j["id"], "id") == j["id"] for j in job_where(lambda j: "<" in j["id"]))'
check "each job shows the host's label above its id, as text (markup included)" \
  'all(f(j["id"], "label") == j["label"] and f(j["id"], "id") == j["id"] for j in doc["jobs"] if j["label"] is not None)'
check "a job without a label shows its id alone" \
  'all("label" not in rows[j["id"]]["fields"] for j in doc["jobs"] if j["label"] is None) and any(j["label"] is None for j in doc["jobs"])'
check "the header names the view and the wall clock; the title names the view" \
  'd["header"]["view"] == "gateway (sender)" and d["header"]["clock"] == "wall clock" and d["header_attrs"]["clock"]["data-clock"] == "wall" and d["title"].endswith("gateway (sender) view")'
check "times on the wall clock read as such: the failure 30 s before the document, nothing simulated" \
  'f("job_delivery_failing", "last_failure_at_relative") == "30 s ago" and "simulated" not in json.dumps(d)'
check "no element came from data: one script (the page's own), no img, nothing ran" \
  'd["scripts"] == 1 and d["imgs"] == 0 and "data-pwned" not in d["body"]'

# Laid out in a narrow window (720 px: the table is squeezed), no timestamp breaks across
# lines and no job name breaks inside a word. A same-origin page frames the dashboard and,
# once it has rendered, counts the line boxes of each <time> and job label
# (getClientRects: one rectangle per line) into an attribute of its own body.
cat >"$site/layout.html" <<'HTML'
<!DOCTYPE html>
<html><body>
<iframe id="f" src="dashboard.html" style="width:720px;height:1600px;border:0"></iframe>
<script>
function measure() {
  var d = document.getElementById("f").contentDocument;
  if (!d || !d.body || !d.body.getAttribute("data-rendered")) { setTimeout(measure, 100); return; }
  var lines = { times: [], labels: [] };
  d.querySelectorAll("#job-rows time").forEach(function (t) { lines.times.push(t.getClientRects().length); });
  d.querySelectorAll("#job-rows .job-label").forEach(function (l) {
    lines.labels.push([l.textContent, l.getClientRects().length, l.getBoundingClientRect().height]);
  });
  document.body.setAttribute("data-lines", JSON.stringify(lines));
}
measure();
</script>
</body></html>
HTML
render "http://127.0.0.1:$port/layout.html" "$TMPD/layout.html" --dump-dom
dom "$TMPD/layout.html"
check "narrow window: every timestamp of the table stays on one line" \
  'len(json.loads(d["body"]["data-lines"])["times"]) >= 4 and all(n == 1 for n in json.loads(d["body"]["data-lines"])["times"])'
check "narrow window: a job name of one long word does not break inside it (one line, about 20 px high)" \
  'any(t == "weekly_recap_for_subscribers" and 0 < h < 30 for t, _, h in json.loads(d["body"]["data-lines"])["labels"])'

# Without a document the page says so, in words, and renders nothing it could not read.
mkdir -p "$site/empty"
cp "$site/dashboard.html" "$site/empty/dashboard.html"
render "http://127.0.0.1:$port/empty/dashboard.html" "$TMPD/empty.html" --dump-dom
dom "$TMPD/empty.html"
check "a page that cannot fetch its document shows why" 'd["conn"] == "cannot refresh: HTTP 404" and d["rows"] == [] and "data-rendered" not in d["body"]'

# --- 2. the demo ------------------------------------------------------------------------------
demo_dashboard_part() {
  local out="$TMPD/demo.out"
  "$JW" demo --keep-open >"$out" 2>"$TMPD/demo.err" &
  local demo_pid=$!
  pids+=("$demo_pid")
  # The demo prints the dashboards' URLs at start and a line once the scenario is over.
  local receiver_url="" gateway_url="" finished=""
  for _ in $(seq 900); do
    receiver_url="$(sed -n 's/^dashboard (receiver): \(http[^ ]*\).*/\1/p' "$out" | head -1)"
    gateway_url="$(sed -n 's/^dashboard (gateway): \(http[^ ]*\).*/\1/p' "$out" | head -1)"
    finished="$(grep -m1 -E '^[0-9]+ of [0-9]+ expectations held' "$out")"
    [[ -n "$finished" ]] && grep -q '^dashboards stay up' "$out" && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.1
  done
  checks=$((checks + 1))
  if [[ -z "$receiver_url" || -z "$gateway_url" || -z "$finished" ]]; then
    echo "FAIL: the demo did not print its dashboards and finish; output:" >&2
    sed 's/^/  demo: /' "$out" "$TMPD/demo.err" >&2
    failures=$((failures + 1))
    return
  fi
  local held total
  read -r held _ total _ <<<"$finished"
  if [[ "$held" != "$total" ]]; then
    echo "FAIL: the demo's expectations did not all hold: $finished" >&2
    failures=$((failures + 1))
  fi

  # The demo's summary table names the scenario of each job id.
  local genfail_id down_id
  genfail_id="$(awk '$2 == "fail_generation" {print $1}' "$out" | head -1)"
  down_id="$(awk '$2 == "endpoint_down" {print $1}' "$out" | head -1)"
  export genfail_id down_id

  for view in receiver gateway; do
    local url=$receiver_url
    [[ $view == gateway ]] && url=$gateway_url
    rm -f "$TMPD/doc.json"
    curl -fsS "${url}.json" -o "$TMPD/doc.json" 2>/dev/null ||
      python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1]).read())' \
        "${url}.json" "$TMPD/doc.json"
    render "$url" "$TMPD/demo-$view.html" --dump-dom
    dom "$TMPD/demo-$view.html"
    local G="rows[\"$genfail_id\"]" D="rows[\"$down_id\"]"
    check "$view dashboard: live, one row per job of the demo" 'd["conn"] == "live" and len(d["rows"]) == len(doc["jobs"]) >= 8'
    check "$view dashboard: the failing generation is classified generation_failed, shown as such" \
      "$G[\"health\"] == \"generation_failed\" and $G[\"fields\"][\"health\"].endswith(\"Generation failed\") and $G[\"fields\"][\"status\"] == \"failed\""
    check "$view dashboard: the failing delivery is classified delivery_exhausted, shown as such" \
      "$D[\"health\"] == \"delivery_exhausted\" and $D[\"fields\"][\"health\"].endswith(\"Delivery exhausted\")"
    check "$view dashboard: the failing delivery's last HTTP status is 503, with its failure message" \
      "$D[\"fields\"][\"last_response_status\"] == \"503\" and \"503\" in $D[\"fields\"][\"last_error_message\"]"
    check "$view dashboard: the failing delivery was refused 4 times, retried 3 times" \
      "int($D[\"fields\"][\"rejected\"]) >= 4 and $D[\"fields\"][\"retried\"] == \"3\""
    check "$view dashboard: the failing generation's deliveries all arrived" \
      "$G[\"fields\"][\"rejected\"] == \"0\" and $G[\"fields\"][\"delivered\"] == $G[\"fields\"][\"attempted\"] != \"0\""
    check "$view dashboard: counts and last HTTP status shown are the document's" \
      'all(f(j["id"], k) == str(j["deliveries"][k]) for j in doc["jobs"] for k in ("delivered", "retried", "rejected", "attempted"))'
    check "$view dashboard: every job is shown under its scenario's name" \
      "$G[\"fields\"][\"label\"] == \"fail_generation\" and $D[\"fields\"][\"label\"] == \"endpoint_down\" and all(f(j[\"id\"], \"label\") == j[\"label\"] != None for j in doc[\"jobs\"])"
    if [[ $view == gateway ]]; then
      check "gateway dashboard: the header says the clock is simulated, at the demo's scale" \
        'd["header"]["view"] == "gateway (sender)" and d["header"]["clock"].startswith("simulated clock, ×600 real time; real time ") and d["header_attrs"]["clock"]["data-clock"] == "simulated" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(simulated\)", d["header"]["generated-at"])'
      check "gateway dashboard: every relative time is marked simulated and gives its real-time equivalent" \
        "all(\" simulated (\" in v and v.endswith(\" real)\") for r in d[\"rows\"] for k, v in r[\"fields\"].items() if k.endswith(\"_relative\")) and $D[\"fields\"][\"last_failure_at_relative\"].endswith(\" real)\")"
      check "gateway dashboard: the legend explains the simulated clock" \
        '"simulated clock" in d["header"]["clock-legend"] and "600 times faster" in d["header"]["clock-legend"]'
    else
      check "receiver dashboard: the header names the receiver's view on the wall clock" \
        'd["header"]["view"] == "receiver" and d["header"]["clock"] == "wall clock" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["header"]["generated-at"]) and "simulated" not in json.dumps(d)'
    fi
  done
  render "$receiver_url" /dev/null --hide-scrollbars --window-size=1440,1000 --screenshot="$TMPD/dashboard.png"
  if [[ -s "$TMPD/dashboard.png" ]]; then
    cp "$TMPD/dashboard.png" "$JOBWIRE_BUILD_DIR/dashboard.png"
    [[ "${JOBWIRE_UPDATE_SCREENSHOT:-}" == 1 ]] && cp "$TMPD/dashboard.png" "$JOBWIRE_SOURCE_DIR/docs/dashboard.png"
  else
    echo "FAIL: no screenshot" >&2
    failures=$((failures + 1))
  fi
  checks=$((checks + 1))
  # Ctrl-C ends --keep-open: the demo stops its processes and exits.
  kill -INT "$demo_pid"
  local rc=0
  wait "$demo_pid" || rc=$?
  checks=$((checks + 1))
  if [[ $rc -ne 0 && $rc -ne 130 ]]; then
    echo "FAIL: the demo exited $rc after Ctrl-C" >&2
    failures=$((failures + 1))
  fi
}

if [[ -x "$BIN/jobwire-receiver" && -x "$BIN/jobwire-gateway" && -x "$BIN/jobwire-poller" ]]; then
  demo_dashboard_part
else
  echo "note: the example programs are not built; the demo part was not run"
fi
finish
