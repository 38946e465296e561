// RateLimitedSampler: a lock-free token bucket on a simulated clock; exact under threads.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include "support/alloc_counter.hpp"

#include <atomic>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

using namespace microtrace;

namespace {

// Simulated time: tests move it by hand, nothing sleeps.
std::atomic<std::uint64_t> simulated_ns{0};
std::uint64_t simulated_clock() noexcept { return simulated_ns.load(std::memory_order_relaxed); }

constexpr std::uint64_t second = 1'000'000'000;

int sample_many(const RateLimitedSampler& sampler, int attempts) {
    int sampled = 0;
    for (int i = 0; i < attempts; ++i) sampled += sampler.should_sample(SamplingParameters{}).sampled ? 1 : 0;
    return sampled;
}

}  // namespace

TEST_CASE("a full bucket grants its burst at once, then nothing until time passes") {
    static_assert(is_sampler_v<RateLimitedSampler>);
    simulated_ns = 5 * second;
    const RateLimitedSampler sampler(100, 10, &simulated_clock);
    CHECK(sample_many(sampler, 1000) == 10);
    CHECK(sample_many(sampler, 1000) == 0);
}

TEST_CASE("tokens come back at the rate, one per 1/rate seconds") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 10, &simulated_clock);  // one token per 10 ms
    CHECK(sample_many(sampler, 50) == 10);
    simulated_ns += 9'999'999;
    CHECK(sample_many(sampler, 50) == 0);
    simulated_ns += 1;
    CHECK(sample_many(sampler, 50) == 1);
    simulated_ns += 35'000'000;  // 3.5 tokens' worth: 3 now, the half stays
    CHECK(sample_many(sampler, 50) == 3);
    simulated_ns += 5'000'000;
    CHECK(sample_many(sampler, 50) == 1);
}

TEST_CASE("an idle bucket banks no more than its burst") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 10, &simulated_clock);
    CHECK(sample_many(sampler, 50) == 10);
    simulated_ns += 3600 * second;
    CHECK(sample_many(sampler, 50) == 10);
}

TEST_CASE("a steady overload is held to the rate") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 10, &simulated_clock);
    int sampled = 0;
    for (int i = 0; i < 10'000; ++i) {  // 1,000 requests a second for 10 simulated seconds
        sampled += sampler.should_sample(SamplingParameters{}).sampled ? 1 : 0;
        simulated_ns += second / 1000;
    }
    CHECK(sampled >= 1000);
    CHECK(sampled <= 1000 + 10);
}

TEST_CASE("a load under the rate is sampled entirely") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 1, &simulated_clock);
    for (int i = 0; i < 1000; ++i) {  // 50 a second
        REQUIRE(sampler.should_sample(SamplingParameters{}).sampled);
        simulated_ns += second / 50;
    }
}

TEST_CASE("fractional rates and the default burst") {
    simulated_ns = 0;
    const RateLimitedSampler slow(0.5, 0, &simulated_clock);  // one every 2 s, burst 1
    CHECK(slow.burst() == 1);
    CHECK(sample_many(slow, 10) == 1);
    simulated_ns += second;
    CHECK(sample_many(slow, 10) == 0);
    simulated_ns += second;
    CHECK(sample_many(slow, 10) == 1);
    CHECK(RateLimitedSampler(250, 0, &simulated_clock).burst() == 250);  // one second's worth
}

TEST_CASE("a zero, negative or NaN rate never samples") {
    simulated_ns = 0;
    for (double rate : {0.0, -5.0, std::numeric_limits<double>::quiet_NaN(), 1e-30}) {
        const RateLimitedSampler sampler(rate, 10, &simulated_clock);
        CHECK(sample_many(sampler, 100) == 0);
    }
}

TEST_CASE("decisions are not probabilistic: no OpenTelemetry threshold") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 1, &simulated_clock);
    const SamplingResult granted = sampler.should_sample(SamplingParameters{});
    CHECK(granted.sampled);
    CHECK(granted.threshold == no_sampling_threshold);
    CHECK(sampler.should_sample(SamplingParameters{}).threshold == no_sampling_threshold);
}

