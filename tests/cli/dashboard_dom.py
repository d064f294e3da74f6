#!/usr/bin/env python3
"""Reads the DOM of the dashboard page as headless Chromium rendered it (--dump-dom) and
prints what an operator sees, as JSON: the totals, every job row (its data-job-id and
data-health, and the visible text of each data-field cell), plus what must never be there
(elements injected from data, attributes set by injected scripts).

    dashboard_dom.py DUMP.html   ->   {"totals": {...}, "rows": [...], "scripts": N, ...}

Standard library only (html.parser)."""
import json
import sys
from html.parser import HTMLParser

# Header elements whose text an operator reads: the view, the document's time, its clock.
HEADER_IDS = {"view", "generated-at", "clock", "clock-legend"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # open elements: (tag, attrs)
        self.rows = []
        self.totals = {}
        self.counts = {}
        self.body_attrs = {}
        self.conn = ""
        self.header = {}  # text of the page's labelled header elements, by id
        self.header_attrs = {}
        self.title = ""
        self._row = None
        self._fields = []  # open data-field elements: (name, [text parts], depth)
        self._total = None  # (name, [text parts], depth)
        self._text_into = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "body":
            self.body_attrs = a
        if a.get("id") in HEADER_IDS:
            self.header_attrs[a["id"]] = a
        if tag == "tr" and "data-job-id" in a:
            self._row = {"id": a["data-job-id"], "health": a.get("data-health", ""), "fields": {}}
            self.rows.append(self._row)
        if self._row is not None and "data-field" in a:
            self._fields.append((a["data-field"], [], len(self.stack)))
        if "data-total" in a:
            self._total = (a["data-total"], [], len(self.stack))
        if self._row is not None and tag == "span" and "data-health" in a:
            self._row["badge_health"] = a["data-health"]
            self._row["badge_class"] = a.get("class", "")
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # Pop to the matching element (the serialisation Chromium dumps is well formed).
        while self.stack:
            t, _ = self.stack.pop()
            depth = len(self.stack)
            while self._fields and self._fields[-1][2] == depth:
                name, parts, _ = self._fields.pop()
                self._row["fields"][name] = "".join(parts)
            if self._total is not None and depth == self._total[2]:
                name, parts, _ = self._total
                self.totals[name] = "".join(parts)
                self._total = None
            if t == "tr" and self._row is not None and not any(x[0] == "tr" for x in self.stack):
                self._row = None
            if t == tag:
                break

    def handle_data(self, data):
        for _, parts, _ in self._fields:
            parts.append(data)
        if self._total is not None:
            self._total[1].append(data)
        if any(a.get("id") == "conn" for _, a in self.stack):
            self.conn += data
        for _, a in self.stack:
            if a.get("id") in HEADER_IDS:
                self.header[a["id"]] = self.header.get(a["id"], "") + data
        if self.stack and self.stack[-1][0] == "title":
            self.title += data


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    d = Dom()
    d.feed(text)
    d.close()
    out = {
        "rows": d.rows,
        "totals": d.totals,
        "scripts": d.counts.get("script", 0),
        "imgs": d.counts.get("img", 0),
        "body": d.body_attrs,
        "conn": d.conn.strip(),
        "header": {k: " ".join(v.split()) for k, v in d.header.items()},
        "header_attrs": d.header_attrs,
        "title": d.title.strip(),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
