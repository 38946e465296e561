// microtrace/propagation/traceparent.hpp — the W3C traceparent value: strict parse, format.
//
//   00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
//   version-trace id (32 hex)-parent id (16 hex)-flags (2 hex)
//
// Rules (W3C Trace Context Level 2, "traceparent Header"): lowercase hex only; version ff
// and all-zero ids are invalid; version 00 is exactly 55 characters; a higher version is
// read with the 00 layout when it is at least 55 characters and the flags are followed by
// the end or by `-`, and is sent on as 00. Flags are a bit field: only `sampled` and
// `random` are kept and sent, other bits are sent as 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../config.hpp"
#include "../context.hpp"
#include "../detail/hex.hpp"
#include "../ids.hpp"
#include "carrier.hpp"

MICROTRACE_BEGIN_NAMESPACE

// Characters in a version-00 traceparent.
inline constexpr std::size_t traceparent_size = 55;

// Parses a traceparent value, spaces and tabs around it allowed. On success sets the
// fields traceparent carries — trace id, span id (the caller's: the "parent id"), flags
// (sampled and random only), `remote` — clears the B3-only ones (debug, sampling
// deferred, 64-bit id), and returns true. Tracestate, baggage and the sampling threshold
// come from other headers and are left alone. On failure returns false and leaves `out`
// untouched: the caller starts a new trace.
constexpr bool parse_traceparent(std::string_view value, SpanContext& out) noexcept {
    value = detail::trim_ows(value);
    // Field boundaries of the version-00 layout, which every version starts with.
    constexpr std::size_t trace_id_at = 3, span_id_at = 36, flags_at = 53;
    if (value.size() < traceparent_size) return false;
    if (value[2] != '-' || value[trace_id_at + 32] != '-' || value[span_id_at + 16] != '-') return false;

    std::uint64_t version = 0, flags = 0;
    if (!detail::parse_hex_u64(value.data(), 2, version) || version == 0xff) return false;
    // Version 00 ends after the flags; a later version may go on, but only after a `-`.
    if (value.size() > traceparent_size && (version == 0 || value[traceparent_size] != '-')) return false;

    TraceId trace_id;
    SpanId span_id;
    if (!TraceId::parse_hex(value.substr(trace_id_at, 32), trace_id) ||
        !SpanId::parse_hex(value.substr(span_id_at, 16), span_id) ||
        !detail::parse_hex_u64(value.data() + flags_at, 2, flags))
        return false;

    out.trace_id = trace_id;
    out.span_id = span_id;
    out.flags.bits = static_cast<std::uint8_t>(flags & TraceFlags::known);
    out.remote = true;
    out.debug = false;
    out.sampling_deferred = false;
    out.trace_id_64bit = false;
    return true;
}

// Writes `context` as a version-00 traceparent into `out` (room for traceparent_size
// chars, not NUL-terminated) and returns traceparent_size; returns 0, writing nothing,
// when the context has no valid ids. B3 debug is sent as sampled.
inline std::size_t format_traceparent(const SpanContext& context, char* out) noexcept {
    if (!context.is_valid()) return 0;
    std::uint8_t flags = context.flags.bits & TraceFlags::known;
    if (context.debug) flags |= TraceFlags::sampled;
    char* cursor = out;
    *cursor++ = '0';
    *cursor++ = '0';
    *cursor++ = '-';
    cursor = context.trace_id.write_hex(cursor);
    *cursor++ = '-';
    cursor = context.span_id.write_hex(cursor);
    *cursor++ = '-';
    cursor = detail::write_hex_u8(flags, cursor);
    return static_cast<std::size_t>(cursor - out);
}

MICROTRACE_END_NAMESPACE
