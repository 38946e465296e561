#!/usr/bin/env bash
# tests/consumers/run.sh — uses microtrace the way its users do, from projects outside the
# source tree, and checks that each one builds and runs a program that records spans.
#
#   bash tests/consumers/run.sh [--work DIR]     (default DIR: build/test/consumers)
#
# The cases, in order (each builds tests/consumers/consumer.cpp, runs it and validates the
# Zipkin JSON it prints with tests/check_zipkin.py):
#   cmake-install            cmake --install to a temporary prefix: headers, package, .pc
#   find-package             find_package(microtrace 0.1 REQUIRED) + microtrace::microtrace
#   find-package-version     find_package(microtrace 1) and (microtrace 0.2) must fail
#   pkg-config               c++ $(pkg-config --cflags microtrace); no Libs; --modversion
#   relocated                the installed prefix moved elsewhere: pkg-config and find_package
#   add-subdirectory         add_subdirectory(<microtrace>) + microtrace::microtrace
#   add-subdirectory-off     ... with -DMICROTRACE_ENABLED=0: the program prints no span
#   add-subdirectory-option  ... with MICROTRACE_MAX_ATTRIBUTES=1 set by the parent project
#   fetchcontent-dir         FetchContent SOURCE_DIR, FETCHCONTENT_FULLY_DISCONNECTED=ON
#   fetchcontent-url         FetchContent URL file://<archive of the tree> (no network)
#   meson-install            meson install to a temporary prefix
#   meson-dependency         dependency('microtrace') through the installed pkg-config file
#   meson-relocated          Meson's .pc after moving its prefix
#   meson-subproject         subprojects/microtrace (a symlink): dependency('microtrace', fallback:)
#   meson-subproject-off     ... with -Dmicrotrace:MICROTRACE_ENABLED=0: no span
#   single-include           c++ -I single_include one.cpp, with CXX and with clang++
#
# Prints "ok   <case>" or "FAIL <case>" (then the end of its log) per case, and last
# "consumers: N passed, M failed". Exit 0 when all passed. Needs cmake, meson, ninja,
# pkg-config, python3. CXX picks the compiler (default c++); MICROTRACE_JOBS the build
# parallelism (default 2). Writes only under the work directory; no network.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$ROOT/build/test/consumers
if [ "${1:-}" = --work ] && [ -n "${2:-}" ]; then
    WORK=$2
elif [ "$#" -ne 0 ]; then
    sed -n '2,4p' "$0" >&2
    exit 2
fi
CXX=${CXX:-c++}
JOBS=${MICROTRACE_JOBS:-2}
FLAGS="-Wall -Wextra -Wpedantic -Werror"
CHECK_ZIPKIN=("${PYTHON:-python3}" "$ROOT/tests/check_zipkin.py")
GENERATOR=()
if command -v ninja >/dev/null 2>&1; then GENERATOR=(-G Ninja); fi

# Start afresh, but never wipe a directory this script did not make.
if [ -e "$WORK" ] && [ ! -e "$WORK/.microtrace-consumers" ] && [ -n "$(ls -A "$WORK" 2>/dev/null)" ]; then
    echo "error: $WORK is not empty and not a consumers work directory; pick another --work" >&2
    exit 2
fi
rm -rf "$WORK"
mkdir -p "$WORK/logs" "$WORK/src"
touch "$WORK/.microtrace-consumers"
PREFIX_A=$WORK/prefix-a  # CMake's install
PREFIX_B=$WORK/prefix-b  # ... moved here
PREFIX_M=$WORK/prefix-m  # Meson's install
PREFIX_N=$WORK/prefix-n  # ... moved here

# ---------------------------------------------------------------------------------------------
# Helpers. Each returns non-zero on the first failure; the output goes to the case's log.

# Copies tests/consumers/<project> and consumer.cpp into a fresh directory; prints its path.
fresh_project() {
    local project=$1 name=$2
    local dir=$WORK/src/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -R "$HERE/$project/." "$dir/" && cp "$HERE/consumer.cpp" "$dir/" && echo "$dir"
}

