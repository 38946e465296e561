# shellcheck shell=bash
# tools/lib/apt.sh — sourced by tools/test.sh and tools/demo.sh: install missing Debian packages.
#
#   require_debian_packages g++ cmake ...
#
# Checks each package with dpkg, then runs `apt-get update` (once per run) and
# `apt-get install -y --no-install-recommends` for the missing ones only. As root it installs
# directly; otherwise through `sudo` when that works, else it says exactly what to install.

microtrace_apt_updated=${microtrace_apt_updated:-0}

# Prints the packages among "$@" that dpkg does not report as installed.
missing_debian_packages() {
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$package"
        fi
    done
}

require_debian_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        echo "note: not a Debian-like system; make sure these (Debian names) are installed: $*" >&2
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_debian_packages "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi

    local -a as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && { [ "${CI:-}" != true ] || sudo -n true 2>/dev/null; }; then
            as_root=(sudo)
        else
            echo "error: missing Debian packages: ${missing[*]}" >&2
            echo "       install them as root with:" >&2
            echo "       apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
            return 1
        fi
    fi

    echo "==> installing missing Debian packages: ${missing[*]}"
    local -a quiet=()
    if [ "${CI:-}" = true ]; then
        quiet=(-q)
    fi
    if [ "$microtrace_apt_updated" -eq 0 ]; then
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${quiet[@]}" update
        microtrace_apt_updated=1
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${quiet[@]}" install -y \
        --no-install-recommends "${missing[@]}"
}
