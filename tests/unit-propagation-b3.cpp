// B3 single and multi header, rule by rule (openzipkin/b3-propagation): ids of 64 and
// 128 bits, the four sampling states kept through a hop (with or without ids), debug,
// lenient `true`/`false`, and everything malformed treated as absent.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>

#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::Headers;
using microtrace_test::context_of;
using microtrace_test::passed_on;
using microtrace_test::value_of;

namespace {

const std::string trace_id = "80f198ee56343ba864fe8b2a57d3eff7";
const std::string trace_id_64 = "64fe8b2a57d3eff7";
const std::string span_id = "e457b5a2e4d86bd1";
const std::string parent_span_id = "05e3ac9a4f6e3b90";

bool accepted(const std::string& value) {
    SpanContext context;
    return parse_b3_single(value, context);
}

SpanContext parsed(const std::string& value) {
    SpanContext context;
    REQUIRE(parse_b3_single(value, context));
    return context;
}

Propagator b3_single_only() {
    Propagator propagator;
    propagator.send_w3c = false;
    propagator.send_b3_single = true;
    return propagator;
}

Propagator b3_multi_only() {
    Propagator propagator;
    propagator.send_w3c = false;
    propagator.send_b3_multi = true;
    return propagator;
}

}  // namespace

// ---- Single header ----

TEST_CASE("b3 single: trace id, span id, sampling state and parent span id") {
    const SpanContext context = parsed(trace_id + "-" + span_id + "-1-" + parent_span_id);
    CHECK(context.trace_id.to_hex().view() == trace_id);
    CHECK(context.span_id.to_hex().view() == span_id);  // the caller's span: our parent
    CHECK(context.is_sampled());
    CHECK_FALSE(context.debug);
    CHECK_FALSE(context.sampling_deferred);
    CHECK_FALSE(context.trace_id_64bit);
    CHECK(context.remote);
}

TEST_CASE("b3 single: the four sampling states") {
    const SpanContext deferred = parsed(trace_id + "-" + span_id);
    CHECK(b3_sampling_of(deferred) == B3Sampling::defer);
    CHECK(deferred.sampling_deferred);
    CHECK_FALSE(deferred.is_sampled());

    CHECK(b3_sampling_of(parsed(trace_id + "-" + span_id + "-0")) == B3Sampling::deny);
    CHECK(b3_sampling_of(parsed(trace_id + "-" + span_id + "-1")) == B3Sampling::accept);
    const SpanContext debug = parsed(trace_id + "-" + span_id + "-d");
    CHECK(b3_sampling_of(debug) == B3Sampling::debug);
    CHECK(debug.debug);
    CHECK(debug.is_sampled());  // debug implies accept
}

TEST_CASE("b3 single: a 64-bit trace id is left-padded and remembered as 64-bit") {
    const SpanContext context = parsed(trace_id_64 + "-" + span_id + "-1");
    CHECK(context.trace_id.high == 0);
    CHECK(context.trace_id.to_hex().view() == "0000000000000000" + trace_id_64);
    CHECK(context.trace_id_64bit);
}

TEST_CASE("b3 single: a sampling decision alone, without ids") {
    for (const auto& expected : {std::pair{"0", B3Sampling::deny}, std::pair{"1", B3Sampling::accept},
                                 std::pair{"d", B3Sampling::debug}}) {
        CAPTURE(expected.first);
        const SpanContext context = parsed(expected.first);
        CHECK_FALSE(context.is_valid());
        CHECK(context.remote);
        CHECK(b3_sampling_of(context) == expected.second);
    }
}

TEST_CASE("b3 single: spaces and tabs around the value are trimmed") {
    CHECK(accepted(" " + trace_id + "-" + span_id + "-1\t"));
    CHECK(accepted(" 0 "));
}

