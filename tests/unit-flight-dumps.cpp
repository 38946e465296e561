// Chrome trace-event JSON (strictly valid JSON, tracks, X and i events, args) and the
// plain-text waterfall (against a golden output, with deterministic times and ids).
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <thread>

#include "support/deterministic.hpp"
#include "fuzz/json_checker.hpp"

using namespace microtrace;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

constexpr std::uint64_t ms = 1'000'000;

// Spans nesting through the thread's current span, and a second thread: not in every mode.
const doctest::skip needs_thread_local{!config::thread_local_storage};
const doctest::skip needs_threads{!config::threads};

}  // namespace

TEST_CASE("strict JSON checker rejects what it should") {
    CHECK(microtrace_fuzz::is_strict_json(std::string("{\"a\":[1,2.5,-0.5e3,true,null,\"x\\n\"]}")));
    CHECK_FALSE(microtrace_fuzz::is_strict_json(std::string("{\"a\":1,}")));
    CHECK_FALSE(microtrace_fuzz::is_strict_json(std::string("[NaN]")));
    CHECK_FALSE(microtrace_fuzz::is_strict_json(std::string("[\"\x01\"]")));
    CHECK_FALSE(microtrace_fuzz::is_strict_json(std::string("[1] [2]")));
}

TEST_CASE("Chrome trace: valid JSON with tracks, complete and instant events, args" * needs_threads) {
    if constexpr (!config::enabled) return;
    Recorder<64, 2> recorder;
    Tracer tracer("game\"server", recorder);
    Tracer other("audio", recorder);
    {
        auto frame = tracer.start_span("frame\xff");
        frame.set_attribute("tick", 42).set_attribute("map", "de_dust").set_attribute("ok", true);
        frame.set_attribute("ratio", 0.5).set_attribute("bad", 0.0 / 0.0 + 1.0 / 0.0);
        frame.add_event("overrun");
        auto child = tracer.start_span("physics");
        child.record_error("boom");
    }
    std::thread([&] { other.start_span("mix").set_attribute("voices", -3); }).join();

    std::string out;
    CHECK(dump_chrome_trace(recorder, out) == 3);
    INFO(out);
    CHECK(microtrace_fuzz::is_strict_json(out));
    CHECK(out.rfind("{\"traceEvents\":[", 0) == 0);
    CHECK(occurrences(out, "\"ph\":\"X\"") == 3);
    CHECK(occurrences(out, "\"ph\":\"i\"") == 2);  // "overrun" and "exception: boom"
    CHECK(occurrences(out, "\"name\":\"process_name\"") == 2);
    CHECK(occurrences(out, "\"name\":\"thread_name\"") == 2);
    CHECK(out.find("\"args\":{\"name\":\"game\\\"server\"}") != std::string::npos);
    CHECK(out.find("\"name\":\"frame\xEF\xBF\xBD\"") != std::string::npos);
    CHECK(out.find("\"tick\":42") != std::string::npos);
    CHECK(out.find("\"map\":\"de_dust\"") != std::string::npos);
    CHECK(out.find("\"ok\":true") != std::string::npos);
    CHECK(out.find("\"ratio\":0.5") != std::string::npos);
    CHECK(out.find("\"bad\":\"") != std::string::npos);
    CHECK(out.find("\"voices\":-3") != std::string::npos);
    CHECK(out.find("\"status\":\"ERROR\",\"error\":\"boom\"") != std::string::npos);
    CHECK(out.find("\"name\":\"exception: boom\"") != std::string::npos);
    CHECK(out.find("\"pid\":2,\"tid\":") != std::string::npos);  // the second service
    // Spans of the two threads are on different tracks.
    CHECK(out.find("\"tid\":1") != std::string::npos);
}

TEST_CASE("Chrome trace: an empty recorder is still a valid trace") {
    if constexpr (!config::enabled) return;
    Recorder<8> recorder;
    std::string out;
    CHECK(dump_chrome_trace(recorder, out) == 0);
    CHECK(microtrace_fuzz::is_strict_json(out));
    CHECK(out.find("\"traceEvents\":[]") != std::string::npos);
}

