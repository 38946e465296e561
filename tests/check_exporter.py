#!/usr/bin/env python3
"""Tests microtrace's Zipkin HTTP exporter (include/microtrace/export/zipkin_http.hpp)
against small receivers on 127.0.0.1, one per scenario:

    check_exporter.py CLIENT     CLIENT: tests/programs/zipkin_http_client.cpp, built

Each receiver checks the request line, the headers and that the body is valid Zipkin v2
JSON (check_zipkin.py's rules) holding exactly the spans the client recorded; the client
prints what the exporter returned, which is held against what the receiver saw. Covers
success, retry after a 503, a failed batch kept and sent again, a 400 refusal, a closed
port, a peer that never answers and one that answers too slowly. Only 127.0.0.1, every
wait bounded; the whole run takes about two seconds. Exit 0 when every scenario passed.
"""
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_zipkin  # noqa: E402

LOOPBACK = "127.0.0.1"
CLIENT_TIMEOUT = 60  # seconds; the slowest scenario needs about one


class Receiver(http.server.ThreadingHTTPServer):
    """An HTTP receiver answering each request with the next status of `statuses` (the
    last one repeats), and keeping every request it saw."""

    daemon_threads = True

    def __init__(self, statuses):
        super().__init__((LOOPBACK, 0), Handler)
        self.statuses = list(statuses)
        self.requests = []
        self.lock = threading.Lock()

    def next_status(self):
        with self.lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", "-1"))
        body = self.rfile.read(length) if length >= 0 else b""
        with self.server.lock:
            self.server.requests.append((self.requestline, dict(self.headers.items()), body, length))
        status = self.server.next_status()
        reply = b"" if status < 300 else b'{"error":"test receiver says no"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class RawPeer:
    """A TCP peer that accepts and reads, and then says nothing (`dribble`: a status line
    started and continued one byte every 50 ms, never finished). Stops by itself."""

    def __init__(self, dribble):
        self.listener = socket.socket()
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(8)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.dribble = dribble
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        connections = []
        deadline = time.monotonic() + 20
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                connection, _ = self.listener.accept()
                connection.settimeout(0.02)
                connections.append(connection)
                self.accepted += 1
                if self.dribble:
                    connection.sendall(b"HTTP/1.1 2")
            except socket.timeout:
                pass
            for connection in connections:
                try:
                    connection.recv(65536)
                except (socket.timeout, OSError):
                    pass
                if self.dribble:
                    try:
                        connection.sendall(b"0")
                    except OSError:
                        pass
        # Count the connections still waiting in the backlog too: the client may have
        # given up on them before this loop came round to accept them.
        self.listener.setblocking(False)
        while True:
            try:
                connections.append(self.listener.accept()[0])
                self.accepted += 1
            except OSError:
                break
        for connection in connections:
            connection.close()
        self.listener.close()

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)


def closed_port():
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def run_client(client, scenario, port):
    started = time.monotonic()
    result = subprocess.run([client, scenario, str(port)], capture_output=True, text=True,
                            timeout=CLIENT_TIMEOUT, check=False)
    steps = []
    for line in result.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "recorded":
            steps.append(("recorded", json.loads(rest)))
        else:
            steps.append((word, dict(item.split("=", 1) for item in rest.split())))
    return result, steps, time.monotonic() - started


def span_ids(spans):
    return sorted(span["id"] for span in spans)


