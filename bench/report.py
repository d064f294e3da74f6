#!/usr/bin/env python3
"""Turns one jobwire_bench JSON run into the ratio table of docs/PERFORMANCE.md.

    bench/report.py RUN.json [--doc docs/PERFORMANCE.md]

Reads medians (CPU time) of repeated runs, computes each comparison against its baseline
from the same run, marks the targets each module set, and rewrites the section
between <!-- summary:begin --> and <!-- summary:end --> of the document, with the machine
the run came from. bench/run.sh builds the binary and calls this."""
import argparse
import json
import pathlib
import platform
import re
import sys


def load(path):
    data = json.loads(pathlib.Path(path).read_text())
    rows = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        # A benchmark that skipped itself (e.g. a simdjson kernel this CPU lacks) has no
        # time: it is reported as not measured rather than divided by.
        if b.get("error_occurred") or b.get("skipped") or not b.get("cpu_time"):
            continue
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "iteration" and name in rows and rows[name].get("_median"):
            continue
        entry = {"cpu": b["cpu_time"], "real": b["real_time"], "unit": b.get("time_unit", "ns"),
                 "allocs": b.get("allocs_per_op"), "bytes_per_second": b.get("bytes_per_second"),
                 "_median": b.get("aggregate_name") == "median"}
        if entry["_median"] or name not in rows:
            rows[name] = entry
    context = dict(data.get("context", {}))
    context["repetitions"] = max((b.get("repetitions", 0) for b in data["benchmarks"]), default=0) or "its"
    return context, rows


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


SCALE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# (row label, subject, baseline, how the ratio reads, target check or None, target text).
# "slowdown" = subject time / baseline time (lower is better); "speedup" = the inverse
# reading, baseline first. Targets are the ones each module set for itself (see the module
# sections below); a row with no check is recorded only.
COMPARISONS = []
for n in (64, 1024, 16384, 1048576):
    # The fixed costs (header matching, decoding, timestamp, plumbing) weigh most at 64 B;
    # from 1 KiB on the MAC dominates and the bound is tighter.
    bound = 1.15 if n == 64 else 1.05
    COMPARISONS.append((f"verify {n} B: jobwire / floor", f"verify/jobwire/{n}", f"verify/floor/{n}",
                        "slowdown", (lambda r, b=bound: r <= b), f"≤ {bound:.2f}×"))
    COMPARISONS.append((f"verify {n} B: naive / jobwire", f"verify/naive/{n}", f"verify/jobwire/{n}",
                        "speedup", (lambda r: r >= 4.0) if n == 64 else None, "≥ 4× at 64 B" if n == 64 else ""))
for n in (64, 1024):
    # Standard Webhooks (PROTOCOL.md §17): v1 against the same HMAC floor as the hex rows, and
    # against the hex path itself (the base64 step should cost no more than the hex one);
    # v1a against raw EVP_DigestVerify.
    COMPARISONS.append((f"verify_v1 {n} B: jobwire / floor", f"verify_v1/jobwire/{n}", f"verify_v1/floor/{n}",
                        "slowdown", None, "recorded"))
    # Like for like: verify/jobwire detects its profile, so the v1 row it is compared with
    # does too (verify_v1/jobwire_auto).
    COMPARISONS.append((f"verify_v1 {n} B: jobwire v1 / jobwire hex (both auto)", f"verify_v1/jobwire_auto/{n}",
                        f"verify/jobwire/{n}", "slowdown", None, "recorded"))
    COMPARISONS.append((f"verify_v1a {n} B: jobwire / openssl", f"verify_v1a/jobwire/{n}", f"verify_v1a/openssl/{n}",
                        "slowdown", None, "recorded"))
    # The MAC alone: prepared SHA-256 states copied per message against EVP_MAC re-initialised.
    COMPARISONS.append((f"hmac {n} B: jobwire / evp", f"hmac/jobwire/{n}", f"hmac/evp/{n}", "slowdown", None,
                        "recorded"))
