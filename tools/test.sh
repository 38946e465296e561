#!/usr/bin/env bash
# tools/test.sh — build and run every microtrace test suite. The README's test command.
#
#   bash tools/test.sh              every leg, in order
#   bash tools/test.sh tsan meson   only the legs whose names contain one of these words
#   bash tools/test.sh --list       print the legs
#
# First installs the Debian packages it needs (tools/lib/apt.sh), then runs the legs below.
# Each leg builds into build/test/<leg>/ (kept, so a rerun is incremental) and runs its tests.
# It stops at the first failure. The last line is always "tests: N passed, M failed", where N
# counts test programs and script checks (CTest / meson test entries) across all legs; CI
# reads that line. Honours CI=true (no prompts, quieter builds). MICROTRACE_JOBS sets the
# parallelism (default 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD_ROOT=$ROOT/build/test
JOBS=${MICROTRACE_JOBS:-2}

# shellcheck source=tools/lib/apt.sh
source "$ROOT/tools/lib/apt.sh"

PACKAGES=(g++ clang cmake ninja-build meson pkg-config doctest-dev libbenchmark-dev python3
          libclang-rt-14-dev libcpp-httplib-dev valgrind g++-multilib gcc-arm-none-eabi
          libstdc++-arm-none-eabi-newlib)

SANITIZER_FLAGS_COMMON="-O1 -fno-omit-frame-pointer -fno-sanitize-recover=all"

# ---------------------------------------------------------------------------------------------
# The legs, in the order they run. To add one: write leg_<name> below and list <name> here.
LEGS=(
    cmake-gcc-cxx17-modular
    cmake-clang-cxx20-single
    cmake-clang-cxx17-modular
    cmake-gcc-cxx20-single
    meson-gcc-cxx17-modular
    meson-clang-cxx20-single
    asan-ubsan-clang-cxx17
    tsan-clang-cxx17
    no-exceptions-no-rtti-gcc-cxx17
    m32-gcc-cxx17
    single-threaded-clang-cxx17
    no-thread-local-gcc-cxx20
    cortex-m4
    consumers
    fuzz-smoke
    valgrind
)

# Usage: cmake_suite <compiler> <C++ standard> <modular|single> <build type> [cmake args...]
# Usage: meson_suite <compiler> <C++ standard> <modular|single> <buildtype> [meson args...]

leg_cmake-gcc-cxx17-modular() {  # also compiles every example and benchmark
    cmake_suite g++ 17 modular Debug -DMICROTRACE_BUILD_BENCHMARKS=ON
}
leg_cmake-clang-cxx20-single() {
    cmake_suite clang++ 20 single Release
}
leg_cmake-clang-cxx17-modular() {
    cmake_suite clang++ 17 modular Debug
}
leg_cmake-gcc-cxx20-single() {
    cmake_suite g++ 20 single Release
}
leg_meson-gcc-cxx17-modular() {
    meson_suite g++ 17 modular debugoptimized
}
leg_meson-clang-cxx20-single() {
    meson_suite clang++ 20 single debug
}
leg_asan-ubsan-clang-cxx17() {
    local -x ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:abort_on_error=0
    local -x UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    cmake_suite clang++ 17 modular Debug \
        "-DCMAKE_CXX_FLAGS=$SANITIZER_FLAGS_COMMON -fsanitize=address,undefined"
}
leg_tsan-clang-cxx17() {
    local -x TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    cmake_suite clang++ 17 modular Debug "-DCMAKE_CXX_FLAGS=$SANITIZER_FLAGS_COMMON -fsanitize=thread"
}

