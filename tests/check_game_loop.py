#!/usr/bin/env python3
"""Runs examples/game_loop.cpp and checks its flight dump:

    check_game_loop.py [--level N] PROGRAM     N: the MICROTRACE_DETAIL_LEVEL it was built with

The program simulates its time, so everything checked here is deterministic: exactly one
flight dump (tick 90 overruns, no other tick does), valid Zipkin v2 JSON (check_zipkin.py's
rules), one service; the overrunning tick is in it, marked as an error, longer than the
budget, with its systems as children (physics the longest) when N >= 1 and one span per
entity under physics when N >= 2; the ticks before it are there too, none over budget; the
player commands are sampled (about 4 a tick, each its own trace) with the probability the
adaptive sampler must have reached. Exit 0 when all holds.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_zipkin  # noqa: E402

SLOW_TICK = 90
BUDGET_US = 16667
SYSTEMS = {"input", "physics", "ai", "network"}
ENTITIES = 12
PLAYERS = 40
TARGET_PER_TICK = 4


def check(text, level):
    documents = [line for line in text.split("\n") if line.startswith("[")]
    if len(documents) != 1:
        return [f"expected one flight dump, found {len(documents)}"]
    problems = check_zipkin.check_text(documents[0], {
        "one_trace": False, "min_spans": 1, "services": {"game"}, "empty": False})
    spans = json.loads(documents[0])
    children = {}
    for span in spans:
        children.setdefault(span.get("parentId"), []).append(span)

    ticks = {int(s["tags"]["tick"]): s for s in spans if s["name"] == "tick"}
    if any("parentId" in s for s in ticks.values()):
        problems.append("a tick span is not a root")
    slow = ticks.get(SLOW_TICK)
    if slow is None:
        return problems + [f"tick {SLOW_TICK} is not in the flight dump"]
    if max(ticks) != SLOW_TICK:
        problems.append(f"the dump holds tick {max(ticks)}, after the overrun")
    earlier = sorted(t for t in ticks if t != SLOW_TICK)
    if len(earlier) < 3 or earlier != list(range(earlier[0], SLOW_TICK)):
        problems.append(f"the ticks before the overrun are not all there: {earlier}")
    for number in earlier:
        tags = ticks[number]["tags"]
        if "otel.status_code" in tags or ticks[number]["duration"] > BUDGET_US:
            problems.append(f"tick {number} is marked or long, but did not overrun")
    tags = slow.get("tags", {})
    if tags.get("otel.status_code") != "ERROR" or tags.get("error") != "tick over budget":
        problems.append(f"the slow tick is not marked as an error: {tags}")
    if slow["duration"] <= BUDGET_US or int(tags.get("tick.overrun_us", 0)) != slow["duration"] - BUDGET_US:
        problems.append(f"the slow tick lasted {slow['duration']} us, overrun {tags.get('tick.overrun_us')}")
    probability = float(tags.get("command.sample_probability", "nan"))
    if not 0.5 * TARGET_PER_TICK / PLAYERS <= probability <= 2 * TARGET_PER_TICK / PLAYERS:
        problems.append(f"command sampling probability {probability}, expected about {TARGET_PER_TICK / PLAYERS}")

    systems = {s["name"]: s for s in children.get(slow["id"], [])}
    if level >= 1:
        if set(systems) != SYSTEMS:
            problems.append(f"the slow tick's children are {sorted(systems)}, expected {sorted(SYSTEMS)}")
        elif max(systems.values(), key=lambda s: s["duration"])["name"] != "physics":
            problems.append("physics is not the slowest system of the slow tick")
    elif systems:
        problems.append(f"detail level 0 kept system spans: {sorted(systems)}")
    entities = children.get(systems["physics"]["id"], []) if "physics" in systems else []
    expected_entities = ENTITIES if level >= 2 else 0
    if len(entities) != expected_entities or any(s["name"] != "integrate" for s in entities):
        problems.append(f"{len(entities)} entity spans under physics, expected {expected_entities}")
    if level < 2 and any(s["name"] == "integrate" for s in spans):
        problems.append("entity spans present below detail level 2")

    commands = [s for s in spans if s["name"] == "command"]
    if not commands or any("parentId" in s or s.get("kind") != "SERVER" for s in commands):
        problems.append("the sampled commands are missing or not root SERVER spans")
    if len(commands) > 4 * TARGET_PER_TICK * len(ticks):
        problems.append(f"{len(commands)} command traces for {len(ticks)} ticks: the sampler did not hold")
    return problems


def main(argv):
    level = 2
    if len(argv) == 3 and argv[0] == "--level":
        level = int(argv[1])
        argv = argv[2:]
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    run = subprocess.run([argv[0]], capture_output=True, timeout=60, check=False)
    if run.returncode != 0:
        problems = [f"exited {run.returncode}: {run.stderr.decode(errors='replace')}"]
    else:
        try:
            problems = check(run.stdout.decode("utf-8"), level)
        except (ValueError, KeyError) as error:
            problems = [f"{type(error).__name__}: {error}"]
    for problem in problems:
        print(problem)
    if not problems:
        print(f"game loop: one flight dump, valid, detail level {level} as built")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
