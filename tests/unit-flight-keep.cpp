// Flight recorder: record-all (spans the head sampler skipped land in the recent ring),
// keep rules (error, latency global and per name, predicate, manual keep) selecting exactly
// the right traces, also with concurrent writers; promotion of earlier spans; the keep window
// and its expiry; no allocation on the record-all path.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/alloc_counter.hpp"
#include "fuzz/json_checker.hpp"

using namespace microtrace;

namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t t0 = 1'700'000'000ull * 1'000'000'000ull;

using Key = std::pair<std::uint64_t, std::uint64_t>;
Key key(TraceId id) { return {id.high, id.low}; }

// Spans of `id` in `counts` (0 when absent; no map::at, which cannot throw here).
int count_of(const std::map<Key, int>& counts, TraceId id) {
    const auto found = counts.find(key(id));
    return found == counts.end() ? 0 : found->second;
}

// Spans nesting through the thread's current span, and several threads: not in every mode.
const doctest::skip needs_thread_local{!config::thread_local_storage};
const doctest::skip needs_threads{!config::threads};

// Spans per trace in a ring, optionally only those with an option bit set.
std::map<Key, int> traces(const RecorderCore& recorder, std::uint8_t with = 0, std::uint8_t without = 0) {
    std::map<Key, int> seen;
    recorder.snapshot([&](const SpanData& span, std::string_view) {
        if ((span.options & with) != with || (span.options & without) != 0) return;
        ++seen[key(span.trace_id)];
    });
    return seen;
}

Span start_at(Tracer<AlwaysOffSampler>& tracer, const char* name, std::uint64_t at,
              const SpanContext* parent = nullptr) {
    StartOptions options;
    options.start_time = EpochNanos(at);
    options.parent = parent;
    options.root = parent == nullptr;
    return tracer.start_span(name, options);
}

bool is_vip(const SpanData& span, void*) noexcept {
    for (std::uint8_t i = 0; i < span.attribute_count; ++i)
        if (span.view(span.attributes[i].key) == "vip") return true;
    return false;
}

}  // namespace

TEST_CASE("record-all: unsampled spans are recorded in the recent ring, not exported" * needs_thread_local) {
    if constexpr (!config::enabled) return;
    FlightRecorder<16, 16> flight;
    Tracer<AlwaysOffSampler> tracer("svc", flight);
    CHECK(flight.records_unsampled());
    {
        auto span = tracer.start_span("frame");
        CHECK(span.is_recording());
        CHECK_FALSE(span.context().flags.is_sampled());
        tracer.start_span("child");
    }
    CHECK(flight.stats().held == 0);
    CHECK(flight.stats().started == 0);
    CHECK(flight.recent().stats().held == 2);
    std::string out;
    flight.recent().dump_zipkin(out);
    CHECK(out.find("\"serviceName\":\"svc\"") != std::string::npos);
    CHECK(out.find("\"name\":\"child\"") != std::string::npos);
    std::string kept;
    CHECK(flight.dump_kept_zipkin(kept) == 0);
    CHECK(kept == "[]");
}

TEST_CASE("record-all: head-sampled spans go to the export ring as usual") {
    if constexpr (!config::enabled) return;
    FlightRecorder<16, 16> flight;
    Tracer<AlwaysOnSampler> tracer("svc", flight);
    tracer.start_span("sampled").record_error("still just sampled");
    CHECK(flight.stats().held == 1);
    CHECK(flight.stats().started == 1);
    CHECK(flight.recent().stats().held == 0);
    CHECK(traces(flight, SpanOptions::kept).empty());
    CHECK(flight.flight_stats().kept_traces == 0);
}