TEST_CASE("b3 single: malformed values count as absent and leave the context untouched") {
    const std::string ids = trace_id + "-" + span_id;
    for (const std::string& bad : {
             std::string(""), std::string(" "), std::string("x"), std::string("2"), std::string("D"), std::string("-"),
             std::string("true"),
             // trace id: bad length, uppercase, non-hex, all zero
             trace_id.substr(1) + "-" + span_id, trace_id + "0-" + span_id, trace_id_64.substr(1) + "-" + span_id,
             trace_id_64 + "0-" + span_id, std::string("80F198EE56343BA864FE8B2A57D3EFF7-") + span_id,
             "g" + trace_id.substr(1) + "-" + span_id, std::string(32, '0') + "-" + span_id, std::string(16, '0') + "-" + span_id,
             // span id: bad length, uppercase, all zero, missing
             trace_id + "-" + span_id.substr(1), trace_id + "-" + span_id + "0", trace_id + "-E457B5A2E4D86BD1",
             trace_id + "-" + std::string(16, '0'), trace_id, trace_id + "-",
             // sampling: unknown character, missing, doubled
             ids + "-2", ids + "-D", ids + "-true", ids + "-", ids + "-11", ids + "1",
             // parent span id: bad length, non-hex, all zero, missing hyphen, extra fields
             ids + "-1-" + parent_span_id.substr(1), ids + "-1-" + parent_span_id + "0", ids + "-1-05E3AC9A4F6E3B90",
             ids + "-1-" + std::string(16, '0'), ids + "-1" + parent_span_id, ids + "-1-", ids + "-1-" + parent_span_id + "-1",
             // missing hyphens
             trace_id + span_id, trace_id + "--" + span_id}) {
        CAPTURE(bad);
        SpanContext context;
        context.trace_id = TraceId{7, 7};
        const SpanContext before = context;
        CHECK_FALSE(parse_b3_single(bad, context));
        CHECK(context == before);
    }
}

TEST_CASE("b3 single: formatting sends the received width, the state, and never a parent span id") {
    const auto formatted = [](const SpanContext& context) {
        char out[b3_single_max_size];
        return std::string(out, format_b3_single(context, out));
    };
    CHECK(formatted(parsed(trace_id + "-" + span_id + "-1-" + parent_span_id)) == trace_id + "-" + span_id + "-1");
    CHECK(formatted(parsed(trace_id_64 + "-" + span_id + "-0")) == trace_id_64 + "-" + span_id + "-0");
    CHECK(formatted(parsed(trace_id + "-" + span_id)) == trace_id + "-" + span_id);
    CHECK(formatted(parsed(trace_id + "-" + span_id + "-d")) == trace_id + "-" + span_id + "-d");
    CHECK(formatted(parsed("0")) == "0");
    CHECK(formatted(parsed("d")) == "d");
    CHECK(formatted(SpanContext{}) == "");  // a context that says nothing is not "deny"

    SpanContext shortened = parsed(trace_id_64 + "-" + span_id + "-1");
    shortened.trace_id.high = 0x1234;  // a 64-bit id sends its right-most 16 digits
    CHECK(formatted(shortened) == trace_id_64 + "-" + span_id + "-1");
}

TEST_CASE("b3 single: the first line wins and the name matches in any case") {
    Propagator propagator = b3_single_only();
    propagator.extract_order[0] = TraceFormat::b3_single;
    const ExtractedContext extracted = propagator.extract(Headers{{"B3", trace_id + "-" + span_id + "-1"}, {"b3", "0"}});
    CHECK(extracted.format() == TraceFormat::b3_single);
    CHECK(extracted.context().is_sampled());
    CHECK(extracted.context().is_valid());
}

// ---- Multi header ----

TEST_CASE("b3 multi: the spec's example") {
    const ExtractedContext extracted = extract(Headers{{"X-B3-TraceId", trace_id},
                                                       {"X-B3-ParentSpanId", parent_span_id},
                                                       {"X-B3-SpanId", span_id},
                                                       {"X-B3-Sampled", "1"}});
    CHECK(extracted.format() == TraceFormat::b3_multi);
    CHECK(extracted.context().trace_id.to_hex().view() == trace_id);
    CHECK(extracted.context().span_id.to_hex().view() == span_id);
    CHECK(extracted.context().is_sampled());
    CHECK(extracted.context().remote);
}

