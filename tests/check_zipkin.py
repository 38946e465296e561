#!/usr/bin/env python3
"""Validates Zipkin v2 JSON field by field against zipkin2-api.yaml and OpenTelemetry's
Zipkin mapping, as microtrace promises to write it.

    check_zipkin.py FILE|-                    check every JSON array line in the text
    check_zipkin.py --run PROGRAM [ARGS...]   run PROGRAM and check its standard output

Options (before FILE/--run): --empty (the output must hold no span at all: a build with
tracing compiled out), --one-trace (all spans share one trace id, every parentId
names a span in the dump, exactly one root), --min-spans N, --services a,b (exactly
these local service names appear). Exit 0 when valid; otherwise one line per problem.
"""
import ipaddress
import json
import re
import subprocess
import sys

HEX16 = re.compile(r"^[0-9a-f]{16}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")
KINDS = {"CLIENT", "SERVER", "PRODUCER", "CONSUMER"}
SPAN_KEYS = {"traceId", "id", "parentId", "name", "kind", "timestamp", "duration", "localEndpoint",
             "remoteEndpoint", "annotations", "tags", "debug", "shared"}
ENDPOINT_KEYS = {"serviceName", "ipv4", "ipv6", "port"}


def is_uint(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_endpoint(where, endpoint, problems):
    if not isinstance(endpoint, dict) or not endpoint:
        problems.append(f"{where}: must be a non-empty object")
        return
    for key in endpoint.keys() - ENDPOINT_KEYS:
        problems.append(f"{where}: unknown field {key!r}")
    if "serviceName" in endpoint and (not isinstance(endpoint["serviceName"], str) or not endpoint["serviceName"]):
        problems.append(f"{where}.serviceName: must be a non-empty string")
    for key, kind in (("ipv4", ipaddress.IPv4Address), ("ipv6", ipaddress.IPv6Address)):
        if key in endpoint:
            try:
                address = kind(endpoint[key])
                if key == "ipv6" and endpoint[key] != address.compressed and not endpoint[key].startswith("::ffff:"):
                    problems.append(f"{where}.ipv6: {endpoint[key]!r} is not in canonical form")
            except (ValueError, TypeError):
                problems.append(f"{where}.{key}: {endpoint[key]!r} is not an address")
    if "port" in endpoint and not (is_uint(endpoint["port"]) and 1 <= endpoint["port"] <= 65535):
        problems.append(f"{where}.port: {endpoint['port']!r} must be 1-65535 (0 is omitted)")


def check_span(where, span, problems):
    if not isinstance(span, dict):
        problems.append(f"{where}: a span must be an object")
        return
    for key in span.keys() - SPAN_KEYS:
        problems.append(f"{where}: unknown field {key!r}")
    trace_id = span.get("traceId")
    if not isinstance(trace_id, str) or not (HEX16.match(trace_id) or HEX32.match(trace_id)) or set(trace_id) == {"0"}:
        problems.append(f"{where}.traceId: {trace_id!r} must be 16 or 32 lowercase hex, not all zero")
    for key in ("id", "parentId"):
        if key == "id" or key in span:
            value = span.get(key)
            if not isinstance(value, str) or not HEX16.match(value) or set(value) == {"0"}:
                problems.append(f"{where}.{key}: {value!r} must be 16 lowercase hex, not all zero")
    if "parentId" in span and span.get("parentId") == span.get("id"):
        problems.append(f"{where}: parentId equals id")
    if "name" in span and (not isinstance(span["name"], str) or not span["name"]):
        problems.append(f"{where}.name: must be a non-empty string when present")
    if "kind" in span and span["kind"] not in KINDS:
        problems.append(f"{where}.kind: {span['kind']!r} must be one of {sorted(KINDS)} (internal is omitted)")
    if not is_uint(span.get("timestamp")) or span.get("timestamp") == 0:
        problems.append(f"{where}.timestamp: {span.get('timestamp')!r} must be epoch microseconds")
    if not is_uint(span.get("duration")) or span.get("duration", 0) < 1:
        problems.append(f"{where}.duration: {span.get('duration')!r} must be an integer >= 1")
    local = span.get("localEndpoint")
    check_endpoint(f"{where}.localEndpoint", local, problems)
    if isinstance(local, dict) and "serviceName" not in local:
        problems.append(f"{where}.localEndpoint.serviceName: missing")
    if "remoteEndpoint" in span:
        check_endpoint(f"{where}.remoteEndpoint", span["remoteEndpoint"], problems)
    if "annotations" in span:
        annotations = span["annotations"]
        if not isinstance(annotations, list) or not annotations:
            problems.append(f"{where}.annotations: must be a non-empty list when present")
        else:
            for i, annotation in enumerate(annotations):
                if not isinstance(annotation, dict) or set(annotation) != {"timestamp", "value"} or \
                        not is_uint(annotation["timestamp"]) or not isinstance(annotation["value"], str):
                    problems.append(f"{where}.annotations[{i}]: must be {{timestamp, value}}")
    if "tags" in span:
        tags = span["tags"]
        if not isinstance(tags, dict) or not tags:
            problems.append(f"{where}.tags: must be a non-empty object when present")
        else:
            for key, value in tags.items():
                if not isinstance(value, str):
                    problems.append(f"{where}.tags[{key!r}]: {value!r} must be a string")
            if "otel.status_code" in tags and tags["otel.status_code"] not in ("OK", "ERROR"):
                problems.append(f"{where}.tags: otel.status_code must be OK or ERROR")
            if ("error" in tags) != (tags.get("otel.status_code") == "ERROR"):
                problems.append(f"{where}.tags: error goes with otel.status_code ERROR, and only then")
    for flag in ("debug", "shared"):
        if flag in span and span[flag] is not True:
            problems.append(f"{where}.{flag}: written only when true")


def check_trace_shape(spans, options, problems):
    if len(spans) < options["min_spans"]:
        problems.append(f"expected at least {options['min_spans']} spans, found {len(spans)}")
    if options["services"] is not None:
        found = {span.get("localEndpoint", {}).get("serviceName") for span in spans}
        if found != options["services"]:
            problems.append(f"expected services {sorted(options['services'])}, found {sorted(map(str, found))}")
    if options["one_trace"]:
        trace_ids = {span.get("traceId") for span in spans}
        if len(trace_ids) != 1:
            problems.append(f"expected one trace, found {len(trace_ids)}")
        ids = {span.get("id") for span in spans}
        if len(ids) != len(spans):
            problems.append("span ids repeat")
        roots = [span for span in spans if "parentId" not in span]
        if len(roots) != 1:
            problems.append(f"expected exactly one root span, found {len(roots)}")
        for span in spans:
            if "parentId" in span and span["parentId"] not in ids:
                problems.append(f"span {span.get('name')!r}: parentId {span['parentId']} is not in the dump")


def check_text(text, options):
    problems = []
    documents = [line for line in text.split("\n") if line.startswith("[")]  # JSON may hold U+2028
    if not documents:
        return ["no JSON array found in the output"]
    spans = []
    for number, line in enumerate(documents):
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"document {number}: invalid JSON: {error}")
            continue
        if not isinstance(document, list):
            problems.append(f"document {number}: must be a JSON array of spans")
            continue
        for index, span in enumerate(document):
            check_span(f"document {number} span {index}", span, problems)
        spans.extend(document)
    check_trace_shape(spans, options, problems)
    return problems


