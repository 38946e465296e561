// Span and Tracer: sampling, nesting, explicit and remote parents, attributes, events,
// status, capacities and misuse.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include "support/deterministic.hpp"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace microtrace;
using microtrace_test::CollectedSpan;

namespace {

template <class Recorder>
std::vector<CollectedSpan> collect(Recorder& recorder) {
    std::vector<CollectedSpan> spans;
    recorder.snapshot([&](const SpanData& data, std::string_view service) {
        spans.push_back({data, std::string(service)});
    });
    return spans;
}

std::string text(const SpanData& data, StringRef ref) { return std::string(data.view(ref)); }

// Remembers what it was asked, answers as told.
struct SpySampler {
    bool answer = true;
    int calls = 0;
    bool saw_parent = false;
    SpanContext parent_seen;
    SamplingResult should_sample(const SamplingParameters& parameters) noexcept {
        ++calls;
        saw_parent = parameters.parent != nullptr;
        if (saw_parent) parent_seen = *parameters.parent;
        return {answer, answer ? 0 : no_sampling_threshold};
    }
    SamplerDescription description() const noexcept { return SamplerDescription{}.append("SpySampler"); }
};

}  // namespace

TEST_CASE("a sampled span records its name, kind, ids and times") {
    Recorder<16> recorder;
    Tracer tracer("checkout", recorder, AlwaysOnSampler{}, microtrace_test::fake_clock(),
                  microtrace_test::counting_ids());
    {
        auto span = tracer.start_span("charge", SpanKind::client);
        CHECK(span.is_recording());
        CHECK(span.context().is_valid());
        CHECK(span.context().is_sampled());
        CHECK_FALSE(span.context().remote);
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    const SpanData& data = spans[0].data;
    CHECK(spans[0].service == "checkout");
    CHECK(text(data, data.name) == "charge");
    CHECK(data.kind == SpanKind::client);
    CHECK(data.trace_id == TraceId{1, 2});
    CHECK(data.span_id == SpanId{3});
    CHECK_FALSE(data.parent_id.is_valid());
    CHECK(data.start_epoch_ns == microtrace_test::fake_epoch_offset_ns + 1000);
    CHECK(data.duration_ns == 1000);
    const RecorderStats stats = recorder.stats();
    CHECK(stats.started == 1);
    CHECK(stats.recorded == 1);
    CHECK(stats.held == 1);
}

TEST_CASE("an unsampled span records nothing but still carries a context" * microtrace_test::needs_thread_local) {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder, AlwaysOffSampler{});
    {
        auto span = tracer.start_span("ignored");
        CHECK_FALSE(span.is_recording());
        CHECK(span.context().is_valid());
        CHECK_FALSE(span.context().is_sampled());
        span.set_attribute("key", "value").add_event("event").record_error("nothing");
        auto child = tracer.start_span("child");
        CHECK(child.context().trace_id == span.context().trace_id);
    }
    CHECK(collect(recorder).empty());
    CHECK(recorder.stats().started == 0);
    CHECK(recorder.stats().recorded == 0);
}

TEST_CASE("spans nest through the thread's current span, and the scope restores" * microtrace_test::needs_thread_local) {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    CHECK_FALSE(current_span_context().is_valid());
    {
        auto outer = tracer.start_span("outer");
        CHECK(current_span_context().span_id == outer.context().span_id);
        {
            auto inner = tracer.start_span("inner");
            CHECK(inner.context().trace_id == outer.context().trace_id);
            CHECK(current_span_context().span_id == inner.context().span_id);
        }
        CHECK(current_span_context().span_id == outer.context().span_id);
        auto sibling = tracer.start_span("sibling");
        sibling.end();
        CHECK(current_span_context().span_id == outer.context().span_id);
    }
    CHECK_FALSE(current_span_context().is_valid());
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 3);
    const SpanData& inner = spans[0].data;
    const SpanData& sibling = spans[1].data;
    const SpanData& outer = spans[2].data;
    CHECK(text(outer, outer.name) == "outer");
    CHECK(inner.parent_id == outer.span_id);
    CHECK(sibling.parent_id == outer.span_id);
    CHECK(inner.trace_id == outer.trace_id);
}

#if defined(__cpp_exceptions)
TEST_CASE("the scope restores when an exception unwinds through spans" * microtrace_test::needs_thread_local) {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    auto outer = tracer.start_span("outer");
    try {
        auto inner = tracer.start_span("inner");
        throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    CHECK(current_span_context().span_id == outer.context().span_id);
}
#endif

TEST_CASE("an explicit parent from another thread, and a root that ignores the current span" * microtrace_test::needs_threads) {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    auto request = tracer.start_span("request");
    const SpanContext parent = request.context();
    std::thread worker([&] {
        CHECK_FALSE(current_span_context().is_valid());  // the current span is per thread
        auto job = tracer.start_span("job", parent);
        CHECK(job.context().trace_id == parent.trace_id);
    });
    worker.join();
    StartOptions root_options;
    root_options.root = true;
    auto unrelated = tracer.start_span("unrelated", root_options);
    CHECK(unrelated.context().trace_id != parent.trace_id);
    unrelated.end();
    request.end();
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].data.parent_id == parent.span_id);
    CHECK_FALSE(spans[1].data.parent_id.is_valid());
}