TEST_CASE("b3 multi: names match in any case") {
    const ExtractedContext extracted =
        extract(Headers{{"x-b3-traceid", trace_id}, {"X-B3-SPANID", span_id}, {"x-B3-sAmPlEd", "0"}});
    CHECK(extracted.format() == TraceFormat::b3_multi);
    CHECK(b3_sampling_of(extracted.context()) == B3Sampling::deny);
}

TEST_CASE("b3 multi: X-B3-Sampled is 1/0, with true/false accepted leniently") {
    const auto sampling = [](const char* sampled) {
        return b3_sampling_of(context_of(Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}, {"X-B3-Sampled", sampled}}));
    };
    CHECK(sampling("1") == B3Sampling::accept);
    CHECK(sampling("true") == B3Sampling::accept);
    CHECK(sampling("0") == B3Sampling::deny);
    CHECK(sampling("false") == B3Sampling::deny);
    // Malformed: the header counts as absent, so the decision is deferred.
    for (const char* bad : {"", "2", "d", "TRUE", "yes", "01"}) {
        CAPTURE(bad);
        CHECK(sampling(bad) == B3Sampling::defer);
    }
    CHECK(b3_sampling_of(context_of(Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}})) == B3Sampling::defer);
}

TEST_CASE("b3 multi: X-B3-Flags: 1 is debug, which implies sampled") {
    const ExtractedContext debug =
        extract(Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}, {"X-B3-Flags", "1"}, {"X-B3-Sampled", "0"}});
    CHECK(debug.context().debug);
    CHECK(debug.context().is_sampled());
    for (const char* not_debug : {"0", "2", "true", ""}) {
        CAPTURE(not_debug);
        CHECK_FALSE(context_of(Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}, {"X-B3-Flags", not_debug}}).debug);
    }
}

TEST_CASE("b3 multi: a sampling decision alone travels without ids") {
    const ExtractedContext deny = extract(Headers{{"X-B3-Sampled", "0"}});
    CHECK(deny.format() == TraceFormat::b3_multi);
    CHECK_FALSE(deny.is_valid());
    CHECK(b3_sampling_of(deny.context()) == B3Sampling::deny);
    CHECK(b3_sampling_of(context_of(Headers{{"X-B3-Flags", "1"}})) == B3Sampling::debug);
}

TEST_CASE("b3 multi: malformed ids count as absent; with no decision either, nothing is found") {
    for (const Headers& headers :
         {Headers{{"X-B3-TraceId", trace_id.substr(1)}, {"X-B3-SpanId", span_id}},
          Headers{{"X-B3-TraceId", "80F198EE56343BA864FE8B2A57D3EFF7"}, {"X-B3-SpanId", span_id}},
          Headers{{"X-B3-TraceId", std::string(32, '0')}, {"X-B3-SpanId", span_id}},
          Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", std::string(16, '0')}},
          Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id + "0"}}, Headers{{"X-B3-TraceId", trace_id}},
          Headers{{"X-B3-SpanId", span_id}}, Headers{{"X-B3-TraceId", ""}, {"X-B3-SpanId", ""}}}) {
        CHECK(extract(headers).format() == TraceFormat::none);
        Headers with_decision = headers;
        with_decision.emplace_back("X-B3-Sampled", "1");
        const ExtractedContext extracted = extract(with_decision);
        CHECK(extracted.format() == TraceFormat::b3_multi);
        CHECK_FALSE(extracted.is_valid());  // the ids never half-survive
        CHECK(b3_sampling_of(extracted.context()) == B3Sampling::accept);
    }
}

TEST_CASE("b3 multi: a malformed X-B3-ParentSpanId is ignored: we never use it") {
    const ExtractedContext extracted =
        extract(Headers{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}, {"X-B3-ParentSpanId", "nonsense"}, {"X-B3-Sampled", "1"}});
    CHECK(extracted.is_valid());
}

