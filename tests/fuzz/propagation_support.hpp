// tests/fuzz/propagation_support.hpp — helpers the propagation fuzz targets share: a carrier
// over fuzzed header lines, ids as hex, and contexts shown for failure messages.
#pragma once

#include <microtrace/microtrace.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "reference.hpp"

namespace microtrace_fuzz {

inline std::string hex(const microtrace::TraceId& id) { return std::string(id.to_hex().view()); }
inline std::string hex(microtrace::SpanId id) { return std::string(id.to_hex().view()); }

// The trace id as B3 and W3C show it: 16 digits for a 64-bit id, 32 otherwise.
inline std::string trace_id_text(const microtrace::SpanContext& context) {
    const std::string full = hex(context.trace_id);
    return context.trace_id_64bit ? full.substr(16) : full;
}

inline std::string describe(const microtrace::SpanContext& c) {
    return "trace " + hex(c.trace_id) + " span " + hex(c.span_id) + " flags " + std::to_string(c.flags.bits) +
           " remote " + std::to_string(c.remote) + " debug " + std::to_string(c.debug) + " deferred " +
           std::to_string(c.sampling_deferred) + " 64bit " + std::to_string(c.trace_id_64bit) + " threshold " +
           std::to_string(c.sampling_threshold);
}

// A context with every field set to something no parse produces, to see that a failed
// parse leaves its target untouched.
inline microtrace::SpanContext sentinel_context() {
    microtrace::SpanContext context;
    context.trace_id = microtrace::TraceId{0x1111, 0x2222};
    context.span_id = microtrace::SpanId{0x3333};
    context.flags.bits = 0xF0;
    context.remote = false;
    context.debug = true;
    context.sampling_deferred = true;
    context.trace_id_64bit = true;
    context.sampling_threshold = 42;
    return context;
}

inline reference::Sampling sampling_of(const microtrace::SpanContext& context) {
    switch (microtrace::b3_sampling_of(context)) {
        case microtrace::B3Sampling::defer: return reference::Sampling::defer;
        case microtrace::B3Sampling::deny: return reference::Sampling::deny;
        case microtrace::B3Sampling::accept: return reference::Sampling::accept;
        case microtrace::B3Sampling::debug: return reference::Sampling::debug;
    }
    return reference::Sampling::defer;
}

// Checks that `context` holds what the reference read from a valid B3 header.
inline void check_b3_context(const microtrace::SpanContext& context, const reference::B3& expected,
                             const std::string& input) {
    const std::string where = describe(context) + " from " + printable(input);
    FUZZ_CHECK(context.remote, where);
    FUZZ_CHECK(sampling_of(context) == expected.sampling, where);
    FUZZ_CHECK(context.is_sampled() == (expected.sampling == reference::Sampling::accept ||
                                        expected.sampling == reference::Sampling::debug),
               where);
    if (expected.has_ids) {
        FUZZ_CHECK(context.is_valid(), where);
        FUZZ_CHECK(trace_id_text(context) == expected.trace_id, where);
        FUZZ_CHECK(context.trace_id_64bit == (expected.trace_id.size() == 16), where);
        FUZZ_CHECK(hex(context.span_id) == expected.span_id, where);
    } else {
        FUZZ_CHECK(!context.trace_id.is_valid() && !context.span_id.is_valid(), where);
    }
}

// Headers written by inject(): one entry per name, lowercase.
using Headers = std::vector<std::pair<std::string, std::string>>;

inline const std::string* header_value(const Headers& headers, std::string_view name) {
    const std::string* found = nullptr;
    for (const auto& [key, value] : headers) {
        if (key == name) {
            FUZZ_CHECK(found == nullptr, "header " + std::string(name) + " written twice");
            found = &value;
        }
    }
    return found;
}

}  // namespace microtrace_fuzz
