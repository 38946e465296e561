// Recorder: counters, both overflow policies, snapshot and drain, caller storage, and
// exact accounting with concurrent writers and a concurrent dumper.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace microtrace;

namespace {

void record_spans(Tracer<>& tracer, int count, const char* name = "span") {
    for (int i = 0; i < count; ++i) tracer.start_span(name).set_attribute("i", i);
}

std::vector<std::int64_t> indices(RecorderCore& recorder, bool consume) {
    std::vector<std::int64_t> seen;
    auto visit = [&](const SpanData& data, std::string_view) {
        seen.push_back(static_cast<std::int64_t>(data.attributes[0].number));
    };
    if (consume)
        recorder.drain(visit);
    else
        recorder.snapshot(visit);
    return seen;
}

void check_balanced(const RecorderStats& stats) {
    CHECK(stats.recorded == stats.dumped + stats.overwritten + stats.held);
}

}  // namespace

TEST_CASE("overwrite_oldest keeps the newest spans and counts the overwritten") {
    Recorder<8> recorder;
    Tracer tracer("svc", recorder);
    record_spans(tracer, 13);
    CHECK(indices(recorder, false) == std::vector<std::int64_t>{5, 6, 7, 8, 9, 10, 11, 12});
    RecorderStats stats = recorder.stats();
    CHECK(stats.started == 13);
    CHECK(stats.recorded == 13);
    CHECK(stats.overwritten == 5);
    CHECK(stats.held == 8);
    CHECK(stats.dropped == 0);
    check_balanced(stats);

    CHECK(indices(recorder, true).size() == 8);  // drain consumes ...
    CHECK(indices(recorder, true).empty());      // ... so a second drain finds nothing
    stats = recorder.stats();
    CHECK(stats.dumped == 8);
    CHECK(stats.held == 0);
    check_balanced(stats);

    record_spans(tracer, 3);
    CHECK(indices(recorder, false) == std::vector<std::int64_t>{0, 1, 2});
}

TEST_CASE("drop_newest keeps the oldest spans and counts the dropped") {
    Recorder<8> recorder(OverflowPolicy::drop_newest);
    Tracer tracer("svc", recorder);
    record_spans(tracer, 13);
    CHECK(indices(recorder, false) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    RecorderStats stats = recorder.stats();
    CHECK(stats.started == 13);
    CHECK(stats.recorded == 8);
    CHECK(stats.dropped == 5);
    CHECK(stats.started == stats.recorded + stats.dropped);
    CHECK(stats.overwritten == 0);
    check_balanced(stats);

    CHECK(indices(recorder, true).size() == 8);
    record_spans(tracer, 2);  // room again after the drain
    CHECK(indices(recorder, false) == std::vector<std::int64_t>{0, 1});
    CHECK(recorder.stats().dropped == 5);
}

TEST_CASE("an empty recorder dumps an empty array") {
    Recorder<4> recorder;
    std::string out;
    CHECK(recorder.dump_zipkin(out) == 0);
    CHECK(out == "[]");
    out.clear();
    CHECK(recorder.drain_zipkin(out) == 0);
    CHECK(out == "[]");
    const RecorderStats stats = recorder.stats();
    CHECK(stats.started == 0);
    CHECK(stats.held == 0);
}

TEST_CASE("a recorder over caller-supplied storage") {
    static RecorderSlot slots[4];
    static RecorderLane lanes[1];
    static RecorderCore recorder(slots, lanes, OverflowPolicy::overwrite_oldest);
    CHECK(recorder.capacity() == 4);
    Tracer tracer("static", recorder);
    tracer.start_span("one");
    std::string out;
    CHECK(recorder.dump_zipkin(out) == 1);
    CHECK(out.find("\"serviceName\":\"static\"") != std::string::npos);
}

TEST_CASE("service names: same name same index, long names cut, a full table shares its last entry") {
    Recorder<4> recorder;
    const std::uint8_t first = recorder.register_service("a");
    CHECK(recorder.register_service("a") == first);
    CHECK(recorder.register_service(std::string(100, 'n')) != first);
    CHECK(recorder.service_name(1).size() == RecorderCore::max_service_name);
    for (std::size_t i = 0; i < config::max_services + 2; ++i)
        CHECK(recorder.register_service("svc" + std::to_string(i)) < config::max_services);
    CHECK(recorder.service_name(255) == "unknown_service");
}

TEST_CASE("lanes: each thread keeps its own ring" * microtrace_test::needs_threads) {
    Recorder<16, 4> recorder;
    CHECK(recorder.lane_count() == 4);
    CHECK(recorder.capacity() == 16);
    Tracer tracer("svc", recorder);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) writers.emplace_back([&] { record_spans(tracer, 3); });
    for (auto& writer : writers) writer.join();
    const RecorderStats stats = recorder.stats();
    CHECK(stats.recorded == 12);
    CHECK(stats.started == 12);
    CHECK(indices(recorder, false).size() == stats.held);
    check_balanced(stats);
}

