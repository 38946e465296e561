// W3C tracestate, rule by rule (W3C Trace Context Level 2, "tracestate Header", "Mutating
// the tracestate Field"), plus OpenTelemetry's `ot` member. The strict reading: one
// invalid member, or more than 32, drops the whole header.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::Headers;
using microtrace_test::value_of;

namespace {

const std::string traceparent = "00-12345678901234567890123456789012-1234567890123456-00";

// The tracestate kept from `header`, as it would be sent; "<rejected>" when dropped whole.
std::string kept(const std::string& header) {
    TraceState state;
    if (!state.parse(header)) {
        CHECK(state.rejected());
        CHECK(state.empty());
        return "<rejected>";
    }
    return std::string(state.header());
}

// The tracestate kept from several header lines, through extract.
std::string kept_from_lines(const std::vector<std::string>& lines) {
    Headers headers{{"traceparent", traceparent}};
    for (const std::string& line : lines) headers.emplace_back("tracestate", line);
    const ExtractedContext extracted = extract(headers);
    REQUIRE(extracted.is_valid());
    if (extracted.trace_state().rejected()) return "<rejected>";
    return std::string(extracted.trace_state().header());
}

// `count` members `key01=01,key02=02,...`.
std::string numbered_members(int first, int last) {
    std::string list;
    for (int i = first; i <= last; ++i) {
        const std::string number = (i < 10 ? "0" : "") + std::to_string(i);
        list += (list.empty() ? "" : ",") + ("bar" + number) + "=" + number;
    }
    return list;
}

}  // namespace