# The build modes of docs/configuration.md: the whole suite again, each mode's inapplicable
# cases reported as skipped (tests/support/modes.hpp). Examples that need exceptions or a
# thread-local current span (and 64-bit httplib) stay in the legs above.
leg_no-exceptions-no-rtti-gcc-cxx17() {
    cmake_suite g++ 17 modular Release -DMICROTRACE_BUILD_EXAMPLES=OFF \
        "-DCMAKE_CXX_FLAGS=-fno-exceptions -fno-rtti -DDOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS"
}
leg_m32-gcc-cxx17() {
    cmake_suite g++ 17 modular Release -DMICROTRACE_BUILD_EXAMPLES=OFF -DCMAKE_CXX_FLAGS=-m32
}
leg_single-threaded-clang-cxx17() {
    cmake_suite clang++ 17 modular Release -DMICROTRACE_BUILD_EXAMPLES=OFF -DMICROTRACE_THREADS=0
}
leg_no-thread-local-gcc-cxx20() {
    cmake_suite g++ 20 single Release -DMICROTRACE_BUILD_EXAMPLES=OFF -DMICROTRACE_THREAD_LOCAL=0
}

leg_cortex-m4() {  # arm-none-eabi-g++: the size budget, and zero cost when disabled
    echo "    $(arm-none-eabi-g++ --version | head -n 1)"
    local status=0
    python3 "$ROOT/tests/check_firmware_size.py" --include "$ROOT/include" || status=$?
    count_script "firmware size" "$status"
    [ "$status" -eq 0 ] || return "$status"
    python3 "$ROOT/tests/check_zero_cost.py" --cxx arm-none-eabi-g++ --include "$ROOT/include" --cross \
        --flag=-mcpu=cortex-m4 --flag=-mthumb --flag=-Os --flag=-fno-exceptions --flag=-fno-rtti \
        --flag=--specs=nano.specs --flag=--specs=nosys.specs --flag=-DMICROTRACE_THREADS=0 \
        --flag=-DMICROTRACE_THREAD_LOCAL=0 --flag=-DMICROTRACE_STD_CLOCK=0 --flag=-DMICROTRACE_POSIX=0 || status=$?
    count_script "zero cost on Cortex-M4" "$status"
    return "$status"
}

leg_consumers() {  # projects outside the tree: find_package, add_subdirectory, FetchContent, pkg-config, Meson
    echo "    consumer projects (tests/consumers/run.sh), $(g++ --version | head -n 1)"
    local status=0
    CXX=g++ bash "$ROOT/tests/consumers/run.sh" --work "$BUILD_ROOT/$current_leg" 2>&1 |
        tee "$BUILD_ROOT/$current_leg.log" || status=$?
    count_summary_line "$BUILD_ROOT/$current_leg.log" 'consumers:'
    return "$status"
}

leg_fuzz-smoke() {  # every libFuzzer target for 15 s from its seeds (docs/reliability.md)
    echo "    libFuzzer, $(clang++ --version | head -n 1), -fsanitize=fuzzer,address,undefined, 15 s per target"
    local status=0
    python3 "$ROOT/tests/fuzz/run.py" --smoke --jobs "$JOBS" --build-dir "$BUILD_ROOT/$current_leg" 2>&1 |
        tee "$BUILD_ROOT/$current_leg.log" || status=$?
    count_summary_line "$BUILD_ROOT/$current_leg.log" 'fuzz:'
    return "$status"
}

leg_valgrind() {  # memcheck over the unit tests, the fuzz corpora, the stress and hostile-input programs
    local dir=$BUILD_ROOT/$current_leg status=0
    echo "    valgrind memcheck, $(g++ --version | head -n 1), C++17, $(tree_label modular), RelWithDebInfo"
    mkdir -p "$dir"
    quietly "$dir/configure.log" cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=g++ \
        -DCMAKE_CXX_STANDARD=17 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROTRACE_BUILD_TESTS=ON \
        -DMICROTRACE_BUILD_EXAMPLES=OFF -DMICROTRACE_BUILD_BENCHMARKS=OFF
    cmake --build "$dir" -j "$JOBS" --target microtrace_tests microtrace_fuzz_replay microtrace_stress_recorder \
        microtrace_hostile_dump -- "${build_quietly[@]}" || count_build_failure
    # memcheck replaces operator new, so the allocation counter's own tests (and the self-check
    # of the zero-allocation tests) see nothing there: they run in every other leg, ASan included.
    memcheck "$dir/tests/microtrace_tests" --source-file-exclude='*unit-alloc-counter.cpp,*unit-allocations.cpp' ||
        status=1
    memcheck "$dir/tests/microtrace_fuzz_replay" "$ROOT/tests/fuzz/corpus" || status=1
    memcheck "$dir/tests/microtrace_stress_recorder" --spans 2000 || status=1
    memcheck "$dir/tests/microtrace_hostile_dump" 7 || status=1
    return "$status"
}

