// Fuzz target: the composite extractor (W3C traceparent + tracestate, B3 single, B3 multi,
// baggage), as a service calls it. Input: header lines, `name: value`, separated by '\n'.
//
// Properties, for the default order (W3C, b3, X-B3-*) and for B3 first:
//   - the format found is the first one the reference readers accept (two traceparent lines
//     make W3C invalid; the first b3 line counts), with the same ids and sampling;
//   - nothing found leaves an empty, non-remote context and an unparsed tracestate;
//   - tracestate is parsed only with a valid traceparent, and holds what the reference keeps;
//   - baggage, read whatever the trace format, holds what the reference keeps;
//   - injecting in the format found and extracting again gives the same context, tracestate
//     and baggage, with every header within its documented length;
//   - a server span started from the result continues the trace with a span id of its own.
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;
namespace ref = microtrace_fuzz::reference;

namespace {

// The format the reference readers pick for `order`.
TraceFormat expected_format(const mf::HeaderLines& lines, const TraceFormat (&order)[3]) {
    for (const TraceFormat format : order) {
        switch (format) {
            case TraceFormat::w3c: {
                std::size_t count = 0;
                std::string_view value;
                for (const auto& line : lines)
                    if (ref::ascii_lower_equals(line.first, "traceparent") && count++ == 0) value = line.second;
                if (count == 1 && ref::traceparent(value).valid) return format;
                break;
            }
            case TraceFormat::b3_single: {
                std::string_view value;
                for (const auto& line : lines) {
                    if (ref::ascii_lower_equals(line.first, "b3")) {
                        value = line.second;
                        if (ref::b3_single(value).valid) return format;
                        break;
                    }
                }
                break;
            }
            case TraceFormat::b3_multi:
                if (ref::b3_multi(lines).valid) return format;
                break;
            case TraceFormat::none: break;
        }
    }
    return TraceFormat::none;
}

std::vector<std::string_view> values_named(const mf::HeaderLines& lines, std::string_view name) {
    std::vector<std::string_view> values;
    for (const auto& line : lines)
        if (ref::ascii_lower_equals(line.first, name)) values.push_back(line.second);
    return values;
}

std::string joined(const std::vector<ref::TraceStateMember>& members) {
    std::string out;
    for (const ref::TraceStateMember& m : members) out += (out.empty() ? "" : ",") + m.key + "=" + m.value;
    return out;
}

void check(const Propagator& propagator, const mf::HeaderLines& lines, const std::string& input) {
    const auto where = [&] { return mf::printable(input); };
    ExtractedContext extracted;
    propagator.extract(lines, extracted);
    const SpanContext& context = extracted;
    const TraceFormat format = expected_format(lines, propagator.extract_order);
    FUZZ_CHECK(extracted.format() == format, "format " + std::to_string(static_cast<int>(extracted.format())) +
                                                 ", expected " + std::to_string(static_cast<int>(format)) + " for " + where());
    switch (format) {
        case TraceFormat::none:
            FUZZ_CHECK(context == SpanContext{} && !extracted.is_valid(), mf::describe(context) + " from " + where());
            break;
        case TraceFormat::w3c: {
            std::string_view value;
            ref::first_line(lines, "traceparent", value);
            const ref::Traceparent tp = ref::traceparent(value);
            FUZZ_CHECK(mf::hex(context.trace_id) == tp.trace_id && mf::hex(context.span_id) == tp.parent_id, where());
            FUZZ_CHECK(context.flags.bits == (tp.flags & TraceFlags::known) && context.remote, where());
            const ref::TraceState ts = ref::tracestate(values_named(lines, "tracestate"));
            FUZZ_CHECK(extracted.trace_state().rejected() == !ts.valid, where());
            if (ts.valid) {
                const std::string kept = joined(ref::tracestate_kept(ts.received, TraceState::max_members, TraceState::capacity));
                FUZZ_CHECK(extracted.trace_state().header() == kept, where());
            }
            FUZZ_CHECK(context.sampling_threshold == sampling_threshold_of(extracted.trace_state()), where());
            break;
        }
        case TraceFormat::b3_single: {
            std::string_view value;
            ref::first_line(lines, "b3", value);
            mf::check_b3_context(context, ref::b3_single(value), input);
            break;
        }
        case TraceFormat::b3_multi: mf::check_b3_context(context, ref::b3_multi(lines), input); break;
    }
    if (format != TraceFormat::w3c)
        FUZZ_CHECK(extracted.trace_state().empty() && !extracted.trace_state().rejected(), "tracestate read: " + where());
    FUZZ_CHECK(context.trace_state == &extracted.trace_state() && context.baggage == &extracted.baggage(), where());

    const ref::Baggage bag = ref::baggage(values_named(lines, "baggage"), Baggage::max_members, Baggage::capacity);
    FUZZ_CHECK(extracted.baggage().size() == bag.entries.size() && extracted.baggage().dropped_members() == bag.dropped,
               where());
    for (std::size_t i = 0; i < bag.entries.size(); ++i)
        FUZZ_CHECK(extracted.baggage()[i].key == bag.entries[i].key && extracted.baggage()[i].value == bag.entries[i].value,
                   where());

    // Send it on in the format it came in, and read it back.
    Propagator hop = propagator;
    hop.send_w3c = format == TraceFormat::w3c;
    hop.send_b3_single = format == TraceFormat::b3_single;
    hop.send_b3_multi = format == TraceFormat::b3_multi;
    mf::Headers out;
    hop.inject(extracted, out);
    for (const auto& [name, value] : out) {
        const std::size_t limit = name == header::traceparent ? traceparent_size
                                  : name == header::tracestate ? TraceState::capacity
                                  : name == header::baggage ? Baggage::capacity
                                  : name == header::b3 ? b3_single_max_size
                                                       : 32;
        FUZZ_CHECK(value.size() <= limit && !value.empty(), name + ": " + mf::printable(value));
        FUZZ_CHECK(name != header::traceparent || value.size() == traceparent_size, value);
    }
    ExtractedContext again;
    hop.extract(out, again);
    FUZZ_CHECK(again.format() == format, "sent and read back as another format: " + where());
    FUZZ_CHECK(again.context() == extracted.context(), mf::describe(again) + ", was " + mf::describe(extracted) + " " + where());
    FUZZ_CHECK(again.trace_state().header() == extracted.trace_state().header(), where());
    FUZZ_CHECK(again.baggage() == extracted.baggage() && again.baggage().dropped_members() == 0, where());

    // Continue the trace as a server.
    static Recorder<4> recorder;
    static Tracer<> tracer("fuzz", recorder);
    Span span = tracer.start_span("handle", extracted, SpanKind::server);
    FUZZ_CHECK(span.context().is_valid() && !span.context().remote, mf::describe(span.context()));
    if (extracted.is_valid()) {
        FUZZ_CHECK(span.context().trace_id == context.trace_id, mf::describe(span.context()));
        FUZZ_CHECK(span.context().span_id != context.span_id, "reused the caller's span id");
        FUZZ_CHECK(span.context().flags.is_random() == context.flags.is_random(), mf::describe(span.context()));
    }
    span.end();
    recorder.drain([](const SpanData&, std::string_view) {});
}

}  // namespace

MICROTRACE_FUZZ_TARGET(composite)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const mf::HeaderLines lines = mf::header_lines(input);
    check(Propagator{}, lines, input);
    Propagator b3_first;
    b3_first.extract_order[0] = TraceFormat::b3_single;
    b3_first.extract_order[1] = TraceFormat::b3_multi;
    b3_first.extract_order[2] = TraceFormat::w3c;
    check(b3_first, lines, input);
    return 0;
}