TEST_CASE("keep rule error: earlier spans promoted, later ones kept, other traces not" * needs_thread_local) {
    if constexpr (!config::enabled) return;
    FlightRecorder<64, 64> flight;
    Tracer<AlwaysOffSampler> tracer("svc", flight);
    TraceId failed, fine;
    {
        auto root = tracer.start_span("request");
        failed = root.context().trace_id;
        tracer.start_span("before");                     // ends before the decision: promoted
        auto running = tracer.start_span("running");     // started before, ends after
        tracer.start_span("db").record_error("timeout");  // the decision
        running.end();
        tracer.start_span("after");                      // within the window
    }
    {
        auto other = tracer.start_span("request");
        fine = other.context().trace_id;
        tracer.start_span("before");
    }
    const auto kept = traces(flight);
    CHECK(kept.size() == 1);
    CHECK(kept.count(key(failed)) == 1);
    CHECK(count_of(kept, failed) == 5);
    CHECK(count_of(traces(flight, SpanOptions::kept, SpanOptions::unsampled), failed) == 5);
    CHECK(traces(flight.recent()).count(key(fine)) == 1);
    CHECK(flight.flight_stats().kept_traces == 1);
    CHECK(flight.flight_stats().kept_spans == 5);

    std::string out;
    CHECK(flight.dump_kept_zipkin(out) == 5);
    CHECK(microtrace_fuzz::is_strict_json(out));
    CHECK(out.find("\"error\":\"timeout\"") != std::string::npos);
}

TEST_CASE("keep rule latency: global and per span name") {
    if constexpr (!config::enabled) return;
    static const NamedLatency named[] = {{"frame", 16 * ms}};
    KeepRules rules;
    rules.latency_ns = 100 * ms;
    rules.named = named;
    rules.named_count = 1;
    FlightRecorder<64, 64> flight(rules);
    Tracer<AlwaysOffSampler> tracer("svc", flight);
    std::vector<TraceId> ids;
    auto trace = [&](const char* name, std::uint64_t duration) {
        StartOptions options;
        options.root = true;
        options.start_time = EpochNanos(t0);
        auto span = tracer.start_span(name, options);
        ids.push_back(span.context().trace_id);
        span.end(EpochNanos(t0 + duration));
    };
    trace("frame", 15 * ms);    // 0: under its own threshold
    trace("frame", 17 * ms);    // 1: over it
    trace("load", 50 * ms);     // 2: under the global one
    trace("load", 150 * ms);    // 3: over it
    trace("frame", 150 * ms);   // 4: over both
    const auto kept = traces(flight);
    CHECK(kept.size() == 3);
    CHECK(kept.count(key(ids[1])) == 1);
    CHECK(kept.count(key(ids[3])) == 1);
    CHECK(kept.count(key(ids[4])) == 1);
}

TEST_CASE("keep rule predicate, and errors off") {
    if constexpr (!config::enabled) return;
    KeepRules rules;
    rules.errors = false;
    rules.predicate = &is_vip;
    FlightRecorder<64, 64> flight(rules);
    Tracer<AlwaysOffSampler> tracer("svc", flight);
    TraceId vip, failed;
    {
        auto root = tracer.start_span("join", StartOptions{SpanKind::server, nullptr, true});
        vip = root.context().trace_id;
        root.set_attribute("vip", true);
    }
    {
        auto root = tracer.start_span("join", StartOptions{SpanKind::server, nullptr, true});
        failed = root.context().trace_id;
        root.record_error("no rule for this");
    }
    const auto kept = traces(flight);
    CHECK(kept.size() == 1);
    CHECK(kept.count(key(vip)) == 1);
}

