#!/usr/bin/env python3
"""Runs tests/programs/hostile_dump with a few seeds and checks that its Zipkin JSON is
valid (check_zipkin.py's rules) and that every string it was given reads back exactly,
up to the documented replacement of invalid UTF-8 by U+FFFD.

    check_hostile_json.py PROGRAM
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_zipkin  # noqa: E402


def decoded(hex_text):
    return "" if hex_text == "-" else bytes.fromhex(hex_text).decode("utf-8", errors="replace")


def check_seed(program, seed):
    output = subprocess.run([program, str(seed)], stdout=subprocess.PIPE, check=True).stdout
    text = output.decode("utf-8", errors="strict")  # the output itself must be valid UTF-8
    problems = check_zipkin.check_text(text, {"one_trace": False, "min_spans": 200, "services": {"hostile"}})
    lines = text.split("\n")
    spans = json.loads(lines[0])
    expectations = [line.split()[1:] for line in lines[1:] if line.startswith("expect")]
    if len(spans) != len(expectations):
        return problems + [f"seed {seed}: {len(spans)} spans for {len(expectations)} inputs"]
    for index, (span, (name, key, value, event)) in enumerate(zip(spans, expectations)):
        where = f"seed {seed} span {index}"
        if span.get("name", "") != decoded(name):
            problems.append(f"{where}: name {span.get('name')!r} != {decoded(name)!r}")
        if span.get("tags", {}).get(decoded(key)) != decoded(value):
            problems.append(f"{where}: tag {decoded(key)!r} is {span.get('tags')!r}, expected {decoded(value)!r}")
        if span["annotations"][0]["value"] != decoded(event):
            problems.append(f"{where}: event {span['annotations'][0]['value']!r} != {decoded(event)!r}")
    return problems


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems = []
    for seed in range(1, 11):
        problems += check_seed(argv[0], seed)
    for problem in problems[:50]:
        print(problem)
    print("hostile JSON: " + ("valid, every string round-trips" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
