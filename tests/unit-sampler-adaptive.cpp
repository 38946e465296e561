// AdaptiveSampler in simulation: an injected clock (or explicit ticks), loads played back
// decision by decision, nothing sleeps and nothing depends on wall time.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include "support/alloc_counter.hpp"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

using namespace microtrace;

namespace {

constexpr std::uint64_t second = 1'000'000'000;

std::atomic<std::uint64_t> simulated_ns{0};
std::uint64_t simulated_clock() noexcept { return simulated_ns.load(std::memory_order_relaxed); }

// Trace ids whose randomness is a golden-ratio sequence, R_i = frac(i * 0.618...) * 2^56:
// spread as evenly as possible, so n decisions at probability p sample n * p give or take
// one or two, and the tests can hold tight bounds without being flaky. The sampler cannot
// tell them from random ids.
struct EvenTraceIds {
    std::uint64_t index = 0;
    SamplingParameters next() noexcept {
        ++index;
        SamplingParameters params;
        params.trace_id = TraceId{0x5eed, (index * 0x9e3779b97f4a7c15ULL) >> 8};
        return params;
    }
};

// Plays `roots_per_second` evenly spaced root decisions for `seconds` simulated seconds,
// starting at the current simulated time (a whole second); returns how many were sampled
// in each second. Checks every decision against the sampler's bounds on the way.
std::vector<int> play(const AdaptiveSampler& sampler, EvenTraceIds& ids, std::uint64_t roots_per_second,
                      int seconds) {
    std::vector<int> sampled_per_second;
    const std::uint64_t interval = second / roots_per_second;
    for (int s = 0; s < seconds; ++s) {
        const std::uint64_t start = simulated_ns.load();
        int sampled = 0;
        for (std::uint64_t k = 0; k < roots_per_second; ++k) {
            simulated_ns = start + k * interval;
            sampled += sampler.should_sample(ids.next()).sampled ? 1 : 0;
        }
        simulated_ns = start + second;
        sampled_per_second.push_back(sampled);
    }
    return sampled_per_second;
}

AdaptiveSampler per_second(double target, double min_probability = 0x1p-56, double max_probability = 1.0) {
    simulated_ns = 0;
    AdaptiveSamplerConfig config;
    config.target = target;
    config.min_probability = min_probability;
    config.max_probability = max_probability;
    config.now_ns = &simulated_clock;
    return AdaptiveSampler(config);
}

bool within(int value, double target, double tolerance) {
    return std::fabs(value - target) <= target * tolerance;
}

}  // namespace

