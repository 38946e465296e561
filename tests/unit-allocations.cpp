// The span path allocates nothing: proven by counting every operator new this thread makes.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/alloc_counter.hpp"

#include <cstddef>

using namespace microtrace;

namespace {

void sampled_work(Tracer<>& tracer) {
    auto request = tracer.start_span("request", SpanKind::server);
    request.set_attribute("http.method", "GET").set_attribute("http.route", "/users/{id}");
    {
        auto child = tracer.start_span("query", SpanKind::client);
        child.set_attribute("rows", 12).set_attribute("ratio", 0.5).set_attribute("cached", false);
        child.add_event("sent");
        child.set_remote_endpoint({"db", "2001:db8::7", 5432});
        child.record_error("timeout");
        Span moved = std::move(child);
    }
    request.set_status(StatusCode::ok);
}

}  // namespace

TEST_CASE("no allocation on the span path, sampled or not, nor in dumps to a callback") {
    static Recorder<64> recorder;
    Tracer tracer("svc", recorder);
    Tracer<AlwaysOffSampler> unsampled("svc", recorder);
    sampled_work(tracer);  // first use seeds the thread's id generator
    std::size_t bytes = 0;
    auto count_bytes = [&bytes](std::string_view chunk) { bytes += chunk.size(); };

    microtrace_test::AllocationProbe probe;
    for (int i = 0; i < 100; ++i) sampled_work(tracer);
    CHECK(probe.count() == 0);
    for (int i = 0; i < 100; ++i) {
        auto span = unsampled.start_span("skipped");
        span.set_attribute("key", "value");
    }
    CHECK(probe.count() == 0);
    recorder.dump_zipkin(count_bytes);
    recorder.snapshot([](const SpanData&, std::string_view) {});
    recorder.drain_zipkin(count_bytes);
    (void)recorder.stats();
    CHECK(probe.count() == 0);
    CHECK(bytes > 0);
}

TEST_CASE("the probe sees an allocation when there is one, so the test above can fail") {
    microtrace_test::AllocationProbe probe;
    std::string grown;
    Recorder<4> recorder;
    Tracer tracer("svc", recorder);
    tracer.start_span("one");
    recorder.dump_zipkin(grown);  // the std::string sink grows its string
    CHECK(probe.count() > 0);
}