def check_request(request, port, problems):
    """The request line, the headers and the body of one export."""
    line, headers, body, length = request
    headers = {name.lower(): value for name, value in headers.items()}
    if line != "POST /api/v2/spans HTTP/1.1":
        problems.append(f"request line {line!r}")
    expected = {"content-type": "application/json", "b3": "0", "host": f"{LOOPBACK}:{port}",
                "connection": "close"}
    for name, value in expected.items():
        if headers.get(name) != value:
            problems.append(f"header {name}: {headers.get(name)!r}, expected {value!r}")
    if not headers.get("user-agent", "").startswith("microtrace/"):
        problems.append(f"header user-agent: {headers.get('user-agent')!r}")
    if "transfer-encoding" in headers:
        problems.append("unexpected Transfer-Encoding")
    if length != len(body):
        problems.append(f"Content-Length {length} but {len(body)} body bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"body is not UTF-8: {error}")
        return []
    if "\n" in text:
        problems.append("body spans several lines")
    problems.extend(f"body: {p}" for p in check_zipkin.check_text(
        text, {"one_trace": False, "min_spans": 1, "services": {"front", "back"}, "empty": False}))
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return []


def expect(step, fields, problems, **wanted):
    for key, value in wanted.items():
        if fields.get(key) != str(value):
            problems.append(f"{step}: {key}={fields.get(key)}, expected {value}")


def scenario_ok(client):
    """A collector that accepts: one request, the recorded spans exactly."""
    receiver = serve([202])
    try:
        result, steps, _ = run_client(client, "ok", receiver.server_port)
    finally:
        receiver.shutdown()
        receiver.server_close()
    problems = exit_problems(result)
    (_, recorded), (_, first), (_, second), *_ = steps
    expect("export", first, problems, status="ok", http=202, attempts=1, spans=3, pending=0)
    expect("second export", second, problems, status="ok", attempts=0, spans=0)
    if len(receiver.requests) != 1:
        return problems + [f"{len(receiver.requests)} requests, expected 1"]
    sent = check_request(receiver.requests[0], receiver.server_port, problems)
    if span_ids(sent) != span_ids(recorded):
        problems.append("the body does not hold exactly the recorded spans")
    if sent and sorted(json.dumps(s, sort_keys=True) for s in sent) != sorted(
            json.dumps(s, sort_keys=True) for s in recorded):
        problems.append("the body's spans differ from the recorder's own dump")
    return problems


def scenario_raw(client):
    """post_zipkin_json: a dump kept as text goes out byte for byte."""
    receiver = serve([200])
    try:
        result, steps, _ = run_client(client, "raw", receiver.server_port)
    finally:
        receiver.shutdown()
        receiver.server_close()
    problems = exit_problems(result)
    (_, recorded), (_, post) = steps
    expect("post", post, problems, status="ok", http=200, attempts=1)
    if len(receiver.requests) != 1:
        return problems + [f"{len(receiver.requests)} requests, expected 1"]
    sent = check_request(receiver.requests[0], receiver.server_port, problems)
    if sent != recorded:
        problems.append("the body is not the dump")
    return problems


def scenario_retry(client):
    """A 503 is passing: the second attempt succeeds with the same body."""
    receiver = serve([503, 202])
    try:
        result, steps, _ = run_client(client, "retry", receiver.server_port)
    finally:
        receiver.shutdown()
        receiver.server_close()
    problems = exit_problems(result)
    expect("export", steps[1][1], problems, status="ok", http=202, attempts=2, spans=3, pending=0)
    bodies = [request[2] for request in receiver.requests]
    if len(bodies) != 2 or bodies[0] != bodies[1]:
        problems.append(f"expected the same body twice, got {len(bodies)} requests")
    for request in receiver.requests:
        check_request(request, receiver.server_port, problems)
    return problems


def scenario_keep(client):
    """Every attempt fails: the batch stays pending and goes first in the next export,
    then the spans recorded since go in a batch of their own."""
    receiver = serve([500, 500, 202])
    try:
        result, steps, _ = run_client(client, "keep", receiver.server_port)
    finally:
        receiver.shutdown()
        receiver.server_close()
    problems = exit_problems(result)
    (_, first_spans), (_, failed), (_, second_spans), (_, again), (_, idle), (_, stats) = steps
    expect("failed export", failed, problems, status="http_error", http=500, attempts=2, spans=0, pending=3)
    expect("next export", again, problems, status="ok", http=202, spans=6, pending=0)
    expect("idle export", idle, problems, status="ok", attempts=0, spans=0)
    expect("stats", stats, problems, requests=4, batches_ok=2, batches_failed=1, exported=6, rejected=0,
           lost=0, pending=0, dumped=6)
    if len(receiver.requests) != 4:
        return problems + [f"{len(receiver.requests)} requests, expected 4"]
    sent = [check_request(request, receiver.server_port, problems) for request in receiver.requests]
    if not (span_ids(sent[0]) == span_ids(sent[1]) == span_ids(sent[2]) == span_ids(first_spans)):
        problems.append("the failed batch was not sent again as it was")
    if span_ids(sent[3]) != span_ids(second_spans):
        problems.append("the spans recorded after the failure were not sent")
    return problems


def scenario_rejected(client):
    """A 400 is final: one attempt, and the batch is discarded, counted as rejected."""
    receiver = serve([400])
    try:
        result, steps, _ = run_client(client, "rejected", receiver.server_port)
    finally:
        receiver.shutdown()
        receiver.server_close()
    problems = exit_problems(result)
    expect("export", steps[1][1], problems, status="http_error", http=400, attempts=1, spans=0, pending=0)
    expect("stats", steps[-1][1], problems, requests=1, exported=0, rejected=3, pending=0, dumped=3)
    if len(receiver.requests) != 1:
        problems.append(f"{len(receiver.requests)} requests, expected 1 (a 400 is not retried)")
    return problems


def scenario_refused(client):
    """Nothing listens: connection_refused after every attempt, the spans kept."""
    result, steps, _ = run_client(client, "refused", closed_port())
    problems = exit_problems(result)
    expect("export", steps[1][1], problems, status="connection_refused", http=0, attempts=3, spans=0, pending=3)
    expect("stats", steps[-1][1], problems, requests=6, batches_failed=2, exported=0, pending=3, dumped=3)
    return problems


def scenario_slow(client, dribble):
    """The peer accepts but never completes a status line: each attempt ends at the
    request deadline (200 ms) and the export reports a timeout, the spans kept."""
    peer = RawPeer(dribble)
    try:
        result, steps, _ = run_client(client, "dribble" if dribble else "slow", peer.port)
    finally:
        peer.close()
    problems = exit_problems(result)
    expect("export", steps[1][1], problems, status="timeout", http=0, attempts=2, spans=0, pending=3)
    expect("stats", steps[-1][1], problems, requests=4, batches_failed=2, pending=3, dumped=3)
    if peer.accepted != 4:
        problems.append(f"the peer saw {peer.accepted} connections, expected 4")
    return problems


def serve(statuses):
    receiver = Receiver(statuses)
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return receiver


def exit_problems(result):
    if result.returncode != 0:
        return [f"client exited {result.returncode}: {result.stdout}{result.stderr}"]
    return []


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    client = argv[0]
    scenarios = [
        ("ok", scenario_ok),
        ("raw", scenario_raw),
        ("retry", scenario_retry),
        ("keep", scenario_keep),
        ("rejected", scenario_rejected),
        ("refused", scenario_refused),
        ("slow", lambda c: scenario_slow(c, dribble=False)),
        ("dribble", lambda c: scenario_slow(c, dribble=True)),
    ]
    failures = 0
    for name, scenario in scenarios:
        try:
            problems = scenario(client)
        except (ValueError, IndexError, subprocess.TimeoutExpired) as error:
            problems = [f"{type(error).__name__}: {error}"]
        print(("ok   " if not problems else "FAIL ") + name)
        for problem in problems:
            print(f"     {problem}")
        failures += bool(problems)
    print(f"exporter: {len(scenarios) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