def main(argv):
    options = {"one_trace": False, "min_spans": 0, "services": None, "empty": False}
    args = list(argv)
    while args and args[0].startswith("--") and args[0] != "--run":
        flag = args.pop(0)
        if flag == "--empty":
            options["empty"] = True
        elif flag == "--one-trace":
            options["one_trace"] = True
        elif flag == "--min-spans":
            options["min_spans"] = int(args.pop(0))
        elif flag == "--services":
            options["services"] = set(args.pop(0).split(","))
        else:
            print(f"unknown option {flag}", file=sys.stderr)
            return 2
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    if args[0] == "--run":
        result = subprocess.run(args[1:], stdout=subprocess.PIPE, check=False)
        if result.returncode != 0:
            print(f"{args[1]} exited with {result.returncode}")
            return 1
        text = result.stdout.decode("utf-8", errors="strict")
    elif args[0] == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="strict")
    else:
        with open(args[0], "rb") as file:
            text = file.read().decode("utf-8", errors="strict")
    if options["empty"]:
        problems = [] if not text.strip() else [f"expected no output, got {text[:200]!r}"]
    else:
        problems = check_text(text, options)
    for problem in problems:
        print(problem)
    if not problems:
        print("zipkin: no spans, as expected" if options["empty"] else "zipkin: valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
