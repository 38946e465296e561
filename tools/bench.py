#!/usr/bin/env python3
"""Builds and runs microtrace's benchmarks and prints one table: each operation's median time,
its floor measured in the same run, the ratio, heap allocations per operation and, with
--instructions, callgrind's instruction count per operation.

    python3 tools/bench.py                       every benchmark, 5 repetitions, medians
    python3 tools/bench.py --instructions        ... plus instructions per operation
    python3 tools/bench.py --callgrind           instructions and allocations only (stable)
    python3 tools/bench.py --markdown out.md     also write the table as Markdown
    python3 tools/bench.py --baseline-include OLD/include
                                                 the same against another header tree, side by side

Needs g++ (or --cxx), Google Benchmark (Debian: libbenchmark-dev) and, for instruction
counts, valgrind. Python 3 standard library only.

Single-threaded benchmarks run pinned to one core with taskset (when it is there); the
multi-threaded ones (named .../threads:N) run on every allowed core. Times are CPU time per
operation, except where a benchmark asks for wall time (the throughput ones); see
benchmarks/ratio_report.hpp. Instruction counts come from benchmarks/instructions.cpp, which
runs the same operations (benchmarks/operations.hpp) between callgrind markers.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(ROOT, "benchmarks")
ALLOC_COUNTER = os.path.join(ROOT, "tests", "support", "alloc_counter.cpp")


def log(message):
    print(message, file=sys.stderr, flush=True)


def compile_program(cxx, flags, include, source, output, libraries):
    command = [cxx, *flags, "-I", include, source, ALLOC_COUNTER, "-o", output, *libraries, "-pthread"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return f"{os.path.basename(source)} does not build against {include}:\n{result.stderr[-3000:]}"
    return None


def build(args, include, build_dir):
    """Compiles every benchmarks/bench_*.cpp and benchmarks/instructions.cpp; returns
    ({bench name: binary}, instructions binary or None)."""
    os.makedirs(build_dir, exist_ok=True)
    flags = args.flags.split()
    jobs = []
    for source in sorted(glob.glob(os.path.join(BENCH_DIR, "bench_*.cpp"))):
        name = os.path.splitext(os.path.basename(source))[0]
        jobs.append((name, source, ["-lbenchmark"]))
    if args.instructions or args.callgrind:
        jobs.append(("instructions", os.path.join(BENCH_DIR, "instructions.cpp"), []))
    binaries = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {}
        for name, source, libraries in jobs:
            output = os.path.join(build_dir, name)
            futures[pool.submit(compile_program, args.cxx, flags, include, source, output, libraries)] = (name, output)
        for future in concurrent.futures.as_completed(futures):
            name, output = futures[future]
            error = future.result()
            if error:
                log(f"warning: skipping {error}")
            else:
                binaries[name] = output
    instructions = binaries.pop("instructions", None)
    if args.only:
        binaries = {name: path for name, path in binaries.items() if name in args.only}
    return dict(sorted(binaries.items())), instructions


def allowed_cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:
        return list(range(os.cpu_count() or 1))


def list_benchmarks(binary, benchmark_filter):
    command = [binary, "--benchmark_list_tests=true"]
    if benchmark_filter:
        command.append(f"--benchmark_filter={benchmark_filter}")
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def name_filter(names):
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def run_benchmarks(args, binary):
    """Runs one benchmark program; returns its rows (dicts from --microtrace_json)."""
    names = list_benchmarks(binary, args.filter)
    # Benchmarks that name their thread count belong to a scaling experiment: they run
    # together, on every core; all others are pinned to one core.
    groups = [
        ([n for n in names if "/threads:" not in n], [str(args.cpu)]),
        ([n for n in names if "/threads:" in n], [str(c) for c in allowed_cpus()]),
    ]
    rows = []
    for group, cpus in groups:
        if not group:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            out = os.path.join(scratch, "figures.json")
            command = [binary, f"--benchmark_filter={name_filter(group)}",
                       f"--benchmark_repetitions={args.repetitions}", "--benchmark_report_aggregates_only=true",
                       f"--microtrace_json={out}"]
            if args.min_time:
                command.append(f"--benchmark_min_time={args.min_time}")
            if shutil.which("taskset"):
                command = ["taskset", "-c", ",".join(cpus), *command]
            log(f"running {' '.join(command)}")
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                log(f"warning: {os.path.basename(binary)} failed:\n{result.stderr[-2000:]}")
                continue
            if args.verbose:
                log(result.stdout)
            with open(out) as figures:
                rows += json.load(figures)["benchmarks"]
    return rows


def count_instructions(args, binary):
    """Runs the instruction driver under callgrind; returns {operation: (instructions per item,
    allocations per item)}."""
    if not shutil.which("valgrind"):
        log("warning: valgrind not found: no instruction counts")
        return {}
    with tempfile.TemporaryDirectory() as scratch:
        out_file = os.path.join(scratch, "callgrind.out")
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--collect-atstart=no",
                   "--toggle-collect=microtrace_bench_region", "--dump-after=microtrace_bench_region",
                   binary, "--iterations", str(args.callgrind_iterations)]
        log(f"running {' '.join(command)}")
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            log(f"warning: callgrind run failed:\n{result.stderr[-2000:]}")
            return {}
        regions, operations = [], []
        for line in result.stdout.splitlines():
            fields = line.split()
            if fields and fields[0] == "region":
                regions.append((fields[1], int(fields[2])))
            elif fields and fields[0] == "operation":
                operations.append((fields[1], float(fields[2]), float(fields[3])))

        def dumped(index):
            with open(f"{out_file}.{index}") as dump:
                for line in dump:
                    if line.startswith("summary:") or line.startswith("totals:"):
                        return int(line.split()[1])
            return 0

        per_call = {}
        for k in range(0, len(regions) - 1, 2):
            (name, calls), (_, twice) = regions[k], regions[k + 1]
            per_call[name] = (dumped(k + 2) - dumped(k + 1)) / (twice - calls)
        overhead = per_call.get("empty", 0.0)
        return {name: ((per_call[name] - overhead) / items, allocations / items)
                for name, items, allocations in operations if name != "empty" and name in per_call}


def operation_name(benchmark):
    """BM_sampled_span/real_time/threads:2 -> sampled_span"""
    return benchmark.split("/")[0].removeprefix("BM_")


def format_number(value, digits=2):
    return f"{value:.{digits}f}" if value is not None else ""


def table(rows, instructions, baseline_rows, baseline_instructions):
    """Rows of strings: one per benchmark, in the order they ran."""
    header = ["benchmark", "ns/op", "floor ns/op", "ratio", "allocs/op"]
    if instructions:
        header.append("instructions/op")
    if baseline_rows is not None:
        header += ["before ns/op", "before ratio"]
        if baseline_instructions:
            header.append("before instructions/op")
    before = {row["name"]: row for row in baseline_rows or []}
    lines = [header]
    for row in rows:
        name = row["name"]
        items = row.get("items_per_second", 0)
        per_item = f" ({1e9 / items:.1f} ns/item)" if items > 0 and name != "BM_record_1thread" else ""
        ratio = ""
        if row["floor_ns"] > 0:
            ratio = f"{row['ratio']:.2f}x"
            if row["kind"] == "speedup":
                ratio += f" speedup ({row['cpu_scaling']:.2f}x CPU-time)"
        line = [name, format_number(row["ns"]) + per_item,
                format_number(row["floor_ns"]) if row["floor_ns"] > 0 else "", ratio,
                format_number(row["allocs_per_op"]) if row["allocs_per_op"] >= 0 else "-"]
        operation = operation_name(name)
        if instructions:
            line.append(format_number(instructions[operation][0], 0) if operation in instructions else "")
        if baseline_rows is not None:
            old = before.get(name)
            line.append(format_number(old["ns"]) if old else "")
            line.append(f"{old['ratio']:.2f}x" if old and old["floor_ns"] > 0 else "")
            if baseline_instructions:
                line.append(format_number(baseline_instructions[operation][0], 0)
                            if operation in baseline_instructions else "")
        lines.append(line)
    return lines


def instruction_table(instructions, baseline_instructions):
    header = ["operation", "instructions/op", "allocs/op"]
    if baseline_instructions is not None:
        header += ["before instructions/op", "before allocs/op"]
    lines = [header]
    for name, (count, allocations) in instructions.items():
        line = [name, format_number(count, 0), format_number(allocations)]
        if baseline_instructions is not None:
            old = baseline_instructions.get(name)
            line += [format_number(old[0], 0), format_number(old[1])] if old else ["", ""]
        lines.append(line)
    return lines


def print_text(lines):
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                        for i, (cell, width) in enumerate(zip(line, widths))))


def markdown(lines):
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join(" --- " if i == 0 else " ---: "
                                                            for i in range(len(lines[0]))) + "|"]
    out += ["| " + " | ".join(cell if cell else " " for cell in line) + " |" for line in lines[1:]]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"), help="compiler (default: g++)")
    parser.add_argument("--flags", default="-std=c++17 -O2 -DNDEBUG", help="compiler flags (default: %(default)s)")
    parser.add_argument("--include", default=os.path.join(ROOT, "include"), help="header tree to benchmark")
    parser.add_argument("--baseline-include", help="another header tree, benchmarked in the same run for comparison")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build", "bench"), help="where binaries go")
    parser.add_argument("--jobs", type=int, default=2, help="parallel compilations (default: 2)")
    parser.add_argument("--repetitions", type=int, default=5, help="repetitions per benchmark; medians reported")
    parser.add_argument("--min-time", help="--benchmark_min_time per repetition, in seconds")
    parser.add_argument("--filter", help="only benchmarks matching this regex (--benchmark_filter)")
    parser.add_argument("--only", nargs="+", help="only these programs (bench_core, bench_recorder, ...)")
    parser.add_argument("--cpu", type=int, default=allowed_cpus()[-1], help="core for single-threaded runs")
    parser.add_argument("--instructions", action="store_true", help="add callgrind instruction counts")
    parser.add_argument("--callgrind", action="store_true", help="only instruction counts and allocations")
    parser.add_argument("--callgrind-iterations", type=int, default=2000, help="operations per callgrind region")
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    parser.add_argument("--verbose", action="store_true", help="show Google Benchmark's own output")
    args = parser.parse_args()

    trees = [("", os.path.abspath(args.include))]
    if args.baseline_include:
        trees.append(("baseline", os.path.abspath(args.baseline_include)))
    compiler = os.path.basename(args.cxx)
    built = {}
    for label, include in trees:
        build_dir = os.path.join(args.build_dir, compiler + ("-" + label if label else ""))
        log(f"building against {include} into {build_dir}")
        built[label] = build(args, include, build_dir)

    instructions = {label: count_instructions(args, built[label][1]) if built[label][1] else {}
                    for label in built} if (args.instructions or args.callgrind) else {}

    if args.callgrind:
        lines = instruction_table(instructions[""], instructions.get("baseline") if args.baseline_include else None)
    else:
        rows = {label: [] for label in built}
        for name in built[""][0]:  # program by program, baseline right before, same conditions
            for label in reversed(list(built)):
                binary = built[label][0].get(name)
                if binary:
                    rows[label] += run_benchmarks(args, binary)
        lines = table(rows[""], instructions.get(""), rows.get("baseline") if args.baseline_include else None,
                      instructions.get("baseline"))

    print_text(lines)
    if args.markdown:
        with open(args.markdown, "w") as out:
            out.write(markdown(lines))
        log(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
