// microtrace/propagation/composite.hpp — one call to extract or inject every configured
// format: W3C Trace Context, B3 single and multi header, with W3C Baggage alongside.
//
//   auto parent = microtrace::extract(request_headers);     // W3C, then b3, then X-B3-*
//   auto span = tracer.start_span("handle", parent, microtrace::SpanKind::server);
//   microtrace::inject(span.context(), outgoing_headers);   // traceparent, tracestate, baggage
//
// Extraction tries the formats in order and the first that finds a context wins (a B3
// sampling decision alone counts). Baggage is read whatever the trace format. The
// returned ExtractedContext owns the tracestate and baggage its SpanContext points at,
// so spans started from it, and inject() on them, carry both on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "../config.hpp"
#include "../context.hpp"
#include "b3.hpp"
#include "baggage.hpp"
#include "carrier.hpp"
#include "trace_context.hpp"
#include "tracestate.hpp"

MICROTRACE_BEGIN_NAMESPACE

// The trace-context formats.
enum class TraceFormat : std::uint8_t { none, w3c, b3_single, b3_multi };

// What extraction found: a SpanContext (invalid when the trace starts here) and the
// tracestate and baggage storage it points at. It converts to `const SpanContext&`, so
// it can be passed straight to Tracer::start_span. Copies re-point at their own storage.
// Keep it alive while spans started from it run.
class ExtractedContext {
  public:
    ExtractedContext() noexcept { link(); }
    ExtractedContext(const ExtractedContext& other) noexcept
        : context_(other.context_), trace_state_(other.trace_state_), baggage_(other.baggage_), format_(other.format_) {
        link();
    }
    ExtractedContext& operator=(const ExtractedContext& other) noexcept {
        context_ = other.context_;
        trace_state_ = other.trace_state_;
        baggage_ = other.baggage_;
        format_ = other.format_;
        link();
        return *this;
    }

    // The context points into this object: spans started from it, and what they inject,
    // need it alive. So a temporary does not convert (`start_span("x", extract(headers))`
    // would dangle): name the extracted context first.
    const SpanContext& context() const& noexcept { return context_; }
    operator const SpanContext&() const& noexcept { return context_; }
    const SpanContext& context() const&& = delete;
    operator const SpanContext&() const&& = delete;
    // Ids present: a trace to continue.
    bool is_valid() const noexcept { return context_.is_valid(); }
    // The format the context came from; `none` when no format found one.
    TraceFormat format() const noexcept { return format_; }

    // The received tracestate and baggage, to read or change before starting spans.
    TraceState& trace_state() noexcept { return trace_state_; }
    const TraceState& trace_state() const noexcept { return trace_state_; }
    Baggage& baggage() noexcept { return baggage_; }
    const Baggage& baggage() const noexcept { return baggage_; }

  private:
    friend struct Propagator;

    void link() noexcept {
        context_.trace_state = &trace_state_;
        context_.baggage = &baggage_;
    }

    SpanContext context_;
    TraceState trace_state_;
    Baggage baggage_;
    TraceFormat format_ = TraceFormat::none;
};

// Which formats to read and write. The defaults read W3C, then B3 single, then B3 multi,
// and write W3C; baggage is read and written. Set the fields to change them:
//
//   microtrace::Propagator zipkin_style;
//   zipkin_style.send_w3c = false;
//   zipkin_style.send_b3_multi = true;
struct Propagator {
    // Tried in order; the first that finds a context wins. `none` entries are skipped.
    TraceFormat extract_order[3] = {TraceFormat::w3c, TraceFormat::b3_single, TraceFormat::b3_multi};
    bool send_w3c = true;
    bool send_b3_single = false;
    bool send_b3_multi = false;
    bool baggage = true;

    // Extracts from `headers` (a carrier, or a container of name/value pairs) into `out`.
    template <class Headers>
    void extract(Headers&& headers, ExtractedContext& out) const {
        if constexpr (config::enabled) {
            out = ExtractedContext{};
            auto&& carrier = detail::as_carrier(headers);
            for (const TraceFormat format : extract_order) {
                if (extract_format(format, carrier, out)) {
                    out.format_ = format;
                    break;
                }
            }
            if (baggage)
                out.baggage_.parse_lines([&carrier](auto&& visit_line) { carrier.for_each_value(header::baggage, visit_line); });
            out.link();
        }
    }

    template <class Headers>
    ExtractedContext extract(Headers&& headers) const {
        ExtractedContext out;
        extract(std::forward<Headers>(headers), out);
        return out;
    }

    // Writes `context` (and the tracestate and baggage it points at) into `headers`.
    template <class Headers>
    void inject(const SpanContext& context, Headers&& headers) const {
        inject_with_baggage(context, context.baggage, headers);
    }

    // Same, sending `baggage` instead of the context's: for a trace that starts here with
    // baggage of its own.
    template <class Headers>
    void inject(const SpanContext& context, const Baggage& outgoing_baggage, Headers&& headers) const {
        inject_with_baggage(context, &outgoing_baggage, headers);
    }

  private:
    template <class Headers>
    void inject_with_baggage(const SpanContext& context, const Baggage* sent_baggage, Headers& headers) const {
        if constexpr (config::enabled) {
            auto&& carrier = detail::as_carrier(headers);
            if (send_w3c) inject_trace_context(context, carrier);
            if (send_b3_single) inject_b3_single(context, carrier);
            if (send_b3_multi) inject_b3_multi(context, carrier);
            if (baggage && sent_baggage != nullptr && !sent_baggage->empty()) {
                char value[Baggage::capacity];
                carrier.set(header::baggage, std::string_view(value, sent_baggage->write(value)));
            }
        }
    }

    template <class Carrier>
    static bool extract_format(TraceFormat format, const Carrier& carrier, ExtractedContext& out) {
        switch (format) {
            case TraceFormat::w3c: return extract_trace_context(carrier, out.context_, out.trace_state_);
            case TraceFormat::b3_single: return extract_b3_single(carrier, out.context_);
            case TraceFormat::b3_multi: return extract_b3_multi(carrier, out.context_);
            case TraceFormat::none: return false;
        }
        return false;
    }
};

// Extracts with the default Propagator: W3C, then B3 single, then B3 multi; baggage too.
template <class Headers>
ExtractedContext extract(Headers&& headers) {
    return Propagator{}.extract(std::forward<Headers>(headers));
}
template <class Headers>
void extract(Headers&& headers, ExtractedContext& out) {
    Propagator{}.extract(std::forward<Headers>(headers), out);
}

// Injects with the default Propagator: traceparent, tracestate and baggage.
template <class Headers>
void inject(const SpanContext& context, Headers&& headers) {
    Propagator{}.inject(context, std::forward<Headers>(headers));
}
template <class Headers>
void inject(const SpanContext& context, const Baggage& outgoing_baggage, Headers&& headers) {
    Propagator{}.inject(context, outgoing_baggage, std::forward<Headers>(headers));
}

MICROTRACE_END_NAMESPACE
