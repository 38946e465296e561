// benchmarks/operations.hpp — the operations the benchmarks time and instructions.cpp
// counts under callgrind, defined once so both measure exactly the same code.
//
// Each Operation runs one operation per call of `run`; `setup`/`teardown` bracket a batch
// (starting the parent span of a nested span, say), and `items` says how many items one
// call handles (spans in a dump), so figures can be given per item.
#pragma once

#include <microtrace/microtrace.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#if defined(__has_include)
#if __has_include(<microtrace/propagation/traceparent.hpp>) && __has_include(<microtrace/propagation/b3.hpp>)
#define MICROTRACE_BENCH_PROPAGATION 1
#include <microtrace/propagation/b3.hpp>
#include <microtrace/propagation/traceparent.hpp>
#endif
#endif
#ifndef MICROTRACE_BENCH_PROPAGATION
#define MICROTRACE_BENCH_PROPAGATION 0
#endif

namespace microtrace_bench {

// Keeps `value` alive and opaque to the optimizer, like benchmark::DoNotOptimize, without
// depending on Google Benchmark (instructions.cpp does not link it).
template <class T>
inline void keep(T const& value) noexcept {
    __asm__ __volatile__("" : : "r,m"(value) : "memory");
}
inline void clobber() noexcept { __asm__ __volatile__("" : : : "memory"); }

// Hides a string from the optimizer, so constexpr parsers cannot run at compile time.
inline std::string_view opaque(std::string_view text) noexcept {
    const char* data = text.data();
    __asm__ __volatile__("" : "+r"(data));
    return {data, text.size()};
}

struct Operation {
    const char* name;
    void (*run)() noexcept;
    void (*setup)() noexcept = nullptr;
    void (*teardown)() noexcept = nullptr;
    double items = 1;
};

namespace ops {

using namespace microtrace;

// Clock::cycle_counter() where the headers have it (the benchmarks also build against older
// trees, for before/after comparisons); the standard clock otherwise.
template <class C, class = void>
struct has_cycle_counter : std::false_type {};
template <class C>
struct has_cycle_counter<C, std::void_t<decltype(C::cycle_counter())>> : std::true_type {};
template <class C>
Clock cycle_clock_or_standard() noexcept {
    if constexpr (has_cycle_counter<C>::value)
        return C::cycle_counter();
    else
        return C::standard();
}

// The fixtures, built when the program starts.
struct Tracers {
    Recorder<4096> recorder;
    Tracer<> sampled{"bench", recorder};
    Tracer<> cycle{"bench", recorder, AlwaysOnSampler{}, cycle_clock_or_standard<Clock>()};
    Tracer<ParentBased<ProbabilitySampler>> ratio{"bench", recorder, ParentBased{ProbabilitySampler(0.05)}};
    Tracer<ParentBased<ProbabilitySampler>> refusing{"bench", recorder, ParentBased{ProbabilitySampler(0.0)}};
    Tracer<AlwaysOffSampler> off{"bench", recorder};
    Span parent;  // the enclosing span of nested_span and unsampled_span
};
inline Tracers fixture;
inline Tracers& tracers() noexcept { return fixture; }

// The work an instrumented request handler does with its span.
inline void annotate(Span& span) noexcept {
    span.set_attribute("http.method", "GET").set_attribute("http.route", "/users/{id}");
}

// ---- floors ---------------------------------------------------------------------------

inline void steady_clock_read() noexcept { keep(std::chrono::steady_clock::now()); }
inline void system_clock_read() noexcept { keep(std::chrono::system_clock::now()); }

#if defined(MICROTRACE_DETAIL_CYCLE_COUNTER)
#define MICROTRACE_BENCH_CYCLE_COUNTER 1
// The bare counter instruction (rdtsc, or cntvct_el0): the library's own read.
inline void cycle_counter_read() noexcept { keep(detail::read_cycle_counter()); }
#else
#define MICROTRACE_BENCH_CYCLE_COUNTER 0
#endif

// One 64-bit draw of a thread-local xoshiro256**: the cheapest good random word.
inline void id_draw() noexcept {
    thread_local detail::Xoshiro256 generator = [] {
        detail::Xoshiro256 seeded;
        seeded.seed(2026);
        return seeded;
    }();
    keep(generator.next());
}

// A 128-byte write into the next slot of a ring that is already in cache.
inline void ring_write_128() noexcept {
    alignas(64) static char ring[4096][128];
    alignas(64) static char span[128] = {1};
    static std::size_t slot = 0;
    std::memcpy(ring[slot++ & 4095], span, sizeof span);
    clobber();
}

// ---- spans ----------------------------------------------------------------------------

// A new trace: 2 clock reads, 3 random words (128-bit trace id, 64-bit span id), 1 record.
inline void sampled_span() noexcept {
    auto span = tracers().sampled.start_span("GET /users");
    annotate(span);
}
inline void sampled_span_cycle_clock() noexcept {
    auto span = tracers().cycle.start_span("GET /users");
    annotate(span);
}

// A child of the thread's current, sampled span.
inline void start_sampled_parent() noexcept { tracers().parent = tracers().sampled.start_span("request"); }
inline void end_parent() noexcept { tracers().parent.end(); }
inline void nested_span() noexcept {
    auto span = tracers().sampled.start_span("GET /users");
    annotate(span);
}

// A server span continuing a context extracted from a request.
inline const SpanContext& remote_parent() noexcept {
    static const SpanContext remote = [] {
        SpanContext context{TraceId{0x0af7651916cd43ddULL, 0x8448eb211c80319cULL}, SpanId{0xb7ad6b7169203331ULL},
                            TraceFlags{TraceFlags::sampled | TraceFlags::random}};
        context.remote = true;
        return context;
    }();
    return remote;
}
inline void remote_parent_span() noexcept {
    auto span = tracers().sampled.start_span("GET /users", remote_parent(), SpanKind::server);
    annotate(span);
}

// The common unsampled span: ParentBased(ProbabilitySampler(0.05)), inside a request whose
// trace was not sampled (95% of requests).
inline void start_unsampled_parent() noexcept {
    SpanContext caller{TraceId{0x0af7651916cd43ddULL, 0x8448eb211c80319cULL}, SpanId{0xb7ad6b7169203331ULL},
                       TraceFlags{TraceFlags::random}};
    caller.remote = true;
    tracers().parent = tracers().ratio.start_span("request", caller, SpanKind::server);
}
inline void unsampled_span() noexcept {
    auto span = tracers().ratio.start_span("GET /users");
    annotate(span);
}

// A new trace the sampler refuses: the trace id must be drawn for the decision.
inline void unsampled_root_span() noexcept {
    auto span = tracers().refusing.start_span("GET /users");
    annotate(span);
}

// An unsampled new trace whose context is read (as inject() does): all 3 ids are needed.
inline void unsampled_span_context() noexcept {
    auto span = tracers().off.start_span("GET /users");
    annotate(span);
    keep(span.context());
}

// Tracing switched off at run time: a tracer with AlwaysOffSampler.
inline void disabled_at_runtime_span() noexcept {
    auto span = tracers().off.start_span("GET /users");
    annotate(span);
}

// ---- the dump -------------------------------------------------------------------------

inline constexpr std::size_t dumped_spans = 1024;

// A full ring of typical request spans: ids, a parent, two string attributes, an integer.
inline RecorderCore& full_recorder() noexcept {
    static Recorder<dumped_spans> recorder;
    static const bool filled = [] {
        static Tracer<> tracer("users-api", recorder);
        auto request = tracer.start_span("request", SpanKind::server);
        for (std::size_t i = 0; i < dumped_spans; ++i) {
            auto span = tracer.start_span("GET /users/{id}", SpanKind::client);
            span.set_attribute("http.method", "GET")
                .set_attribute("http.route", "/users/{id}")
                .set_attribute("http.status_code", 200);
        }
        request.end();
        return true;
    }();
    (void)filled;
    return recorder;
}

// The whole ring as one Zipkin v2 JSON array, to a sink that counts the bytes.
inline std::size_t dumped_bytes = 0;
inline void zipkin_dump() noexcept {
    full_recorder().dump_zipkin([](std::string_view chunk) noexcept {
        keep(chunk.data());
        dumped_bytes += chunk.size();
    });
}

// The bytes one dump writes (measured once).
inline std::size_t dump_size() noexcept {
    static const std::size_t size = [] {
        std::size_t bytes = 0;
        full_recorder().dump_zipkin([&bytes](std::string_view chunk) { bytes += chunk.size(); });
        return bytes;
    }();
    return size;
}

// Floor of the dump: copying its bytes.
inline void memcpy_dump_bytes() noexcept {
    static char source[1 << 20];
    static char destination[1 << 20];
    const std::size_t size = dump_size() < sizeof source ? dump_size() : sizeof source;
    keep(source);
    std::memcpy(destination, source, size);
    clobber();
}

// ---- propagation ----------------------------------------------------------------------

#if MICROTRACE_BENCH_PROPAGATION
inline constexpr std::string_view traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
inline constexpr std::string_view b3_single = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1";

inline void traceparent_parse() noexcept {
    SpanContext context;
    keep(parse_traceparent(opaque(traceparent), context));
    keep(context);
}
inline void traceparent_format() noexcept {
    static const SpanContext context = [] {
        SpanContext parsed;
        parse_traceparent(traceparent, parsed);
        return parsed;
    }();
    char out[traceparent_size];
    keep(context);
    keep(format_traceparent(context, out));
    keep(out);
}
inline void b3_single_parse() noexcept {
    SpanContext context;
    keep(parse_b3_single(opaque(b3_single), context));
    keep(context);
}
inline void b3_single_format() noexcept {
    static const SpanContext context = [] {
        SpanContext parsed;
        parse_b3_single(b3_single, parsed);
        return parsed;
    }();
    char out[b3_single_max_size];
    keep(context);
    keep(format_b3_single(context, out));
    keep(out);
}
#endif

}  // namespace ops

// Every operation, floors first. The names are those of the Google Benchmark cases
// (without the BM_ prefix).
inline const Operation operations[] = {
    {"floor_steady_clock", &ops::steady_clock_read},
    {"floor_system_clock", &ops::system_clock_read},
#if MICROTRACE_BENCH_CYCLE_COUNTER
    {"floor_cycle_counter", &ops::cycle_counter_read},
#endif
    {"floor_id_draw", &ops::id_draw},
    {"floor_ring_write_128", &ops::ring_write_128},
    {"sampled_span", &ops::sampled_span},
    {"sampled_span_cycle_clock", &ops::sampled_span_cycle_clock},
    {"nested_span", &ops::nested_span, &ops::start_sampled_parent, &ops::end_parent},
    {"remote_parent_span", &ops::remote_parent_span},
    {"unsampled_span", &ops::unsampled_span, &ops::start_unsampled_parent, &ops::end_parent},
    {"unsampled_root_span", &ops::unsampled_root_span},
    {"unsampled_span_context", &ops::unsampled_span_context},
    {"disabled_at_runtime_span", &ops::disabled_at_runtime_span},
    {"floor_memcpy_dump_bytes", &ops::memcpy_dump_bytes, nullptr, nullptr, ops::dumped_spans},
    {"zipkin_dump", &ops::zipkin_dump, nullptr, nullptr, ops::dumped_spans},
#if MICROTRACE_BENCH_PROPAGATION
    {"traceparent_parse", &ops::traceparent_parse},
    {"traceparent_format", &ops::traceparent_format},
    {"b3_single_parse", &ops::b3_single_parse},
    {"b3_single_format", &ops::b3_single_format},
#endif
};

}  // namespace microtrace_bench
