#!/usr/bin/env python3
"""Proves that MICROTRACE_ENABLED=0 costs nothing: tests/zero_cost/instrumented.cpp and
tests/zero_cost/plain.cpp (the same functions without instrumentation) must compile, at
-O2, to the same machine code, function by function, and the same .text, .data, .bss and
.rodata sizes; neither the object file nor a linked program may hold a microtrace symbol
or string; and the linked program must run without evaluating any macro argument.

    check_zero_cost.py --cxx COMPILER --include DIR [--flag F ...]
    check_zero_cost.py --cxx arm-none-eabi-g++ --include DIR --cross --flag=-mcpu=cortex-m4 ...
                       (binutils from the compiler's prefix; programs linked, not run)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "zero_cost")
ADDRESS = re.compile(r"^\s*[0-9a-f]+:\s*")
COMMENT = re.compile(r"\s*#.*$")
TARGET = re.compile(r"\b[0-9a-f]+ <")
SECTIONS = (".text", ".data", ".bss", ".rodata")


TOOLS = {"objdump": "objdump", "nm": "nm", "size": "size"}


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)}\n{result.stdout}{result.stderr}")
    return result.stdout


def functions(objdump_output):
    """Maps each function to its instructions, without addresses."""
    found, current = {}, None
    for line in objdump_output.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if header:
            current = found.setdefault(header.group(1), [])
        elif current is not None and line.strip() and ADDRESS.match(line):
            instruction = COMMENT.sub("", ADDRESS.sub("", line))
            current.append(TARGET.sub("<", instruction).strip())
    for name in found:  # alignment padding differs with function sizes, not with code
        while found[name] and found[name][-1].split()[0] in ("nop", "nopl", "nopw", "cs", "xchg", "int3"):
            found[name].pop()
    return found


def section_sizes(path):
    sizes = {name: 0 for name in SECTIONS}
    for line in run([TOOLS["size"], "-A", path]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            for name in SECTIONS:
                if parts[0] == name or parts[0].startswith(name + "."):
                    sizes[name] += int(parts[1])
    return sizes


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--include", required=True)
    parser.add_argument("--flag", action="append", default=[])
    parser.add_argument("--cross", action="store_true")
    args = parser.parse_args(argv)
    if args.cross:
        prefix = args.cxx[: args.cxx.rfind("-") + 1]  # arm-none-eabi-g++ -> arm-none-eabi-
        for tool in TOOLS:
            TOOLS[tool] = prefix + tool
    problems = []
    with tempfile.TemporaryDirectory() as work:
        objects = {}
        for name in ("instrumented", "plain", "main"):
            objects[name] = os.path.join(work, name + ".o")
            run([args.cxx, "-std=c++17", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                 "-DMICROTRACE_ENABLED=0", "-I", args.include, *args.flag, "-c",
                 os.path.join(SOURCES, name + ".cpp"), "-o", objects[name]])
        disassembly = {name: functions(run([TOOLS["objdump"], "-d", "--no-show-raw-insn", "-C", objects[name]]))
                       for name in ("instrumented", "plain")}
        if set(disassembly["instrumented"]) != set(disassembly["plain"]):
            problems.append(f"functions differ: {sorted(disassembly['instrumented'])} vs {sorted(disassembly['plain'])}")
        for function, code in sorted(disassembly["plain"].items()):
            if disassembly["instrumented"].get(function) != code:
                problems.append(f"{function}: machine code differs:\n  instrumented: "
                                f"{disassembly['instrumented'].get(function)}\n  plain:        {code}")
        sizes = {name: section_sizes(objects[name]) for name in ("instrumented", "plain")}
        if sizes["instrumented"] != sizes["plain"]:
            problems.append(f"section sizes differ: {sizes['instrumented']} vs {sizes['plain']}")

        programs = {}
        for name in ("instrumented", "plain"):
            programs[name] = os.path.join(work, name)
            run([args.cxx, *args.flag, objects[name], objects["main"], "-o", programs[name]])
            for symbol in run([TOOLS["nm"], "-C", programs[name]]).splitlines():
                if "microtrace" in symbol:
                    problems.append(f"{name} program has a microtrace symbol: {symbol.strip()}")
            with open(programs[name], "rb") as file:
                if re.search(rb"microtrace|zero-cost-service|handle_request\x00", file.read()):
                    problems.append(f"{name} program holds a microtrace string")
            if args.cross:
                continue
            output = subprocess.run([programs[name]], capture_output=True, text=True)
            if output.returncode != 0:
                problems.append(f"{name} program failed (a macro argument was evaluated?): {output.stdout}")
        program_sizes = {name: section_sizes(programs[name]) for name in programs}
        if program_sizes["instrumented"] != program_sizes["plain"]:
            problems.append(f"linked sizes differ: {program_sizes['instrumented']} vs {program_sizes['plain']}")

    for problem in problems:
        print(problem)
    count = len(disassembly["plain"])
    print(f"zero cost ({args.cxx}): {count} functions identical" if not problems else "zero cost: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
