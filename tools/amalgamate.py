#!/usr/bin/env python3
"""Generate the single-header edition of microtrace from the modular headers.

    python3 tools/amalgamate.py            # regenerate single_include/microtrace/microtrace.hpp
    python3 tools/amalgamate.py --check    # exit 1 if the committed file is out of date

Every project include (`#include "..."`, resolved against the including file, then against
include/) is inlined recursively, each part once, in first-use order; a marker comment
`// #include "microtrace/x.hpp" (inlined)` stays where it came from. Inner `#pragma once`
lines are dropped; system includes (`#include <...>`) are kept exactly as written. The output
is deterministic: no dates, no absolute paths.

Other entry headers can be generated with --input/--output; --keep leaves the named parts as
plain includes (an add-on header that sits beside the single header must include it, not
carry a second copy of the core).

Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE_ROOT = ROOT / "include"
DEFAULT_INPUT = INCLUDE_ROOT / "microtrace" / "microtrace.hpp"
DEFAULT_OUTPUT = ROOT / "single_include" / "microtrace" / "microtrace.hpp"

QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
PRAGMA_ONCE = re.compile(r"^\s*#\s*pragma\s+once\b")
CONDITIONAL_OPEN = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
CONDITIONAL_CLOSE = re.compile(r"^\s*#\s*endif\b")
VERSION_PART = re.compile(r"^\s*#\s*define\s+MICROTRACE_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)", re.M)


class AmalgamationError(Exception):
    pass


def display(path):
    """Returns `path` relative to the repository when it is inside it (stable across clones)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def canonical_name(path):
    """Returns the name a user would include `path` by, e.g. `microtrace/ids.hpp`."""
    try:
        return path.relative_to(INCLUDE_ROOT).as_posix()
    except ValueError:
        return display(path)


class Amalgamator:
    def __init__(self, keep):
        self.keep = {k.replace(os.sep, "/") for k in keep}
        self.inlined = {}  # resolved path -> True when first inlined inside an #if block
        self.stack = []    # files being inlined, to report include cycles
        self.version = {}

    def resolve(self, includer, spelled):
        for base in (includer.parent, INCLUDE_ROOT):
            candidate = (base / spelled).resolve()
            if candidate.is_file():
                return candidate
        raise AmalgamationError(
            f'{display(includer)}: #include "{spelled}" names no file next to it nor under include/')

    def run(self, entry):
        out = []
        self.inline(entry.resolve(), out, depth=0, conditional=False)
        return out

    def inline(self, path, out, depth, conditional):
        if path in self.stack:
            chain = " -> ".join(canonical_name(p) for p in self.stack + [path])
            raise AmalgamationError(f"include cycle: {chain}")
        self.stack.append(path)
        text = path.read_text(encoding="utf-8")
        for number, value in VERSION_PART.findall(text):
            self.version.setdefault(number, value)
        open_blocks = 0
        for line in text.splitlines():
            if CONDITIONAL_OPEN.match(line):
                open_blocks += 1
            elif CONDITIONAL_CLOSE.match(line):
                open_blocks -= 1
            if depth > 0 and PRAGMA_ONCE.match(line):
                continue
            match = QUOTED_INCLUDE.match(line)
            if not match:
                out.append(line.rstrip())
                continue
            target = self.resolve(path, match.group(1))
            name = canonical_name(target)
            if name in self.keep:
                out.append(line.rstrip())
                continue
            inside_if = conditional or open_blocks > 0
            if target in self.inlined:
                # Inlining happens once, so a part first met inside an #if would be missing
                # wherever that #if is false; make the author hoist it instead of guessing.
                if self.inlined[target] and not inside_if:
                    raise AmalgamationError(
                        f'{display(path)}: "{name}" was first included inside an #if block and '
                        f"is included again here; include it unconditionally first")
                out.append(f'// #include "{name}" (already inlined above)')
                continue
            self.inlined[target] = inside_if
            out.append(f'// #include "{name}" (inlined)')
            self.inline(target, out, depth + 1, inside_if)
            out.append(f'// end of "{name}"')
        if open_blocks != 0:
            raise AmalgamationError(f"{display(path)}: unbalanced #if/#endif")
        self.stack.pop()


def banner(entry, version):
    numbers = [version.get(k) for k in ("MAJOR", "MINOR", "PATCH")]
    edition = f"microtrace v{'.'.join(numbers)}" if all(numbers) else "microtrace"
    command = "python3 tools/amalgamate.py"
    if entry.resolve() != DEFAULT_INPUT.resolve():
        command += f" --input {display(entry)} --output <this file>"
    return [
        f"// {edition} — single-header edition.",
        "//",
        f"// GENERATED FILE — DO NOT EDIT. Generated from {display(entry)} and the parts it",
        "// includes; edit those instead, then regenerate with:",
        f"//     {command}",
        "// A test (`python3 tools/amalgamate.py --check`) fails while this file is out of date.",
        "",
    ]


def generate(entry, keep):
    amalgamator = Amalgamator(keep)
    body = amalgamator.run(entry)
    lines = banner(entry, amalgamator.version) + body
    # Collapse runs of blank lines left where #pragma once lines were dropped.
    result = []
    for line in lines:
        if line == "" and result and result[-1] == "":
            continue
        result.append(line)
    while result and result[-1] == "":
        result.pop()
    return "\n".join(result) + "\n"


def check(output, expected):
    if not output.is_file():
        print(f"error: {display(output)} does not exist; generate it with "
              "`python3 tools/amalgamate.py` and commit it.", file=sys.stderr)
        return 1
    actual = output.read_text(encoding="utf-8")
    if actual == expected:
        print(f"{display(output)} is up to date.")
        return 0
    diff = list(difflib.unified_diff(actual.splitlines(), expected.splitlines(),
                                     fromfile=f"{display(output)} (committed)",
                                     tofile=f"{display(output)} (generated)", lineterm="", n=1))
    added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    print(f"error: {display(output)} is out of date with include/ "
          f"({added} line(s) to add, {removed} to remove).", file=sys.stderr)
    print("Regenerate it with `python3 tools/amalgamate.py` and commit the result.", file=sys.stderr)
    shown = 40
    for line in diff[:shown]:
        print(line, file=sys.stderr)
    if len(diff) > shown:
        print(f"... ({len(diff) - shown} more diff lines)", file=sys.stderr)
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT,
                        help="entry header (default: include/microtrace/microtrace.hpp)")
    parser.add_argument("--output", type=Path, default=None,
                        help="generated file (default: single_include/microtrace/microtrace.hpp)")
    parser.add_argument("--keep", action="append", default=[], metavar="PART",
                        help="leave includes of this part (e.g. microtrace/microtrace.hpp) "
                             "as they are instead of inlining it; repeatable")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the output differs from what would be generated")
    args = parser.parse_args(argv)

    entry = args.input if args.input.is_absolute() else Path.cwd() / args.input
    if args.output is None:
        if entry.resolve() != DEFAULT_INPUT.resolve():
            parser.error("--output is required with --input")
        output = DEFAULT_OUTPUT
    else:
        output = args.output if args.output.is_absolute() else Path.cwd() / args.output
    if not entry.is_file():
        parser.error(f"no such input: {entry}")

    try:
        expected = generate(entry, args.keep)
    except AmalgamationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    if args.check:
        return check(output, expected)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.is_file() and output.read_text(encoding="utf-8") == expected:
        print(f"{display(output)} is already up to date.")
        return 0
    with open(output, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(expected)
    print(f"wrote {display(output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
