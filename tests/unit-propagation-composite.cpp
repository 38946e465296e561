// The composite propagator: format order, round trips within and across formats, no
// allocation, linear time on hostile input, and a server span continuing a trace.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>
#include <type_traits>

#include "support/alloc_counter.hpp"
#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::FixedHeaders;
using microtrace_test::context_of;
using microtrace_test::Headers;
using microtrace_test::passed_on;
using microtrace_test::value_of;

namespace {

const std::string w3c_trace_id = "0af7651916cd43dd8448eb211c80319c";
const std::string w3c_parent = "00-" + w3c_trace_id + "-b7ad6b7169203331-03";
const std::string b3_trace_id = "80f198ee56343ba864fe8b2a57d3eff7";
const std::string b3_single = b3_trace_id + "-e457b5a2e4d86bd1-1";

Propagator every_format() {
    Propagator propagator;
    propagator.send_b3_single = true;
    propagator.send_b3_multi = true;
    return propagator;
}

Propagator b3_only(bool single) {
    Propagator propagator;
    propagator.send_w3c = false;
    (single ? propagator.send_b3_single : propagator.send_b3_multi) = true;
    return propagator;
}

// A sampler that samples everything and reports the threshold it is given.
struct FixedSampler {
    std::uint64_t threshold = no_sampling_threshold;
    SamplingResult should_sample(const SamplingParameters&) const noexcept { return {true, threshold}; }
    SamplerDescription description() const noexcept { return SamplerDescription{}.append("FixedSampler"); }
};

}  // namespace

// ---- Extraction order ----

TEST_CASE("composite: W3C wins over B3 when both are valid") {
    const ExtractedContext extracted = extract(Headers{{"b3", b3_single}, {"traceparent", w3c_parent}});
    CHECK(extracted.format() == TraceFormat::w3c);
    CHECK(extracted.context().trace_id.to_hex().view() == w3c_trace_id);
}

TEST_CASE("composite: an invalid traceparent falls through to B3") {
    const ExtractedContext extracted =
        extract(Headers{{"traceparent", "00-" + std::string(32, '0') + "-b7ad6b7169203331-01"}, {"tracestate", "a=1"}, {"b3", b3_single}});
    CHECK(extracted.format() == TraceFormat::b3_single);
    CHECK(extracted.context().trace_id.to_hex().view() == b3_trace_id);
    CHECK(extracted.trace_state().empty());  // never parsed without a valid traceparent
}

TEST_CASE("composite: the b3 single header wins over X-B3-*; a malformed one falls through") {
    const Headers multi{{"X-B3-TraceId", "1111111111111111"}, {"X-B3-SpanId", "2222222222222222"}};
    Headers both = multi;
    both.emplace_back("b3", b3_single);
    CHECK(extract(both).format() == TraceFormat::b3_single);
    Headers broken = multi;
    broken.emplace_back("b3", "not-b3");
    CHECK(extract(broken).format() == TraceFormat::b3_multi);
    CHECK(context_of(multi).trace_id.to_hex().view() == "00000000000000001111111111111111");
}

TEST_CASE("composite: the order is configurable") {
    Propagator propagator;
    propagator.extract_order[0] = TraceFormat::b3_multi;
    propagator.extract_order[1] = TraceFormat::none;
    propagator.extract_order[2] = TraceFormat::w3c;
    const Headers headers{{"traceparent", w3c_parent}, {"b3", b3_single}, {"X-B3-TraceId", b3_trace_id}, {"X-B3-SpanId", "2222222222222222"}};
    CHECK(propagator.extract(headers).format() == TraceFormat::b3_multi);
    propagator.extract_order[0] = TraceFormat::none;
    CHECK(propagator.extract(headers).format() == TraceFormat::w3c);
}

