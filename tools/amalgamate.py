#!/usr/bin/env python3
"""Generates the single-header distribution of jobwire.

    tools/amalgamate.py [--source-dir DIR] [--output-dir DIR]

Writes, under OUTPUT_DIR (default: <source>/single_include):

  jobwire/jobwire.hpp      the umbrella include/jobwire/jobwire.hpp with every jobwire
                           header it reaches inlined once, in dependency order (a header
                           is inlined where it is first included, after the headers it
                           includes itself); `#pragma once` dropped from the inlined
                           headers and written once at the top; system and third-party
                           (<...>) includes kept where they stand, a repeated one at file
                           level written once.
  jobwire/stores/*.hpp     the optional store adapters, still separate headers (each needs
                           its own client library), with their includes of core headers
                           pointed at ../jobwire.hpp, so that the directory single_include
                           can be used on its own: -I single_include, then
                           #include <jobwire/jobwire.hpp> and <jobwire/stores/sqlite.hpp>.

The output depends only on the headers (no date, no path of the machine), so that a test
can regenerate it and compare with the committed copy. Standard library only.
"""

import argparse
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"](.*)$')
PRAGMA_ONCE_RE = re.compile(r'^\s*#\s*pragma\s+once\b')
IF_RE = re.compile(r'^\s*#\s*if(n?def)?\b')
ENDIF_RE = re.compile(r'^\s*#\s*endif\b')
VERSION_RE = re.compile(r'^#define JOBWIRE_VERSION_STRING "([^"]+)"', re.M)


