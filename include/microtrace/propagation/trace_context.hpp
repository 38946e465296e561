// microtrace/propagation/trace_context.hpp — the W3C Trace Context propagator: traceparent
// and tracestate together, through a carrier.
//
// Extract: exactly one valid traceparent line, or the trace restarts (two lines are
// invalid). tracestate is parsed only when traceparent is valid, and its failure never
// affects traceparent. OpenTelemetry's `ot=th` becomes SpanContext::sampling_threshold and
// `ot=rv` SpanContext::explicit_randomness.
// Inject: traceparent as version 00; tracestate as received, except that `ot=th` is
// rewritten (and `ot` moved to the front) when the context's sampling threshold differs
// from the one the tracestate carries. An empty tracestate is not sent.
#pragma once

#include <cstdint>
#include <string_view>

#include "../config.hpp"
#include "../context.hpp"
#include "carrier.hpp"
#include "traceparent.hpp"
#include "tracestate.hpp"

MICROTRACE_BEGIN_NAMESPACE

// Extracts traceparent and, when it is valid, tracestate into `trace_state`. Returns true
// when traceparent was valid: `context` then holds its ids and flags, points at
// `trace_state` and carries its sampling threshold. Returns false when the trace must
// restart: `context` is untouched and `trace_state` empty.
template <class Carrier>
bool extract_trace_context(const Carrier& carrier, SpanContext& context, TraceState& trace_state) {
    trace_state = TraceState{};
    std::string_view traceparent;
    if (detail::first_value(carrier, header::traceparent, traceparent) != 1 || !parse_traceparent(traceparent, context))
        return false;
    trace_state.parse_lines([&carrier](auto&& visit_line) { carrier.for_each_value(header::tracestate, visit_line); });
    context.trace_state = &trace_state;
    context.sampling_threshold = sampling_threshold_of(trace_state);
    context.explicit_randomness = explicit_randomness_of(trace_state);
    return true;
}

// Sends `context` as traceparent and tracestate; nothing when its ids are invalid.
template <class Carrier>
void inject_trace_context(const SpanContext& context, Carrier& carrier) {
    char traceparent[traceparent_size];
    if (format_traceparent(context, traceparent) == 0) return;
    carrier.set(header::traceparent, std::string_view(traceparent, traceparent_size));

    const TraceState* received = context.trace_state;
    const std::uint64_t carried = received != nullptr ? sampling_threshold_of(*received) : no_sampling_threshold;
    if (carried == context.sampling_threshold) {
        if (received != nullptr && !received->empty()) carrier.set(header::tracestate, received->header());
        return;
    }
    // The sampler changed the threshold: send a copy with `ot=th` updated.
    TraceState updated = received != nullptr ? *received : TraceState{};
    set_sampling_threshold(updated, context.sampling_threshold);
    if (!updated.empty()) carrier.set(header::tracestate, updated.header());
}

MICROTRACE_END_NAMESPACE