# Runs <program>; its dump must be one valid trace of 2 spans made by the build <kind>.
expect_spans() {
    local program=$1 kind=$2 out
    out=$(mktemp "$WORK/out.XXXXXX")
    echo "+ $program"
    "$program" >"$out" || { echo "$program exited $?"; return 1; }
    cat "$out"
    "${CHECK_ZIPKIN[@]}" --one-trace --min-spans 2 --services consumer "$out" || return 1
    grep -q "\"consumer.kind\":\"$kind\"" "$out" || { echo "no consumer.kind $kind in the dump"; return 1; }
}

# Runs <program>; built with MICROTRACE_ENABLED=0, it must print no span.
expect_nothing() {
    local program=$1
    echo "+ $program"
    "${CHECK_ZIPKIN[@]}" --empty --run "$program"
}

# Configures and builds a CMake consumer: cmake_build <source> <build> [cmake args...].
cmake_build() {
    local source=$1 build=$2
    shift 2
    echo "+ cmake -S $source -B $build $*"
    cmake -S "$source" -B "$build" "${GENERATOR[@]}" -DCMAKE_CXX_COMPILER="$CXX" \
        -DCMAKE_CXX_FLAGS="$FLAGS" "$@" || return 1
    cmake --build "$build" -j "$JOBS"
}

# Configures and builds a Meson consumer: meson_build <source> <build> [meson args...].
meson_build() {
    local source=$1 build=$2
    shift 2
    echo "+ meson setup $build $source $*"
    CXX=$CXX meson setup "$build" "$source" "$@" || return 1
    ninja -C "$build" -j "$JOBS"
}

# Compiles consumer.cpp with the flags pkg-config gives for the .pc files under <dir>.
pkg_config_build() {
    local dir=$1 output=$2 cflags libs
    cflags=$(PKG_CONFIG_PATH=$dir pkg-config --cflags microtrace) || return 1
    libs=$(PKG_CONFIG_PATH=$dir pkg-config --libs microtrace) || return 1
    echo "pkg-config --cflags: $cflags"
    if [ -n "${libs// /}" ]; then
        echo "pkg-config --libs should be empty for a header-only library, got '$libs'"
        return 1
    fi
    # shellcheck disable=SC2086  # cflags is a list of words
    "$CXX" -std=c++17 $FLAGS $cflags -DCONSUMER_KIND='"pkg_config"' -DCONSUMER_USES_EXPORTER=1 \
        "$HERE/consumer.cpp" -o "$output"
}

require_files() {
    local file
    for file in "$@"; do
        [ -f "$file" ] || { echo "missing: $file"; return 1; }
    done
}

# ---------------------------------------------------------------------------------------------
# The cases.

case_cmake-install() {
    cmake -S "$ROOT" -B "$WORK/cmake-install" "${GENERATOR[@]}" -DCMAKE_INSTALL_PREFIX="$PREFIX_A" \
        -DMICROTRACE_BUILD_TESTS=OFF -DMICROTRACE_BUILD_EXAMPLES=OFF -DMICROTRACE_BUILD_BENCHMARKS=OFF || return 1
    cmake --install "$WORK/cmake-install" || return 1
    require_files "$PREFIX_A/include/microtrace/microtrace.hpp" \
        "$PREFIX_A/include/microtrace/export/zipkin_http.hpp" \
        "$PREFIX_A/share/cmake/microtrace/microtraceConfig.cmake" \
        "$PREFIX_A/share/cmake/microtrace/microtraceConfigVersion.cmake" \
        "$PREFIX_A/share/cmake/microtrace/microtraceTargets.cmake" \
        "$PREFIX_A/share/pkgconfig/microtrace.pc" || return 1
    # Header-only: nothing architecture-specific is installed.
    if [ -e "$PREFIX_A/lib" ] || [ -e "$PREFIX_A/lib64" ]; then
        echo "an arch-dependent lib/ directory was installed"
        return 1
    fi
}

case_find-package() {
    local src
    src=$(fresh_project cmake-find-package find-package) || return 1
    cmake_build "$src" "$WORK/find-package" -DCMAKE_PREFIX_PATH="$PREFIX_A" || return 1
    expect_spans "$WORK/find-package/consumer" find_package
}

