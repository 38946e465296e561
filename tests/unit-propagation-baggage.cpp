// W3C Baggage, rule by rule ("Header Content", "Limits", "Mutating baggage"): the spec's
// examples, percent-coding with U+FFFD for invalid UTF-8, properties, limits (64 members,
// 8192 bytes, whole members only), and the get/set/erase API.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::Headers;
using microtrace_test::value_of;

namespace {

const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD

// The header we would send for the baggage received as `header`.
std::string resent(const std::string& header) {
    Baggage baggage;
    baggage.parse(header);
    std::string out(baggage.header_size(), '\0');
    CHECK(baggage.write(out.data()) == out.size());
    return out;
}

// The decoded value of `key=<encoded>`; "<dropped>" when the member is invalid.
std::string decoded(const std::string& encoded) {
    Baggage baggage;
    baggage.parse("key=" + encoded);
    if (!baggage.contains("key")) {
        CHECK(baggage.dropped_members() == 1);
        return "<dropped>";
    }
    return std::string(baggage.get("key"));
}

std::string encoded(const std::string& value) {
    Baggage baggage;
    REQUIRE(baggage.set("key", value));
    std::string out(baggage.header_size(), '\0');
    baggage.write(out.data());
    return out.substr(4);
}

}  // namespace

TEST_CASE("baggage: the spec's example with properties and spaces") {
    Baggage baggage;
    baggage.parse("key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue");
    REQUIRE(baggage.size() == 3);
    CHECK(baggage[0].key == "key1");
    CHECK(baggage[0].value == "value1");
    CHECK(baggage[0].properties == "property1;property2");
    CHECK(baggage[1].key == "key2");
    CHECK(baggage[1].value == "value2");
    CHECK(baggage[1].properties.empty());
    CHECK(baggage[2].properties == "propertyKey=propertyValue");
    CHECK(baggage.dropped_members() == 0);
    CHECK(resent("key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue") ==
          "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue");
}

TEST_CASE("baggage: the spec's examples of percent-encoded values") {
    Baggage baggage;
    baggage.parse("userId=alice,serverNode=DF%2028,isProduction=false");
    CHECK(baggage.get("userId") == "alice");
    CHECK(baggage.get("serverNode") == "DF 28");
    CHECK(baggage.get("isProduction") == "false");
    baggage.parse("userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false");
    CHECK(baggage.get("userId") == "Am\xC3\xA9lie");
    CHECK(resent("userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false") ==
          "userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false");
}

TEST_CASE("baggage: several lines are combined, in order") {
    const ExtractedContext extracted =
        extract(Headers{{"baggage", "userId=alice"}, {"Baggage", "serverNode=DF%2028,isProduction=false"}});
    const Baggage& baggage = extracted.baggage();
    REQUIRE(baggage.size() == 3);
    CHECK(baggage[0].key == "userId");
    CHECK(baggage[1].key == "serverNode");
    CHECK(baggage[2].key == "isProduction");
}

TEST_CASE("baggage: spaces and tabs around keys, values, `,`, `;` and `=` are dropped") {
    Baggage baggage;
    baggage.parse(" userId =   alice \t, serverNode = DF%2028 ;\tp1 = v1 ; p2 ,isProduction\t=\tfalse");
    CHECK(baggage.get("userId") == "alice");
    CHECK(baggage.get("serverNode") == "DF 28");
    CHECK(baggage[1].properties == "p1=v1;p2");
    CHECK(baggage.get("isProduction") == "false");
}

TEST_CASE("baggage: a value may contain `=` and may be empty") {
    Baggage baggage;
    baggage.parse("a=b=c,empty=,eq==");
    CHECK(baggage.get("a") == "b=c");
    CHECK(baggage.contains("empty"));
    CHECK(baggage.get("empty").empty());
    CHECK(baggage.get("eq") == "=");
    CHECK(resent("a=b=c,empty=") == "a=b=c,empty=");
}

TEST_CASE("baggage: percent-decoding takes either case of hex") {
    CHECK(decoded("%c3%a9") == "\xC3\xA9");
    CHECK(decoded("%C3%A9") == "\xC3\xA9");
    CHECK(decoded("%41%62") == "Ab");
    CHECK(decoded("100%25") == "100%");
}