TEST_CASE("steady 10,000 roots/s, target 100/s: within 10% in at most 5 windows") {
    static_assert(is_sampler_v<AdaptiveSampler>);
    const AdaptiveSampler sampler = per_second(100);
    EvenTraceIds ids;
    const std::vector<int> sampled = play(sampler, ids, 10'000, 20);
    CHECK(sampled[0] == 10'000);  // the first window knows no load yet: max_probability
    for (std::size_t window = 4; window < sampled.size(); ++window) {
        CAPTURE(window);
        CHECK(within(sampled[window], 100, 0.10));
    }
    // It settles at once, in fact: the second window is already on target.
    CHECK(within(sampled[1], 100, 0.10));
    CHECK(sampler.probability() == doctest::Approx(0.01).epsilon(0.001));
}

TEST_CASE("a 10x burst is back within 20% in at most 3 windows, and so is its end") {
    const AdaptiveSampler sampler = per_second(100);
    EvenTraceIds ids;
    play(sampler, ids, 10'000, 5);
    const std::vector<int> burst = play(sampler, ids, 100'000, 6);
    CHECK(burst[0] > 500);  // the window the burst starts in runs at the old probability
    for (std::size_t window = 2; window < burst.size(); ++window) {
        CAPTURE(window);
        CHECK(within(burst[window], 100, 0.20));
    }
    CHECK(within(burst[1], 100, 0.20));  // one window, in fact
    const std::vector<int> after = play(sampler, ids, 10'000, 6);
    for (std::size_t window = 2; window < after.size(); ++window) {
        CAPTURE(window);
        CHECK(within(after[window], 100, 0.20));
    }
}

TEST_CASE("a load below the target samples everything") {
    const AdaptiveSampler sampler = per_second(100);
    EvenTraceIds ids;
    for (int sampled : play(sampler, ids, 50, 10)) CHECK(sampled == 50);
    CHECK(sampler.probability() == 1.0);
    for (int sampled : play(sampler, ids, 100, 5)) CHECK(sampled == 100);
}

TEST_CASE("the probability never leaves [min, max], whatever the load") {
    const double min_probability = 0.02;
    const double max_probability = 0.5;
    const AdaptiveSampler sampler = per_second(100, min_probability, max_probability);
    const std::uint64_t lowest = threshold_for_probability(max_probability);
    const std::uint64_t highest = threshold_for_probability(min_probability);
    EvenTraceIds ids;
    std::uint64_t state = 99;
    const std::uint64_t loads[] = {1, 10, 100, 1000, 10'000, 50'000};
    bool hit_min = false;
    bool hit_max = false;
    for (int round = 0; round < 60; ++round) {
        const std::uint64_t load = loads[detail::splitmix64(state) % 6];
        for (int sampled : play(sampler, ids, load, 1)) CHECK(sampled <= static_cast<int>(load));
        const std::uint64_t threshold = sampler.threshold();
        REQUIRE(threshold >= lowest);
        REQUIRE(threshold <= highest);
        hit_min = hit_min || threshold == highest;
        hit_max = hit_max || threshold == lowest;
        // Every sampled decision carries the threshold it used, inside the bounds.
        const SamplingResult result = sampler.should_sample(ids.next());
        if (result.sampled) REQUIRE((result.threshold >= lowest && result.threshold <= highest));
    }
    CHECK(hit_min);
    CHECK(hit_max);
    // At 10,000/s the target wants 1%, the floor holds 2%.
    play(sampler, ids, 10'000, 3);
    CHECK(sampler.threshold() == highest);
    CHECK(within(play(sampler, ids, 10'000, 1)[0], 200, 0.05));
}

TEST_CASE("decisions follow the trace-id rule for the current probability") {
    const AdaptiveSampler sampler = per_second(100);
    EvenTraceIds ids;
    play(sampler, ids, 10'000, 3);
    const std::uint64_t threshold = sampler.threshold();
    const ProbabilitySampler same(probability_for_threshold(threshold));
    std::uint64_t state = 5;
    for (int i = 0; i < 2000; ++i) {
        SamplingParameters params;
        params.trace_id = TraceId{detail::splitmix64(state), detail::splitmix64(state)};
        const SamplingResult result = sampler.should_sample(params);
        REQUIRE(result.sampled == threshold_samples(threshold, params.trace_id));
        if (result.sampled) REQUIRE(result.threshold == threshold);
        if (!result.sampled) REQUIRE(result.threshold == no_sampling_threshold);
        (void)same;
    }
}

TEST_CASE("smoothing damps a noisy load; a step is followed at once") {
    // Loads alternating 8,000 and 12,000 a second: within 2x of each other, so smoothed.
    const auto swing = [](double smoothing) {
        simulated_ns = 0;
        AdaptiveSamplerConfig config;
        config.target = 100;
        config.smoothing = smoothing;
        config.now_ns = &simulated_clock;
        const AdaptiveSampler sampler(config);
        EvenTraceIds ids;
        double lowest = 1;
        double highest = 0;
        for (int round = 0; round < 10; ++round) {
            play(sampler, ids, round % 2 == 0 ? 8000 : 12'000, 1);
            if (round < 4) continue;
            lowest = std::fmin(lowest, sampler.probability());
            highest = std::fmax(highest, sampler.probability());
        }
        return highest - lowest;
    };
    const double smoothed = swing(0.5);
    const double raw = swing(1.0);
    CHECK(raw > 0.004);       // 100/8000 vs 100/12000
    CHECK(smoothed < 0.0015);  // about 100/9333 vs 100/10667
}

TEST_CASE("an idle device: a long quiet window counts as a low rate") {
    const AdaptiveSampler sampler = per_second(10);
    EvenTraceIds ids;
    play(sampler, ids, 1000, 3);
    CHECK(sampler.probability() == doctest::Approx(0.01).epsilon(0.001));
    simulated_ns += 3600 * second;  // an hour without a root
    // 3,000 roots over an hour and a bit is well under 10/s: the window that just ended
    // says "sample everything", and the decision that ended it already does.
    CHECK(sampler.should_sample(ids.next()).sampled);
    CHECK(sampler.probability() == 1.0);
}

TEST_CASE("tick mode: a game server samples about `target` roots per tick, no clock read") {
    AdaptiveSampler sampler = AdaptiveSampler::per_tick(2);
    EvenTraceIds ids;
    int sampled_after_first_tick = 0;
    for (int tick = 0; tick < 61; ++tick) {  // one second at 60 Hz, 500 roots a tick
        int sampled = 0;
        for (int i = 0; i < 500; ++i) sampled += sampler.should_sample(ids.next()).sampled ? 1 : 0;
        if (tick == 0) CHECK(sampled == 500);
        if (tick > 0) {
            CHECK(sampled <= 4);
            sampled_after_first_tick += sampled;
        }
        REQUIRE(sampler.advance_window());
    }
    CHECK(within(sampled_after_first_tick, 120, 0.05));
    CHECK(sampler.probability() == doctest::Approx(0.004).epsilon(0.001));
    CHECK(sampler.statistics().windows == 61);
    CHECK(sampler.statistics().decisions == 61 * 500);
}

TEST_CASE("advance_window in clock mode ends the window early, scaling its count") {
    const AdaptiveSampler source = per_second(100);
    AdaptiveSampler sampler = source;
    EvenTraceIds ids;
    play(sampler, ids, 10'000, 2);
    // 3,000 roots in the first 100 ms: a rate of 30,000/s, a step from 10,000/s.
    const std::uint64_t start = simulated_ns.load();
    for (int i = 0; i < 3000; ++i) {
        simulated_ns = start + static_cast<std::uint64_t>(i) * 33'333;
        sampler.should_sample(ids.next());
    }
    simulated_ns = start + 100'000'000;
    REQUIRE(sampler.advance_window());
    CHECK(sampler.probability() == doctest::Approx(100.0 / 30'000).epsilon(0.001));
    CHECK(sampler.statistics().windows == 3);
}

TEST_CASE("statistics count every decision exactly") {
    AdaptiveSampler sampler = AdaptiveSampler::per_tick(10);
    EvenTraceIds ids;
    int sampled = 0;
    for (int tick = 0; tick < 5; ++tick) {
        for (int i = 0; i < 1000; ++i) sampled += sampler.should_sample(ids.next()).sampled ? 1 : 0;
        sampler.advance_window();
    }
    for (int i = 0; i < 123; ++i) sampled += sampler.should_sample(ids.next()).sampled ? 1 : 0;
    const AdaptiveSamplerStatistics stats = sampler.statistics();
    CHECK(stats.windows == 5);
    CHECK(stats.decisions == 5123);
    CHECK(stats.sampled == static_cast<std::uint64_t>(sampled));
    CHECK(stats.window_decisions == 123);
}

TEST_CASE("many threads deciding while windows end keep the counts exact (ticks)" * microtrace_test::needs_threads) {
    AdaptiveSampler sampler = AdaptiveSampler::per_tick(50);
    constexpr int threads = 4;
    constexpr int decisions_each = 50'000;
    std::atomic<int> running{threads};
    std::atomic<std::uint64_t> sampled{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            std::uint64_t state = static_cast<std::uint64_t>(t) + 1;
            std::uint64_t mine = 0;
            for (int i = 0; i < decisions_each; ++i) {
                SamplingParameters params;
                params.trace_id = TraceId{1, detail::splitmix64(state)};
                mine += sampler.should_sample(params).sampled ? 1 : 0;
            }
            sampled.fetch_add(mine);
            running.fetch_sub(1);
        });
    std::uint64_t ticks = 0;
    std::uint64_t last_decisions = 0;
    while (running.load() > 0) {  // the game loop: ticks, and reads the statistics
        ticks += sampler.advance_window() ? 1 : 0;
        const AdaptiveSamplerStatistics stats = sampler.statistics();
        REQUIRE(stats.decisions >= last_decisions);
        REQUIRE(stats.sampled <= stats.decisions);
        last_decisions = stats.decisions;
        std::this_thread::yield();
    }
    for (std::thread& worker : workers) worker.join();
    const AdaptiveSamplerStatistics stats = sampler.statistics();
    CHECK(stats.windows == ticks);
    CHECK(stats.decisions == std::uint64_t{threads} * decisions_each);
    CHECK(stats.sampled == sampled.load());
    const double p = sampler.probability();
    CHECK(p >= 0x1p-56);
    CHECK(p <= 1.0);
}

namespace {
// A clock every reading of which moves it 1 µs on: with 1 ms windows, the deciding threads
// themselves end windows all the time, racing each other to do it.
std::atomic<std::uint64_t> racing_ns{0};
std::uint64_t racing_clock() noexcept { return racing_ns.fetch_add(1000, std::memory_order_relaxed); }
}  // namespace

TEST_CASE("many threads racing to end clock windows keep the counts exact" * microtrace_test::needs_threads) {
    AdaptiveSamplerConfig config;
    config.target = 5;
    config.window_ns = 1'000'000;
    config.min_probability = 0.01;
    config.max_probability = 0.9;
    config.now_ns = &racing_clock;
    const AdaptiveSampler sampler(config);
    constexpr int threads = 4;
    constexpr int decisions_each = 40'000;
    std::atomic<std::uint64_t> sampled{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            std::uint64_t state = static_cast<std::uint64_t>(t) + 100;
            std::uint64_t mine = 0;
            for (int i = 0; i < decisions_each; ++i) {
                SamplingParameters params;
                params.trace_id = TraceId{1, detail::splitmix64(state)};
                const SamplingResult result = sampler.should_sample(params);
                mine += result.sampled ? 1 : 0;
            }
            sampled.fetch_add(mine);
        });
    for (std::thread& worker : workers) worker.join();
    const AdaptiveSamplerStatistics stats = sampler.statistics();
    CHECK(stats.windows > 10);
    CHECK(stats.decisions == std::uint64_t{threads} * decisions_each);
    CHECK(stats.sampled == sampled.load());
    CHECK(sampler.threshold() >= threshold_for_probability(0.9));
    CHECK(sampler.threshold() <= threshold_for_probability(0.01));
}

TEST_CASE("as a ParentBased root behind a Tracer it counts root traces only") {
    Recorder<64> recorder;
    Tracer<ParentBased<AdaptiveSampler>> tracer("game", recorder,
                                                ParentBased{AdaptiveSampler::per_tick(1)});
    for (int i = 0; i < 10; ++i) {
        StartOptions options;
        options.root = true;
        Span root = tracer.start_span("frame", options);
        Span child = tracer.start_span("physics", root.context());
        Span grandchild = tracer.start_span("broadphase", child.context());
    }
    const AdaptiveSamplerStatistics stats = tracer.sampler().root().statistics();
    CHECK(stats.decisions == 10);
    CHECK(stats.sampled == 10);  // the first tick samples everything
    tracer.sampler().root().advance_window();
    CHECK(tracer.sampler().root().probability() == doctest::Approx(0.1).epsilon(0.001));
}

TEST_CASE("descriptions show target, window, current probability and bounds") {
    CHECK(per_second(100).description().view() ==
          "AdaptiveSampler{100/s,p=1,min=1.38777878078145e-17,max=1}");
    AdaptiveSampler tick = AdaptiveSampler::per_tick(5);
    for (int i = 0; i < 500; ++i) tick.should_sample(SamplingParameters{});
    tick.advance_window();
    CHECK(tick.description().view() == "AdaptiveSampler{5/tick,p=0.01,min=1.38777878078145e-17,max=1}");
    AdaptiveSamplerConfig config;
    config.target = 3;
    config.window_ns = 250'000'000;
    config.min_probability = 0.001;
    config.max_probability = 0.5;
    config.now_ns = &simulated_clock;
    CHECK(AdaptiveSampler(config).description().view() ==
          "AdaptiveSampler{3/250000000ns,p=0.5,min=0.001,max=0.5}");
}

TEST_CASE("initial probability, and inverted or odd bounds") {
    AdaptiveSamplerConfig config;
    config.initial_probability = 0.25;
    config.now_ns = &simulated_clock;
    CHECK(AdaptiveSampler(config).probability() == 0.25);
    config.min_probability = 0.5;
    config.max_probability = 0.1;  // inverted: min wins, the probability is pinned
    const AdaptiveSampler pinned(config);
    CHECK(pinned.threshold() == threshold_for_probability(0.5));
    config = AdaptiveSamplerConfig{};
    config.target = 0;  // wants nothing: held at min
    config.min_probability = 0;
    config.window_ns = 0;
    AdaptiveSampler nothing(config);
    nothing.should_sample(SamplingParameters{});
    nothing.advance_window();
    CHECK(nothing.probability() == 0.0);
    CHECK_FALSE(nothing.should_sample(SamplingParameters{}).sampled);
}

TEST_CASE("the first window opens with the first decision, not at construction") {
    simulated_ns = 0;
    AdaptiveSamplerConfig config;
    config.target = 100;
    config.now_ns = &simulated_clock;
    const AdaptiveSampler sampler(config);  // e.g. a static, built at start-up
    simulated_ns = 3600 * second;           // first used an hour later
    EvenTraceIds ids;
    const std::vector<int> sampled = play(sampler, ids, 10'000, 3);
    CHECK(sampled[0] == 10'000);             // a whole first window at max_probability...
    CHECK(within(sampled[1], 100, 0.10));    // ...measured over one second, not an hour
    CHECK(sampler.statistics().windows == 2);
}

TEST_CASE("a copy has the configuration and starts afresh") {
    AdaptiveSampler original = AdaptiveSampler::per_tick(5);
    for (int i = 0; i < 500; ++i) original.should_sample(SamplingParameters{});
    original.advance_window();
    REQUIRE(original.probability() == doctest::Approx(0.01));
    const AdaptiveSampler copy = original;
    CHECK(copy.probability() == 1.0);
    CHECK(copy.statistics().decisions == 0);
    CHECK(copy.description().view() == "AdaptiveSampler{5/tick,p=1,min=1.38777878078145e-17,max=1}");
}

#if defined(__cpp_constinit)
// A static tracer's sampler must not need code at start-up (MICROTRACE_ENABLED=0 leaves none).
constinit ParentBased<AdaptiveSampler> static_adaptive{AdaptiveSampler(100)};
constinit ParentBased<AdaptiveSampler> static_per_tick{AdaptiveSampler::per_tick(2)};
TEST_CASE("a static adaptive sampler is constant-initialized") {
    CHECK(static_adaptive.root().target() == 100);
    CHECK(static_per_tick.root().probability() == 1.0);
}
#endif

TEST_CASE("deciding and ending windows allocate nothing") {
    AdaptiveSampler sampler = per_second(100);
    EvenTraceIds ids;
    microtrace_test::AllocationProbe probe;
    for (int i = 0; i < 3000; ++i) {
        simulated_ns += 1'000'000;  // 1,000 roots/s for 3 s: the clock ends windows
        sampler.should_sample(ids.next());
    }
    sampler.advance_window();
    const AdaptiveSamplerStatistics stats = sampler.statistics();
    const SamplerDescription description = sampler.description();
    CHECK(probe.count() == 0);
    CHECK(stats.decisions == 3000);
    CHECK(stats.windows == 3);  // opened at 1 ms, ended at 1.001 s and 2.001 s, then forced
    CHECK(description.size > 0);
}