case_find-package-version() {
    local src version
    src=$(fresh_project cmake-find-package find-package-version) || return 1
    for version in 1 0.2; do
        rm -rf "$WORK/find-package-version"
        if cmake_build "$src" "$WORK/find-package-version" -DCMAKE_PREFIX_PATH="$PREFIX_A" \
            -DCONSUMER_VERSION="$version" >"$WORK/version.log" 2>&1; then
            cat "$WORK/version.log"
            echo "find_package(microtrace $version) accepted version 0.1.0"
            return 1
        fi
        cat "$WORK/version.log"
        grep -q "compatible with requested version" "$WORK/version.log" || return 1
    done
}

case_pkg-config() {
    PKG_CONFIG_PATH=$PREFIX_A/share/pkgconfig pkg-config --atleast-version=0.1 microtrace || return 1
    [ "$(PKG_CONFIG_PATH=$PREFIX_A/share/pkgconfig pkg-config --modversion microtrace)" = 0.1.0 ] || return 1
    pkg_config_build "$PREFIX_A/share/pkgconfig" "$WORK/pkg-config-consumer" || return 1
    expect_spans "$WORK/pkg-config-consumer" pkg_config
}

case_relocated() {
    mv "$PREFIX_A" "$PREFIX_B" || return 1
    local cflags
    cflags=$(PKG_CONFIG_PATH=$PREFIX_B/share/pkgconfig pkg-config --cflags microtrace) || return 1
    if [[ $cflags == *prefix-a* ]]; then
        echo "the moved .pc still points at the old prefix: $cflags"
        return 1
    fi
    pkg_config_build "$PREFIX_B/share/pkgconfig" "$WORK/relocated-consumer" || return 1
    expect_spans "$WORK/relocated-consumer" pkg_config || return 1
    local src
    src=$(fresh_project cmake-find-package relocated) || return 1
    cmake_build "$src" "$WORK/relocated" -DCMAKE_PREFIX_PATH="$PREFIX_B" || return 1
    expect_spans "$WORK/relocated/consumer" find_package
}

case_add-subdirectory() {
    local src
    src=$(fresh_project cmake-add-subdirectory add-subdirectory) || return 1
    cmake_build "$src" "$WORK/add-subdirectory" -DCONSUMER_MICROTRACE_DIR="$ROOT" || return 1
    # Not the top-level project: microtrace's tests are not built, nor registered.
    if [ -e "$WORK/add-subdirectory/microtrace/tests" ]; then
        echo "add_subdirectory configured microtrace's own tests"
        return 1
    fi
    expect_spans "$WORK/add-subdirectory/consumer" add_subdirectory
}

case_add-subdirectory-off() {
    local src
    src=$(fresh_project cmake-add-subdirectory add-subdirectory-off) || return 1
    cmake_build "$src" "$WORK/add-subdirectory-off" -DCONSUMER_MICROTRACE_DIR="$ROOT" \
        -DMICROTRACE_ENABLED=0 || return 1
    expect_nothing "$WORK/add-subdirectory-off/consumer"
}

case_add-subdirectory-option() {
    local src
    src=$(fresh_project cmake-add-subdirectory add-subdirectory-option) || return 1
    cmake_build "$src" "$WORK/add-subdirectory-option" -DCONSUMER_MICROTRACE_DIR="$ROOT" \
        -DCONSUMER_MAX_ATTRIBUTES=1 || return 1
    expect_spans "$WORK/add-subdirectory-option/consumer" add_subdirectory >"$WORK/option.log" 2>&1 ||
        { cat "$WORK/option.log"; return 1; }
    cat "$WORK/option.log"
    # Three attributes set, one kept: two counted as dropped.
    grep -q '"otel.dropped_attributes_count":"2"' "$WORK/option.log" ||
        { echo "MICROTRACE_MAX_ATTRIBUTES=1 did not reach the program"; return 1; }
}

case_fetchcontent-dir() {
    local src
    src=$(fresh_project cmake-fetchcontent fetchcontent-dir) || return 1
    cmake_build "$src" "$WORK/fetchcontent-dir" -DCONSUMER_MICROTRACE_DIR="$ROOT" \
        -DFETCHCONTENT_FULLY_DISCONNECTED=ON || return 1
    expect_spans "$WORK/fetchcontent-dir/consumer" fetchcontent
}

