// The span path against the hardware floor it is made of, in the same run: clock reads,
// random id draws and a copy of the span into a ring. Goals (DESIGN.md): a sampled span
// with two attributes <= 1.25x its floor with std::chrono clocks and <= 35 ns with a cycle
// counter; an unsampled span <= 3 ns; no allocation anywhere. The operations themselves
// are in operations.hpp, shared with the callgrind driver (instructions.cpp).
#include "operations.hpp"
#include "ratio_report.hpp"

namespace {

namespace ops = microtrace_bench::ops;

// Times `Run` (inlined), between `Setup` and `Teardown`.
template <void (*Run)() noexcept, void (*Setup)() noexcept = nullptr, void (*Teardown)() noexcept = nullptr>
void measure(benchmark::State& state) {
    if constexpr (Setup != nullptr) Setup();
    {
        microtrace_bench::CountAllocations count(state);
        for (auto _ : state) Run();
    }
    if constexpr (Teardown != nullptr) Teardown();
}

// ---- floors ----------------------------------------------------------------------------

void BM_floor_steady_clock(benchmark::State& state) { measure<ops::steady_clock_read>(state); }
BENCHMARK(BM_floor_steady_clock);
void BM_floor_system_clock(benchmark::State& state) { measure<ops::system_clock_read>(state); }
BENCHMARK(BM_floor_system_clock);
#if MICROTRACE_BENCH_CYCLE_COUNTER
void BM_floor_cycle_counter(benchmark::State& state) { measure<ops::cycle_counter_read>(state); }
BENCHMARK(BM_floor_cycle_counter);
#endif
void BM_floor_id_draw(benchmark::State& state) { measure<ops::id_draw>(state); }
BENCHMARK(BM_floor_id_draw);
void BM_floor_ring_write_128(benchmark::State& state) { measure<ops::ring_write_128>(state); }
BENCHMARK(BM_floor_ring_write_128);

// ---- sampled spans: start, two string attributes, end, recorded ------------------------

void BM_sampled_span(benchmark::State& state) { measure<ops::sampled_span>(state); }
BENCHMARK(BM_sampled_span);
void BM_sampled_span_cycle_clock(benchmark::State& state) { measure<ops::sampled_span_cycle_clock>(state); }
BENCHMARK(BM_sampled_span_cycle_clock);
void BM_nested_span(benchmark::State& state) {
    measure<ops::nested_span, ops::start_sampled_parent, ops::end_parent>(state);
}
BENCHMARK(BM_nested_span);
void BM_remote_parent_span(benchmark::State& state) { measure<ops::remote_parent_span>(state); }
BENCHMARK(BM_remote_parent_span);

// ---- spans that record nothing ---------------------------------------------------------

void BM_unsampled_span(benchmark::State& state) {
    measure<ops::unsampled_span, ops::start_unsampled_parent, ops::end_parent>(state);
}
BENCHMARK(BM_unsampled_span);
void BM_unsampled_root_span(benchmark::State& state) { measure<ops::unsampled_root_span>(state); }
BENCHMARK(BM_unsampled_root_span);
void BM_unsampled_span_context(benchmark::State& state) { measure<ops::unsampled_span_context>(state); }
BENCHMARK(BM_unsampled_span_context);
void BM_disabled_at_runtime_span(benchmark::State& state) { measure<ops::disabled_at_runtime_span>(state); }
BENCHMARK(BM_disabled_at_runtime_span);

}  // namespace

// Floors: a root span reads the clock twice, draws 3 random words (a 128-bit trace id and
// a 64-bit span id) and writes itself into the ring; a child draws 1 word. A span that is
// not sampled needs at most its ids: 1 word for a child, 2 for a root the sampler looked at,
// 3 when its whole context is read.
MICROTRACE_BENCHMARK_MAIN({
    {"BM_sampled_span", {{"BM_floor_steady_clock", 2}, {"BM_floor_id_draw", 3}, {"BM_floor_ring_write_128", 1}}},
    {"BM_sampled_span_cycle_clock",
     {{"BM_floor_cycle_counter", 2}, {"BM_floor_id_draw", 3}, {"BM_floor_ring_write_128", 1}}},
    {"BM_nested_span", {{"BM_floor_steady_clock", 2}, {"BM_floor_id_draw", 1}, {"BM_floor_ring_write_128", 1}}},
    {"BM_remote_parent_span", {{"BM_floor_steady_clock", 2}, {"BM_floor_id_draw", 1}, {"BM_floor_ring_write_128", 1}}},
    {"BM_unsampled_span", {{"BM_floor_id_draw", 1}}},
    {"BM_unsampled_root_span", {{"BM_floor_id_draw", 2}}},
    {"BM_unsampled_span_context", {{"BM_floor_id_draw", 3}}},
    {"BM_disabled_at_runtime_span", {{"BM_floor_id_draw", 1}}},
})