class AmalgamationError(Exception):
    pass


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_if_changed(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and read_text(path) == text:
        return
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


class Amalgamator:
    def __init__(self, core_dir):
        self.core_dir = core_dir  # include/jobwire
        self.inlined = set()  # real paths of the headers already written (or being written)
        self.system_seen = set()  # <...> includes already written at file level
        self.out = []

    def rel(self, path):
        return "jobwire/" + os.path.relpath(path, self.core_dir).replace(os.sep, "/")

    def resolve(self, including, name):
        # A quoted include is resolved next to the including file, as the compiler does,
        # then from include/ (`"jobwire/x.hpp"`); only the core (include/jobwire/*.hpp, not
        # stores/) may be inlined.
        path = os.path.realpath(os.path.join(os.path.dirname(including), name))
        if not os.path.isfile(path):
            path = os.path.realpath(os.path.join(os.path.dirname(self.core_dir), name))
        if not os.path.isfile(path):
            raise AmalgamationError(f'{self.rel(including)}: #include "{name}" names no file')
        if os.path.dirname(path) != os.path.realpath(self.core_dir):
            raise AmalgamationError(
                f'{self.rel(including)}: #include "{name}" is not a core header (include/jobwire/*.hpp); '
                "an optional store cannot be part of the single header")
        return path

    def inline(self, path, stack):
        if path in self.inlined:
            if path in stack:
                cycle = " -> ".join(self.rel(p) for p in stack + [path])
                raise AmalgamationError(f"include cycle: {cycle}")
            return
        self.inlined.add(path)
        stack = stack + [path]
        self.out.append(f"\n// ---- begin {self.rel(path)} " + "-" * max(0, 70 - len(self.rel(path))) + "\n")
        depth = 0  # preprocessor conditional nesting: includes inside #if stay where they are
        for line in read_text(path).splitlines():
            if PRAGMA_ONCE_RE.match(line):
                continue
            m = INCLUDE_RE.match(line)
            # <jobwire/x.hpp> names a core header too: inline it, or the single header
            # would still need include/.
            if m and (m.group(1) == '"' or m.group(2).startswith("jobwire/")):
                if depth != 0:
                    raise AmalgamationError(
                        f"{self.rel(path)}: a conditional #include \"{m.group(2)}\" cannot be inlined once")
                self.inline(self.resolve(path, m.group(2)), stack)
                continue
            if m and depth == 0:
                name = m.group(2)
                if name in self.system_seen:
                    continue
                self.system_seen.add(name)
            if IF_RE.match(line):
                depth += 1
            elif ENDIF_RE.match(line):
                depth -= 1
            self.out.append(line + "\n")
        if depth != 0:
            raise AmalgamationError(f"{self.rel(path)}: unbalanced #if/#endif")
        self.out.append(f"// ---- end {self.rel(path)} " + "-" * max(0, 72 - len(self.rel(path))) + "\n")


def amalgamate(source_dir):
    core_dir = os.path.join(source_dir, "include", "jobwire")
    umbrella = os.path.realpath(os.path.join(core_dir, "jobwire.hpp"))
    version = VERSION_RE.search(read_text(os.path.join(core_dir, "version.hpp")))
    if not version:
        raise AmalgamationError("jobwire/version.hpp defines no JOBWIRE_VERSION_STRING")
    a = Amalgamator(core_dir)
    a.inline(umbrella, [])
    # The umbrella is "the whole core": a core header it does not reach would be missing
    # from the single header without anyone noticing.
    core = {os.path.realpath(os.path.join(core_dir, n)) for n in os.listdir(core_dir) if n.endswith(".hpp")}
    missing = sorted(os.path.basename(p) for p in core - a.inlined)
    if missing:
        raise AmalgamationError("core headers not reached from jobwire.hpp: " + ", ".join(missing))
    banner = (
        f"// jobwire {version.group(1)} — single-header distribution of the header-only core.\n"
        "//\n"
        "// GENERATED by tools/amalgamate.py from include/jobwire/ (the umbrella jobwire.hpp and\n"
        "// every header it includes, each once). Do not edit: change the headers and run\n"
        "//   python3 tools/amalgamate.py\n"
        "// Needs C++17 and OpenSSL 3 (link libcrypto). The optional stores are separate headers\n"
        "// next to this one (jobwire/stores/*.hpp), each with its own client library.\n"
        "#pragma once\n")
    return banner + "".join(a.out), core_dir


def store_headers(core_dir):
    """The store adapters with their core includes (../x.hpp) pointed at ../jobwire.hpp."""
    stores_dir = os.path.join(core_dir, "stores")
    result = {}
    if not os.path.isdir(stores_dir):
        return result
    for name in sorted(os.listdir(stores_dir)):
        if not name.endswith(".hpp"):
            continue
        lines = []
        for line in read_text(os.path.join(stores_dir, name)).splitlines():
            m = INCLUDE_RE.match(line)
            if m and m.group(1) == '"' and m.group(2).startswith("../"):
                if not os.path.isfile(os.path.join(core_dir, m.group(2)[3:])):
                    raise AmalgamationError(f'jobwire/stores/{name}: #include "{m.group(2)}" names no file')
                line = '#include "../jobwire.hpp"' + m.group(3)
            lines.append(line + "\n")
        text = (f"// GENERATED by tools/amalgamate.py from include/jobwire/stores/{name}, for use with the\n"
                "// single header ../jobwire.hpp. Do not edit.\n") + "".join(lines)
        result[name] = text
    return result


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source-dir", default=os.path.dirname(here), help="the repository (default: this script's)")
    p.add_argument("--output-dir", help="where single_include's content goes (default: <source>/single_include)")
    args = p.parse_args(argv)
    out_dir = args.output_dir or os.path.join(args.source_dir, "single_include")
    try:
        text, core_dir = amalgamate(args.source_dir)
        stores = store_headers(core_dir)
    except (AmalgamationError, OSError) as e:
        print(f"amalgamate.py: {e}", file=sys.stderr)
        return 1
    write_if_changed(os.path.join(out_dir, "jobwire", "jobwire.hpp"), text)
    stores_out = os.path.join(out_dir, "jobwire", "stores")
    for name, store_text in stores.items():
        write_if_changed(os.path.join(stores_out, name), store_text)
    # A store removed from include/ must not linger in the output.
    if os.path.isdir(stores_out):
        for name in os.listdir(stores_out):
            if name not in stores:
                os.remove(os.path.join(stores_out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
