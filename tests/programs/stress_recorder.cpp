// The recorder under load: 2-8 writer threads record spans as fast as they can into a small
// ring, with each overflow policy and lane layout, while other threads snapshot, drain, dump
// JSON and read the counters; writer threads come and go (so spans outlive their threads).
// Afterwards every span must be accounted for exactly and none torn, duplicated or reordered.
//
//   stress_recorder                   the bounded run tools/test.sh and CTest use
//   stress_recorder --seconds 600     soak: repeat the rounds for ten minutes
//   stress_recorder --spans N         spans per writer per round (default 10000)
//
// Checked after each round, once every thread has finished:
//   started == recorded + dropped; recorded == dumped + overwritten + held; held == 0 after
//   the final drain; dumped == spans the drains visited; nothing dropped when overwriting,
//   nothing overwritten when dropping;
//   every span read (snapshot or drain) carries a checksum of its own contents that matches
//   (so no copy mixes two spans); no span id is drained twice; each writer's spans come out
//   of a drain in the order it recorded them; every concurrent JSON dump parses strictly and
//   holds as many spans as the dump said.
// Prints one line per round and a total; exits 1 on the first broken property, 77 (skipped)
// in a MICROTRACE_THREADS=0 build. Never looks at the clock except to decide, in soak mode,
// whether to start another round.
#include <microtrace/microtrace.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../fuzz/json_checker.hpp"

using namespace microtrace;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "stress_recorder: FAILED: %s %s\n", what, detail.c_str());
    std::exit(1);
}

#define STRESS_CHECK(condition, detail)               \
    do {                                              \
        if (!(condition)) fail(#condition, (detail)); \
    } while (false)

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
    hash ^= value + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    return hash * 0xbf58476d1ce4e5b9ULL;
}

// A checksum of everything the writer put in a span: the ids, the writer and sequence, the
// payload bytes and the events. A torn copy (header of one span, strings of another) fails it.
std::uint64_t checksum(std::uint64_t writer, std::uint64_t sequence, const TraceId& trace, SpanId span,
                       std::string_view payload, std::size_t events) {
    std::uint64_t hash = mix(mix(mix(mix(0, writer), sequence), trace.low ^ trace.high), span.value);
    for (const char c : payload) hash = mix(hash, static_cast<unsigned char>(c));
    return mix(hash, events);
}

// Attribute order in every span: source (the thread that recorded it: writer in the low 8
// bits, the stretch above), sequence, payload, checksum.
struct Reading {
    std::uint64_t source = 0, writer = 0, sequence = 0;
};

Reading verify(const SpanData& span) {
    STRESS_CHECK(span.attribute_count == 4, std::to_string(span.attribute_count) + " attributes");
    Reading reading{span.attributes[0].number, span.attributes[0].number & 0xFF, span.attributes[1].number};
    const std::string_view payload = span.view(span.attributes[2].text);
    const std::uint64_t expected =
        checksum(reading.source, reading.sequence, span.trace_id, span.span_id, payload, span.event_count);
    STRESS_CHECK(span.attributes[3].number == expected, "torn span: writer " + std::to_string(reading.writer) +
                                                             " sequence " + std::to_string(reading.sequence));
    for (std::uint8_t i = 0; i < span.event_count; ++i)
        STRESS_CHECK(span.view(span.events[i].name) == "e", "torn event");
    return reading;
}

struct Options {
    double seconds = 0;        // soak: repeat rounds until this much time has passed
    std::uint64_t spans = 10000;  // per writer per round
};

struct Totals {
    std::uint64_t spans = 0, drained = 0, overwritten = 0, dropped = 0, snapshots = 0, dumps = 0, rounds = 0;
};