for case in ("completed_3k", "progress_1k"):
    COMPARISONS += [
        (f"envelope {case}: rapidjson / jobwire", f"envelope/rapidjson/{case}", f"envelope/jobwire/{case}",
         "speedup", lambda r: r >= 2.0, "≥ 2×"),
        (f"envelope {case}: nlohmann / jobwire", f"envelope/nlohmann/{case}", f"envelope/jobwire/{case}",
         "speedup", lambda r: r >= 8.0, "≥ 8×"),
        # simdjson on-demand reads the fields it is asked for and checks little else;
        # jobwire validates the whole document (grammar, UTF-8, duplicate names, limits).
        (f"envelope {case}: jobwire / simdjson", f"envelope/jobwire/{case}", f"envelope/simdjson/{case}",
         "slowdown", lambda r: r <= 1.5, "≤ 1.5× while validating the whole document"),
        # The same against simdjson's SSE4.2 kernel (the row above runs the widest kernel the
        # CPU has, named in the machine line): how much of the ratio is vector width.
        (f"envelope {case}: jobwire / simdjson, westmere kernel (SSE4.2)", f"envelope/jobwire/{case}",
         f"envelope/simdjson_westmere/{case}", "slowdown", None, "recorded"),
    ]
COMPARISONS += [
    ("json validate 8k: rapidjson / jobwire", "json/rapidjson/validate_8k", "json/jobwire/validate_8k",
     "speedup", None, "recorded"),
    ("json validate 8k: nlohmann / jobwire", "json/nlohmann/validate_8k", "json/jobwire/validate_8k",
     "speedup", None, "recorded"),
    ("json validate 8k: jobwire / simdjson", "json/jobwire/validate_8k", "json/simdjson/validate_8k",
     "slowdown", None, "recorded"),
    ("url corpus1000: boost_url / jobwire", "url/boost_url/corpus1000", "url/jobwire/corpus1000",
     "speedup", lambda r: r > 1.0, "> 1× (faster than Boost.URL)"),
    ("dedup claim+commit: memory / unordered_map", "dedup/memory/claim_commit", "dedup/unordered_map/claim_commit",
     "slowdown", lambda r: r <= 1.0, "≤ 1× (the baseline's throughput at least)"),
    ("receiver 2k: jobwire / parts", "receiver/jobwire/2k", "receiver/parts/2k", "slowdown",
     lambda r: r <= 1.10, "≤ 1.10× the sum of its parts"),
    ("sender 1k: naive / jobwire build", "sender/naive/build_1k", "sender/jobwire/build_1k", "speedup",
     lambda r: r >= 1.0, "≥ 1× (no slower than naive, while validating)"),
    ("sender 1k: naive build / jobwire retry", "sender/naive/build_1k", "sender/jobwire/retry_1k", "speedup",
     None, "recorded"),
]
# How cost grows with size (issue: a flat line is the goal). Envelope: ns per byte of body
# at about 1 KiB, 16 KiB and 1 MiB; dedup: ns per claim+commit with 10^3..10^6 live keys.
GROWTH_ENVELOPE = [("1 KiB", "progress_1k"), ("16 KiB", "grown_16k"), ("1 MiB", "grown_1m")]
GROWTH_DEDUP = [1000, 10000, 100000, 1000000]

