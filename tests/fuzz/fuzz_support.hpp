// tests/fuzz/fuzz_support.hpp — what every fuzz target shares: how a target is declared, how a
// property failure is reported, and how an input is cut into header lines.
//
// A target is written once and built two ways:
//   - for libFuzzer (clang++ -fsanitize=fuzzer,...): MICROTRACE_FUZZ_TARGET(name) is the
//     LLVMFuzzerTestOneInput entry point; tests/fuzz/run.py builds and runs these.
//   - for the normal test suite (any compiler, -DMICROTRACE_FUZZ_REPLAY): every target is
//     registered in one program, tests/fuzz/replay_main.cpp, which runs each target over its
//     committed corpus tests/fuzz/corpus/<name>/ (the seeds and every input a fuzzer ever
//     failed on), so those inputs stay regression tests under GCC, valgrind and TSan too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microtrace_fuzz {

using TargetFunction = int (*)(const std::uint8_t* data, std::size_t size);

struct RegisteredTarget {
    const char* name;
    TargetFunction run;
};

// The targets linked into the replay program, in registration order.
inline std::vector<RegisteredTarget>& registered_targets() {
    static std::vector<RegisteredTarget> targets;
    return targets;
}

inline bool register_target(const char* name, TargetFunction run) {
    registered_targets().push_back({name, run});
    return true;
}

// Reports a broken property and stops: libFuzzer saves the input as a crash, and the replay
// program fails.
[[noreturn]] inline void property_failed(const char* file, int line, const char* condition, std::string_view detail) {
    std::fprintf(stderr, "%s:%d: property failed: %s\n", file, line, condition);
    if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::fflush(stderr);
    std::abort();
}

// Bytes shown as a C string literal: printable ASCII as is, everything else as \xNN.
inline std::string printable(std::string_view bytes) {
    std::string out = "\"";
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
            out += c;
        } else {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\x%02x", byte);
            out += escape;
        }
    }
    return out + "\"";
}

// One header line: name and value as received.
using HeaderLine = std::pair<std::string, std::string>;
using HeaderLines = std::vector<HeaderLine>;

// Cuts `input` into lines at '\n'; each line is `name: value` (the first ':' splits, one space
// after it is skipped) or, without ':', a name with an empty value. The corpora are written in
// this form, so they read like HTTP headers.
inline HeaderLines header_lines(std::string_view input) {
    HeaderLines lines;
    while (!input.empty()) {
        const std::size_t end = input.find('\n');
        const std::string_view line = input.substr(0, end);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            lines.emplace_back(std::string(line), std::string());
        } else {
            std::string_view value = line.substr(colon + 1);
            if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
            lines.emplace_back(std::string(line.substr(0, colon)), std::string(value));
        }
        if (end == std::string_view::npos) break;
        input.remove_prefix(end + 1);
    }
    return lines;
}

// Cuts `input` at '\n' into the lines of one header.
inline std::vector<std::string_view> split_lines(std::string_view input) {
    std::vector<std::string_view> lines;
    for (;;) {
        const std::size_t end = input.find('\n');
        lines.push_back(input.substr(0, end));
        if (end == std::string_view::npos) return lines;
        input.remove_prefix(end + 1);
    }
}

}  // namespace microtrace_fuzz

// FUZZ_CHECK(condition, detail): the property must hold; `detail` (a string expression,
// evaluated only on failure) says what was seen.
#define FUZZ_CHECK(condition, detail)                                                          \
    do {                                                                                       \
        if (!(condition))                                                                      \
            ::microtrace_fuzz::property_failed(__FILE__, __LINE__, #condition, (detail));      \
    } while (false)

#if defined(MICROTRACE_FUZZ_REPLAY)
// Registers the target under `name` in the replay program.
#define MICROTRACE_FUZZ_TARGET(name)                                                           \
    static int microtrace_fuzz_##name(const std::uint8_t* data, std::size_t size);             \
    [[maybe_unused]] static const bool microtrace_fuzz_##name##_registered =                   \
        ::microtrace_fuzz::register_target(#name, &microtrace_fuzz_##name);                    \
    static int microtrace_fuzz_##name
#else
#define MICROTRACE_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput
#endif
