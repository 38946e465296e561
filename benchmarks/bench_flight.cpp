// The flight recorder's record-all path: a span the head sampler did not select, recorded
// into the recent ring through the keep rules (errors and a latency threshold, none
// matching), against a sampled span into a plain recorder, both root spans with two string
// attributes, measured in the same run. Goal (issue 9): within 1.5x of the sampled span,
// no allocation. Also a kept span (its trace already kept: straight to the export ring).
#include "operations.hpp"
#include "ratio_report.hpp"

#include <cstdint>

namespace {

namespace ops = microtrace_bench::ops;
using namespace microtrace;

KeepRules rules() noexcept {
    KeepRules rules;
    rules.latency_ns = 1'000'000'000;  // nothing in the loop is that slow
    return rules;
}

FlightRecorder<4096, 4096> flight(rules());
Tracer<AlwaysOffSampler> record_all("bench", flight);
Recorder<4096> plain;
Tracer<> sampled("bench", plain);
SpanContext kept_parent;

template <void (*Run)() noexcept>
void measure(benchmark::State& state) {
    {
        microtrace_bench::CountAllocations count(state);
        for (auto _ : state) Run();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void sampled_span() noexcept {
    auto span = sampled.start_span("GET /users", StartOptions{SpanKind::internal, nullptr, true});
    ops::annotate(span);
}
void record_all_span() noexcept {
    auto span = record_all.start_span("GET /users", StartOptions{SpanKind::internal, nullptr, true});
    ops::annotate(span);
}
void kept_span() noexcept {
    auto span = record_all.start_span("GET /users", StartOptions{SpanKind::internal, &kept_parent, false, false});
    ops::annotate(span);
}

void BM_sampled_span(benchmark::State& state) { measure<sampled_span>(state); }
BENCHMARK(BM_sampled_span);
void BM_record_all_span(benchmark::State& state) { measure<record_all_span>(state); }
BENCHMARK(BM_record_all_span);
void BM_kept_span(benchmark::State& state) {
    {
        auto root = record_all.start_span("frame", StartOptions{SpanKind::internal, nullptr, true, false});
        kept_parent = root.context();
    }
    flight.keep(kept_parent.trace_id, ~std::uint64_t{0} / 2);  // a window that does not end
    measure<kept_span>(state);
}
BENCHMARK(BM_kept_span);

}  // namespace

MICROTRACE_BENCHMARK_MAIN({
    {"BM_record_all_span", {{"BM_sampled_span", 1}}},
    {"BM_kept_span", {{"BM_sampled_span", 1}}},
})