template <std::size_t Capacity, std::size_t Lanes>
void round(OverflowPolicy policy, int writers, const Options& options, Totals& totals) {
    auto recorder = std::make_unique<Recorder<Capacity, Lanes>>(policy);  // destroyed after its threads
    Tracer<> tracer("stress", *recorder);
    std::atomic<int> writers_done{0};
    std::atomic<bool> go{false};

    // What the drains saw: one reader (the drainer) owns these until the end of the round.
    std::unordered_set<std::uint64_t> drained_ids;
    std::unordered_map<std::uint64_t, std::uint64_t> next_sequence;  // per source thread: drain order
    std::uint64_t drained = 0, snapshots = 0, dumps = 0;
    auto on_drained = [&](const SpanData& span, std::string_view service) {
        STRESS_CHECK(service == "stress", std::string(service));
        const Reading reading = verify(span);
        STRESS_CHECK(reading.writer < static_cast<std::uint64_t>(writers), "writer");
        STRESS_CHECK(drained_ids.insert(span.span_id.value).second, "span drained twice");
        // One thread writes to one lane, which a drain reads in order: its spans come out in the
        // order it recorded them (some may be missing: overwritten).
        std::uint64_t& next = next_sequence[reading.source];
        STRESS_CHECK(reading.sequence >= next, "writer " + std::to_string(reading.writer) + ": sequence " +
                                                   std::to_string(reading.sequence) + " after " + std::to_string(next));
        next = reading.sequence + 1;
        ++drained;
    };

    std::thread drainer([&] {
        while (!go.load()) std::this_thread::yield();
        std::string json;
        for (std::uint64_t pass = 0; writers_done.load() < writers; ++pass) {
            recorder->snapshot([](const SpanData& span, std::string_view) { verify(span); });
            ++snapshots;
            if (pass % 16 == 0) {  // a JSON dump alongside the writers, parsed strictly
                json.clear();
                const std::size_t written = recorder->dump_zipkin(json);
                microtrace_fuzz::JsonValue document;
                std::string error;
                STRESS_CHECK(microtrace_fuzz::JsonParser::parse(json, document, error), error);
                STRESS_CHECK(document.items.size() == written, "dump count");
                ++dumps;
            }
            recorder->drain(on_drained);
            std::this_thread::yield();
        }
    });
    std::thread counter_reader([&] {  // stats() while everything moves: never decreasing
        RecorderStats last;
        while (writers_done.load() < writers) {
            const RecorderStats now = recorder->stats();
            STRESS_CHECK(now.started >= last.started && now.recorded >= last.recorded && now.dumped >= last.dumped,
                         "a counter went backwards");
            last = now;
            std::this_thread::yield();
        }
    });

    // Each writer is a chain of short-lived threads: a thread records a stretch of the
    // writer's spans and exits with them still in the ring; the next one carries on.
    std::vector<std::thread> writer_threads;
    for (int w = 0; w < writers; ++w) {
        writer_threads.emplace_back([&, w] {
            while (!go.load()) std::this_thread::yield();
            const auto writer = static_cast<std::uint64_t>(w);
            std::uint64_t sequence = 0;
            char payload[96];
            for (std::uint64_t stretch = 1; sequence < options.spans; ++stretch) {
                const std::uint64_t end = std::min<std::uint64_t>(options.spans, sequence + 97 * stretch);
                const std::uint64_t source = stretch << 8 | writer;
                std::thread worker([&] {
                    for (; sequence < end; ++sequence) {
                        const std::size_t length = static_cast<std::size_t>((sequence * 37 + writer * 11) % sizeof payload);
                        for (std::size_t i = 0; i < length; ++i) payload[i] = static_cast<char>('a' + (sequence + i) % 26);
                        const std::size_t events = static_cast<std::size_t>(sequence % 3);
                        auto span = tracer.start_span("s");
                        span.set_attribute("source", source).set_attribute("sequence", sequence);
                        span.set_attribute("payload", std::string_view(payload, length));
                        for (std::size_t e = 0; e < events; ++e) span.add_event("e");
                        span.set_attribute("checksum", checksum(source, sequence, span.context().trace_id,
                                                                span.context().span_id,
                                                                std::string_view(payload, length), events));
                        if (sequence % 128 == 0) std::this_thread::yield();  // let readers in on 2 cores
                    }
                });
                worker.join();
            }
            writers_done.fetch_add(1);
        });
    }
    go.store(true);
    for (auto& thread : writer_threads) thread.join();
    drainer.join();
    counter_reader.join();
    recorder->drain(on_drained);  // what is left

    const RecorderStats stats = recorder->stats();
    const std::uint64_t total = static_cast<std::uint64_t>(writers) * options.spans;
    const std::string figures = "started " + std::to_string(stats.started) + " recorded " + std::to_string(stats.recorded) +
                                " dropped " + std::to_string(stats.dropped) + " overwritten " +
                                std::to_string(stats.overwritten) + " dumped " + std::to_string(stats.dumped) + " held " +
                                std::to_string(stats.held) + " drained " + std::to_string(drained);
    STRESS_CHECK(stats.started == total, figures);
    STRESS_CHECK(stats.started == stats.recorded + stats.dropped, figures);
    STRESS_CHECK(stats.recorded == stats.dumped + stats.overwritten + stats.held, figures);
    STRESS_CHECK(stats.held == 0, figures);
    STRESS_CHECK(stats.dumped == drained, figures);
    if (policy == OverflowPolicy::overwrite_oldest) STRESS_CHECK(stats.dropped == 0, figures);
    if (policy == OverflowPolicy::drop_newest) STRESS_CHECK(stats.overwritten == 0, figures);

    std::printf("  %-16s %zu slots / %zu lanes, %d writers: %s, %llu snapshots, %llu JSON dumps\n",
                policy == OverflowPolicy::overwrite_oldest ? "overwrite_oldest" : "drop_newest", Capacity, Lanes, writers,
                figures.c_str(), static_cast<unsigned long long>(snapshots), static_cast<unsigned long long>(dumps));
    totals.spans += total;
    totals.drained += drained;
    totals.overwritten += stats.overwritten;
    totals.dropped += stats.dropped;
    totals.snapshots += snapshots;
    totals.dumps += dumps;
    ++totals.rounds;
}