TEST_CASE("as a ParentBased root it limits root traces only; children follow") {
    simulated_ns = 0;
    const ParentBased sampler{RateLimitedSampler(1, 2, &simulated_clock)};
    SpanContext sampled_parent;
    sampled_parent.trace_id = TraceId{1, 2};
    sampled_parent.span_id = SpanId{3};
    sampled_parent.flags.bits = TraceFlags::sampled;
    SamplingParameters child;
    child.parent = &sampled_parent;
    child.trace_id = sampled_parent.trace_id;
    for (int i = 0; i < 100; ++i) REQUIRE(sampler.should_sample(child).sampled);  // no tokens used
    CHECK(sampler.should_sample(SamplingParameters{}).sampled);
    CHECK(sampler.should_sample(SamplingParameters{}).sampled);
    CHECK_FALSE(sampler.should_sample(SamplingParameters{}).sampled);
}

TEST_CASE("a copy takes the configuration and starts with a full bucket of its own") {
    simulated_ns = 0;
    const RateLimitedSampler original(100, 5, &simulated_clock);
    CHECK(sample_many(original, 3) == 3);
    const RateLimitedSampler copy = original;
    CHECK(copy.per_second() == 100);
    CHECK(sample_many(copy, 10) == 5);
    CHECK(sample_many(original, 10) == 2);  // independent buckets
}

#if defined(__cpp_constinit)
// A static tracer's sampler must not need code at start-up (MICROTRACE_ENABLED=0 leaves none).
constinit ParentBased<RateLimitedSampler> static_limited{RateLimitedSampler(100, 10)};
TEST_CASE("a static rate-limited sampler is constant-initialized") {
    CHECK(static_limited.root().burst() == 10);
}
#endif

TEST_CASE("descriptions show rate and burst") {
    CHECK(RateLimitedSampler(100).description().view() == "RateLimitedSampler{100/s,burst=100}");
    CHECK(RateLimitedSampler(2.5, 7).description().view() == "RateLimitedSampler{2.5/s,burst=7}");
}

TEST_CASE("many threads: the number of tokens granted is exact" * microtrace_test::needs_threads) {
    simulated_ns = 1000 * second;
    const RateLimitedSampler sampler(1000, 64, &simulated_clock);  // one token per ms
    std::atomic<int> granted{0};
    const auto hammer = [&] {
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] { granted.fetch_add(sample_many(sampler, 5000)); });
        for (std::thread& thread : threads) thread.join();
    };
    hammer();
    CHECK(granted.load() == 64);  // the burst, whatever the interleaving
    for (int round = 1; round <= 20; ++round) {
        simulated_ns += 3'000'000;  // three tokens
        hammer();
        REQUIRE(granted.load() == 64 + 3 * round);
    }
}

namespace {
// A clock every reading of which moves it 10 µs on: the deciding threads drive time
// themselves, so tokens keep coming back while they race for them.
std::atomic<std::uint64_t> racing_ns{0};
std::uint64_t racing_clock() noexcept { return racing_ns.fetch_add(10'000, std::memory_order_relaxed); }
}  // namespace

TEST_CASE("many threads with time moving under them never exceed rate x time + burst" * microtrace_test::needs_threads) {
    const RateLimitedSampler sampler(1000, 10, &racing_clock);  // one token per ms
    std::atomic<long> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&] {
            long mine = 0;
            for (int i = 0; i < 100'000; ++i)
                mine += sampler.should_sample(SamplingParameters{}).sampled ? 1 : 0;
            granted.fetch_add(mine);
        });
    for (std::thread& thread : threads) thread.join();
    const long elapsed_ms = static_cast<long>(racing_ns.load() / 1'000'000);  // 3 s simulated
    CHECK(granted.load() <= elapsed_ms + 10);
    CHECK(granted.load() >= elapsed_ms - 1);  // demand always exceeds supply: none wasted
}

TEST_CASE("deciding allocates nothing") {
    simulated_ns = 0;
    const RateLimitedSampler sampler(100, 10, &simulated_clock);
    microtrace_test::AllocationProbe probe;
    CHECK(sample_many(sampler, 100) == 10);
    const SamplerDescription description = sampler.description();
    CHECK(probe.count() == 0);
    CHECK(description.size > 0);
}
