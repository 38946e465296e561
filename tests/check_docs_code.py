#!/usr/bin/env python3
"""Compiles every ```cpp block of the given Markdown files, and runs those with a main().

    check_docs_code.py --cxx COMPILER --include DIR [--flag F ...] FILE.md...
    check_docs_code.py --cxx COMPILER --include DIR --root REPO   (README.md and docs/*.md)

Each block must be a complete translation unit: documentation code that does not compile
is a bug. A block with `int main` is linked and run and must exit 0; the others are
compiled only. Exit 0 when every block passed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

BLOCK = re.compile(r"^```cpp\n(.*?)^```", re.MULTILINE | re.DOTALL)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--include", required=True)
    parser.add_argument("--flag", action="append", default=[])
    parser.add_argument("--root")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    if args.root:
        docs = os.path.join(args.root, "docs")
        args.files += [os.path.join(args.root, "README.md")] + sorted(
            os.path.join(docs, name) for name in os.listdir(docs) if name.endswith(".md"))
    failures, checked = 0, 0
    with tempfile.TemporaryDirectory() as work:
        for path in args.files:
            with open(path, encoding="utf-8") as file:
                text = file.read()
            for number, match in enumerate(BLOCK.finditer(text)):
                checked += 1
                where = f"{os.path.basename(path)} block {number + 1} (line {text[:match.start()].count(chr(10)) + 1})"
                source = os.path.join(work, f"block{checked}.cpp")
                with open(source, "w", encoding="utf-8") as file:
                    file.write(match.group(1))
                runs = "int main" in match.group(1)
                program = os.path.join(work, f"block{checked}")
                command = [args.cxx, "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-pthread",
                           "-I", args.include, *args.flag, source]
                command += ["-o", program] if runs else ["-c", "-o", program + ".o"]
                build = subprocess.run(command, capture_output=True, text=True)
                if build.returncode != 0:
                    print(f"FAIL {where}: does not compile\n{build.stderr}")
                    failures += 1
                    continue
                if runs:
                    run = subprocess.run([program], capture_output=True, text=True, timeout=60)
                    if run.returncode != 0:
                        print(f"FAIL {where}: exited {run.returncode}\n{run.stderr}")
                        failures += 1
                        continue
                print(f"ok   {where}")
    print(f"docs code: {checked - failures} passed, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
