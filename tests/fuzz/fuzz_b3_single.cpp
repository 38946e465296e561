// Fuzz target: the B3 single header (`b3`). Input: the header value, any bytes.
//
// Properties: the library accepts exactly what the reference reader (written from
// openzipkin/b3-propagation) accepts, with the same ids, id width and four-valued sampling
// state; a rejected value leaves the context untouched; what format_b3_single writes fits
// b3_single_max_size and parses back to the same context; the context survives a hop through
// W3C traceparent (same ids, debug sent as sampled); through a carrier the first line wins.
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;

MICROTRACE_FUZZ_TARGET(b3_single)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const mf::reference::B3 expected = mf::reference::b3_single(input);

    const SpanContext sentinel = mf::sentinel_context();
    SpanContext parsed = sentinel;
    const bool accepted = parse_b3_single(input, parsed);
    FUZZ_CHECK(accepted == expected.valid, "accepted " + std::to_string(accepted) + " for " + mf::printable(input));
    if (!accepted) {
        FUZZ_CHECK(parsed == sentinel, "a rejected value changed the context: " + mf::describe(parsed));
    } else {
        mf::check_b3_context(parsed, expected, input);

        char formatted[b3_single_max_size + 1] = {};
        const std::size_t length = format_b3_single(parsed, formatted);
        const std::string written(formatted, length);
        FUZZ_CHECK(length > 0 && length <= b3_single_max_size, mf::describe(parsed));
        FUZZ_CHECK(mf::reference::b3_single(written).valid, "we wrote an invalid b3 " + mf::printable(written));
        SpanContext again = sentinel;
        FUZZ_CHECK(parse_b3_single(written, again), written);
        again.sampling_threshold = parsed.sampling_threshold;  // B3 does not carry it
        FUZZ_CHECK(again == parsed, written + " read back as " + mf::describe(again) + ", was " + mf::describe(parsed));

        if (parsed.is_valid()) {  // a hop through W3C keeps the ids; debug travels as sampled
            char traceparent[traceparent_size];
            FUZZ_CHECK(format_traceparent(parsed, traceparent) == traceparent_size, mf::describe(parsed));
            SpanContext w3c;
            FUZZ_CHECK(parse_traceparent(std::string_view(traceparent, traceparent_size), w3c), "");
            FUZZ_CHECK(w3c.trace_id == parsed.trace_id && w3c.span_id == parsed.span_id, mf::describe(w3c));
            FUZZ_CHECK(w3c.is_sampled() == (parsed.is_sampled() || parsed.debug), mf::describe(w3c));
        }
    }

    // Through a carrier: the first `b3` line wins, whatever follows.
    mf::Headers lines{{"B3", input}, {"b3", "0"}};
    SpanContext from_carrier = sentinel;
    FUZZ_CHECK(extract_b3_single(HeaderListCarrier<mf::Headers>(lines), from_carrier) == accepted, mf::printable(input));
    FUZZ_CHECK(from_carrier == parsed, mf::describe(from_carrier));
    return 0;
}
