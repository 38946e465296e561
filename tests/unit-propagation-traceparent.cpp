// W3C traceparent, rule by rule (W3C Trace Context Level 2, "traceparent Header", and its
// test suite's cases, rewritten here from the rules). Every invalid case restarts the
// trace: parse returns false and extract finds no context.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>

#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::Headers;
using microtrace_test::value_of;

namespace {

const std::string trace_id = "12345678901234567890123456789012";
const std::string parent_id = "1234567890123456";
const std::string valid = "00-" + trace_id + "-" + parent_id + "-01";

// True when `value` is a traceparent we continue; false when the trace must restart.
bool accepted(const std::string& value) {
    SpanContext context;
    return parse_traceparent(value, context);
}

// The traceparent we send for the context parsed from `value`.
std::string reformatted(const std::string& value) {
    SpanContext context;
    if (!parse_traceparent(value, context)) return "<restart>";
    char out[traceparent_size];
    return std::string(out, format_traceparent(context, out));
}

}  // namespace

TEST_CASE("traceparent: the spec's examples parse into ids and flags") {
    SpanContext context;
    REQUIRE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", context));
    CHECK(context.trace_id.to_hex().view() == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(context.span_id.to_hex().view() == "00f067aa0ba902b7");
    CHECK(context.is_sampled());
    CHECK_FALSE(context.flags.is_random());
    CHECK(context.remote);

    REQUIRE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", context));
    CHECK_FALSE(context.is_sampled());
}

TEST_CASE("traceparent: parsing sets what traceparent carries and nothing else") {
    SpanContext context;
    context.debug = true;
    context.sampling_deferred = true;
    context.trace_id_64bit = true;
    context.sampling_threshold = 42;
    REQUIRE(parse_traceparent(valid, context));
    CHECK_FALSE(context.debug);
    CHECK_FALSE(context.sampling_deferred);
    CHECK_FALSE(context.trace_id_64bit);
    CHECK(context.sampling_threshold == 42);  // tracestate's business
}

TEST_CASE("traceparent: an invalid value leaves the context untouched") {
    SpanContext context;
    context.trace_id = TraceId{1, 2};
    context.span_id = SpanId{3};
    const SpanContext before = context;
    CHECK_FALSE(parse_traceparent("00-" + trace_id + "-0000000000000000-01", context));
    CHECK(context == before);
}

TEST_CASE("traceparent: spaces and tabs around the value are trimmed") {
    for (const std::string& padded : {" " + valid, "\t" + valid, valid + " ", valid + "\t", "\t " + valid + " \t"}) {
        CAPTURE(padded);
        CHECK(accepted(padded));
    }
    CHECK_FALSE(accepted(valid + "\n"));  // not whitespace HTTP allows around a value
}

TEST_CASE("traceparent: version ff is invalid") {
    CHECK_FALSE(accepted("ff-" + trace_id + "-" + parent_id + "-01"));
}

TEST_CASE("traceparent: the version is exactly 2 lowercase hex digits") {
    for (const char* version : {".0", "0.", "0A", "A0", "0", "000", "0000"}) {
        CAPTURE(version);
        CHECK_FALSE(accepted(std::string(version) + "-" + trace_id + "-" + parent_id + "-01"));
    }
}

TEST_CASE("traceparent: the trace id is 32 lowercase hex digits, not all zero") {
    for (const std::string& bad : {std::string(32, '0'), "." + trace_id.substr(1), trace_id.substr(1) + ".",
                                   std::string("ABCDEF78901234567890123456789012"), trace_id + "3", trace_id.substr(1)}) {
        CAPTURE(bad);
        CHECK_FALSE(accepted("00-" + bad + "-" + parent_id + "-01"));
    }
}

TEST_CASE("traceparent: the parent id is 16 lowercase hex digits, not all zero") {
    for (const std::string& bad : {std::string(16, '0'), "." + parent_id.substr(1), parent_id.substr(1) + ".",
                                   std::string("ABCDEF7890123456"), parent_id + "7", parent_id.substr(1)}) {
        CAPTURE(bad);
        CHECK_FALSE(accepted("00-" + trace_id + "-" + bad + "-01"));
    }
}

TEST_CASE("traceparent: the flags are 2 lowercase hex digits") {
    for (const char* bad : {".0", "0.", "0A", "001", "1", ""}) {
        CAPTURE(bad);
        CHECK_FALSE(accepted("00-" + trace_id + "-" + parent_id + "-" + bad));
    }
}

TEST_CASE("traceparent: version 00 has nothing after the flags") {
    for (const char* suffix : {".", "-", "-what-the-future-will-be-like", "0"}) {
        CAPTURE(suffix);
        CHECK_FALSE(accepted(valid + suffix));
    }
}

TEST_CASE("traceparent: a missing or misplaced dash is invalid") {
    CHECK_FALSE(accepted("00_" + trace_id + "-" + parent_id + "-01"));
    CHECK_FALSE(accepted("00-" + trace_id + "_" + parent_id + "-01"));
    CHECK_FALSE(accepted("00-" + trace_id + "-" + parent_id + "_01"));
    CHECK_FALSE(accepted("00" + trace_id + "-" + parent_id + "-01"));
    CHECK_FALSE(accepted(""));
}

TEST_CASE("traceparent: a higher version is read with the 00 layout and sent as 00") {
    const std::string base = "cc-" + trace_id + "-" + parent_id + "-01";
    const std::string as_00 = "00-" + trace_id + "-" + parent_id + "-01";
    CHECK(reformatted(base) == as_00);
    CHECK(reformatted(base + "-what-the-future-will-be-like") == as_00);
    CHECK(reformatted(base + "-") == as_00);
    // The flags must be followed by the end or a dash.
    CHECK(reformatted(base + ".what-the-future-will-be-like") == "<restart>");
    CHECK(reformatted(base + "1") == "<restart>");
    // Shorter than 55 characters: restart.
    CHECK(reformatted("cc-" + trace_id + "-" + parent_id + "-1") == "<restart>");
    // The 00 field rules still hold.
    CHECK(reformatted("cc-" + std::string(32, '0') + "-" + parent_id + "-01") == "<restart>");
}

TEST_CASE("traceparent: flags are a bit field; only sampled and random are kept and sent") {
    CHECK(reformatted("00-" + trace_id + "-" + parent_id + "-09") == "00-" + trace_id + "-" + parent_id + "-01");
    CHECK(reformatted("00-" + trace_id + "-" + parent_id + "-ff") == "00-" + trace_id + "-" + parent_id + "-03");
    CHECK(reformatted("00-" + trace_id + "-" + parent_id + "-fc") == "00-" + trace_id + "-" + parent_id + "-00");

    SpanContext context;
    REQUIRE(parse_traceparent("00-" + trace_id + "-" + parent_id + "-02", context));
    CHECK(context.flags.is_random());
    CHECK_FALSE(context.is_sampled());
    REQUIRE(parse_traceparent("00-" + trace_id + "-" + parent_id + "-03", context));
    CHECK(context.flags.is_random());
    CHECK(context.is_sampled());
}

TEST_CASE("traceparent: formatting writes version 00, lowercase, 55 characters") {
    SpanContext context;
    context.trace_id = TraceId{0x0af7651916cd43ddULL, 0x8448eb211c80319cULL};
    context.span_id = SpanId{0xb7ad6b7169203331ULL};
    context.flags.bits = TraceFlags::sampled | TraceFlags::random | 0x80;
    char out[traceparent_size];
    REQUIRE(format_traceparent(context, out) == traceparent_size);
    CHECK(std::string(out, traceparent_size) == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03");

    context.flags.bits = 0;
    context.debug = true;  // B3 debug implies sampled
    REQUIRE(format_traceparent(context, out) == traceparent_size);
    CHECK(std::string(out, traceparent_size) == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
}

TEST_CASE("traceparent: nothing is written for a context without valid ids") {
    char out[traceparent_size];
    CHECK(format_traceparent(SpanContext{}, out) == 0);
    Headers headers;
    inject(SpanContext{}, headers);
    CHECK(headers.empty());
}

TEST_CASE("traceparent: the header name matches in any case") {
    for (const char* name : {"traceparent", "TraceParent", "TrAcEpArEnT", "TRACEPARENT"}) {
        CAPTURE(name);
        const ExtractedContext extracted = extract(Headers{{name, valid}});
        CHECK(extracted.format() == TraceFormat::w3c);
        CHECK(extracted.context().trace_id.to_hex().view() == trace_id);
    }
    for (const char* name : {"trace-parent", "trace.parent", "traceparent ", "traceparen"}) {
        CAPTURE(name);
        CHECK(extract(Headers{{name, valid}}).format() == TraceFormat::none);
    }
}

TEST_CASE("traceparent: two traceparent lines restart the trace, even when they agree") {
    const std::string other = "00-" + trace_id.substr(0, 31) + "1-" + parent_id + "-01";
    CHECK_FALSE(extract(Headers{{"traceparent", valid}, {"traceparent", other}}).is_valid());
    CHECK_FALSE(extract(Headers{{"traceparent", valid}, {"TraceParent", valid}}).is_valid());
    CHECK(extract(Headers{{"traceparent", valid}}).is_valid());
}

TEST_CASE("traceparent: a restart leaves no partial state behind") {
    const ExtractedContext extracted =
        extract(Headers{{"traceparent", "00-" + trace_id + "-" + std::string(16, '0') + "-01"}, {"tracestate", "congo=t61rcWkgMzE"}});
    CHECK(extracted.format() == TraceFormat::none);
    CHECK(extracted.context() == SpanContext{});
    CHECK(extracted.trace_state().empty());
    CHECK_FALSE(extracted.trace_state().rejected());  // not parsed at all
}

TEST_CASE("traceparent: extract then inject sends the same value back") {
    for (const char* flags : {"00", "01", "02", "03"}) {
        const std::string value = "00-" + trace_id + "-" + parent_id + "-" + flags;
        CHECK(value_of(microtrace_test::passed_on(Headers{{"traceparent", value}}), "traceparent") == value);
    }
}

TEST_CASE("traceparent: parsing is constexpr") {
    constexpr bool parsed = [] {
        SpanContext context;
        return parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", context) &&
               context.span_id.value == 0x00f067aa0ba902b7ULL;
    }();
    static_assert(parsed, "parse_traceparent works at compile time");
    static_assert(noexcept(parse_traceparent(std::string_view{}, std::declval<SpanContext&>())), "never throws");
}