TEST_CASE("manual keep promotes a finished trace; the window expires") {
    if constexpr (!config::enabled) return;
    KeepRules rules;
    rules.window_ns = 10 * ms;
    FlightRecorder<64, 64> flight(rules);
    Tracer<AlwaysOffSampler> tracer("svc", flight);
    StartOptions options;
    options.start_time = EpochNanos(t0);
    auto frame = tracer.start_span("frame", options);
    const TraceId id = frame.context().trace_id;
    const SpanContext parent = frame.context();
    frame.end(EpochNanos(t0 + 20 * ms));
    CHECK(traces(flight).empty());

    CHECK(flight.keep(id, t0 + 20 * ms) == 1);  // e.g. the game loop saw the overrun
    CHECK(flight.is_kept(id, t0 + 25 * ms));
    CHECK_FALSE(flight.is_kept(id, t0 + 31 * ms));
    CHECK(flight.keep(id, t0 + 21 * ms) == 0);   // already kept: nothing promoted twice

    auto late_ok = tracer.start_span("late", StartOptions{SpanKind::internal, &parent, false, false, EpochNanos(t0 + 22 * ms)});
    late_ok.end(EpochNanos(t0 + 30 * ms));      // within 21 + 10
    auto too_late = tracer.start_span("late", StartOptions{SpanKind::internal, &parent, false, false, EpochNanos(t0 + 40 * ms)});
    too_late.end(EpochNanos(t0 + 45 * ms));     // after the window
    CHECK(count_of(traces(flight), id) == 2);
    CHECK(count_of(traces(flight.recent()), id) == 2);  // the promoted frame (a copy) and the late one
}

TEST_CASE("record-all path allocates nothing") {
    if constexpr (!config::enabled) return;
    static FlightRecorder<64, 64> flight;
    static Tracer<AlwaysOffSampler> tracer("svc", flight);
    tracer.start_span("warm").record_error("x");  // first keep and service sync done
    microtrace_test::AllocationProbe probe;
    for (int i = 0; i < 100; ++i) {
        auto span = tracer.start_span("frame");
        span.set_attribute("i", i);
        if (i % 10 == 0) span.record_error("boom");
    }
    CHECK(probe.count() == 0);
}

TEST_CASE("keep rules select exactly the right traces with concurrent writers" * needs_threads) {
    if constexpr (!config::enabled) return;
    static const NamedLatency named[] = {{"slow-frame", 5 * ms}};
    KeepRules rules;
    rules.latency_ns = 50 * ms;
    rules.named = named;
    rules.named_count = 1;
    rules.predicate = &is_vip;
    static FlightRecorder<4096, 8192, 4, 4096> flight(rules);
    static Tracer<AlwaysOffSampler> tracer("svc", flight);
    constexpr int threads = 4;
    constexpr int per_thread = 150;
    std::vector<std::set<Key>> expected(threads), unexpected(threads);
    std::atomic<int> go{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            go.fetch_add(1);
            while (go.load() < threads) {
            }
            for (int i = 0; i < per_thread; ++i) {
                const std::uint64_t start = t0 + static_cast<std::uint64_t>(i) * ms;
                const bool error = i % 7 == 0, slow = i % 11 == 0, named_slow = i % 13 == 0, vip = i % 17 == 0,
                           manual = i % 19 == 0;
                auto root = start_at(tracer, named_slow ? "slow-frame" : "frame", start);
                const TraceId id = root.context().trace_id;
                {
                    auto a = start_at(tracer, "a", start, &root.context());
                    if (error) a.record_error("e");
                    a.end(EpochNanos(start + (slow ? 60 * ms : 1 * ms)));
                }
                {
                    auto b = start_at(tracer, "b", start, &root.context());
                    if (vip) b.set_attribute("vip", 1);
                    b.end(EpochNanos(start + 2 * ms));
                }
                root.end(EpochNanos(start + (named_slow ? 6 * ms : 3 * ms)));
                if (manual) flight.keep(id, start + 3 * ms);
                (error || slow || named_slow || vip || manual ? expected : unexpected)[t].insert(key(id));
            }
        });
    }
    for (auto& worker : workers) worker.join();
    const auto kept = traces(flight, SpanOptions::kept);
    std::set<Key> all_expected;
    for (auto& set : expected) all_expected.insert(set.begin(), set.end());
    std::set<Key> got;
    for (auto& [id, count] : kept) {
        got.insert(id);
        CHECK(count == 3);  // every span of a kept trace, exactly once
    }
    CHECK(got == all_expected);
    for (auto& set : unexpected)
        for (auto& id : set) CHECK(kept.count(id) == 0);
    CHECK(flight.flight_stats().kept_traces == all_expected.size());
    CHECK(flight.flight_stats().table_evicted == 0);
    CHECK(flight.stats().dropped == 0);
}