TEST_CASE("tracestate: the spec's examples keep every member, in order") {
    TraceState state;
    REQUIRE(state.parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
    REQUIRE(state.size() == 2);
    CHECK(state[0].key == "rojo");
    CHECK(state[0].value == "00f067aa0ba902b7");
    CHECK(state[1].key == "congo");
    CHECK(state.get("congo") == "t61rcWkgMzE");
    CHECK(state.get("absent").empty());
    CHECK_FALSE(state.contains("absent"));
    CHECK(state.header() == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    CHECK(state.dropped_members() == 0);
    CHECK_FALSE(state.rejected());
}

TEST_CASE("tracestate: an empty header is accepted and empty") {
    CHECK(kept("") == "");
    CHECK(kept(" \t ") == "");
    CHECK(kept_from_lines({""}) == "");
}

TEST_CASE("tracestate: empty members and spaces/tabs around members are allowed") {
    CHECK(kept("foo=1 \t , \t bar=2, \t baz=3") == "foo=1,bar=2,baz=3");
    CHECK(kept("foo=1\t \t,\t \tbar=2,\t \tbaz=3") == "foo=1,bar=2,baz=3");
    CHECK(kept(",,foo=1,, ,\t,bar=2,") == "foo=1,bar=2");
    CHECK(kept(" foo=1") == "foo=1");
    CHECK(kept("\tfoo=1") == "foo=1");
    CHECK(kept("foo=1 ") == "foo=1");
    CHECK(kept("foo=1\t") == "foo=1");
    CHECK(kept("\t foo=1 \t") == "foo=1");
}

TEST_CASE("tracestate: leading spaces of a value are part of it; trailing ones are not") {
    TraceState state;
    REQUIRE(state.parse("foo=  bar  "));
    CHECK(state.get("foo") == "  bar");
}

TEST_CASE("tracestate: several lines are joined in order") {
    CHECK(kept_from_lines({"foo=1,bar=2", "rojo=1,congo=2", "baz=3"}) == "foo=1,bar=2,rojo=1,congo=2,baz=3");
    CHECK(kept_from_lines({"foo=1", ""}) == "foo=1");
    CHECK(kept_from_lines({"", "foo=1"}) == "foo=1");
}

TEST_CASE("tracestate: the header name matches in any case, and only that name") {
    for (const char* name : {"TraceState", "TrAcEsTaTe", "TRACESTATE"}) {
        CAPTURE(name);
        CHECK(extract(Headers{{"traceparent", traceparent}, {name, "foo=1"}}).trace_state().get("foo") == "1");
    }
    for (const char* name : {"trace-state", "trace.state"}) {
        CAPTURE(name);
        CHECK(extract(Headers{{"traceparent", traceparent}, {name, "foo=1"}}).trace_state().empty());
    }
}

TEST_CASE("tracestate: every allowed character is kept") {
    std::string key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
    std::string value;
    for (char c = 0x20; c <= 0x7E; ++c)
        if (c != ',' && c != '=') value += c;
    TraceState state;
    REQUIRE(state.parse(key + "=" + value));
    CHECK(state.get(key) == value);
    REQUIRE(state.parse(key + "@a-z0-9_-*/=" + value));
    CHECK(state.get(key + "@a-z0-9_-*/") == value);
}

TEST_CASE("tracestate: keys are a lowercase letter or digit, then up to 255 key characters") {
    CHECK(kept("foo=1,0abc=2") == "foo=1,0abc=2");
    CHECK(kept("foo=1," + std::string(256, 'z') + "=1") == "foo=1," + std::string(256, 'z') + "=1");
    for (const std::string& bad : {std::string(257, 'z'), std::string("FOO"), std::string("Foo"), std::string("foo.bar"),
                                   std::string("foo "), std::string("_foo"), std::string("@foo"), std::string("")}) {
        CAPTURE(bad);
        CHECK(kept("foo=1," + bad + "=1") == "<rejected>");
    }
}

TEST_CASE("tracestate: `@` is read leniently (Level 2) but written strictly (Level 1)") {
    // Level 2's grammar puts no rule on `@`; Level 1's tenant@system form is the subset we write.
    CHECK(kept("foo@=1,bar=2") == "foo@=1,bar=2");
    CHECK(kept("foo@@bar=1,bar=2") == "foo@@bar=1,bar=2");
    CHECK(kept("foo@bar@baz=1,bar=2") == "foo@bar@baz=1,bar=2");
    CHECK(kept(std::string(241, 't') + "@" + std::string(14, 'v') + "=1") != "<rejected>");

    TraceState state;
    CHECK(state.set("tenant@system", "1"));
    CHECK(state.set(std::string(241, 't') + "@" + std::string(14, 'v'), "1"));
    CHECK(state.set("0tenant@system", "1"));
    for (const std::string& bad : {std::string("foo@"), std::string("@foo"), std::string("foo@@bar"), std::string("foo@bar@baz"),
                                   std::string(242, 't') + "@v", std::string("t@") + std::string(15, 'v'), std::string("t@0v"),
                                   std::string("0foo"), std::string("FOO"), std::string(257, 'z')}) {
        CAPTURE(bad);
        CHECK_FALSE(state.set(bad, "1"));
    }
}

TEST_CASE("tracestate: values are 1-256 printable characters except `,` and `=`") {
    CHECK(kept("foo=" + std::string(256, 'v')) == "foo=" + std::string(256, 'v'));
    for (const std::string& bad : {std::string("foo="), std::string("foo= "), std::string("foo=bar=baz"), std::string("foo=,bar=3"),
                                   "foo=" + std::string(257, 'v'), std::string("foo=a\tb"), std::string("foo=a\x7f"),
                                   std::string("foo=caf\xc3\xa9"), std::string("foo"), std::string("=1")}) {
        CAPTURE(bad);
        CHECK(kept(bad) == "<rejected>");
    }
}

TEST_CASE("tracestate: one invalid member drops the whole header, never traceparent") {
    const ExtractedContext extracted = extract(Headers{{"traceparent", traceparent}, {"tracestate", "foo=1,BAR=2,baz=3"}});
    CHECK(extracted.is_valid());
    CHECK(extracted.format() == TraceFormat::w3c);
    CHECK(extracted.trace_state().empty());
    CHECK(extracted.trace_state().rejected());

    CHECK(kept_from_lines({"foo=1", "bar=", "baz=3"}) == "<rejected>");
}

TEST_CASE("tracestate: at most 32 members; 33 drop the whole header") {
    CHECK(kept_from_lines({numbered_members(1, 10), numbered_members(11, 20), numbered_members(21, 30), numbered_members(31, 32)}) ==
          numbered_members(1, 32));
    CHECK(kept_from_lines({numbered_members(1, 10), numbered_members(11, 20), numbered_members(21, 30), numbered_members(31, 33)}) ==
          "<rejected>");
    CHECK(kept(numbered_members(1, 32) + ",,,") == numbered_members(1, 32));  // empty members do not count
}

TEST_CASE("tracestate: a repeated key keeps its first (left-most) member") {
    TraceState state;
    REQUIRE(state.parse("foo=1,bar=2,foo=3"));
    CHECK(state.header() == "foo=1,bar=2");
    CHECK(state.dropped_members() == 1);
    CHECK(kept_from_lines({"foo=1", "foo=2"}) == "foo=1");
    CHECK(kept_from_lines({"foo=1", "foo=1"}) == "foo=1");
}

TEST_CASE("tracestate: 512 characters are kept; beyond, long members go first, then from the right") {
    static_assert(TraceState::capacity == 512, "these vectors assume the default capacity");
    const auto member = [](int index, std::size_t size) {
        const std::string key = "k" + std::to_string(index);
        return key + "=" + std::string(size - key.size() - 1, 'v');
    };
    // Members of 127, 127, 127 and 124 characters (`kN=` + filler) and 3 commas: 508.
    const std::string fits = member(1, 127) + "," + member(2, 127) + "," + member(3, 127) + "," + member(4, 124);
    REQUIRE(fits.size() == 508);
    CHECK(kept(fits + ",z=1") == fits + ",z=1");  // exactly 512

    TraceState state;
    // 513: the right-most member goes.
    REQUIRE(state.parse(fits + ",z=12"));
    CHECK(state.header() == fits);
    CHECK(state.dropped_members() == 1);

    // A long member (over 128) goes before any short one, wherever it is.
    const std::string long_member = member(9, 200);
    REQUIRE(state.parse(member(1, 127) + "," + long_member + "," + member(2, 127) + "," + member(3, 127) + ",z=1"));
    CHECK(state.header() == member(1, 127) + "," + member(2, 127) + "," + member(3, 127) + ",z=1");
    CHECK(state.dropped_members() == 1);

    // Long members go right-most first, and only as many as needed.
    REQUIRE(state.parse(member(7, 200) + "," + member(8, 200) + "," + member(9, 200)));
    CHECK(state.header() == member(7, 200) + "," + member(8, 200));
    CHECK(state.dropped_members() == 1);

    // Then short members go from the right.
    REQUIRE(state.parse(fits + "," + member(5, 100) + "," + member(6, 100)));
    CHECK(state.header() == fits);
    CHECK(state.dropped_members() == 2);
}

TEST_CASE("tracestate: set moves the key to the front; other members keep their order") {
    TraceState state;
    REQUIRE(state.parse("congo=t61rcWkgMzE"));
    REQUIRE(state.set("rojo", "00f067aa0ba902b7"));
    CHECK(state.header() == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    REQUIRE(state.set("congo", "ucfJifl5GOE"));
    CHECK(state.header() == "congo=ucfJifl5GOE,rojo=00f067aa0ba902b7");
    REQUIRE(state.parse("a=1,b=2,c=3,d=4"));
    REQUIRE(state.set("c", "5"));
    CHECK(state.header() == "c=5,a=1,b=2,d=4");
    CHECK(state.size() == 4);
}

TEST_CASE("tracestate: set refuses an invalid key or value and changes nothing") {
    TraceState state;
    REQUIRE(state.parse("a=1"));
    CHECK_FALSE(state.set("A", "1"));
    CHECK_FALSE(state.set("a", ""));
    CHECK_FALSE(state.set("a", "x,y"));
    CHECK_FALSE(state.set("a", "x=y"));
    CHECK_FALSE(state.set("a", "x "));
    CHECK_FALSE(state.set("a", std::string(257, 'v')));
    CHECK(state.header() == "a=1");
}

TEST_CASE("tracestate: when full, set drops from the right (long members first), never the new one") {
    TraceState state;
    REQUIRE(state.parse(numbered_members(1, 32)));
    REQUIRE(state.set("new", "1"));
    CHECK(state.size() == 32);
    CHECK(state.header() == "new=1," + numbered_members(1, 31));
    CHECK(state.dropped_members() == 1);

    const std::string long_value(200, 'v');
    REQUIRE(state.parse("a=" + long_value + ",b=" + std::string(150, 'v') + ",c=1"));
    REQUIRE(state.set("d", std::string(200, 'w')));  // 2+200 + 2+200 + 2+150 + 3 + 3 commas > 512
    CHECK(state.header() == "d=" + std::string(200, 'w') + ",a=" + long_value + ",c=1");
    CHECK(state.dropped_members() == 1);
}

TEST_CASE("tracestate: erase removes one member") {
    TraceState state;
    REQUIRE(state.parse("a=1,b=2,c=3"));
    CHECK(state.erase("b"));
    CHECK(state.header() == "a=1,c=3");
    CHECK_FALSE(state.erase("b"));
    CHECK(state.erase("a"));
    CHECK(state.erase("c"));
    CHECK(state.empty());
    CHECK(state.header().empty());
}

TEST_CASE("tracestate: copies are independent and equal") {
    TraceState state;
    REQUIRE(state.parse("a=1,b=2"));
    TraceState copy = state;
    CHECK(copy == state);
    REQUIRE(copy.set("c", "3"));
    CHECK(copy != state);
    CHECK(state.header() == "a=1,b=2");
}

TEST_CASE("tracestate: extract then inject sends it back unchanged") {
    const std::string header = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8;rv:0123456789abcd, x@y= spaced";
    const Headers out = microtrace_test::passed_on(Headers{{"traceparent", traceparent}, {"tracestate", header}});
    CHECK(value_of(out, "tracestate") == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8;rv:0123456789abcd,x@y= spaced");
}

TEST_CASE("tracestate: an empty tracestate is not sent") {
    const Headers out = microtrace_test::passed_on(Headers{{"traceparent", traceparent}, {"tracestate", " , "}});
    CHECK(value_of(out, "traceparent") == traceparent);
    CHECK(value_of(out, "tracestate") == "<absent>");
}

// ---- OpenTelemetry's `ot` member ----

TEST_CASE("ot: sub-keys are read from the `ot` value") {
    CHECK(otel_sub_value("th:8;rv:0123456789abcd", "th") == "8");
    CHECK(otel_sub_value("th:8;rv:0123456789abcd", "rv") == "0123456789abcd");
    CHECK(otel_sub_value("p:8;r:62", "th").empty());
    CHECK(otel_sub_value("thx:8", "th").empty());
    CHECK(otel_sub_value("", "th").empty());
}

TEST_CASE("ot: the threshold is read from `th`, when valid") {
    TraceState state;
    REQUIRE(state.parse("ot=th:8"));
    CHECK(sampling_threshold_of(state) == (std::uint64_t{1} << 55));
    REQUIRE(state.parse("ot=rv:0123456789abcd;th:0"));
    CHECK(sampling_threshold_of(state) == 0);
    for (const char* bad : {"ot=th:", "ot=th:G", "ot=th:123456789012345", "ot=p:8", "vendor=th:8"}) {
        CAPTURE(bad);
        REQUIRE(state.parse(bad));
        CHECK(sampling_threshold_of(state) == no_sampling_threshold);
    }
}

TEST_CASE("ot: setting the threshold updates `th`, keeps other sub-keys and moves `ot` to the front") {
    TraceState state;
    REQUIRE(state.parse("congo=t61rcWkgMzE,ot=rv:0123456789abcd;th:8"));
    REQUIRE(set_sampling_threshold(state, std::uint64_t{0xc} << 52));
    CHECK(state.header() == "ot=th:c;rv:0123456789abcd,congo=t61rcWkgMzE");
    REQUIRE(set_sampling_threshold(state, no_sampling_threshold));
    CHECK(state.header() == "ot=rv:0123456789abcd,congo=t61rcWkgMzE");

    REQUIRE(state.parse("congo=t61rcWkgMzE,ot=th:8"));
    REQUIRE(set_sampling_threshold(state, no_sampling_threshold));  // `ot` has nothing left
    CHECK(state.header() == "congo=t61rcWkgMzE");

    REQUIRE(state.parse("congo=t61rcWkgMzE,ot=th:8"));
    REQUIRE(set_sampling_threshold(state, std::uint64_t{1} << 55));  // unchanged: no move
    CHECK(state.header() == "congo=t61rcWkgMzE,ot=th:8");

    TraceState empty;
    REQUIRE(set_sampling_threshold(empty, 0));
    CHECK(empty.header() == "ot=th:0");
}

TEST_CASE("ot: extract carries `th` in the context; inject writes the context's threshold back") {
    const Headers in{{"traceparent", "00-12345678901234567890123456789012-1234567890123456-01"},
                     {"tracestate", "congo=t61rcWkgMzE,ot=th:8"}};
    ExtractedContext extracted = extract(in);
    CHECK(extracted.context().sampling_threshold == (std::uint64_t{1} << 55));

    SpanContext changed = extracted.context();
    changed.span_id = SpanId{0x1111111111111111ULL};
    changed.sampling_threshold = std::uint64_t{0xc} << 52;
    Headers out;
    inject(changed, out);
    CHECK(value_of(out, "tracestate") == "ot=th:c,congo=t61rcWkgMzE");
    CHECK(extracted.trace_state().header() == "congo=t61rcWkgMzE,ot=th:8");  // the received one is untouched

    changed.sampling_threshold = no_sampling_threshold;
    out.clear();
    inject(changed, out);
    CHECK(value_of(out, "tracestate") == "congo=t61rcWkgMzE");

    SpanContext fresh = changed;
    fresh.trace_state = nullptr;
    fresh.sampling_threshold = 0;
    out.clear();
    inject(fresh, out);
    CHECK(value_of(out, "tracestate") == "ot=th:0");
}

TEST_CASE("ot: a malformed `th` passes through unchanged when the threshold is not set") {
    const Headers in{{"traceparent", "00-12345678901234567890123456789012-1234567890123456-01"}, {"tracestate", "a=1,ot=th:xyz"}};
    const ExtractedContext extracted = extract(in);
    CHECK(extracted.context().sampling_threshold == no_sampling_threshold);
    Headers out;
    inject(extracted, out);
    CHECK(value_of(out, "tracestate") == "a=1,ot=th:xyz");
}
