// microtrace/propagation/b3.hpp — Zipkin B3 propagation, single header and multi header.
//
//   b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90
//       {trace id: 16 or 32 hex}-{span id: 16 hex}[-{0|1|d}[-{parent span id: 16 hex}]]
//   b3: 0                                  (a sampling decision alone: 0, 1 or d)
//   X-B3-TraceId, X-B3-SpanId, X-B3-ParentSpanId, X-B3-Sampled (1/0, true/false
//   accepted), X-B3-Flags: 1 (debug)
//
// Rules (openzipkin/b3-propagation): lowercase hex only; ids not all zero. The sampling
// state is four-valued — defer (absent), deny, accept, debug — and is kept through a hop,
// also when it travels without ids. A malformed header (bad length, non-hex, uppercase,
// all-zero id, unknown sampling value, missing hyphen, empty) counts as absent. With
// multiple lines of a header, the first wins. A 64-bit trace id is held left-padded and
// sent back 64-bit. We never send X-B3-ParentSpanId: the parent of our span is the
// caller's span, and the caller's parent is not ours to repeat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../config.hpp"
#include "../context.hpp"
#include "../ids.hpp"
#include "carrier.hpp"

MICROTRACE_BEGIN_NAMESPACE

// B3's sampling state.
enum class B3Sampling : std::uint8_t { defer, deny, accept, debug };

// Longest `b3` value we write: 32 + 1 + 16 + 1 + 1 (no parent span id).
inline constexpr std::size_t b3_single_max_size = 51;

// Returns the B3 sampling state a context carries.
constexpr B3Sampling b3_sampling_of(const SpanContext& context) noexcept {
    if (context.debug) return B3Sampling::debug;
    if (context.sampling_deferred) return B3Sampling::defer;
    return context.is_sampled() ? B3Sampling::accept : B3Sampling::deny;
}

namespace detail {

// Puts a B3 sampling state into a context: debug implies sampled; defer is "not sampled
// yet, the callee decides".
constexpr void set_b3_sampling(B3Sampling sampling, SpanContext& context) noexcept {
    context.debug = sampling == B3Sampling::debug;
    context.sampling_deferred = sampling == B3Sampling::defer;
    const bool sampled = sampling == B3Sampling::accept || sampling == B3Sampling::debug;
    context.flags.bits = static_cast<std::uint8_t>(sampled ? (context.flags.bits | TraceFlags::sampled)
                                                           : (context.flags.bits & ~TraceFlags::sampled));
}

// Fills `out` from parsed B3 fields: ids (or none, for a sampling decision alone) and the
// sampling state. The context came from a carrier, so it is remote.
constexpr void set_b3_context(const TraceId& trace_id, SpanId span_id, bool trace_id_64bit, B3Sampling sampling,
                              SpanContext& out) noexcept {
    out.trace_id = trace_id;
    out.span_id = span_id;
    out.flags = TraceFlags{};
    out.trace_id_64bit = trace_id_64bit;
    out.remote = true;
    set_b3_sampling(sampling, out);
}

// The `b3` sampling character: 0, 1 or d.
constexpr bool parse_b3_sampling_char(char c, B3Sampling& sampling) noexcept {
    switch (c) {
        case '0': sampling = B3Sampling::deny; return true;
        case '1': sampling = B3Sampling::accept; return true;
        case 'd': sampling = B3Sampling::debug; return true;
        default: return false;
    }
}

constexpr char b3_sampling_char(B3Sampling sampling) noexcept {
    return sampling == B3Sampling::debug ? 'd' : sampling == B3Sampling::accept ? '1' : '0';
}

// A context worth sending: ids, or (from a carrier) a sampling decision alone. A
// default-constructed context says nothing, rather than "deny".
constexpr bool has_b3_to_send(const SpanContext& context) noexcept {
    return context.is_valid() || (context.remote && b3_sampling_of(context) != B3Sampling::defer);
}

// Writes the trace id in the width it was received: 16 hex digits for a 64-bit id (the
// right-most 64 bits), 32 otherwise. Returns one past the last digit.
inline char* write_b3_trace_id(const SpanContext& context, char* out) noexcept {
    return context.trace_id_64bit ? detail::write_hex_u64(context.trace_id.low, out) : context.trace_id.write_hex(out);
}

}  // namespace detail

// Parses a `b3` single-header value (spaces/tabs around it allowed). Returns false, leaving
// `out` untouched, when it is malformed. A sampling decision alone leaves the ids invalid.
constexpr bool parse_b3_single(std::string_view value, SpanContext& out) noexcept {
    value = detail::trim_ows(value);
    B3Sampling sampling = B3Sampling::defer;
    if (value.size() == 1) {
        if (!detail::parse_b3_sampling_char(value[0], sampling)) return false;
        detail::set_b3_context(TraceId{}, SpanId{}, false, sampling, out);
        return true;
    }
    const std::size_t trace_id_size = value.find('-');
    TraceId trace_id;
    SpanId span_id, parent_span_id;
    if (trace_id_size == std::string_view::npos || !TraceId::parse_hex(value.substr(0, trace_id_size), trace_id))
        return false;
    std::string_view rest = value.substr(trace_id_size + 1);
    if (rest.size() < 16 || !SpanId::parse_hex(rest.substr(0, 16), span_id)) return false;
    rest.remove_prefix(16);
    if (!rest.empty()) {  // -{sampling}[-{parent span id}]
        if (rest.size() < 2 || rest[0] != '-' || !detail::parse_b3_sampling_char(rest[1], sampling)) return false;
        rest.remove_prefix(2);
        // The parent span id is checked, then ignored: it is the caller's parent, not ours.
        if (!rest.empty() && (rest[0] != '-' || !SpanId::parse_hex(rest.substr(1), parent_span_id))) return false;
    }
    detail::set_b3_context(trace_id, span_id, trace_id_size == 16, sampling, out);
    return true;
}