TEST_CASE("baggage: invalid UTF-8 decodes to U+FFFD, one per maximal invalid subpart") {
    CHECK(decoded("%FF") == replacement);
    CHECK(decoded("a%C3") == "a" + replacement);
    CHECK(decoded("a%C3(b") == "a" + replacement + "(b");
    CHECK(decoded("%E0%80") == replacement + replacement);                // overlong lead
    CHECK(decoded("%F0%9F%98") == replacement);                            // truncated 4-byte sequence
    CHECK(decoded("%ED%A0%80") == replacement + replacement + replacement);  // a surrogate
    CHECK(decoded("%C0%AF") == replacement + replacement);
    CHECK(decoded("%F0%9F%98%80") == "\xF0\x9F\x98\x80");  // valid U+1F600
}

TEST_CASE("baggage: a malformed value or escape drops that member only") {
    for (const char* bad : {"%", "%4", "%G1", "%4G", "a b", "a\"b", "a\\b", "caf\xC3\xA9", "a\tb"}) {
        CAPTURE(bad);
        CHECK(decoded(bad) == "<dropped>");
    }
}

TEST_CASE("baggage: invalid members are dropped one by one and counted; empty ones are skipped") {
    Baggage baggage;
    baggage.parse("a=1,novalue,bad key=2,=3,k\xC3\xA9y=4,b=2,c=1;bad property,d=1;=v,,e=5, ");
    CHECK(resent("a=1,novalue,bad key=2,=3,k\xC3\xA9y=4,b=2,c=1;bad property,d=1;=v,,e=5, ") == "a=1,b=2,e=5");
    CHECK(baggage.size() == 3);
    CHECK(baggage.dropped_members() == 6);
}

TEST_CASE("baggage: keys are RFC 7230 tokens, case-sensitive") {
    Baggage baggage;
    baggage.parse("!#$%&'*+-.^_`|~09azAZ=1,Key=2,key=3");
    CHECK(baggage.get("!#$%&'*+-.^_`|~09azAZ") == "1");
    CHECK(baggage.get("Key") == "2");
    CHECK(baggage.get("key") == "3");
}

TEST_CASE("baggage: a repeated key keeps the last value, at the first one's place") {
    Baggage baggage;
    baggage.parse("a=1,b=2,a=3;p");
    REQUIRE(baggage.size() == 2);
    CHECK(baggage[0].key == "a");
    CHECK(baggage[0].value == "3");
    CHECK(baggage[0].properties == "p");
    CHECK(resent("a=1,b=2,a=3;p") == "a=3;p,b=2");
}

TEST_CASE("baggage: 64 members are kept; more are dropped whole and counted") {
    static_assert(Baggage::max_members == 64, "these vectors assume the default limits");
    std::string header;
    for (int i = 0; i < 70; ++i) header += (i > 0 ? "," : "") + ("k" + std::to_string(i)) + "=v";
    Baggage baggage;
    baggage.parse(header);
    CHECK(baggage.size() == 64);
    CHECK(baggage.contains("k63"));
    CHECK_FALSE(baggage.contains("k64"));
    CHECK(baggage.dropped_members() == 6);
}

TEST_CASE("baggage: 8192 bytes are kept; a member that does not fit is dropped whole") {
    static_assert(Baggage::capacity == 8192, "these vectors assume the default limits");
    // Two members of 4095 bytes and a comma: 8191.
    const std::string a = "a=" + std::string(4093, 'x');
    const std::string b = "b=" + std::string(4093, 'y');
    Baggage baggage;
    baggage.parse(a + "," + b);
    CHECK(baggage.header_size() == 8191);
    CHECK(baggage.size() == 2);

    baggage.parse(a + "," + b + ",c=");  // 8194: c does not fit
    CHECK(baggage.size() == 2);
    CHECK_FALSE(baggage.contains("c"));
    CHECK(baggage.dropped_members() == 1);

    // Exactly 8192 fits.
    baggage.parse(a + ",b=" + std::string(4091, 'y') + ",c=");
    CHECK(baggage.header_size() == 8192);
    CHECK(baggage.size() == 3);

    // The limit is on the header as sent: an escaped byte costs 3.
    baggage.parse(a + ",b=" + std::string(4091, 'y') + "%20");
    CHECK(baggage.header_size() == 8192);
    CHECK(baggage.get("b").back() == ' ');

    // A member too big on its own is dropped; smaller ones after it still fit.
    baggage.parse("big=" + std::string(9000, 'x') + ",small=1");
    CHECK_FALSE(baggage.contains("big"));
    CHECK(baggage.get("small") == "1");
    CHECK(baggage.dropped_members() == 1);
}