case_fetchcontent-url() {
    local src archive=$WORK/microtrace-src.tar.gz part parts=()
    # What a source archive of the library holds (the parts a non-top-level build reads).
    for part in CMakeLists.txt cmake include single_include meson.build meson_options.txt README.md LICENSE; do
        if [ -e "$ROOT/$part" ]; then parts+=("microtrace/$part"); fi
    done
    tar -C "$ROOT/.." --transform "s,^$(basename "$ROOT"),microtrace," -czf "$archive" \
        "${parts[@]/#microtrace/$(basename "$ROOT")}" || return 1
    src=$(fresh_project cmake-fetchcontent fetchcontent-url) || return 1
    cmake_build "$src" "$WORK/fetchcontent-url" -DCONSUMER_MICROTRACE_URL="file://$archive" || return 1
    expect_spans "$WORK/fetchcontent-url/consumer" fetchcontent
}

case_meson-install() {
    meson setup "$WORK/meson-install" "$ROOT" --prefix "$PREFIX_M" \
        -Dtests=disabled -Dexamples=disabled -Dbenchmarks=disabled || return 1
    meson install -C "$WORK/meson-install" || return 1
    require_files "$PREFIX_M/include/microtrace/microtrace.hpp" \
        "$PREFIX_M/include/microtrace/export/zipkin_http.hpp" \
        "$PREFIX_M/share/pkgconfig/microtrace.pc"
}

case_meson-dependency() {
    local src
    src=$(fresh_project meson-dependency meson-dependency) || return 1
    PKG_CONFIG_PATH=$PREFIX_M/share/pkgconfig meson_build "$src" "$WORK/meson-dependency" || return 1
    expect_spans "$WORK/meson-dependency/consumer" meson_dependency
}

case_meson-relocated() {
    mv "$PREFIX_M" "$PREFIX_N" || return 1
    pkg_config_build "$PREFIX_N/share/pkgconfig" "$WORK/meson-relocated-consumer" || return 1
    expect_spans "$WORK/meson-relocated-consumer" pkg_config
}

case_meson-subproject() {
    local src
    src=$(fresh_project meson-subproject meson-subproject) || return 1
    mkdir -p "$src/subprojects" && ln -s "$ROOT" "$src/subprojects/microtrace" || return 1
    meson_build "$src" "$WORK/meson-subproject" --force-fallback-for=microtrace || return 1
    expect_spans "$WORK/meson-subproject/consumer" meson_subproject
}

case_meson-subproject-off() {
    local src
    src=$(fresh_project meson-subproject meson-subproject-off) || return 1
    mkdir -p "$src/subprojects" && ln -s "$ROOT" "$src/subprojects/microtrace" || return 1
    meson_build "$src" "$WORK/meson-subproject-off" --force-fallback-for=microtrace \
        -Dmicrotrace:MICROTRACE_ENABLED=0 || return 1
    expect_nothing "$WORK/meson-subproject-off/consumer"
}

case_single-include() {
    local compiler std
    for compiler in "$CXX" clang++; do
        command -v "$compiler" >/dev/null 2>&1 || continue
        std=c++17
        if [ "$compiler" = clang++ ]; then std=c++20; fi
        echo "+ $compiler -std=$std -I single_include consumer.cpp"
        # shellcheck disable=SC2086
        "$compiler" -std=$std $FLAGS -I "$ROOT/single_include" -DCONSUMER_KIND='"single_include"' \
            -DCONSUMER_USES_EXPORTER=1 "$HERE/consumer.cpp" -o "$WORK/single-include" || return 1
        expect_spans "$WORK/single-include" single_include || return 1
    done
}

CASES=(cmake-install find-package find-package-version pkg-config relocated add-subdirectory
       add-subdirectory-off add-subdirectory-option fetchcontent-dir fetchcontent-url meson-install
       meson-dependency meson-relocated meson-subproject meson-subproject-off single-include)

passed=0
failed=0
for name in "${CASES[@]}"; do
    log=$WORK/logs/$name.log
    if "case_$name" >"$log" 2>&1; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name (log: $log)"
        tail -n 40 "$log" | sed 's/^/     /'
        failed=$((failed + 1))
    fi
done
echo "consumers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
