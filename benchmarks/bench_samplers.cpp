// Sampler decisions against the floor operations they are made of, in the same run:
// a thread-local xoshiro draw (what producing the trace id costs anyway), an atomic load,
// an atomic fetch_add and a coarse clock read. Goals: <= 5 ns for probability and
// parent-based decisions, <= 15 ns for rate-limited and adaptive ones.
#include <microtrace/microtrace.hpp>

#include "ratio_report.hpp"

#include <atomic>
#include <cstdint>

namespace {

using namespace microtrace;

// Decisions rotate through 256 random trace ids (14 KiB, in L1) so the branch on the
// verdict is as unpredictable as in production.
struct Inputs {
    SamplingParameters roots[256];
    SpanContext parent;
    SamplingParameters children[256];

    Inputs() noexcept {
        std::uint64_t state = 2026;
        parent.span_id = SpanId{1};
        parent.remote = true;
        parent.flags.bits = TraceFlags::sampled | TraceFlags::random;
        parent.sampling_threshold = threshold_for_probability(0.05);
        for (int i = 0; i < 256; ++i) {
            roots[i].trace_id = TraceId{detail::splitmix64(state), detail::splitmix64(state)};
            children[i] = roots[i];
            children[i].parent = &parent;
        }
        parent.trace_id = roots[0].trace_id;
    }
};
const Inputs inputs;

template <class Sampler>
void decide_roots(benchmark::State& state, const Sampler& sampler) {
    unsigned i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(sampler.should_sample(inputs.roots[i++ & 255]));
}

// ---- floors ----------------------------------------------------------------------------

// The draw a new trace id costs anyway: thread-local xoshiro256**, as the id generator.
void BM_floor_xoshiro_draw(benchmark::State& state) {
    thread_local detail::Xoshiro256 generator = [] {
        detail::Xoshiro256 seeded;
        seeded.seed(2026);
        return seeded;
    }();
    for (auto _ : state) benchmark::DoNotOptimize(generator.next());
}
BENCHMARK(BM_floor_xoshiro_draw);

std::atomic<std::uint64_t> floor_word{0};

void BM_floor_atomic_load(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(floor_word.load(std::memory_order_relaxed));
}
BENCHMARK(BM_floor_atomic_load);

void BM_floor_atomic_fetch_add(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(floor_word.fetch_add(1, std::memory_order_relaxed));
}
BENCHMARK(BM_floor_atomic_fetch_add);
BENCHMARK(BM_floor_atomic_fetch_add)->Name("BM_floor_atomic_fetch_add_2threads")->Threads(2);

void BM_floor_coarse_clock(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(coarse_monotonic_ns());
}
BENCHMARK(BM_floor_coarse_clock);

// ---- decisions -------------------------------------------------------------------------

const ProbabilitySampler probability(0.05);
void BM_probability(benchmark::State& state) { decide_roots(state, probability); }
BENCHMARK(BM_probability);

const ParentBased parent_based{ProbabilitySampler(0.05)};
void BM_parent_based_root(benchmark::State& state) { decide_roots(state, parent_based); }
BENCHMARK(BM_parent_based_root);

void BM_parent_based_child(benchmark::State& state) {
    unsigned i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(parent_based.should_sample(inputs.children[i++ & 255]));
}
BENCHMARK(BM_parent_based_child);

// 100 roots/s against millions of decisions a second: nearly all refused, as under overload.
const RateLimitedSampler rate_limited(100);
void BM_rate_limited(benchmark::State& state) { decide_roots(state, rate_limited); }
BENCHMARK(BM_rate_limited);
BENCHMARK(BM_rate_limited)->Name("BM_rate_limited_2threads")->Threads(2);

// Unlimited: every decision takes a token, so every decision is a CAS.
const RateLimitedSampler rate_limited_granting(1e9, 4'000'000'000u);
void BM_rate_limited_granting(benchmark::State& state) { decide_roots(state, rate_limited_granting); }
BENCHMARK(BM_rate_limited_granting);

const AdaptiveSampler adaptive(100);
void BM_adaptive(benchmark::State& state) { decide_roots(state, adaptive); }
BENCHMARK(BM_adaptive);
BENCHMARK(BM_adaptive)->Name("BM_adaptive_2threads")->Threads(2);

const AdaptiveSampler adaptive_tick = AdaptiveSampler::per_tick(100);
void BM_adaptive_tick(benchmark::State& state) { decide_roots(state, adaptive_tick); }
BENCHMARK(BM_adaptive_tick);

}  // namespace

MICROTRACE_BENCHMARK_MAIN({
    {"BM_probability", {{"BM_floor_xoshiro_draw", 1}}},
    {"BM_parent_based_root", {{"BM_floor_xoshiro_draw", 1}}},
    {"BM_parent_based_child", {{"BM_floor_xoshiro_draw", 1}}},
    {"BM_rate_limited", {{"BM_floor_coarse_clock", 1}, {"BM_floor_atomic_load", 1}}},
    {"BM_rate_limited_granting", {{"BM_floor_coarse_clock", 1}, {"BM_floor_atomic_fetch_add", 1}}},
    {"BM_adaptive", {{"BM_floor_coarse_clock", 1}, {"BM_floor_atomic_fetch_add", 1}}},
    {"BM_adaptive_tick", {{"BM_floor_atomic_fetch_add", 1}}},
})