# (row label, benchmark, target check on operations per second of wall time, target text)
THROUGHPUT = [
    ("dedup sqlite claim+commit (durable, synchronous=FULL)", "dedup/sqlite/claim_commit",
     lambda ops: ops >= 100.0, "≥ 100 per second"),
]
ZERO_ALLOC = ["verify/jobwire/64", "verify/jobwire/1024", "verify_v1/jobwire/64", "verify_v1/jobwire/1024",
              "hmac/jobwire/64", "hmac/jobwire/1024",
              "envelope/jobwire/completed_3k",
              "envelope/jobwire/progress_1k", "envelope/jobwire/grown_16k", "envelope/jobwire/grown_1m",
              "json/jobwire/validate_8k", "url/jobwire/corpus1000",
              "receiver/jobwire/2k", "sender/jobwire/retry_1k"]


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--doc", default=str(pathlib.Path(__file__).resolve().parents[1] / "docs/PERFORMANCE.md"))
    ap.add_argument("--compiler", default="unknown compiler", help="compiler of the run, as its --version prints")
    ap.add_argument("--openssl", default="", help="OpenSSL version of the run")
    args = ap.parse_args()
    context, rows = load(args.run)

    def ns(name):
        r = rows[name]
        return r["cpu"] * SCALE.get(r["unit"], 1.0)

    def real_ns(name):
        r = rows[name]
        return r["real"] * SCALE.get(r["unit"], 1.0)

    out = ["| comparison | subject | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    missing = []
    for label, subject, baseline, kind, check, target in COMPARISONS:
        if subject not in rows or baseline not in rows:
            missing.append(label)
            continue
        ratio = ns(subject) / ns(baseline)
        met = "—" if check is None else ("met" if check(ratio) else "**not met**")
        out.append(f"| {label} | {fmt_time(ns(subject))} | {fmt_time(ns(baseline))} | {ratio:.2f}× | {target} | {met} |")
    out += ["", "| throughput | benchmark | per second (wall) | target | met |", "|---|---|---|---|---|"]
    for label, name, check, target in THROUGHPUT:
        if name not in rows:
            missing.append(label)
            continue
        ops = 1e9 / real_ns(name)
        out.append(f"| {label} | `{name}` | {ops:,.0f} | {target} | {'met' if check(ops) else '**not met**'} |")
    def ns_per_byte(name):
        r = rows.get(name)
        if not r or not r.get("bytes_per_second"):
            return None
        seconds = ns(name) / 1e9
        return ns(name) / (r["bytes_per_second"] * seconds)

    out += ["", "| envelope, ns per byte | " + " | ".join(size for size, _ in GROWTH_ENVELOPE) + " | 1 MiB / 1 KiB |",
            "|---|" + "---|" * (len(GROWTH_ENVELOPE) + 1)]
    for impl in ("jobwire", "simdjson"):
        per = [ns_per_byte(f"envelope/{impl}/{case}") for _, case in GROWTH_ENVELOPE]
        if any(x is None for x in per):
            missing.append(f"envelope growth ({impl})")
            continue
        out.append(f"| {impl} | " + " | ".join(f"{x:.2f}" for x in per) + f" | {per[-1] / per[0]:.2f}× |")
    out += ["", "| dedup claim+commit with N live keys | " + " | ".join(f"10^{len(str(n)) - 1}" for n in GROWTH_DEDUP) +
            " | 10^6 / 10^3 |", "|---|" + "---|" * (len(GROWTH_DEDUP) + 1)]
    for impl, suffix in (("memory", ""), ("sqlite (synchronous=NORMAL, wall time)", "/iterations:20000")):
        key = "memory" if impl == "memory" else "sqlite"
        names = [f"dedup/{key}/claim_commit_live/{n}{suffix}" for n in GROWTH_DEDUP]
        if any(n not in rows for n in names):
            missing.append(f"dedup growth ({key})")
            continue
        per = [ns(n) if key == "memory" else real_ns(n) for n in names]
        out.append(f"| {impl} | " + " | ".join(fmt_time(x) for x in per) + f" | {per[-1] / per[0]:.2f}× |")
    out += ["", "| zero heap allocations per operation (jobwire code) | allocs_per_op | met |", "|---|---|---|"]
    for name in ZERO_ALLOC:
        if name not in rows or rows[name]["allocs"] is None:
            missing.append(name)
            continue
        a = rows[name]["allocs"]
        # Google Benchmark's own bookkeeping allocates a handful of times per run, which
        # amortises to a few hundredths per operation at most; one allocation per operation
        # reads as 1.0.
        out.append(f"| {name} | {a:.3f} | {'met' if a < 0.05 else '**not met**'} |")
    machine = (f"{cpu_model()}, {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
               f"{platform.system()} {platform.release()}; jobwire_bench built Release with "
               f"{args.compiler}"
               f"{', ' + args.openssl if args.openssl else ''}"
               f"{', simdjson kernel ' + context['simdjson_kernel'] if context.get('simdjson_kernel') else ''}"
               f"; run {context.get('date', '?')}")
    caches = ", ".join(f"L{c['level']} {c['type']} {c['size'] // 1024} KiB" for c in context.get("caches", []))
    summary = ["", f"Machine: {machine}; caches: {caches or 'unknown'}; load average "
               f"{', '.join(f'{x:.1f}' for x in context.get('load_avg', [])) or 'unknown'}.",
               f"Every figure below comes from that one run of `jobwire_bench`: medians of CPU time over "
               f"{context['repetitions']} randomly interleaved repetitions, each ratio against a baseline measured in the same run "
               "(throughput rows use wall time, since a durable store waits on the disk). "
               "Regenerate with `bench/run.sh` on a quiet machine.", ""]
    summary += out
    if missing:
        summary += ["", "Not measured in this run: " + ", ".join(missing) + "."]
    summary.append("")
    doc = pathlib.Path(args.doc)
    text = doc.read_text()
    begin, end = "<!-- summary:begin -->\n", "<!-- summary:end -->\n"
    if begin not in text:
        title, _, rest = text.partition("\n")
        text = f"{title}\n\n{begin}{end}{rest}"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(head + begin + "\n".join(summary) + "\n" + end + tail)
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
