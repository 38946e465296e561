// What the fuzz targets (tests/fuzz/) found, one test each, so a fix cannot regress unnoticed
// even where libFuzzer is not run. The failing inputs themselves are in the committed corpora,
// which tests/fuzz/replay_main.cpp replays in every test leg.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "fuzz/json_checker.hpp"

#include <string>
#include <vector>

using namespace microtrace;
namespace mf = microtrace_fuzz;

namespace {

// The one span of a dump, parsed strictly (duplicate keys refused).
mf::JsonValue dump_span(RecorderCore& recorder) {
    std::string json;
    recorder.drain_zipkin(json);
    mf::JsonValue document;
    std::string error;
    REQUIRE_MESSAGE(mf::JsonParser::parse(json, document, error), error, " in ", json);
    REQUIRE(document.items.size() == 1);
    return document.items[0];
}

}  // namespace

// fuzz_zipkin, corpus/zipkin/reserved-count-name: a user attribute called
// "otel.dropped_attributes_count" on a span that also dropped attributes wrote the key twice;
// JSON readers keep one of the two, so either the user's value or the count was lost.
TEST_CASE("fuzz regression: a user attribute named like a drop count gives way to the count") {
    Recorder<4> recorder;
    Tracer tracer("svc", recorder);
    {
        auto span = tracer.start_span("full");
        span.set_attribute("otel.dropped_attributes_count", "mine");
        span.set_attribute("otel.dropped_events_count", "mine too");
        span.set_attribute("microtrace.truncated_strings", "and mine");
        for (int i = 0; i < 2 * static_cast<int>(config::max_attributes); ++i)
            span.set_attribute("k" + std::to_string(i), i);  // beyond capacity: dropped
        for (std::size_t i = 0; i <= config::max_events; ++i) span.add_event("e");
        span.set_attribute("long", std::string(2 * config::span_string_bytes, 'x'));  // no room: dropped
        span.set_name(std::string(2 * config::span_string_bytes, 'n'));               // cut
    }
    const mf::JsonValue span = dump_span(recorder);
    const mf::JsonValue* tags = span.find("tags");
    REQUIRE(tags != nullptr);
    CHECK(tags->find("otel.dropped_attributes_count")->text != "mine");
    CHECK(tags->find("otel.dropped_events_count")->text == "1");
    CHECK(tags->find("microtrace.truncated_strings")->text != "and mine");

    // With nothing dropped there is no count to give way to: the user's attribute is written.
    {
        auto span_without_drops = tracer.start_span("roomy");
        span_without_drops.set_attribute("otel.dropped_events_count", "mine");
    }
    const mf::JsonValue roomy = dump_span(recorder);
    CHECK(roomy.find("tags")->find("otel.dropped_events_count")->text == "mine");
}
