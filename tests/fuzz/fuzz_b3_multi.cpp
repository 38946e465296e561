// Fuzz target: the B3 multi headers (X-B3-TraceId, -SpanId, -ParentSpanId, -Sampled, -Flags).
// Input: header lines, `name: value`, separated by '\n' (names in any case, lines repeated).
//
// Properties: the library finds a context exactly when the reference reader (written from
// openzipkin/b3-propagation) does, with the same ids, width and sampling state; otherwise the
// context is untouched; inject_b3_multi writes well-formed headers (never X-B3-Sampled with
// X-B3-Flags, never X-B3-ParentSpanId) that extract back to the same context.
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;
namespace ref = microtrace_fuzz::reference;

MICROTRACE_FUZZ_TARGET(b3_multi)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const mf::HeaderLines lines = mf::header_lines(input);
    const ref::B3 expected = ref::b3_multi(lines);

    const SpanContext sentinel = mf::sentinel_context();
    SpanContext parsed = sentinel;
    const bool found = extract_b3_multi(HeaderListCarrier<const mf::HeaderLines>(lines), parsed);
    FUZZ_CHECK(found == expected.valid, "found " + std::to_string(found) + " in " + mf::printable(input));
    if (!found) {
        FUZZ_CHECK(parsed == sentinel, "nothing found, yet the context changed: " + mf::describe(parsed));
        return 0;
    }
    mf::check_b3_context(parsed, expected, input);

    mf::Headers out;
    HeaderListCarrier<mf::Headers> out_carrier(out);
    inject_b3_multi(parsed, out_carrier);
    const std::string* trace_id = mf::header_value(out, header::b3_trace_id);
    const std::string* span_id = mf::header_value(out, header::b3_span_id);
    const std::string* sampled = mf::header_value(out, header::b3_sampled);
    const std::string* flags = mf::header_value(out, header::b3_flags);
    FUZZ_CHECK(mf::header_value(out, header::b3_parent_span_id) == nullptr, "we never send X-B3-ParentSpanId");
    FUZZ_CHECK((trace_id != nullptr) == parsed.is_valid() && (span_id != nullptr) == parsed.is_valid(), mf::describe(parsed));
    if (trace_id != nullptr) {
        FUZZ_CHECK(ref::is_lower_hex_id(*trace_id, parsed.trace_id_64bit ? 16 : 32), *trace_id);
        FUZZ_CHECK(ref::is_lower_hex_id(*span_id, 16), *span_id);
    }
    FUZZ_CHECK(!(sampled != nullptr && flags != nullptr), "X-B3-Sampled sent with X-B3-Flags");
    if (flags != nullptr) FUZZ_CHECK(*flags == "1", *flags);
    if (sampled != nullptr) FUZZ_CHECK(*sampled == "1" || *sampled == "0", *sampled);

    SpanContext again = sentinel;
    FUZZ_CHECK(extract_b3_multi(HeaderListCarrier<mf::Headers>(out), again), "what we sent is not found");
    again.sampling_threshold = parsed.sampling_threshold;  // B3 does not carry it
    FUZZ_CHECK(again == parsed, mf::describe(again) + ", was " + mf::describe(parsed));
    return 0;
}