# ---------------------------------------------------------------------------------------------
# Suites shared by the legs.

# Usage: count_summary_line <log> <prefix>: adds the log's last "<prefix> N passed, M failed"
# line to the totals (a missing line counts as one failure: the script died before it).
count_summary_line() {
    local line
    line=$(grep -E "^$2 [0-9]+ (targets )?passed, [0-9]+ failed" "$1" | tail -n 1 || true)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(sed -E 's/.* ([0-9]+) (targets )?passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}

# Usage: count_script <what> <exit status>: a script check, counted as one test.
count_script() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "error: leg $current_leg: $1 failed" >&2
    fi
}

# Usage: memcheck <program> [args...]: runs it under valgrind's memcheck, counted as one test;
# any memory error or definite leak fails it.
memcheck() {
    local log
    log=$BUILD_ROOT/$current_leg/memcheck-$(basename "$1").log
    if valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --fair-sched=yes -q "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "    memcheck clean: ${*#"$ROOT"/}"
    else
        failed=$((failed + 1))
        tail -n 80 "$log"
        echo "error: memcheck found errors in: $* (log: ${log#"$ROOT"/})" >&2
        return 1
    fi
}

passed=0
failed=0
skipped=0
current_leg=""
declare -a leg_report=()

# Runs "$@" with its output sent to <log>; shows the log and fails if the command fails.
quietly() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        cat "$log"
        echo "error: '$*' failed (log: ${log#"$ROOT"/})" >&2
        return 1
    fi
}

tree_label() {
    case $1 in
        modular) echo "modular headers (include/)" ;;
        single) echo "single header (single_include/)" ;;
        *) echo "error: unknown header tree '$1'" >&2; return 1 ;;
    esac
}

build_quietly=()
if [ "${CI:-}" = true ]; then
    build_quietly=(--quiet)  # ninja: print only what compilers say, not each step
fi

cmake_suite() {
    local cxx=$1 std=$2 tree=$3 build_type=$4
    shift 4
    local dir=$BUILD_ROOT/$current_leg single=OFF
    if [ "$tree" = single ]; then single=ON; fi
    echo "    CMake, $("$cxx" --version | head -n 1), C++$std, $(tree_label "$tree"), $build_type${*:+, $*}"
    mkdir -p "$dir"
    quietly "$dir/configure.log" cmake -S "$ROOT" -B "$dir" -G Ninja \
        -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_CXX_STANDARD="$std" \
        -DCMAKE_BUILD_TYPE="$build_type" \
        -DMICROTRACE_TEST_SINGLE_HEADER="$single" \
        -DMICROTRACE_BUILD_TESTS=ON \
        -DMICROTRACE_BUILD_EXAMPLES=ON \
        -DMICROTRACE_BUILD_BENCHMARKS=OFF \
        "$@"
    cmake --build "$dir" -j "$JOBS" -- "${build_quietly[@]}" || count_build_failure
    local status=0
    ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$JOBS" --timeout 900 2>&1 |
        tee "$dir/ctest.log" || status=$?
    count_ctest "$dir/ctest.log" "$status"
    return "$status"
}