void all_rounds(const Options& options, Totals& totals) {
    for (const OverflowPolicy policy : {OverflowPolicy::overwrite_oldest, OverflowPolicy::drop_newest}) {
        round<16, 1>(policy, 2, options, totals);  // one shared lane: every writer contends
        round<16, 4>(policy, 4, options, totals);  // four lanes of four slots
        round<32, 2>(policy, 8, options, totals);  // more writers than lanes and cores
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            options.seconds = std::atof(argv[++i]);
        } else if (std::strcmp(argv[i], "--spans") == 0 && i + 1 < argc) {
            options.spans = std::strtoull(argv[++i], nullptr, 10);
        } else {
            std::fprintf(stderr, "usage: %s [--seconds N] [--spans N]\n", argv[0]);
            return 2;
        }
    }
    if (!config::threads) {  // MICROTRACE_THREADS=0 promises one thread: nothing to stress
        std::printf("stress: skipped, MICROTRACE_THREADS=0\n");
        return 77;
    }
    Totals totals;
    const auto started = std::chrono::steady_clock::now();
    do {
        all_rounds(options, totals);
    } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < options.seconds);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("stress: %llu rounds, %llu spans: %llu drained, %llu overwritten, %llu dropped; %llu snapshots, "
                "%llu JSON dumps; every span accounted for, none torn, repeated or reordered (%.1f s)\n",
                static_cast<unsigned long long>(totals.rounds), static_cast<unsigned long long>(totals.spans),
                static_cast<unsigned long long>(totals.drained), static_cast<unsigned long long>(totals.overwritten),
                static_cast<unsigned long long>(totals.dropped), static_cast<unsigned long long>(totals.snapshots),
                static_cast<unsigned long long>(totals.dumps), elapsed);
    return 0;
}
