// Clock::cycle_counter(): a usable, monotonic clock on every platform (the CPU counter where
// there is one, the standard clock elsewhere), and spans timed with it. Nothing here depends
// on how fast anything runs: tests never assert on time.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using namespace microtrace;

TEST_CASE("the cycle-counter clock reads monotonic nanoseconds, anchored like the standard clock") {
    const Clock clock = Clock::cycle_counter();
    REQUIRE(static_cast<bool>(clock.now_ns));
    std::uint64_t previous = clock.now_ns();
    for (int i = 0; i < 100000; ++i) {
        const std::uint64_t now = clock.now_ns();
        CHECK(now >= previous);
        previous = now;
    }
    const std::uint64_t monotonic = clock.now_ns();
    CHECK(clock.to_epoch_ns(monotonic) == monotonic + static_cast<std::uint64_t>(clock.epoch_offset_ns));
    // Anchored to system_clock: epoch time, not time since boot (this is after 2001).
    CHECK(clock.now_epoch_ns() > 1'000'000'000'000'000'000ULL);
    // Calibration happens once: later clocks share the counter and its scale.
    CHECK(static_cast<bool>(Clock::cycle_counter().now_ns == clock.now_ns));
}

TEST_CASE("spans timed by the cycle-counter clock nest in time") {
    Recorder<16> recorder;
    Tracer<> tracer("clocked", recorder, AlwaysOnSampler{}, Clock::cycle_counter());
    {
        auto outer = tracer.start_span("outer");
        auto inner = tracer.start_span("inner");
    }
    std::vector<SpanData> spans;
    recorder.snapshot([&](const SpanData& data, std::string_view) { spans.push_back(data); });
    REQUIRE(spans.size() == 2);
    const SpanData& inner = spans[0];
    const SpanData& outer = spans[1];
    CHECK(inner.start_epoch_ns >= outer.start_epoch_ns);
    CHECK(inner.start_epoch_ns + inner.duration_ns <= outer.start_epoch_ns + outer.duration_ns);
}