meson_suite() {
    local cxx=$1 std=$2 tree=$3 buildtype=$4
    shift 4
    local dir=$BUILD_ROOT/$current_leg single=false
    if [ "$tree" = single ]; then single=true; fi
    echo "    Meson, $("$cxx" --version | head -n 1), C++$std, $(tree_label "$tree"), $buildtype${*:+, $*}"
    local -a setup=(setup)
    if [ -d "$dir/meson-private" ]; then setup=(setup --reconfigure); fi
    CXX=$cxx quietly "$BUILD_ROOT/$current_leg.configure.log" meson "${setup[@]}" "$dir" "$ROOT" \
        --buildtype="$buildtype" \
        -Dcpp_std="c++$std" \
        -Dsingle_header="$single" \
        -Dtests=enabled \
        -Dexamples=enabled \
        -Dbenchmarks=disabled \
        "$@"
    ninja -C "$dir" -j "$JOBS" "${build_quietly[@]}" || count_build_failure
    local status=0
    meson test -C "$dir" --print-errorlogs --num-processes "$JOBS" --timeout-multiplier 3 2>&1 |
        tee "$dir/test.log" || status=$?
    count_meson "$dir/test.log" "$status"
    return "$status"
}

count_build_failure() {
    failed=$((failed + 1))
    echo "error: leg $current_leg: the build failed" >&2
    return 1
}

# Adds CTest's "N% tests passed, F tests failed out of T" to the totals.
count_ctest() {
    local log=$1 status=$2 line
    line=$(grep -E '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [ -z "$line" ]; then
        failed=$((failed + 1))  # ctest itself failed before summing up
        return
    fi
    local fails total
    fails=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + total - fails))
    failed=$((failed + fails))
    if [ "$status" -ne 0 ] && [ "$fails" -eq 0 ]; then
        failed=$((failed + 1))
    fi
}

# Adds meson test's "Ok: / Fail: / Unexpected Pass: / Timeout: / Skipped:" lines to the totals.
count_meson() {
    local log=$1 status=$2
    meson_count() { sed -nE "s/^$1:[[:space:]]+([0-9]+).*/\\1/p" "$log" | tail -n 1; }
    local ok fail
    ok=$(meson_count 'Ok')
    if [ -z "$ok" ]; then
        failed=$((failed + 1))  # meson test failed before summing up
        return
    fi
    fail=$(( $(meson_count 'Fail') + $(meson_count 'Unexpected Pass') + $(meson_count 'Timeout') ))
    passed=$((passed + ok))
    failed=$((failed + fail))
    skipped=$((skipped + $(meson_count 'Skipped')))
    if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
        failed=$((failed + 1))
    fi
}

summary() {
    local status=$?
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        failed=1  # something failed outside any test (setup, configure)
    fi
    echo
    if [ "${#leg_report[@]}" -gt 0 ]; then
        printf '    %s\n' "${leg_report[@]}"
    fi
    if [ "$status" -ne 0 ]; then
        echo "FAILED${current_leg:+ in leg $current_leg}; legs after it did not run."
    fi
    local extra=""
    if [ "$skipped" -gt 0 ]; then extra=", $skipped skipped"; fi
    echo "tests: $passed passed, $failed failed$extra"
    exit "$status"
}

# ---------------------------------------------------------------------------------------------

if [ "${1:-}" = --list ]; then
    printf '%s\n' "${LEGS[@]}"
    exit 0
fi

selected=()
for leg in "${LEGS[@]}"; do
    if [ "$#" -eq 0 ]; then
        selected+=("$leg")
        continue
    fi
    for word in "$@"; do
        if [[ $leg == *"$word"* ]]; then
            selected+=("$leg")
            break
        fi
    done
done
if [ "${#selected[@]}" -eq 0 ]; then
    echo "error: no leg matches '$*'; legs: ${LEGS[*]}" >&2
    exit 2
fi

trap summary EXIT
require_debian_packages "${PACKAGES[@]}"
mkdir -p "$BUILD_ROOT"

started=$SECONDS
index=0
for leg in "${selected[@]}"; do
    index=$((index + 1))
    current_leg=$leg
    echo
    echo "==> leg $index/${#selected[@]}: $leg"
    leg_started=$SECONDS
    before=$passed
    "leg_$leg"
    leg_report+=("$(printf '%-28s %4d s  %d passed' "$leg" $((SECONDS - leg_started)) $((passed - before)))")
done
current_leg=""
leg_report+=("$(printf '%-28s %4d s' total $((SECONDS - started)))")