TEST_CASE("baggage: set adds at the end, replaces in place, and encodes on output") {
    Baggage baggage;
    REQUIRE(baggage.set("userId", "Am\xC3\xA9lie"));
    REQUIRE(baggage.set("serverNode", "DF 28", "region=eu"));
    REQUIRE(baggage.set("userId", "bob"));
    REQUIRE(baggage.size() == 2);
    CHECK(baggage[0].key == "userId");
    CHECK(baggage.get("userId") == "bob");
    std::string out(baggage.header_size(), '\0');
    baggage.write(out.data());
    CHECK(out == "userId=bob,serverNode=DF%2028;region=eu");
}

TEST_CASE("baggage: `%` and everything outside baggage-octet is percent-encoded, uppercase") {
    CHECK(encoded("100%") == "100%25");
    CHECK(encoded("a b\"c,d;e\\f") == "a%20b%22c%2Cd%3Be%5Cf");
    CHECK(encoded("Am\xC3\xA9lie") == "Am%C3%A9lie");
    CHECK(encoded(std::string("\0\x7f\xff", 3)) == "%00%7F%FF");
    CHECK(encoded("=!#$&'()*+-./:<>?@[]^_`{|}~") == "=!#$&'()*+-./:<>?@[]^_`{|}~");
}

TEST_CASE("baggage: set refuses an invalid key or properties, or what does not fit, and counts it") {
    Baggage baggage;
    REQUIRE(baggage.set("a", "1"));
    CHECK_FALSE(baggage.set("bad key", "1"));
    CHECK_FALSE(baggage.set("", "1"));
    CHECK_FALSE(baggage.set("k", "1", "bad property"));
    CHECK_FALSE(baggage.set("k", std::string(Baggage::capacity, 'x')));
    CHECK_FALSE(baggage.set("a", std::string(Baggage::capacity, 'x')));
    CHECK(baggage.get("a") == "1");  // a failed replacement leaves the old value
    CHECK(baggage.size() == 1);
    CHECK(baggage.dropped_members() == 5);
}

TEST_CASE("baggage: erase removes one entry and frees its room") {
    Baggage baggage;
    baggage.parse("a=1;p,b=2,c=3");
    CHECK(baggage.erase("a"));
    CHECK_FALSE(baggage.erase("a"));
    CHECK(baggage[0].key == "b");
    CHECK(baggage.get("c") == "3");
    REQUIRE(baggage.set("big", std::string(Baggage::capacity - 12, 'x')));  // b=2,c=3,big=... is 8192
    CHECK(baggage.header_size() == Baggage::capacity);
    CHECK(baggage.erase("b"));
    CHECK(baggage.erase("big"));
    CHECK(baggage.get("c") == "3");
    CHECK(baggage.header_size() == 3);
}

TEST_CASE("baggage: extract then inject gives the same baggage back") {
    Baggage original;
    REQUIRE(original.set("userId", "Am\xC3\xA9lie"));
    REQUIRE(original.set("path", "/a b/100%/c,d;e"));
    REQUIRE(original.set("empty", ""));
    REQUIRE(original.set("props", "x", "k1=v1;k2"));
    SpanContext context;
    context.baggage = &original;
    Headers out;
    inject(context, out);
    CHECK(value_of(out, "baggage") == "userId=Am%C3%A9lie,path=/a%20b/100%25/c%2Cd%3Be,empty=,props=x;k1=v1;k2");
    const ExtractedContext extracted = extract(out);
    CHECK(extracted.baggage() == original);
}

TEST_CASE("baggage: travels without a trace context and is not sent when empty") {
    const ExtractedContext extracted = extract(Headers{{"baggage", "a=1"}});
    CHECK(extracted.format() == TraceFormat::none);
    CHECK(extracted.baggage().get("a") == "1");

    Headers out;
    Baggage empty;
    SpanContext context;
    context.trace_id = TraceId{1, 2};
    context.span_id = SpanId{3};
    context.baggage = &empty;
    inject(context, out);
    CHECK(value_of(out, "baggage") == "<absent>");
}
