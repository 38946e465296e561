#!/usr/bin/env python3
"""Hostile headers are handled in linear time: doubling their size at most roughly doubles the
work. Work is counted in instructions by callgrind, never in wall time.

    check_linear_time.py --cxx g++ --include include/ [--size 131072] [--max-ratio 2.2]

Compiles tests/programs/hostile_headers.cpp (-O2) against the header tree --include, runs it
under callgrind at SIZE and 2 x SIZE bytes, and counts the instructions of each case's region
(extracting 1 MiB of commas, NULs, invalid UTF-8, members, lines ... or writing it as a JSON
string). Fails when a case's count grows by more than --max-ratio when the input doubles: a
quadratic loop would show 4. Prints every case with both counts, the ratio, and instructions
per input byte. Exits 77 (skipped) when valgrind is missing. Python 3 standard library only.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = os.path.join(HERE, "programs", "hostile_headers.cpp")
REGION = "microtrace_hostile_region"


def instructions_per_case(binary, size, scratch):
    """Runs the driver under callgrind; returns [(case, instructions)] in run order."""
    out_file = os.path.join(scratch, f"callgrind.{size}")
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--collect-atstart=no",
               f"--toggle-collect={REGION}", f"--dump-after={REGION}", binary, str(size)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    names = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("case ")]
    counts = []
    for index in range(1, len(names) + 1):
        total = None
        with open(f"{out_file}.{index}") as dump:
            for line in dump:
                if line.startswith("totals:") or line.startswith("summary:"):
                    total = int(line.split()[1])
                    break
        if total is None:
            raise RuntimeError(f"no instruction total in {out_file}.{index}")
        counts.append(total)
    return list(zip(names, counts))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--include", required=True, help="the header tree to test (include/ or single_include/)")
    parser.add_argument("--size", type=int, default=128 * 1024, help="the smaller input size in bytes")
    parser.add_argument("--max-ratio", type=float, default=2.2, help="largest allowed count(2 x size) / count(size)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("linear time: skipped, valgrind is not installed (Debian: valgrind)")
        return 77
    with tempfile.TemporaryDirectory() as scratch:
        binary = os.path.join(scratch, "hostile_headers")
        compile_command = [args.cxx, "-std=c++17", "-O2", "-g", "-I", args.include, DRIVER, "-o", binary]
        result = subprocess.run(compile_command, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{' '.join(compile_command)} failed:\n{result.stderr[-3000:]}")
            return 1
        small = instructions_per_case(binary, args.size, scratch)
        large = instructions_per_case(binary, 2 * args.size, scratch)
    if [name for name, _ in small] != [name for name, _ in large]:
        print("the two runs did not run the same cases")
        return 1
    print(f"{'case':24} {'instr. at ' + str(args.size):>18} {'at ' + str(2 * args.size):>14} {'ratio':>6} {'per byte':>9}")
    failures = []
    for (name, at_size), (_, at_double) in zip(small, large):
        ratio = at_double / at_size if at_size else 1.0
        per_byte = at_double / (2 * args.size)
        print(f"{name:24} {at_size:18,} {at_double:14,} {ratio:6.2f} {per_byte:9.2f}")
        if ratio > args.max_ratio:
            failures.append(f"{name}: {at_size:,} instructions at {args.size} bytes, {at_double:,} at "
                            f"{2 * args.size} (x{ratio:.2f} > x{args.max_ratio})")
    for failure in failures:
        print(f"NOT LINEAR: {failure}")
    print(f"linear time: {len(small) - len(failures)} of {len(small)} cases at most x{args.max_ratio} "
          f"when the input doubles")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