TEST_CASE("a remote parent is continued: same trace, new span id, flags kept") {
    Recorder<16> recorder;
    SpySampler spy;
    Tracer tracer("svc", recorder, spy);
    SpanContext remote;
    REQUIRE(TraceId::parse_hex("4bf92f3577b34da6a3ce929d0e0e4736", remote.trace_id));
    REQUIRE(SpanId::parse_hex("00f067aa0ba902b7", remote.span_id));
    remote.flags.bits = TraceFlags::sampled | TraceFlags::random;
    remote.remote = true;
    {
        auto server = tracer.start_span("handle", remote, SpanKind::server);
        CHECK(tracer.sampler().saw_parent);
        CHECK(tracer.sampler().parent_seen == remote);
        CHECK(server.context().trace_id == remote.trace_id);
        CHECK(server.context().span_id != remote.span_id);
        CHECK(server.context().flags.is_random());
        CHECK_FALSE(server.context().remote);
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].data.parent_id == remote.span_id);
    CHECK(spans[0].data.kind == SpanKind::server);
}

TEST_CASE("the random flag: set on new roots from a random source, kept exactly when continuing") {
    Recorder<16> recorder;
    Tracer random_ids("svc", recorder);
    CHECK(random_ids.start_span("root").context().flags.is_random());
    Tracer fixed_ids("svc", recorder, AlwaysOnSampler{}, Clock::standard(), microtrace_test::counting_ids());
    CHECK_FALSE(fixed_ids.start_span("root").context().flags.is_random());

    SpanContext remote{TraceId{1, 2}, SpanId{3}, TraceFlags{TraceFlags::sampled}};
    remote.remote = true;
    CHECK_FALSE(random_ids.start_span("child", remote).context().flags.is_random());
    remote.flags.bits |= TraceFlags::random;
    CHECK(fixed_ids.start_span("child", remote).context().flags.is_random());
}

TEST_CASE("B3 debug forces sampling; a sampling-only remote context reaches the sampler") {
    Recorder<16> recorder;
    SpySampler spy;
    spy.answer = false;
    Tracer tracer("svc", recorder, spy);
    SpanContext debug_parent{TraceId{1, 2}, SpanId{3}, TraceFlags{}};
    debug_parent.remote = true;
    debug_parent.debug = true;
    {
        auto span = tracer.start_span("debugged", debug_parent);
        CHECK(span.is_recording());
        CHECK(span.context().debug);
    }
    SpanContext decision_only;  // e.g. `b3: 0`: no ids, a decision
    decision_only.remote = true;
    auto span = tracer.start_span("decided", decision_only);
    CHECK(tracer.sampler().saw_parent);
    CHECK(span.context().is_valid());  // a new trace
    CHECK(span.context().trace_id != debug_parent.trace_id);
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    CHECK((spans[0].data.options & SpanOptions::debug) != 0);
}

TEST_CASE("attributes of every type, replaced by key, overflow counted") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    {
        auto span = tracer.start_span("attrs");
        span.set_attribute("s", "text")
            .set_attribute("sv", std::string_view("view"))
            .set_attribute("i", -42)
            .set_attribute("u", std::uint64_t{18446744073709551615ULL})
            .set_attribute("d", 2.5)
            .set_attribute("b", true)
            .set_attribute("i", 7);  // replaces
        for (int i = 0; i < static_cast<int>(config::max_attributes); ++i)
            span.set_attribute(std::string("extra") + std::to_string(i), i);
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    const SpanData& data = spans[0].data;
    CHECK(data.attribute_count == config::max_attributes);
    CHECK(data.dropped_attributes == 6);  // 6 + max distinct keys, max kept
    if (config::max_attributes < 6) return;
    CHECK(text(data, data.attributes[0].key) == "s");
    CHECK(text(data, data.attributes[0].text) == "text");
    CHECK(data.attributes[2].type == AttributeType::int64);
    CHECK(static_cast<std::int64_t>(data.attributes[2].number) == 7);
    CHECK(data.attributes[3].type == AttributeType::uint64);
    CHECK(data.attributes[5].type == AttributeType::boolean);
}

TEST_CASE("events beyond capacity are counted; long strings are cut at a character boundary") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    {
        auto span = tracer.start_span("events");
        for (std::size_t i = 0; i < config::max_events + 2; ++i) span.add_event("tick");
        span.set_attribute("long", std::string(config::span_string_bytes * 2, 'x'));
        span.set_attribute("after", "no room");  // no room for the key: dropped
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    const SpanData& data = spans[0].data;
    CHECK(data.event_count == config::max_events);
    CHECK(data.dropped_events == 2);
    CHECK(data.truncated_strings == 1);
    CHECK(data.string_bytes_used == config::span_string_bytes);
    CHECK(data.dropped_attributes == 1);

    // "é" is two bytes: a cut inside it drops the whole character.
    CHECK(SpanData::utf8_prefix_length("a\xC3\xA9", 2) == 1);
    CHECK(SpanData::utf8_prefix_length("a\xC3\xA9", 3) == 3);
    CHECK(SpanData::utf8_prefix_length("\xF0\x9F\x98\x80!", 3) == 0);
    CHECK(SpanData::utf8_prefix_length("\xF0\x9F\x98\x80!", 4) == 4);
}

