// Faults a service meets in production: fork() with other threads busy, threads that exit
// while their spans are still in the ring, a recorder destroyed after threads wrote to it,
// every capacity exhausted at once, and the misuse C++ cannot forbid. docs/reliability.md
// states the guarantees these tests hold the library to.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include "fuzz/json_checker.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace microtrace;
namespace mf = microtrace_fuzz;

namespace {

void check_balanced(const RecorderStats& stats) {
    CHECK(stats.recorded == stats.dumped + stats.overwritten + stats.held);
}

// Runs `child` in a forked child and returns its exit status (0: every check passed), or -1
// when it died (alarm(): a child that hangs is killed, so a deadlock fails the test instead of
// stopping the suite). The child leaves through _exit(): no doctest, no static destructors.
template <class Child>
int in_forked_child(Child&& child) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        alarm(30);
        _exit(child() ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool balanced(const RecorderStats& stats) {
    return stats.recorded == stats.dumped + stats.overwritten + stats.held && stats.started == stats.recorded + stats.dropped;
}

// Every span in a strict-JSON dump; -1 when the dump is not valid JSON.
long spans_in(const std::string& json) {
    mf::JsonValue document;
    std::string error;
    if (!mf::JsonParser::parse(json, document, error) || !document.is(mf::JsonValue::Kind::array)) return -1;
    return static_cast<long>(document.items.size());
}

}  // namespace

// ---- fork() ----

TEST_CASE("fork while another thread is in the middle of a dump: the child's dumps still work" * microtrace_test::needs_threads) {
    Recorder<16> recorder;
    Tracer tracer("parent", recorder);
    for (int i = 0; i < 4; ++i) tracer.start_span("before fork");

    // Another thread holds the dump lock, stopped inside its visit callback, while we fork: the
    // child has the lock held by a thread it does not have. A plain pthread, not std::thread,
    // whose heap state the child could never free (valgrind would call it a leak).
    struct Dumper {
        Recorder<16>& recorder;
        std::atomic<int> phase{0};
        static void* run(void* argument) {
            auto& self = *static_cast<Dumper*>(argument);
            self.recorder.snapshot([&self](const SpanData&, std::string_view) {
                if (self.phase.load() != 0) return;
                self.phase.store(1);
                while (self.phase.load() != 2) std::this_thread::yield();
            });
            return nullptr;
        }
    } dumping{recorder};
    pthread_t dumper;
    REQUIRE(pthread_create(&dumper, nullptr, &Dumper::run, &dumping) == 0);
    while (dumping.phase.load() != 1) std::this_thread::yield();

    const int status = in_forked_child([&] {
        { auto span = tracer.start_span("in child"); }
        std::string json;
        const std::size_t held = recorder.dump_zipkin(json);  // waited forever before the fix
        std::string drained;
        const std::size_t taken = recorder.drain_zipkin(drained);
        const RecorderStats stats = recorder.stats();
        return held == 5 && spans_in(json) == 5 && json.find("in child") != std::string::npos && taken == 5 &&
               spans_in(drained) == 5 && stats.held == 0 && stats.dumped == 5 && balanced(stats);
    });
    dumping.phase.store(2);
    pthread_join(dumper, nullptr);
    CHECK(status == 0);

    // The parent is untouched by what the child did.
    const RecorderStats stats = recorder.stats();
    CHECK(stats.held == 4);
    CHECK(stats.dumped == 0);
    check_balanced(stats);
}

TEST_CASE("fork: the child draws new ids, continues the parent's trace, and keeps a consistent recorder" * microtrace_test::needs_thread_local) {
    Recorder<16, 2> recorder;
    Tracer tracer("svc", recorder);
    auto parent_span = tracer.start_span("open across fork");
    { auto done = tracer.start_span("done before fork"); }
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const int status = in_forked_child([&] {
        // A span in the child: the parent's open span is its parent (same trace), its id is new.
        auto child_span = tracer.start_span("in child");
        const SpanContext context = child_span.context();
        child_span.end();
        parent_span.end();  // the child's copy of the open span: recorded in the child only
        const RecorderStats stats = recorder.stats();
        const bool ok = write(pipe_fds[1], &context, sizeof context) == static_cast<ssize_t>(sizeof context);
        return ok && context.trace_id == parent_span.context().trace_id && stats.held == 3 && balanced(stats);
    });
    CHECK(status == 0);
    SpanContext from_child;
    REQUIRE(read(pipe_fds[0], &from_child, sizeof from_child) == static_cast<ssize_t>(sizeof from_child));
    close(pipe_fds[0]);
    close(pipe_fds[1]);

    // The parent's next ids are not the child's.
    auto next = tracer.start_span("after fork");
    CHECK(next.context().span_id != from_child.span_id);
    CHECK(next.context().trace_id == from_child.trace_id);  // both continue the open span's trace
    next.end();
    parent_span.end();
    const RecorderStats stats = recorder.stats();
    CHECK(stats.held == 3);  // the child's spans stayed in the child
    check_balanced(stats);
}

// ---- Threads ----

TEST_CASE("threads that exit while their spans are still held: every span stays, counted once" * microtrace_test::needs_threads) {
    Recorder<256, 4> recorder;
    Tracer tracer("svc", recorder);
    constexpr int waves = 4, threads_per_wave = 6, spans_per_thread = 10;
    for (int wave = 0; wave < waves; ++wave) {
        std::vector<std::thread> threads;
        for (int t = 0; t < threads_per_wave; ++t)
            threads.emplace_back([&tracer, wave, t] {
                for (int i = 0; i < spans_per_thread; ++i)
                    tracer.start_span("work").set_attribute("who", wave * 100 + t);
            });
        for (auto& thread : threads) thread.join();  // gone; their spans are not
    }
    const RecorderStats before = recorder.stats();
    CHECK(before.started == waves * threads_per_wave * spans_per_thread);
    CHECK(before.recorded == before.started);
    check_balanced(before);

    std::vector<int> per_thread(waves * 100, 0);
    const std::size_t drained = recorder.drain([&](const SpanData& span, std::string_view) {
        ++per_thread[static_cast<std::size_t>(span.attributes[0].number)];
    });
    CHECK(drained == before.held);
    const RecorderStats after = recorder.stats();
    CHECK(after.held == 0);
    CHECK(after.dumped == drained);
    check_balanced(after);
    if (before.overwritten == 0) {  // room for all: each thread's spans are all there, once
        for (int wave = 0; wave < waves; ++wave)
            for (int t = 0; t < threads_per_wave; ++t) CHECK(per_thread[static_cast<std::size_t>(wave * 100 + t)] == spans_per_thread);
    }
}

TEST_CASE("a span started on a thread that then exits is ended and recorded by another" * microtrace_test::needs_threads) {
    Recorder<16, 2> recorder;
    Tracer tracer("svc", recorder);
    Span handed_over;
    std::thread starter([&] {
        StartOptions options;
        options.activate = false;  // it leaves this thread: not this thread's current span
        handed_over = tracer.start_span("handed over", options);
        handed_over.set_attribute("started on", "a thread that is gone");
    });
    starter.join();
    CHECK(handed_over.is_recording());
    handed_over.set_attribute("ended on", "main");
    handed_over.end();
    const RecorderStats stats = recorder.stats();
    CHECK(stats.started == 1);
    CHECK(stats.recorded == 1);
    CHECK(stats.held == 1);
    check_balanced(stats);
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json.find("\"ended on\":\"main\"") != std::string::npos);
}