namespace {

// Each span carries its own checksum, so a torn or mixed copy is detected.
std::uint64_t checksum(std::uint64_t writer, std::uint64_t sequence, std::uint64_t span_id) {
    return (writer * 0x9e3779b97f4a7c15ULL) ^ (sequence * 0xbf58476d1ce4e5b9ULL) ^ span_id;
}

template <std::size_t Capacity, std::size_t Lanes>
void stress(OverflowPolicy policy, int writer_count, int spans_per_writer) {
    Recorder<Capacity, Lanes> recorder(policy);
    Tracer tracer("stress", recorder);
    std::atomic<int> writers_done{0};
    std::atomic<std::uint64_t> dumper_rounds{0};
    std::set<std::uint64_t> drained_ids;
    std::uint64_t drained = 0, torn = 0, duplicates = 0;

    auto verify = [&](const SpanData& data, bool consumed) {
        const std::uint64_t sequence = std::stoull(std::string(data.view(data.name)));
        const bool whole = data.attribute_count == 2 &&
                           data.attributes[1].number == checksum(data.attributes[0].number, sequence, data.span_id.value);
        if (!whole) ++torn;
        if (consumed) {
            ++drained;
            if (!drained_ids.insert(data.span_id.value).second) ++duplicates;
        }
    };
    std::thread dumper([&] {
        while (writers_done.load() < writer_count) {
            recorder.snapshot([&](const SpanData& data, std::string_view) { verify(data, false); });
            recorder.drain([&](const SpanData& data, std::string_view) { verify(data, true); });
            dumper_rounds.fetch_add(1);
        }
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < writer_count; ++w) {
        writers.emplace_back([&, w] {
            char name[24];
            for (int i = 0; i < spans_per_writer; ++i) {
                // Every 1024 spans, wait for the dumper to finish one more round, so writes and
                // dumps overlap however the threads are scheduled (not just when they happen to).
                if (i % 1024 == 0) {
                    const std::uint64_t seen = dumper_rounds.load();
                    while (dumper_rounds.load() == seen) std::this_thread::yield();
                }
                const int length = std::snprintf(name, sizeof name, "%d", i);
                auto span = tracer.start_span(std::string_view(name, static_cast<std::size_t>(length)));
                const auto writer = static_cast<std::uint64_t>(w);
                span.set_attribute("writer", writer);
                span.set_attribute("checksum", checksum(writer, static_cast<std::uint64_t>(i), span.context().span_id.value));
            }
            writers_done.fetch_add(1);
        });
    }
    for (auto& writer : writers) writer.join();
    dumper.join();
    recorder.drain([&](const SpanData& data, std::string_view) { verify(data, true); });

    const RecorderStats stats = recorder.stats();
    const auto total = static_cast<std::uint64_t>(writer_count) * static_cast<std::uint64_t>(spans_per_writer);
    CHECK(torn == 0);
    CHECK(duplicates == 0);
    CHECK(stats.started == total);
    CHECK(stats.started == stats.recorded + stats.dropped);
    CHECK(stats.recorded == stats.dumped + stats.overwritten + stats.held);
    CHECK(stats.held == 0);
    CHECK(stats.dumped == drained);
    if (policy == OverflowPolicy::overwrite_oldest) CHECK(stats.dropped == 0);
    if (policy == OverflowPolicy::drop_newest) CHECK(stats.overwritten == 0);
}

}  // namespace

TEST_CASE("4 writers and a concurrent dumper: every span accounted for, none torn or repeated" * microtrace_test::needs_threads) {
    SUBCASE("overwrite_oldest, one shared lane") { stress<16, 1>(OverflowPolicy::overwrite_oldest, 4, 20000); }
    SUBCASE("overwrite_oldest, two lanes") { stress<16, 2>(OverflowPolicy::overwrite_oldest, 4, 20000); }
    SUBCASE("drop_newest, one shared lane") { stress<16, 1>(OverflowPolicy::drop_newest, 4, 20000); }
    SUBCASE("drop_newest, four lanes") { stress<64, 4>(OverflowPolicy::drop_newest, 4, 20000); }
}

TEST_CASE("the last T of a flight recorder: a dump of the spans that ended since a time") {
    Recorder<8> recorder;
    Tracer tracer("svc", recorder);
    for (std::uint64_t ms = 1; ms <= 5; ++ms) {
        StartOptions options;
        options.start_time = EpochNanos(ms * 1'000'000'000'000'000ULL);
        tracer.start_span("s" + std::to_string(ms), options).end(EpochNanos(ms * 1'000'000'000'000'000ULL + 500'000));
    }
    std::string recent, all;
    CHECK(recorder.dump_zipkin(recent, EpochNanos(3'000'000'000'500'000ULL)) == 3);  // ended at 3, 4, 5
    CHECK(recorder.dump_zipkin(all) == 5);
    CHECK(recent.find("\"name\":\"s2\"") == std::string::npos);
    CHECK(recent.find("\"name\":\"s3\"") != std::string::npos);
    CHECK(recent.rfind("[{", 0) == 0);
    CHECK(recent.back() == ']');
    std::string none;
    CHECK(recorder.dump_zipkin(none, EpochNanos(~std::uint64_t{0})) == 0);
    CHECK(none == "[]");
    CHECK(recorder.stats().held == 5);  // a filtered dump consumes nothing
}
