// The span path against the hardware floor it is made of: two clock reads, an id draw
// and a copy of the span into the ring.
#include <microtrace/microtrace.hpp>

#include "ratio_report.hpp"

#include <chrono>
#include <cstring>

namespace {

microtrace::Recorder<4096> recorder;
microtrace::Tracer<> sampled_tracer("bench", recorder);
microtrace::Tracer<microtrace::AlwaysOffSampler> unsampled_tracer("bench", recorder);

void BM_floor_clock_read(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(BM_floor_clock_read);

void BM_floor_id_draw(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(microtrace::detail::random_u64());
}
BENCHMARK(BM_floor_id_draw);

void BM_floor_copy_128(benchmark::State& state) {
    static char ring[4096][128];
    char span[128] = {1};
    std::size_t slot = 0;
    for (auto _ : state) {
        std::memcpy(ring[slot++ & 4095], span, sizeof span);
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_floor_copy_128);

void BM_sampled_span(benchmark::State& state) {
    for (auto _ : state) {
        auto span = sampled_tracer.start_span("GET /users");
        span.set_attribute("http.method", "GET").set_attribute("http.route", "/users/{id}");
    }
}
BENCHMARK(BM_sampled_span);

void BM_unsampled_span(benchmark::State& state) {
    for (auto _ : state) {
        auto span = unsampled_tracer.start_span("GET /users");
        span.set_attribute("http.method", "GET").set_attribute("http.route", "/users/{id}");
        benchmark::DoNotOptimize(span.context());
    }
}
BENCHMARK(BM_unsampled_span);

// Dumps a full ring; time per iteration is divided per span by the counter.
void BM_zipkin_dump_per_span(benchmark::State& state) {
    static microtrace::Recorder<1024> full;
    microtrace::Tracer<> tracer("dump", full);
    for (int i = 0; i < 1024; ++i)
        tracer.start_span("GET /users").set_attribute("http.method", "GET").set_attribute("http.route", "/users/{id}");
    std::size_t bytes = 0;
    for (auto _ : state) {
        full.dump_zipkin([&bytes](std::string_view chunk) { bytes += chunk.size(); });
    }
    state.counters["ns_per_span"] =
        benchmark::Counter(1024.0 * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_zipkin_dump_per_span)->Unit(benchmark::kMicrosecond);

}  // namespace

MICROTRACE_BENCHMARK_MAIN({
    {"BM_sampled_span", {{"BM_floor_clock_read", 2}, {"BM_floor_id_draw", 1}, {"BM_floor_copy_128", 1}}},
})