// Writes the `b3` single-header value for `context` into `out` (room for
// b3_single_max_size chars) and returns its length; 0 when there is nothing to send.
inline std::size_t format_b3_single(const SpanContext& context, char* out) noexcept {
    if (!detail::has_b3_to_send(context)) return 0;
    const B3Sampling sampling = b3_sampling_of(context);
    if (!context.is_valid()) {
        out[0] = detail::b3_sampling_char(sampling);
        return 1;
    }
    char* cursor = detail::write_b3_trace_id(context, out);
    *cursor++ = '-';
    cursor = context.span_id.write_hex(cursor);
    if (sampling != B3Sampling::defer) {
        *cursor++ = '-';
        *cursor++ = detail::b3_sampling_char(sampling);
    }
    return static_cast<std::size_t>(cursor - out);
}

// Extracts the `b3` header (the first line, if several). Returns false, leaving `out`
// untouched, when it is absent or malformed.
template <class Carrier>
bool extract_b3_single(const Carrier& carrier, SpanContext& out) {
    std::string_view value;
    return detail::first_value(carrier, header::b3, value) > 0 && parse_b3_single(value, out);
}

// Extracts the X-B3-* headers. Each malformed header counts as absent; ids are used only
// when both trace id and span id are present and valid. Returns false, leaving `out`
// untouched, when neither ids nor a sampling decision remain.
template <class Carrier>
bool extract_b3_multi(const Carrier& carrier, SpanContext& out) {
    const auto first_trimmed = [&carrier](std::string_view name, std::string_view& value) {
        const bool present = detail::first_value(carrier, name, value) > 0;
        value = detail::trim_ows(value);
        return present;
    };
    std::string_view trace_id_text, span_id_text, sampled_text, flags_text;
    TraceId trace_id;
    SpanId span_id;
    const bool has_trace_id = first_trimmed(header::b3_trace_id, trace_id_text) && TraceId::parse_hex(trace_id_text, trace_id);
    const bool has_span_id = first_trimmed(header::b3_span_id, span_id_text) && SpanId::parse_hex(span_id_text, span_id);
    const bool has_ids = has_trace_id && has_span_id;

    const bool debug = first_trimmed(header::b3_flags, flags_text) && flags_text == "1";
    const bool has_sampled = first_trimmed(header::b3_sampled, sampled_text);
    bool has_sampling = true;
    B3Sampling sampling = B3Sampling::defer;
    if (debug)
        sampling = B3Sampling::debug;  // implies accept, whatever X-B3-Sampled says
    else if (has_sampled && (sampled_text == "1" || sampled_text == "true"))
        sampling = B3Sampling::accept;
    else if (has_sampled && (sampled_text == "0" || sampled_text == "false"))
        sampling = B3Sampling::deny;
    else
        has_sampling = false;

    if (!has_ids && !has_sampling) return false;
    if (has_ids)
        detail::set_b3_context(trace_id, span_id, trace_id_text.size() == 16, sampling, out);
    else
        detail::set_b3_context(TraceId{}, SpanId{}, false, sampling, out);
    return true;
}

// Sends `context` as the `b3` header.
template <class Carrier>
void inject_b3_single(const SpanContext& context, Carrier& carrier) {
    char value[b3_single_max_size];
    const std::size_t size = format_b3_single(context, value);
    if (size > 0) carrier.set(header::b3, std::string_view(value, size));
}

// Sends `context` as X-B3-TraceId, X-B3-SpanId and X-B3-Sampled, or X-B3-Flags: 1 for
// debug (which implies sampled, so X-B3-Sampled is left out).
template <class Carrier>
void inject_b3_multi(const SpanContext& context, Carrier& carrier) {
    if (!detail::has_b3_to_send(context)) return;
    if (context.is_valid()) {
        char trace_id[32], span_id[16];
        const char* trace_id_end = detail::write_b3_trace_id(context, trace_id);
        context.span_id.write_hex(span_id);
        carrier.set(header::b3_trace_id, std::string_view(trace_id, static_cast<std::size_t>(trace_id_end - trace_id)));
        carrier.set(header::b3_span_id, std::string_view(span_id, 16));
    }
    switch (b3_sampling_of(context)) {
        case B3Sampling::debug: carrier.set(header::b3_flags, "1"); break;
        case B3Sampling::accept: carrier.set(header::b3_sampled, "1"); break;
        case B3Sampling::deny: carrier.set(header::b3_sampled, "0"); break;
        case B3Sampling::defer: break;
    }
}

MICROTRACE_END_NAMESPACE