TEST_CASE("b3 multi: the first value of a repeated header wins") {
    const ExtractedContext extracted = extract(Headers{{"X-B3-TraceId", trace_id},
                                                       {"X-B3-TraceId", "1111111111111111"},
                                                       {"X-B3-SpanId", span_id},
                                                       {"X-B3-Sampled", "1"},
                                                       {"x-b3-sampled", "0"}});
    CHECK(extracted.context().trace_id.to_hex().view() == trace_id);
    CHECK(extracted.context().is_sampled());
}

TEST_CASE("b3 multi: a 64-bit trace id is sent back 64-bit") {
    const Headers out = passed_on(Headers{{"X-B3-TraceId", trace_id_64}, {"X-B3-SpanId", span_id}, {"X-B3-Sampled", "1"}},
                                  b3_multi_only());
    CHECK(value_of(out, "x-b3-traceid") == trace_id_64);
}

TEST_CASE("b3 multi: inject writes debug as X-B3-Flags alone, defer as no decision, never a parent") {
    const Headers in{{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", span_id}, {"X-B3-ParentSpanId", parent_span_id}};
    Headers debug_in = in;
    debug_in.emplace_back("X-B3-Flags", "1");
    Headers out = passed_on(debug_in, b3_multi_only());
    CHECK(value_of(out, "x-b3-flags") == "1");
    CHECK(value_of(out, "x-b3-sampled") == "<absent>");
    CHECK(value_of(out, "x-b3-parentspanid") == "<absent>");

    out = passed_on(in, b3_multi_only());
    CHECK(value_of(out, "x-b3-traceid") == trace_id);
    CHECK(value_of(out, "x-b3-spanid") == span_id);
    CHECK(value_of(out, "x-b3-sampled") == "<absent>");
    CHECK(value_of(out, "x-b3-flags") == "<absent>");
    CHECK(value_of(out, "x-b3-parentspanid") == "<absent>");
    CHECK(out.size() == 2);
}

TEST_CASE("b3: a sampling decision alone is kept through a hop, in either form") {
    CHECK(value_of(passed_on(Headers{{"b3", "0"}}, b3_single_only()), "b3") == "0");
    CHECK(value_of(passed_on(Headers{{"b3", "d"}}, b3_single_only()), "b3") == "d");
    CHECK(value_of(passed_on(Headers{{"b3", "1"}}, b3_multi_only()), "x-b3-sampled") == "1");
    const Headers out = passed_on(Headers{{"X-B3-Sampled", "0"}}, b3_multi_only());
    CHECK(value_of(out, "x-b3-sampled") == "0");
    CHECK(value_of(out, "x-b3-traceid") == "<absent>");
    CHECK(value_of(passed_on(Headers{{"X-B3-Sampled", "false"}}, b3_single_only()), "b3") == "0");
    // A sampling decision alone has no W3C form.
    CHECK(passed_on(Headers{{"b3", "1"}}, Propagator{}).empty());
}

TEST_CASE("b3: extract(inject(context)) == context for every state, width and form") {
    for (const std::string& ids : {trace_id + "-" + span_id, trace_id_64 + "-" + span_id}) {
        for (const char* sampling : {"", "-0", "-1", "-d"}) {
            const SpanContext original = parsed(ids + sampling);
            for (const Propagator& propagator : {b3_single_only(), b3_multi_only()}) {
                Headers out;
                propagator.inject(original, out);
                CAPTURE(ids + sampling);
                CHECK(context_of(out, propagator) == original);
            }
        }
    }
    for (const char* sampling : {"0", "1", "d"}) {
        const SpanContext original = parsed(sampling);
        for (const Propagator& propagator : {b3_single_only(), b3_multi_only()}) {
            Headers out;
            propagator.inject(original, out);
            CHECK(context_of(out, propagator) == original);
        }
    }
}