TEST_CASE("a recorder destroyed after threads wrote to it leaves nothing behind that points into it" * microtrace_test::needs_threads) {
    // Threads that recorded keep only a lane number and ids: no pointer into the recorder. So
    // once they are done (or have moved on to another recorder) it may go; ASan and valgrind
    // check the reuse below touches no freed memory.
    for (int round = 0; round < 3; ++round) {
        auto recorder = std::make_unique<Recorder<64, 4>>(round % 2 == 0 ? OverflowPolicy::overwrite_oldest
                                                                          : OverflowPolicy::drop_newest);
        auto tracer = std::make_unique<Tracer<>>("short-lived", *recorder);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 50; ++i) tracer->start_span("span").set_attribute("i", i);
            });
        for (auto& thread : threads) thread.join();
        const RecorderStats stats = recorder->stats();
        CHECK(stats.started == 200);
        CHECK(stats.started == stats.recorded + stats.dropped);
        check_balanced(stats);
        tracer.reset();
        recorder.reset();  // the threads are gone; this thread's state names no recorder
    }
    Recorder<4> next;
    Tracer tracer("next", next);
    tracer.start_span("after").end();
    CHECK(next.stats().held == 1);
}

// ---- Everything full at once ----

TEST_CASE("exhaustion everywhere at once: each limit counted, the dump valid, nothing crashes") {
    // A request carrying more tracestate and baggage than the limits take.
    std::string tracestate, baggage;
    for (int i = 0; i < 32; ++i) tracestate += (i ? "," : "") + ("k" + std::to_string(i)) + "=" + std::string(30, 'v');
    for (int i = 0; i < 100; ++i) baggage += (i ? "," : "") + ("k" + std::to_string(i)) + "=" + std::string(200, 'v');
    std::vector<std::pair<std::string, std::string>> request{
        {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        {"tracestate", tracestate},
        {"baggage", baggage}};
    const ExtractedContext parent = extract(request);
    CHECK(parent.is_valid());
    CHECK(parent.trace_state().header().size() <= TraceState::capacity);
    CHECK(parent.trace_state().size() + parent.trace_state().dropped_members() == 32);
    CHECK(parent.trace_state().dropped_members() > 0);
    CHECK(parent.baggage().header_size() <= Baggage::capacity);
    CHECK(parent.baggage().size() + parent.baggage().dropped_members() == 100);
    CHECK(parent.baggage().dropped_members() > 0);

    Recorder<4> recorder(OverflowPolicy::drop_newest);
    Tracer tracer("full", recorder);
    for (int s = 0; s < 6; ++s) {  // two more than the ring holds
        auto span = tracer.start_span(std::string(config::span_string_bytes + 10, 'n'), parent, SpanKind::server);
        for (std::size_t i = 0; i < config::max_attributes + 3; ++i) span.set_attribute("a" + std::to_string(i), "value");
        for (std::size_t i = 0; i < config::max_events + 3; ++i) span.add_event("event");
        span.record_error(std::string(100, 'e'));
        span.set_remote_endpoint(Endpoint{"peer", "2001:db8::1", 443});
        std::vector<std::pair<std::string, std::string>> outgoing;
        inject(span.context(), outgoing);
        for (const auto& [name, value] : outgoing)
            CHECK(value.size() <= (name == "baggage" ? Baggage::capacity : TraceState::capacity));
    }
    const RecorderStats stats = recorder.stats();
    CHECK(stats.started == 6);
    CHECK(stats.recorded == 4);
    CHECK(stats.dropped == 2);
    std::string json;
    CHECK(recorder.dump_zipkin(json) == 4);
    mf::JsonValue document;
    std::string error;
    REQUIRE_MESSAGE(mf::JsonParser::parse(json, document, error), error);
    REQUIRE(document.items.size() == 4);
    const mf::JsonValue* tags = document.items[0].find("tags");
    REQUIRE(tags != nullptr);
    CHECK(tags->find("otel.dropped_attributes_count") != nullptr);
    CHECK(tags->find("otel.dropped_events_count") != nullptr);
    CHECK(tags->find("microtrace.truncated_strings") != nullptr);
    CHECK(document.items[0].find("parentId")->text == "b7ad6b7169203331");
}

// ---- Misuse C++ cannot forbid ----

TEST_CASE("misuse: every call on a moved-from or ended span, self-move, an end before the start") {
    Recorder<8> recorder;
    Tracer tracer("svc", recorder);
    auto original = tracer.start_span("kept");
    Span moved = std::move(original);
    // NOLINTBEGIN(bugprone-use-after-move): using the moved-from span is the point
    original.set_attribute("k", "v").set_attribute("n", 1).set_attribute("d", 0.5).set_attribute("b", true);
    original.add_event("e").add_event("e", EpochNanos(1)).set_status(StatusCode::error, "m").record_error("x");
    original.set_name("renamed").set_shared();
    CHECK(original.set_remote_endpoint(Endpoint{"peer", "not an address", 1}));  // nothing to record: no error
    CHECK_FALSE(original.is_recording());
    original.end();
    original.end(EpochNanos(5));
    // NOLINTEND(bugprone-use-after-move)

    Span& alias = moved;
    moved = std::move(alias);  // self-move: nothing happens
    CHECK(moved.is_recording());
    moved.end(EpochNanos(1));  // before it started: a duration of 0, written as Zipkin's minimum 1
    moved.end();
    CHECK(recorder.stats().recorded == 1);
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json.find("\"duration\":1") != std::string::npos);
    CHECK(json.find("renamed") == std::string::npos);
}

TEST_CASE("misuse: dumps and stats on a recorder nothing was ever recorded into, and on a drained one") {
    Recorder<2, 2> recorder;
    CHECK(recorder.snapshot([](const SpanData&, std::string_view) { FAIL("no span"); }) == 0);
    CHECK(recorder.drain([](const SpanData&, std::string_view) { FAIL("no span"); }) == 0);
    std::string json;
    CHECK(recorder.drain_zipkin(json) == 0);
    CHECK(json == "[]");
    const RecorderStats stats = recorder.stats();
    CHECK(stats.started + stats.recorded + stats.dropped + stats.overwritten + stats.dumped + stats.held == 0);
    Tracer tracer("svc", recorder);
    tracer.start_span("one").end();
    CHECK(recorder.drain_zipkin(json) == 1);
    CHECK(recorder.drain_zipkin(json) == 0);
    CHECK(recorder.dump_zipkin(json) == 0);
    check_balanced(recorder.stats());
}