TEST_CASE("composite: with no trace headers the trace starts here, baggage still travels") {
    const ExtractedContext extracted = extract(Headers{{"baggage", "a=1"}, {"tracestate", "a=1"}});
    CHECK(extracted.format() == TraceFormat::none);
    CHECK_FALSE(extracted.is_valid());
    CHECK_FALSE(extracted.context().remote);
    CHECK(extracted.trace_state().empty());
    CHECK(extracted.baggage().get("a") == "1");
    CHECK(extracted.context().baggage == &extracted.baggage());
}

TEST_CASE("composite: baggage can be turned off both ways") {
    Propagator propagator;
    propagator.baggage = false;
    const ExtractedContext extracted = propagator.extract(Headers{{"traceparent", w3c_parent}, {"baggage", "a=1"}});
    CHECK(extracted.baggage().empty());
    Baggage baggage;
    REQUIRE(baggage.set("a", "1"));
    Headers out;
    propagator.inject(extracted, baggage, out);
    CHECK(value_of(out, "baggage") == "<absent>");
}

TEST_CASE("composite: inject writes every configured format") {
    const ExtractedContext extracted = extract(Headers{{"traceparent", w3c_parent}, {"tracestate", "a=1"}, {"baggage", "k=v"}});
    Headers out;
    every_format().inject(extracted, out);
    CHECK(value_of(out, "traceparent") == w3c_parent);
    CHECK(value_of(out, "tracestate") == "a=1");
    CHECK(value_of(out, "b3") == w3c_trace_id + "-b7ad6b7169203331-1");
    CHECK(value_of(out, "x-b3-traceid") == w3c_trace_id);
    CHECK(value_of(out, "x-b3-spanid") == "b7ad6b7169203331");
    CHECK(value_of(out, "x-b3-sampled") == "1");
    CHECK(value_of(out, "baggage") == "k=v");
    CHECK(out.size() == 7);
}

TEST_CASE("composite: a temporary ExtractedContext does not convert: spans would point into it") {
    static_assert(std::is_convertible_v<const ExtractedContext&, const SpanContext&>);
    static_assert(!std::is_convertible_v<ExtractedContext&&, const SpanContext&>);
    static_assert(!std::is_convertible_v<const ExtractedContext&&, const SpanContext&>);
}

TEST_CASE("composite: an ExtractedContext copy points at its own tracestate and baggage") {
    const ExtractedContext original = extract(Headers{{"traceparent", w3c_parent}, {"tracestate", "a=1"}, {"baggage", "k=v"}});
    ExtractedContext copy = original;
    CHECK(copy.context().trace_state == &copy.trace_state());
    CHECK(copy.context().baggage == &copy.baggage());
    CHECK(copy.trace_state() == original.trace_state());
    ExtractedContext assigned;
    assigned = copy;
    CHECK(assigned.context().trace_state == &assigned.trace_state());
    CHECK(assigned.context() == original.context());
    CHECK(assigned.baggage() == original.baggage());
}

// ---- Round trips ----

TEST_CASE("round trip: W3C extract(inject(context)) == context, tracestate and baggage included") {
    for (const char* flags : {"00", "01", "02", "03"}) {
        const ExtractedContext original = extract(Headers{{"traceparent", "00-" + w3c_trace_id + "-b7ad6b7169203331-" + flags},
                                                          {"tracestate", "rojo=00f067aa0ba902b7,ot=th:8"},
                                                          {"baggage", "userId=Am%C3%A9lie;p=1"}});
        Headers out;
        inject(original, out);
        const ExtractedContext again = extract(out);
        CHECK(again.context() == original.context());
        CHECK(again.trace_state() == original.trace_state());
        CHECK(again.baggage() == original.baggage());
    }
}

TEST_CASE("round trip: W3C in, B3 out, W3C in keeps ids and the sampled flag") {
    for (const bool single : {true, false}) {
        for (const char* flags : {"00", "01"}) {
            const ExtractedContext w3c = extract(Headers{{"traceparent", "00-" + w3c_trace_id + "-b7ad6b7169203331-" + flags}});
            Headers b3_headers;
            b3_only(single).inject(w3c, b3_headers);
            const ExtractedContext via_b3 = extract(b3_headers);
            Headers w3c_headers;
            inject(via_b3, w3c_headers);
            const ExtractedContext back = extract(w3c_headers);
            CAPTURE(single);
            CAPTURE(flags);
            CHECK(back.format() == TraceFormat::w3c);
            CHECK(back.context() == w3c.context());
            CHECK(value_of(w3c_headers, "traceparent") == "00-" + w3c_trace_id + "-b7ad6b7169203331-" + flags);
        }
    }
}

