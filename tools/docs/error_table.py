#!/usr/bin/env python3
"""Regenerates the error-code table of docs/SECURITY.md from include/jobwire/error.hpp.

The table sits between the markers <!-- errors:begin --> and <!-- errors:end -->;
tests/cli/test_docs.sh fails when it is out of date."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
codes = re.findall(r'X\((\w+), (\d+), "([^"]*)"\)', (root / "include/jobwire/error.hpp").read_text())
blocks = {0: "general", 1: "JSON reader", 2: "signatures and delivery headers",
          3: "job payloads, lifecycle, requests", 4: "events and subscriptions", 5: "callback URLs",
          6: "deduplication and receiving", 7: "sending, retries, ledger, monitoring",
          9: "service API beyond jobs (webhook endpoints, lists, cancel)"}
rows, current = ["| id | name | message |", "|---|---|---|"], None
for name, ident, message in codes:
    block = int(ident) // 100
    if block != current:
        rows.append(f"| **{blocks.get(block, '')}** | | |")
        current = block
    rows.append(f"| {ident} | `{name}` | {message} |")
doc = root / "docs/SECURITY.md"
text = doc.read_text()
begin, end = "<!-- errors:begin -->\n", "<!-- errors:end -->\n"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
doc.write_text(head + begin + "\n".join(rows) + "\n" + end + tail)