TEST_CASE("Chrome trace: times are microseconds from the first span, with nanoseconds") {
    if constexpr (!config::enabled) return;
    Recorder<8> recorder;
    Tracer tracer("svc", recorder, AlwaysOnSampler{}, microtrace_test::fake_clock());
    StartOptions options;
    options.start_time = EpochNanos(5'000'000'000);
    auto a = tracer.start_span("a", options);
    options.start_time = EpochNanos(5'000'001'500);
    auto b = tracer.start_span("b", options);
    b.end(EpochNanos(5'000'001'750));
    a.end(EpochNanos(5'000'002'000));
    std::string out;
    dump_chrome_trace(recorder, out);
    CHECK(microtrace_fuzz::is_strict_json(out));
    CHECK(out.find("\"name\":\"b\",\"pid\":1,\"tid\":") != std::string::npos);
    CHECK(out.find(",\"ts\":1.500,\"dur\":0.250,") != std::string::npos);
    CHECK(out.find(",\"ts\":0.000,\"dur\":2.000,") != std::string::npos);
    CHECK(out.find("\"base_epoch_us\":\"5000000.000\"") != std::string::npos);
}

TEST_CASE("waterfall: golden output" * needs_thread_local) {
    if constexpr (!config::enabled) return;
    Recorder<16> recorder;
    Tracer tracer("svc", recorder, AlwaysOnSampler{}, microtrace_test::fake_clock(), microtrace_test::counting_ids());
    const std::uint64_t t0 = 1'000 * ms;
    StartOptions options;
    options.start_time = EpochNanos(t0);
    TraceId trace;
    {
        auto frame = tracer.start_span("frame", options);
        trace = frame.context().trace_id;
        options.start_time = EpochNanos(t0);
        auto physics = tracer.start_span("physics", options);
        options.start_time = EpochNanos(t0 + 1 * ms);
        auto broadphase = tracer.start_span("broadphase", options);
        broadphase.end(EpochNanos(t0 + 2 * ms));
        physics.end(EpochNanos(t0 + 4 * ms));
        options.start_time = EpochNanos(t0 + 4 * ms);
        auto render = tracer.start_span("render \xc3\xa9t\xc3\xa9", options);
        render.record_error("gpu hang");
        render.end(EpochNanos(t0 + 15'500'000));
        frame.end(EpochNanos(t0 + 16 * ms));
    }
    // Another trace in the same ring is left out.
    tracer.start_span("other", StartOptions{SpanKind::internal, nullptr, true});

    char text[2048];
    const std::size_t length = write_waterfall(recorder, trace, text, sizeof text, WaterfallOptions{20, 32});
    const std::string expected =
        "trace 00000000000000010000000000000002: 4 spans, 16.000 ms\n"
        "frame                |================================|     16.000 ms\n"
        "  physics            |========........................|      4.000 ms\n"
        "    broadphase       |..==............................|      1.000 ms\n"
        "  render ??t??       |........=======================.|     11.500 ms ERROR\n";
    CHECK(std::string(text) == expected);
    CHECK(length == expected.size());

    // Cut to the buffer, NUL-terminated.
    char small[16];
    CHECK(write_waterfall(recorder, trace, small, sizeof small) == 15);
    CHECK(std::string(small) == "trace 000000000");

    // Unknown trace: nothing.
    std::string none;
    CHECK(write_waterfall(recorder, TraceId{0, 999}, Sink(none)) == 0);
    CHECK(none.empty());
}

TEST_CASE("waterfall: more spans than it holds are counted" * needs_thread_local) {
    if constexpr (!config::enabled) return;
    Recorder<16> recorder;
    Tracer tracer("svc", recorder);
    TraceId trace;
    {
        auto root = tracer.start_span("root");
        trace = root.context().trace_id;
        for (int i = 0; i < 5; ++i) tracer.start_span("leaf");
    }
    std::string out;
    CHECK(write_waterfall<4>(recorder, trace, Sink(out)) == 4);
    CHECK(out.find(": 6 spans, ") != std::string::npos);
    CHECK(out.find("... 2 more spans not shown\n") != std::string::npos);
}