TEST_CASE("round trip: B3 has no random flag, so it is lost through B3") {
    const ExtractedContext w3c = extract(Headers{{"traceparent", w3c_parent}});  // flags 03
    Headers b3_headers;
    b3_only(true).inject(w3c, b3_headers);
    CHECK(value_of(passed_on(b3_headers), "traceparent") == "00-" + w3c_trace_id + "-b7ad6b7169203331-01");
}

TEST_CASE("round trip: a 64-bit B3 trace id is left-padded in W3C") {
    const ExtractedContext b3 = extract(Headers{{"b3", "64fe8b2a57d3eff7-e457b5a2e4d86bd1-1"}});
    Headers w3c_headers;
    inject(b3, w3c_headers);
    CHECK(value_of(w3c_headers, "traceparent") == "00-000000000000000064fe8b2a57d3eff7-e457b5a2e4d86bd1-01");
    // Back to B3 through W3C, the id is 128-bit: W3C has no narrower form.
    CHECK(value_of(passed_on(w3c_headers, b3_only(true)), "b3") == "000000000000000064fe8b2a57d3eff7-e457b5a2e4d86bd1-1");
}

TEST_CASE("round trip: B3 debug and deferred states become W3C sampled and not sampled") {
    CHECK(value_of(passed_on(Headers{{"b3", b3_trace_id + "-e457b5a2e4d86bd1-d"}}), "traceparent") ==
          "00-" + b3_trace_id + "-e457b5a2e4d86bd1-01");
    CHECK(value_of(passed_on(Headers{{"b3", b3_trace_id + "-e457b5a2e4d86bd1"}}), "traceparent") ==
          "00-" + b3_trace_id + "-e457b5a2e4d86bd1-00");
}

// ---- No allocation ----

