// Fuzz target: the W3C traceparent value. Input: the header value, any bytes.
//
// Properties: the library accepts exactly what the reference reader (written from the spec)
// accepts, and reads the same ids and flags; a rejected value leaves the context untouched;
// what format_traceparent writes is 55 characters of version 00 that parse back to the same
// context; a version-00 value with only known flags is written back byte for byte; through a
// carrier, one line behaves as the value, two lines are always invalid.
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;

MICROTRACE_FUZZ_TARGET(traceparent)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const mf::reference::Traceparent expected = mf::reference::traceparent(input);

    const SpanContext sentinel = mf::sentinel_context();
    SpanContext parsed = sentinel;
    const bool accepted = parse_traceparent(input, parsed);
    FUZZ_CHECK(accepted == expected.valid, "accepted " + std::to_string(accepted) + " for " + mf::printable(input));
    if (!accepted) {
        FUZZ_CHECK(parsed == sentinel, "a rejected value changed the context: " + mf::describe(parsed));
    } else {
        const auto where = [&] { return mf::describe(parsed) + " from " + mf::printable(input); };
        FUZZ_CHECK(mf::hex(parsed.trace_id) == expected.trace_id, where());
        FUZZ_CHECK(mf::hex(parsed.span_id) == expected.parent_id, where());
        FUZZ_CHECK(parsed.flags.bits == (expected.flags & TraceFlags::known), where());
        FUZZ_CHECK(parsed.remote && !parsed.debug && !parsed.sampling_deferred && !parsed.trace_id_64bit, where());
        FUZZ_CHECK(parsed.sampling_threshold == sentinel.sampling_threshold, "threshold is tracestate's business");

        char formatted[traceparent_size + 1] = {};
        FUZZ_CHECK(format_traceparent(parsed, formatted) == traceparent_size, where());
        const std::string written(formatted, traceparent_size);
        FUZZ_CHECK(written.compare(0, 3, "00-") == 0, written);
        FUZZ_CHECK(mf::reference::traceparent(written).valid, "we wrote an invalid traceparent " + written);
        SpanContext again = sentinel;
        FUZZ_CHECK(parse_traceparent(written, again) && again == parsed, written + " read back as " + mf::describe(again));
        const std::string trimmed(mf::reference::trim(input));
        if (trimmed.compare(0, 2, "00") == 0 && (expected.flags & ~unsigned{TraceFlags::known}) == 0)
            FUZZ_CHECK(written == trimmed, written + " != " + trimmed);
    }

    // The same through a carrier, with the header name in another case.
    mf::Headers one{{"TraceParent", input}};
    SpanContext from_carrier = sentinel;
    TraceState state;
    const bool extracted = extract_trace_context(HeaderListCarrier<mf::Headers>(one), from_carrier, state);
    FUZZ_CHECK(extracted == accepted, "carrier and parse disagree on " + mf::printable(input));
    if (extracted) FUZZ_CHECK(from_carrier.trace_id == parsed.trace_id && from_carrier.span_id == parsed.span_id, "");
    if (!extracted) FUZZ_CHECK(from_carrier == sentinel && state.empty(), "partial state after a rejected header");

    mf::Headers two{{"traceparent", input}, {"traceparent", input}};
    SpanContext from_two = sentinel;
    FUZZ_CHECK(!extract_trace_context(HeaderListCarrier<mf::Headers>(two), from_two, state), "two lines accepted");
    FUZZ_CHECK(from_two == sentinel, "two lines changed the context");
    return 0;
}
