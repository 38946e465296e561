// microtrace/context.hpp — SpanContext: what identifies a span and travels between services.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "ids.hpp"

MICROTRACE_BEGIN_NAMESPACE

class TraceState;  // propagation/tracestate.hpp
class Baggage;     // propagation/baggage.hpp

// The role of a span in a request, as OpenTelemetry and Zipkin name them.
enum class SpanKind : std::uint8_t { internal, server, client, producer, consumer };

// W3C trace-flags: a bit field. Only the bits defined here are ever sent.
struct TraceFlags {
    static constexpr std::uint8_t sampled = 0x01;
    static constexpr std::uint8_t random = 0x02;  // W3C Level 2: right-most 7 id bytes are random
    static constexpr std::uint8_t known = sampled | random;

    std::uint8_t bits = 0;

    constexpr bool is_sampled() const noexcept { return (bits & sampled) != 0; }
    constexpr bool is_random() const noexcept { return (bits & random) != 0; }
    friend constexpr bool operator==(TraceFlags a, TraceFlags b) noexcept { return a.bits == b.bits; }
    friend constexpr bool operator!=(TraceFlags a, TraceFlags b) noexcept { return a.bits != b.bits; }
};

// OpenTelemetry's sampling threshold (the `th` of the `ot` tracestate key): a span is
// sampled iff the trace id's right-most 56 bits are >= the threshold.
inline constexpr std::uint64_t no_sampling_threshold = ~std::uint64_t{0};

// "No `ot=rv` in the tracestate": OpenTelemetry randomness comes from the trace id.
inline constexpr std::uint64_t no_explicit_randomness = ~std::uint64_t{0};

// The identity of a span as seen by propagation and by its children.
struct SpanContext {
    TraceId trace_id;
    SpanId span_id;
    TraceFlags flags;
    bool remote = false;             // extracted from a carrier rather than started here
    bool debug = false;              // B3 debug (X-B3-Flags: 1 / b3 `d`): always sampled
    bool sampling_deferred = false;  // B3 with no sampling decision: the callee decides
    bool trace_id_64bit = false;     // B3 64-bit trace id: sent back in the width received
    std::uint64_t sampling_threshold = no_sampling_threshold;  // OpenTelemetry `ot=th`
    std::uint64_t explicit_randomness = no_explicit_randomness;  // OpenTelemetry `ot=rv`
    const TraceState* trace_state = nullptr;  // W3C tracestate, owned by whoever extracted it
    const Baggage* baggage = nullptr;         // W3C baggage, owned likewise; travels with the trace

    // Both ids present: a parent that can be continued. Never, when tracing is compiled
    // out: a constant folds away even where the optimizer would not inline (-Os).
    constexpr bool is_valid() const noexcept {
        return config::enabled && trace_id.is_valid() && span_id.is_valid();
    }
    constexpr bool is_sampled() const noexcept { return flags.is_sampled(); }

    // Same identity and sampling state; tracestate and baggage are compared by the propagators.
    friend constexpr bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
        return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags &&
               a.remote == b.remote && a.debug == b.debug &&
               a.sampling_deferred == b.sampling_deferred &&
               a.trace_id_64bit == b.trace_id_64bit &&
               a.sampling_threshold == b.sampling_threshold && a.explicit_randomness == b.explicit_randomness;
    }
    friend constexpr bool operator!=(const SpanContext& a, const SpanContext& b) noexcept {
        return !(a == b);
    }
};

MICROTRACE_END_NAMESPACE