TEST_CASE("allocation: extract and inject allocate nothing with a fixed-buffer carrier") {
    FixedHeaders in;
    in.add("TraceParent", w3c_parent);
    in.add("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8");
    in.add("tracestate", "more=1");
    in.add("baggage", "userId=Am%C3%A9lie,serverNode=DF%2028;region=eu,bad key=1");
    in.add("baggage", "isProduction=false");
    in.add("b3", b3_single);
    in.add("X-B3-TraceId", b3_trace_id);
    in.add("X-B3-SpanId", "e457b5a2e4d86bd1");
    in.add("X-B3-Flags", "1");
    static FixedHeaders out;
    static ExtractedContext extracted;
    const Propagator propagator = every_format();

    const microtrace_test::AllocationProbe probe;
    propagator.extract(in.carrier(), extracted);
    SpanContext changed = extracted.context();
    changed.sampling_threshold = 0;  // forces the tracestate rewrite path
    propagator.inject(changed, out.carrier());
    propagator.inject(extracted, extracted.baggage(), out.carrier());
    extracted.trace_state().set("vendor", "value");
    extracted.baggage().set("k", "v w", "p");
    const ExtractedContext copy = extracted;
    CHECK(probe.count() == 0);

    REQUIRE(extracted.format() == TraceFormat::w3c);
    CHECK(copy.baggage().size() == 4);
    CHECK(out.get("traceparent") == w3c_parent);
    CHECK(out.get("tracestate") == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8,more=1");
    CHECK(out.get("x-b3-sampled") == "1");
    CHECK(out.get("baggage") == "userId=Am%C3%A9lie,serverNode=DF%2028;region=eu,isProduction=false");
    CHECK_FALSE(out.overflowed());
}

// ---- Hostile input: linear time, bounded work ----

TEST_CASE("hostile input: 1 MiB header values are rejected or cut, each header read once") {
    const std::size_t mebibyte = std::size_t{1} << 20;
    const auto repeat = [&](const std::string& piece) {
        std::string text;
        while (text.size() < mebibyte) text += piece;
        return text;
    };
    Headers headers;
    std::size_t lookups = 0;
    const auto carrier = CallbackCarrier(
        [&](std::string_view name, auto&& visit) {
            ++lookups;
            for (const auto& [key, value] : headers)
                if (header_name_equals(key, name)) visit(value);
        },
        [](std::string_view, std::string_view) {});
    // Each extract looks each header up once at most: traceparent, tracestate, b3, the five
    // X-B3-* and baggage. Nothing is re-read per member.
    const auto extract_once = [&] {
        lookups = 0;
        ExtractedContext extracted = every_format().extract(carrier);
        CHECK(lookups <= 9);
        return extracted;
    };

    SUBCASE("traceparent") {
        headers = {{"traceparent", w3c_parent + repeat("-")}};
        CHECK_FALSE(extract_once().is_valid());  // version 00 has nothing after the flags
        headers = {{"traceparent", "cc" + w3c_parent.substr(2) + repeat("-future")}};
        CHECK(extract_once().is_valid());  // a later version: the rest is not read
        headers = {{"traceparent", repeat(" \t") + w3c_parent + repeat(" ")}};
        CHECK(extract_once().is_valid());
    }
    SUBCASE("tracestate") {
        headers = {{"traceparent", w3c_parent}, {"tracestate", repeat("a=1,")}};
        CHECK(extract_once().trace_state().rejected());  // more than 32 members
        headers = {{"traceparent", w3c_parent}, {"tracestate", repeat(", ")}};
        CHECK(extract_once().trace_state().empty());
        headers = {{"traceparent", w3c_parent}, {"tracestate", "a=" + repeat("v")}};
        CHECK(extract_once().trace_state().rejected());
    }
    SUBCASE("baggage") {
        headers = {{"baggage", repeat("k=v,")}};
        CHECK(extract_once().baggage().size() == 1);  // one key, replaced each time
        std::string distinct;
        for (int i = 0; distinct.size() < mebibyte; ++i) distinct += "k" + std::to_string(i) + "=v,";
        headers = {{"baggage", distinct}};
        const ExtractedContext extracted = extract_once();
        CHECK(extracted.baggage().size() == Baggage::max_members);
        CHECK(extracted.baggage().dropped_members() > 100000);
        headers = {{"baggage", "k=" + repeat("%FF")}};
        CHECK(extract_once().baggage().empty());
        headers = {{"baggage", repeat(" ,")}};
        CHECK(extract_once().baggage().empty());
    }
    SUBCASE("b3") {
        headers = {{"b3", b3_single + repeat("-1")}, {"X-B3-TraceId", repeat("a")}, {"X-B3-Sampled", repeat("1")}};
        CHECK(extract_once().format() == TraceFormat::none);
    }
}

// ---- Continuing a trace ----

TEST_CASE("continuing: a server span keeps the trace id, gets a new span id, re-sends flags and tracestate") {
    Recorder<16> recorder;
    Tracer<FixedSampler> tracer("server", recorder);
    for (const char* flags : {"01", "03"}) {
        const ExtractedContext parent = extract(Headers{{"traceparent", "00-" + w3c_trace_id + "-b7ad6b7169203331-" + flags},
                                                        {"tracestate", "congo=t61rcWkgMzE"},
                                                        {"baggage", "userId=alice"}});
        auto span = tracer.start_span("handle", parent, SpanKind::server);
        CHECK(span.context().trace_id == parent.context().trace_id);
        CHECK(span.context().span_id.is_valid());
        CHECK(span.context().span_id != parent.context().span_id);  // never the incoming span id
        CHECK_FALSE(span.context().remote);
        CHECK(span.context().flags.is_random() == parent.context().flags.is_random());  // kept exactly

        CHECK(span.context().baggage == &parent.baggage());  // travels with the trace
        Headers out;
        inject(span.context(), out);
        const std::string new_span_id(span.context().span_id.to_hex().view());
        CHECK(value_of(out, "traceparent") == "00-" + w3c_trace_id + "-" + new_span_id + "-" + flags);
        CHECK(value_of(out, "tracestate") == "congo=t61rcWkgMzE");  // as received
        CHECK(value_of(out, "baggage") == "userId=alice");
    }
}

TEST_CASE("continuing: a sampler's threshold is written into `ot`, moved to the front") {
    Recorder<16> recorder;
    Tracer<FixedSampler> tracer("server", recorder, FixedSampler{0});
    const ExtractedContext parent =
        extract(Headers{{"traceparent", w3c_parent}, {"tracestate", "congo=t61rcWkgMzE,ot=rv:0123456789abcd"}});
    auto span = tracer.start_span("handle", parent, SpanKind::server);
    Headers out;
    inject(span.context(), out);
    CHECK(value_of(out, "tracestate") == "ot=th:0;rv:0123456789abcd,congo=t61rcWkgMzE");
}

TEST_CASE("continuing: a new root claims the random flag and sends no tracestate") {
    Recorder<16> recorder;
    Tracer<FixedSampler> tracer("server", recorder);
    const ExtractedContext nothing = extract(Headers{{"tracestate", "congo=t61rcWkgMzE"}});
    auto span = tracer.start_span("handle", nothing, SpanKind::server);
    Headers out;
    inject(span.context(), out);
    const std::string traceparent = value_of(out, "traceparent");
    REQUIRE(traceparent.size() == traceparent_size);
    CHECK(traceparent.substr(53) == "03");
    CHECK(value_of(out, "tracestate") == "<absent>");
}

TEST_CASE("continuing: B3 debug, 64-bit ids and a sampling decision alone carry on") {
    Recorder<16> recorder;
    Tracer<ParentBased<AlwaysOffSampler>> tracer("server", recorder, ParentBased<AlwaysOffSampler>(AlwaysOffSampler{}));
    const Propagator b3 = b3_only(true);

    const ExtractedContext debug_parent = b3.extract(Headers{{"b3", "64fe8b2a57d3eff7-e457b5a2e4d86bd1-d"}});
    auto debug = tracer.start_span("debug", debug_parent, SpanKind::server);
    Headers out;
    b3.inject(debug.context(), out);
    const std::string debug_b3 = value_of(out, "b3");
    CHECK(debug_b3.substr(0, 17) == "64fe8b2a57d3eff7-");  // 64-bit, as received
    CHECK(debug_b3.substr(17, 16) != "e457b5a2e4d86bd1");
    CHECK(debug_b3.substr(33) == "-d");

    const ExtractedContext denied_parent = b3.extract(Headers{{"b3", "0"}});
    auto denied = tracer.start_span("denied", denied_parent, SpanKind::server);
    out.clear();
    b3.inject(denied.context(), out);
    const std::string denied_b3 = value_of(out, "b3");
    REQUIRE(denied_b3.size() == 32 + 1 + 16 + 2);  // a new trace, still denied
    CHECK(denied_b3.substr(49) == "-0");
}

TEST_CASE("continuing: baggage with no trace context travels on with the new trace") {
    Recorder<16> recorder;
    Tracer<FixedSampler> tracer("server", recorder);
    const ExtractedContext received = extract(Headers{{"baggage", "tenant=acme,region=eu%20west"}});
    REQUIRE_FALSE(received.is_valid());
    auto span = tracer.start_span("handle", received, SpanKind::server);
    CHECK(span.context().is_valid());
    CHECK(span.context().baggage == &received.baggage());
    auto child = tracer.start_span("query", span.context(), SpanKind::client);  // and on to children
    Headers out;
    inject(child.context(), out);
    CHECK(value_of(out, "baggage") == "tenant=acme,region=eu%20west");
}
