// Carriers: the standard containers and the callback pair, case-insensitive names on the
// way in, lowercase names on the way out, every line of a repeated header visible.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "support/headers.hpp"

using namespace microtrace;
using microtrace_test::Headers;

namespace {

const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

template <class Carrier>
std::vector<std::string> lines(const Carrier& carrier, std::string_view name) {
    std::vector<std::string> found;
    carrier.for_each_value(name, [&](std::string_view value) { found.emplace_back(value); });
    return found;
}

}  // namespace

TEST_CASE("carrier: header names compare ignoring ASCII case only") {
    CHECK(header_name_equals("TraceParent", "traceparent"));
    CHECK(header_name_equals("X-B3-TRACEID", "x-b3-traceid"));
    CHECK_FALSE(header_name_equals("traceparent ", "traceparent"));
    CHECK_FALSE(header_name_equals("trace-parent", "traceparent"));
    CHECK_FALSE(header_name_equals("b3", "B3"));  // the second argument is the lowercase name
    static_assert(header_name_equals("BAGGAGE", header::baggage), "constexpr");
}

TEST_CASE("carrier: optional whitespace is spaces and tabs only") {
    CHECK(detail::trim_ows(" \t a b \t ") == "a b");
    CHECK(detail::trim_ows("\na\r") == "\na\r");
    CHECK(detail::trim_ows(" \t ").empty());
}

TEST_CASE("carrier: the standard containers and the callback pair are carriers") {
    static_assert(is_carrier_v<HeaderListCarrier<std::map<std::string, std::string>>>);
    static_assert(is_carrier_v<const HeaderListCarrier<const Headers>>);
    static_assert(!is_carrier_v<std::map<std::string, std::string>>);
    static_assert(!is_carrier_v<int>);
}

TEST_CASE("carrier: std::map is read in any case and written in lowercase, replacing every case") {
    std::map<std::string, std::string> headers{{"TraceParent", traceparent}, {"Other", "x"}};
    CHECK(extract(headers).is_valid());

    HeaderListCarrier carrier(headers);
    carrier.set("traceparent", "new");
    CHECK(headers.count("TraceParent") == 0);
    CHECK(headers.at("traceparent") == "new");
    CHECK(headers.at("Other") == "x");
}

TEST_CASE("carrier: std::map with two spellings of a name shows both lines") {
    const std::map<std::string, std::string> headers{{"traceparent", traceparent}, {"TRACEPARENT", traceparent}};
    CHECK(lines(HeaderListCarrier(headers), "traceparent").size() == 2);
    CHECK_FALSE(extract(headers).is_valid());  // two traceparent lines
}

TEST_CASE("carrier: std::unordered_map and std::multimap work the same") {
    std::unordered_map<std::string, std::string> unordered{{"TRACEPARENT", traceparent}};
    const ExtractedContext extracted = extract(unordered);
    CHECK(extracted.is_valid());
    inject(extracted, unordered);
    CHECK(unordered.size() == 1);
    CHECK(unordered.at("traceparent") == traceparent);

    std::multimap<std::string, std::string> multi{{"tracestate", "a=1"}, {"tracestate", "b=2"}, {"traceparent", traceparent}};
    CHECK(extract(multi).trace_state().header() == "a=1,b=2");
    HeaderListCarrier(multi).set("tracestate", "c=3");
    CHECK(multi.count("tracestate") == 1);
}

TEST_CASE("carrier: a vector of pairs keeps order, repeats, and replaces in place") {
    Headers headers{{"Tracestate", "a=1"}, {"x", "y"}, {"TRACESTATE", "b=2"}};
    HeaderListCarrier carrier(headers);
    CHECK(lines(carrier, "tracestate") == std::vector<std::string>{"a=1", "b=2"});
    carrier.set("tracestate", "c=3");
    CHECK(headers == Headers{{"tracestate", "c=3"}, {"x", "y"}});
    carrier.set("baggage", "k=v");
    CHECK(headers.back() == std::pair<std::string, std::string>{"baggage", "k=v"});
}

TEST_CASE("carrier: a callback pair reads and writes your own header type") {
    struct Header {
        std::string name, value;
    };
    std::vector<Header> request{{"TraceParent", traceparent}, {"tracestate", "congo=t61rcWkgMzE"}};
    std::vector<Header> response;
    CallbackCarrier in(
        [&](std::string_view name, auto&& visit) {
            for (const Header& header : request)
                if (header_name_equals(header.name, name)) visit(header.value);
        },
        [](std::string_view, std::string_view) {});
    CallbackCarrier out([](std::string_view, auto&&) {},
                        [&](std::string_view name, std::string_view value) { response.push_back({std::string(name), std::string(value)}); });

    const ExtractedContext extracted = extract(in);
    CHECK(extracted.is_valid());
    CHECK(extracted.trace_state().get("congo") == "t61rcWkgMzE");
    inject(extracted, out);
    REQUIRE(response.size() == 2);
    CHECK(response[0].name == "traceparent");
    CHECK(response[0].value == traceparent);
    CHECK(response[1].name == "tracestate");

    // A temporary carrier can be passed straight to inject.
    response.clear();
    inject(extracted, CallbackCarrier([](std::string_view, auto&&) {},
                                      [&](std::string_view name, std::string_view value) {
                                          response.push_back({std::string(name), std::string(value)});
                                      }));
    CHECK(response.size() == 2);
}
