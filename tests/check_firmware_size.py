#!/usr/bin/env python3
"""Measures what microtrace costs a Cortex-M4 firmware image, and fails over budget.

Builds examples/embedded/firmware.cpp with arm-none-eabi-g++ (-mcpu=cortex-m4 -mthumb -Os
-fno-exceptions -fno-rtti, newlib-nano, unused sections collected) twice: traced, and with
MICROTRACE_ENABLED=0. The library's share is the difference of the two images' .text,
.data and .bss. The traced build uses the core feature set: spans, W3C traceparent,
the probability sampler, the recorder and the Zipkin dump.

    check_firmware_size.py --include DIR [--budget-text BYTES] [--cxx arm-none-eabi-g++]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIRMWARE = os.path.join(HERE, "..", "examples", "embedded", "firmware.cpp")
SWITCHES = ["-DMICROTRACE_THREADS=0", "-DMICROTRACE_THREAD_LOCAL=0", "-DMICROTRACE_STD_CLOCK=0",
            "-DMICROTRACE_POSIX=0", "-DMICROTRACE_MAX_ATTRIBUTES=4", "-DMICROTRACE_MAX_EVENTS=2",
            "-DMICROTRACE_SPAN_STRING_BYTES=64", "-DMICROTRACE_FLOAT_TO_CHARS=0"]
TARGET = ["-mcpu=cortex-m4", "-mthumb", "-Os", "-fno-exceptions", "-fno-rtti", "-ffunction-sections",
          "-fdata-sections", "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
LINK = ["--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections"]


def sizes(cxx, include, enabled, work):
    image = os.path.join(work, f"firmware-{enabled}.elf")
    command = [cxx, *TARGET, *SWITCHES, f"-DMICROTRACE_ENABLED={enabled}", "-I", include, FIRMWARE, *LINK,
               "-o", image]
    build = subprocess.run(command, capture_output=True, text=True)
    if build.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)}\n{build.stderr}")
    size_tool = cxx.replace("g++", "size")
    fields = subprocess.run([size_tool, image], capture_output=True, text=True, check=True).stdout.splitlines()[1]
    text, data, bss = (int(value) for value in fields.split()[:3])
    return {"text": text, "data": data, "bss": bss}


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", default="arm-none-eabi-g++")
    parser.add_argument("--include", required=True)
    parser.add_argument("--budget-text", type=int, default=8192)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        traced = sizes(args.cxx, args.include, 1, work)
        disabled = sizes(args.cxx, args.include, 0, work)
    share = {section: traced[section] - disabled[section] for section in traced}
    print(f"{'Cortex-M4 -Os':<28}{'.text':>8}{'.data':>8}{'.bss':>8}")
    for label, values in (("traced firmware", traced), ("MICROTRACE_ENABLED=0", disabled),
                          ("microtrace's share", share)):
        print(f"{label:<28}{values['text']:>8}{values['data']:>8}{values['bss']:>8}")
    ring_note = "(.bss share: the 8-slot ring the example declares, and the recorder)"
    print(ring_note)
    if share["text"] > args.budget_text:
        print(f"FAIL: microtrace's .text share {share['text']} B is over the {args.budget_text} B budget")
        return 1
    print(f"firmware size: {share['text']} B of .text, within the {args.budget_text} B budget")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
