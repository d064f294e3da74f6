#!/usr/bin/env python3
"""Regenerates the error-code table of docs/SECURITY.md from include/jobwire/error.hpp.

The table sits between the markers <!-- errors:begin --> and <!-- errors:end -->;
tests/cli/test_docs.sh fails when it is out of date."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
header = (root / "include/jobwire/error.hpp").read_text()
codes = re.findall(r'X\((\w+), (\d+), "([^"]*)"\)', header)
# The reply class of each code (JOBWIRE_ERROR_REPLY_CLASSES): the HTTP status a receiver sends.
replies = {"ok": "200", "authentication": "401", "malformed": "400", "local": "503"}
classes = {name: replies[cls] for name, cls in re.findall(r'X\((\w+), (ok|authentication|malformed|local)\)', header)}
blocks = {0: "general", 1: "JSON reader", 2: "signatures and delivery headers",
          3: "job payloads, lifecycle, requests", 4: "events and subscriptions", 5: "callback URLs",
          6: "deduplication and receiving", 7: "sending, retries, ledger, monitoring",
          9: "service API beyond jobs (webhook endpoints, lists, cancel)"}
rows, current = ["| id | name | reply | message |", "|---|---|---|---|"], None
for name, ident, message in codes:
    block = int(ident) // 100
    if block != current:
        rows.append(f"| **{blocks.get(block, '')}** | | | |")
        current = block
    rows.append(f"| {ident} | `{name}` | {classes[name]} | {message} |")
doc = root / "docs/SECURITY.md"
text = doc.read_text()
begin, end = "<!-- errors:begin -->\n", "<!-- errors:end -->\n"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
doc.write_text(head + begin + "\n".join(rows) + "\n" + end + tail)
