// The recorder's other hot paths: the Zipkin dump, per span and in bytes per second against
// a memcpy of the same bytes; and the writers' aggregate throughput with one and two
// threads, each thread on its own lane. Goals (DESIGN.md): <= 150 ns per dumped span,
// >= 1.7x the one-thread throughput with two threads, no allocation.
#include "operations.hpp"
#include "ratio_report.hpp"

#include <cstdint>

namespace {

namespace ops = microtrace_bench::ops;

// Times `Run`, which handles `items` spans per call.
template <void (*Run)() noexcept>
void measure_items(benchmark::State& state, std::size_t items, std::size_t bytes) {
    {
        microtrace_bench::CountAllocations count(state);  // ends before the counters allocate
        for (auto _ : state) Run();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(items));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes));
}

void BM_floor_memcpy_dump_bytes(benchmark::State& state) {
    measure_items<ops::memcpy_dump_bytes>(state, ops::dumped_spans, ops::dump_size());
}
BENCHMARK(BM_floor_memcpy_dump_bytes)->Unit(benchmark::kMicrosecond);

void BM_zipkin_dump(benchmark::State& state) {
    measure_items<ops::zipkin_dump>(state, ops::dumped_spans, ops::dump_size());
}
BENCHMARK(BM_zipkin_dump)->Unit(benchmark::kMicrosecond);

// ---- writer throughput -----------------------------------------------------------------

// Every writer thread records complete sampled spans (start, two attributes, end) as fast
// as it can; Recorder<N, 2> gives each of two threads its own lane. Wall time per span over
// all threads: 1thread / 2threads is the aggregate speedup.
microtrace::Recorder<4096, 2> lanes_recorder;
microtrace::Tracer<> lanes_tracer("bench", lanes_recorder);

void record_spans(benchmark::State& state) {
    {
        microtrace_bench::CountAllocations count(state);
        for (auto _ : state) {
            auto span = lanes_tracer.start_span("GET /users");
            ops::annotate(span);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_record_1thread(benchmark::State& state) { record_spans(state); }
BENCHMARK(BM_record_1thread)->UseRealTime()->Threads(1);
void BM_record_2threads(benchmark::State& state) { record_spans(state); }
BENCHMARK(BM_record_2threads)->UseRealTime()->Threads(2);

}  // namespace

MICROTRACE_BENCHMARK_MAIN({
    {"BM_zipkin_dump", {{"BM_floor_memcpy_dump_bytes", 1}}},
    {"BM_record_2threads", {{"BM_record_1thread", 1}}, microtrace_bench::Kind::speedup},
})
