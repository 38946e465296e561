#!/usr/bin/env python3
"""Builds microtrace's libFuzzer targets (tests/fuzz/fuzz_*.cpp) and runs them.

    tests/fuzz/run.py --smoke                 every target for 15 s from its seeds (tools/test.sh)
    tests/fuzz/run.py --seconds 3600          a long run: one hour per target
    tests/fuzz/run.py --seconds 600 baggage   one target (names as in tests/fuzz/corpus/)
    tests/fuzz/run.py --replay                run the committed corpora once, no fuzzing
    tests/fuzz/run.py --list                  the target names

Each target is built with clang++ -fsanitize=fuzzer,address,undefined into
build/fuzz/<target> and runs with two corpus directories: build/fuzz/corpus/<target>/ (kept
between runs, where libFuzzer adds what it finds) and the committed seeds
tests/fuzz/corpus/<target>/ (read only). Every target checks properties (see each file's
header comment), so a failure is a crash, an out-of-bounds access, undefined behaviour, a
leak, an input slower than --timeout seconds, or a broken property. Its input is saved as
build/fuzz/artifacts/<target>/crash-<sha1>; to keep it as a regression test, copy it into
tests/fuzz/corpus/<target>/ (the test suite replays every committed input through
tests/fuzz/replay_main.cpp) and write a unit test for the bug.

Targets run two at a time (--jobs). The last lines give, per target, libFuzzer's executions
(#N), coverage (cov: edges, ft: features) and corpus size. Python 3 standard library only.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ_DIR = os.path.join(ROOT, "tests", "fuzz")
FLAGS = ["-std=c++17", "-g", "-O1", "-fno-omit-frame-pointer", "-fsanitize=fuzzer,address,undefined",
         "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]


def targets():
    names = []
    for source in sorted(glob.glob(os.path.join(FUZZ_DIR, "fuzz_*.cpp"))):
        names.append(os.path.basename(source)[len("fuzz_"):-len(".cpp")])
    return names


def build(args, name):
    source = os.path.join(FUZZ_DIR, f"fuzz_{name}.cpp")
    binary = os.path.join(args.build_dir, f"fuzz_{name}")
    headers = glob.glob(os.path.join(args.include, "microtrace", "**", "*.hpp"), recursive=True)
    headers += glob.glob(os.path.join(FUZZ_DIR, "*.hpp"))
    if os.path.exists(binary) and os.path.getmtime(binary) > max(os.path.getmtime(p) for p in headers + [source]):
        return binary, None
    command = [args.cxx, *FLAGS, "-I", args.include, source, "-o", binary]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return None, f"fuzz_{name}.cpp does not build:\n{' '.join(command)}\n{result.stderr[-4000:]}"
    return binary, None


STATS = re.compile(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)")


def run(args, name, binary):
    """Runs one target; returns (name, ok, summary, log tail)."""
    work = os.path.join(args.build_dir, "corpus", name)
    artifacts = os.path.join(args.build_dir, "artifacts", name)
    seeds = os.path.join(FUZZ_DIR, "corpus", name)
    os.makedirs(work, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    command = [binary, f"-artifact_prefix={artifacts}/", f"-timeout={args.timeout}", "-rss_limit_mb=2048",
               f"-max_len={args.max_len}", "-print_final_stats=1",
               f"-dict={os.path.join(FUZZ_DIR, 'headers.dict')}"]
    if args.replay:
        command += ["-runs=0", seeds]
    else:
        command += [f"-max_total_time={args.seconds}", work, seeds]
    started = time.monotonic()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    elapsed = time.monotonic() - started
    stats = None
    for line in result.stdout.splitlines():
        match = STATS.match(line)
        if match:
            stats = match.groups()
    executions = re.search(r"stat::number_of_executed_units:\s*(\d+)", result.stdout)
    runs = executions.group(1) if executions else (stats[0] if stats else "?")
    summary = f"{name:12} #{runs:>10} runs  " + (
        f"cov: {stats[1]:>5}  ft: {stats[2]:>6}  corp: {stats[3]}/{stats[4]}" if stats else "(no stats)")
    summary += f"  {elapsed:5.1f} s"
    return name, result.returncode == 0, summary, "\n".join(result.stdout.splitlines()[-60:])


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--smoke", action="store_true", help="a short run of every target (--seconds 15)")
    parser.add_argument("--seconds", type=int, default=None, help="fuzzing time per target (-max_total_time)")
    parser.add_argument("--replay", action="store_true", help="run the committed corpora once, no fuzzing")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MICROTRACE_JOBS", "2")))
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take (libFuzzer -timeout)")
    parser.add_argument("--max-len", type=int, default=4096, help="longest input libFuzzer makes")
    parser.add_argument("--cxx", default=os.environ.get("MICROTRACE_FUZZ_CXX", "clang++"))
    parser.add_argument("--include", default=os.path.join(ROOT, "include"), help="the header tree to fuzz")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "fuzz"))
    parser.add_argument("--list", action="store_true", help="print the target names")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(targets()))
        return 0
    if args.seconds is None:
        args.seconds = 15 if args.smoke else 600
    chosen = args.targets or targets()
    unknown = [name for name in chosen if name not in targets()]
    if unknown:
        print(f"unknown targets: {' '.join(unknown)}; targets: {' '.join(targets())}", file=sys.stderr)
        return 2
    if shutil.which(args.cxx) is None:
        print(f"error: {args.cxx} not found (Debian: clang, libclang-rt-14-dev)", file=sys.stderr)
        return 2
    os.makedirs(args.build_dir, exist_ok=True)

    jobs = max(1, args.jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        built = list(pool.map(lambda name: (name, *build(args, name)), chosen))
    errors = [error for _, _, error in built if error]
    if errors:
        print("\n\n".join(errors), file=sys.stderr)
        return 1
    mode = "replaying the committed corpora" if args.replay else f"{args.seconds} s per target, {jobs} at a time"
    print(f"fuzzing {len(chosen)} targets: {mode}", flush=True)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name, ok, summary, tail in pool.map(lambda item: run(args, item[0], item[1]), built):
            print(("  " if ok else "F ") + summary, flush=True)
            if not ok:
                print(tail)
                print(f"error: fuzz target {name} failed; the input is in "
                      f"{os.path.relpath(os.path.join(args.build_dir, 'artifacts', name), ROOT)}/", file=sys.stderr)
            results.append(ok)
    failed = results.count(False)
    print(f"fuzz: {len(results) - failed} targets passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
