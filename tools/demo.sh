#!/usr/bin/env bash
# tools/demo.sh — the README's demo command: build examples/quickstart.cpp and run it.
# It traces a small request across two simulated services and prints the spans as Zipkin v2
# JSON on stdout. Needs only g++ (installed if missing); no build system.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=tools/lib/apt.sh
source tools/lib/apt.sh
require_debian_packages g++

mkdir -p build/demo
compile=(g++ -std=c++17 -O2 -pthread -I include examples/quickstart.cpp -o build/demo/quickstart)
echo "==> ${compile[*]}" >&2
"${compile[@]}"
echo "==> build/demo/quickstart" >&2
exec build/demo/quickstart
