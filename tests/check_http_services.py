#!/usr/bin/env python3
"""Runs examples/http_services.cpp in each propagation mode and checks the joined trace:

    check_http_services.py PROGRAM

For every variant (W3C, B3 single, B3 multi between the services; no upstream context,
an upstream W3C traceparent, an upstream B3 header) the dump must be valid Zipkin v2 JSON
(check_zipkin.py's rules) holding exactly four spans of one trace:

    front  SERVER GET /checkout    root, or the child of the upstream span
    front  CLIENT GET /inventory   child of front's server span, remote endpoint back
    back   SERVER GET /inventory   child of front's client span (the injected context)
    back          reserve stock    child of back's server span

and each server span says which format its context arrived in (tag propagation.in).
Exit 0 when every variant passed.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_zipkin  # noqa: E402

UPSTREAM_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
UPSTREAM_SPAN = "00f067aa0ba902b7"

# name, program arguments, format front receives, format back receives, upstream span
VARIANTS = [
    ("w3c", [], "none", "w3c", None),
    ("b3 single", ["--propagation", "b3"], "none", "b3_single", None),
    ("b3 multi", ["--propagation", "b3multi"], "none", "b3_multi", None),
    ("upstream traceparent", ["--header", f"traceparent:00-{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-01"],
     "w3c", "w3c", UPSTREAM_SPAN),
    ("upstream b3", ["--propagation", "b3", "--header", f"b3:{UPSTREAM_TRACE}-{UPSTREAM_SPAN}-1"],
     "b3_single", "b3_single", UPSTREAM_SPAN),
]


def check_variant(program, args, front_format, back_format, upstream):
    run = subprocess.run([program, *args], capture_output=True, timeout=60, check=False)
    if run.returncode != 0:
        return [f"exited {run.returncode}: {run.stderr.decode(errors='replace')}"]
    text = run.stdout.decode("utf-8")
    problems = check_zipkin.check_text(text, {
        "one_trace": upstream is None, "min_spans": 4, "services": {"front", "back"}, "empty": False})
    spans = json.loads(text.strip())
    if len(spans) != 4:
        return problems + [f"{len(spans)} spans, expected 4"]

    def find(service, kind, name):
        found = [s for s in spans if s["localEndpoint"]["serviceName"] == service
                 and s.get("kind") == kind and s.get("name") == name]
        if len(found) != 1:
            problems.append(f"expected one {service} {kind or 'internal'} span {name!r}, found {len(found)}")
            return {}
        return found[0]

    front_server = find("front", "SERVER", "GET /checkout")
    front_client = find("front", "CLIENT", "GET /inventory")
    back_server = find("back", "SERVER", "GET /inventory")
    reserve = find("back", None, "reserve stock")
    if problems:
        return problems
    if len({s["traceId"] for s in spans}) != 1:
        problems.append("the services' spans do not share one trace id")
    if upstream is not None:
        if front_server["traceId"] != UPSTREAM_TRACE:
            problems.append(f"front did not continue the upstream trace: {front_server['traceId']}")
        if front_server.get("parentId") != upstream:
            problems.append(f"front's server span has parent {front_server.get('parentId')}, expected {upstream}")
    elif "parentId" in front_server:
        problems.append("front's server span should be the root")
    for child, parent, what in ((front_client, front_server, "front's client span"),
                                (back_server, front_client, "back's server span"),
                                (reserve, back_server, "reserve stock")):
        if child.get("parentId") != parent["id"]:
            problems.append(f"{what}: parent {child.get('parentId')}, expected {parent['id']}")
    for span, expected in ((front_server, front_format), (back_server, back_format)):
        got = span.get("tags", {}).get("propagation.in")
        if got != expected:
            problems.append(f"{span['localEndpoint']['serviceName']} received {got}, expected {expected}")
    remote = front_client.get("remoteEndpoint", {})
    if remote.get("serviceName") != "back" or remote.get("ipv4") != "127.0.0.1":
        problems.append(f"front's client span remote endpoint {remote}")
    return problems


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    failures = 0
    for name, args, front_format, back_format, upstream in VARIANTS:
        try:
            problems = check_variant(argv[0], args, front_format, back_format, upstream)
        except (ValueError, KeyError, subprocess.TimeoutExpired) as error:
            problems = [f"{type(error).__name__}: {error}"]
        print(("ok   " if not problems else "FAIL ") + name)
        for problem in problems:
            print(f"     {problem}")
        failures += bool(problems)
    print(f"http services: {len(VARIANTS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