TEST_CASE("status follows OpenTelemetry: ok is final, unset is ignored, error keeps a message") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    {
        auto failed = tracer.start_span("failed");
        failed.set_status(StatusCode::error, "first");
        failed.set_status(StatusCode::unset);
        failed.record_error("disk full");
        auto fine = tracer.start_span("fine");
        fine.set_status(StatusCode::ok, "ignored message");
        fine.set_status(StatusCode::error, "too late");
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 2);
    const SpanData& fine = spans[0].data;
    const SpanData& failed = spans[1].data;
    CHECK(fine.status == StatusCode::ok);
    CHECK(fine.status_message.size == 0);
    CHECK(failed.status == StatusCode::error);
    CHECK(text(failed, failed.status_message) == "disk full");
    REQUIRE(failed.event_count == 1);
    CHECK(text(failed, failed.events[0].name) == "exception: disk full");
}

TEST_CASE("explicit start and end times") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    StartOptions options;
    options.start_time = EpochNanos(1'600'000'000'000'000'000);
    {
        auto span = tracer.start_span("timed", options);
        span.add_event("middle", EpochNanos(1'600'000'000'000'500'000));
        span.end(EpochNanos(1'600'000'000'001'000'000));
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].data.start_epoch_ns == 1'600'000'000'000'000'000);
    CHECK(spans[0].data.duration_ns == 1'000'000);
    CHECK(spans[0].data.events[0].epoch_ns == 1'600'000'000'000'500'000);
}

TEST_CASE("remote endpoint: addresses parsed, invalid ones refused") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    {
        auto span = tracer.start_span("call", SpanKind::client);
        CHECK(span.set_remote_endpoint({"db", "192.0.2.1", 5432}));
        auto other = tracer.start_span("call6", SpanKind::client);
        CHECK(other.set_remote_endpoint({"", "2001:DB8:0:0:0:0:0:1", 0}));
        auto bad = tracer.start_span("bad", SpanKind::client);
        CHECK_FALSE(bad.set_remote_endpoint({"peer", "not-an-ip", 80}));
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].data.remote.has_service_name);
    CHECK_FALSE(spans[0].data.remote.has_ipv4);
    CHECK(spans[0].data.remote.port == 80);
    CHECK(spans[1].data.remote.has_ipv6);
    CHECK_FALSE(spans[1].data.remote.has_service_name);
    CHECK(spans[2].data.remote.has_ipv4);
}

TEST_CASE("misuse is harmless: end twice, moved-from spans, attributes after end") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    {
        auto span = tracer.start_span("once");
        span.end();
        span.end();
        span.set_attribute("late", 1).add_event("late").set_status(StatusCode::error);
        CHECK_FALSE(span.is_recording());

        auto original = tracer.start_span("moved");
        original.set_attribute("key", "value");
        Span moved = std::move(original);
        CHECK_FALSE(original.is_recording());  // NOLINT(bugprone-use-after-move): tested on purpose
        original.end();
        CHECK(moved.is_recording());

        Span target = tracer.start_span("replaced");
        target = std::move(moved);  // ends "replaced" first
        Span empty;
        CHECK_FALSE(empty.is_recording());
        CHECK_FALSE(empty.context().is_valid());
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 3);
    CHECK(text(spans[0].data, spans[0].data.name) == "once");
    CHECK(spans[0].data.attribute_count == 0);
    CHECK(text(spans[1].data, spans[1].data.name) == "replaced");
    CHECK(text(spans[2].data, spans[2].data.name) == "moved");
    CHECK(text(spans[2].data, spans[2].data.attributes[0].text) == "value");
    CHECK(recorder.stats().started == 3);
    CHECK(recorder.stats().recorded == 3);
}

TEST_CASE("a span that does not activate leaves the thread's current span alone" * microtrace_test::needs_thread_local) {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    auto outer = tracer.start_span("outer");
    StartOptions detached;
    detached.activate = false;
    auto background = tracer.start_span("background", detached);
    CHECK(background.context().trace_id == outer.context().trace_id);
    CHECK(current_span_context().span_id == outer.context().span_id);
}

TEST_CASE("a custom sampler plugs in and describes itself") {
    Recorder<16> recorder;
    Tracer tracer("svc", recorder, SpySampler{});
    auto span = tracer.start_span("one");
    CHECK(tracer.sampler().calls == 1);
    CHECK(tracer.sampler().description().view() == "SpySampler");
    CHECK(AlwaysOnSampler{}.description().view() == "AlwaysOnSampler");
    CHECK(AlwaysOffSampler{}.description().view() == "AlwaysOffSampler");
}
