// Propagation against its floor: copying the header's bytes. Parsing reads each byte once
// and formatting writes each once, so a memcpy of the same bytes is what they cannot beat.
#include <microtrace/microtrace.hpp>

#include "ratio_report.hpp"

#include <cstddef>
#include <cstring>
#include <string_view>

namespace {

constexpr std::string_view traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr std::string_view b3_single = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1";
constexpr std::string_view tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,ot=th:8";
constexpr std::string_view baggage = "userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false";

// Hides a value from the optimiser, so constexpr parsers cannot run at compile time.
// (Not benchmark::DoNotOptimize: GCC 12 miscompiled its "+m,r" constraint here.)
std::string_view opaque(std::string_view text) {
    const char* data = text.data();
    asm volatile("" : "+r"(data));
    return {data, text.size()};
}

// The floor: copy `Size` header bytes.
template <std::size_t Size>
void BM_floor_copy(benchmark::State& state) {
    char source[Size] = {1};
    char destination[Size];
    for (auto _ : state) {
        benchmark::DoNotOptimize(source);
        std::memcpy(destination, source, Size);
        benchmark::DoNotOptimize(destination);
    }
}
BENCHMARK_TEMPLATE(BM_floor_copy, traceparent.size())->Name("BM_floor_copy_traceparent");
BENCHMARK_TEMPLATE(BM_floor_copy, b3_single.size())->Name("BM_floor_copy_b3");
BENCHMARK_TEMPLATE(BM_floor_copy, tracestate.size())->Name("BM_floor_copy_tracestate");
BENCHMARK_TEMPLATE(BM_floor_copy, baggage.size())->Name("BM_floor_copy_baggage");

void BM_traceparent_parse(benchmark::State& state) {
    microtrace::SpanContext context;
    for (auto _ : state) {
        benchmark::DoNotOptimize(microtrace::parse_traceparent(opaque(traceparent), context));
        benchmark::DoNotOptimize(context);
    }
}
BENCHMARK(BM_traceparent_parse);

void BM_traceparent_format(benchmark::State& state) {
    microtrace::SpanContext context;
    microtrace::parse_traceparent(traceparent, context);
    char out[microtrace::traceparent_size];
    for (auto _ : state) {
        benchmark::DoNotOptimize(context);
        benchmark::DoNotOptimize(microtrace::format_traceparent(context, out));
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_traceparent_format);

void BM_b3_single_parse(benchmark::State& state) {
    microtrace::SpanContext context;
    for (auto _ : state) {
        benchmark::DoNotOptimize(microtrace::parse_b3_single(opaque(b3_single), context));
        benchmark::DoNotOptimize(context);
    }
}
BENCHMARK(BM_b3_single_parse);

void BM_b3_single_format(benchmark::State& state) {
    microtrace::SpanContext context;
    microtrace::parse_b3_single(b3_single, context);
    char out[microtrace::b3_single_max_size];
    for (auto _ : state) {
        benchmark::DoNotOptimize(context);
        benchmark::DoNotOptimize(microtrace::format_b3_single(context, out));
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_b3_single_format);

void BM_tracestate_parse(benchmark::State& state) {
    microtrace::TraceState parsed;
    for (auto _ : state) {
        benchmark::DoNotOptimize(parsed.parse(opaque(tracestate)));
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_tracestate_parse);

void BM_baggage_parse(benchmark::State& state) {
    static microtrace::Baggage parsed;
    for (auto _ : state) {
        parsed.parse(opaque(baggage));
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(BM_baggage_parse);

// The whole request path: three headers in, through a callback carrier over fixed
// storage, into an ExtractedContext; and the three headers out.
struct Line {
    std::string_view name;
    std::string_view value;
};
const Line request[] = {{"traceparent", traceparent}, {"tracestate", tracestate}, {"baggage", baggage}};

auto request_carrier() {
    return microtrace::CallbackCarrier(
        [](std::string_view name, auto&& visit) {
            for (const Line& line : request)
                if (microtrace::header_name_equals(line.name, name)) visit(opaque(line.value));
        },
        [](std::string_view, std::string_view) {});
}

void BM_extract_w3c_and_baggage(benchmark::State& state) {
    static microtrace::ExtractedContext extracted;
    const auto carrier = request_carrier();
    for (auto _ : state) {
        microtrace::extract(carrier, extracted);
        benchmark::DoNotOptimize(extracted);
    }
}
BENCHMARK(BM_extract_w3c_and_baggage);

void BM_inject_w3c_and_baggage(benchmark::State& state) {
    static microtrace::ExtractedContext extracted;
    microtrace::extract(request_carrier(), extracted);
    std::size_t written = 0;
    const auto carrier = microtrace::CallbackCarrier([](std::string_view, auto&&) {},
                                                     [&written](std::string_view, std::string_view value) {
                                                         benchmark::DoNotOptimize(value.data());
                                                         written += value.size();
                                                     });
    for (auto _ : state) microtrace::inject(extracted, carrier);
    benchmark::DoNotOptimize(written);
}
BENCHMARK(BM_inject_w3c_and_baggage);

}  // namespace

MICROTRACE_BENCHMARK_MAIN({
    {"BM_traceparent_parse", {{"BM_floor_copy_traceparent", 1}}},
    {"BM_traceparent_format", {{"BM_floor_copy_traceparent", 1}}},
    {"BM_b3_single_parse", {{"BM_floor_copy_b3", 1}}},
    {"BM_b3_single_format", {{"BM_floor_copy_b3", 1}}},
    {"BM_tracestate_parse", {{"BM_floor_copy_tracestate", 1}}},
    {"BM_baggage_parse", {{"BM_floor_copy_baggage", 1}}},
    {"BM_extract_w3c_and_baggage", {{"BM_floor_copy_traceparent", 1}, {"BM_floor_copy_tracestate", 1}, {"BM_floor_copy_baggage", 1}}},
    {"BM_inject_w3c_and_baggage", {{"BM_floor_copy_traceparent", 1}, {"BM_floor_copy_tracestate", 1}, {"BM_floor_copy_baggage", 1}}},
})
