// microtrace/macros.hpp — instrumentation that costs nothing when it is compiled out.
//
// Plain calls (`span.set_attribute("k", compute())`) always evaluate their arguments, as
// C++ requires. These macros do not: their arguments are evaluated only when the span is
// recording, and never when MICROTRACE_ENABLED=0 or the span's detail level is above
// MICROTRACE_DETAIL_LEVEL. They are still type-checked in every build (as an unevaluated
// operand), so a disabled build cannot rot, and they leave no unused variables behind.
#pragma once

#include <utility>

#include "config.hpp"
#include "span.hpp"

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Runs `start` (a lambda that starts the span) only when spans of `Level` are compiled in.
template <int Level, class Start>
Span start_at_level(Start&& start) noexcept {
    if constexpr (config::enabled && Level <= config::detail_level)
        return std::forward<Start>(start)();
    else
        return Span{};
}

}  // namespace detail
MICROTRACE_END_NAMESPACE

// Type-checks `expr` without evaluating it.
#define MICROTRACE_DETAIL_UNEVALUATED(expr) static_cast<void>(sizeof(((expr), 0)))

// `auto var = tracer.start_span(args...)` for spans of detail level `level` (0: coarse,
// 1: detail, 2: verbose). Above MICROTRACE_DETAIL_LEVEL, `var` is an empty Span and
// `args` are not evaluated.
#define MICROTRACE_SPAN_AT(level, var, tracer, ...) \
    auto var = ::microtrace::detail::start_at_level<level>([&] { return (tracer).start_span(__VA_ARGS__); })

// A coarse span: kept at every detail level (per request, per frame).
#define MICROTRACE_SPAN(var, tracer, ...) MICROTRACE_SPAN_AT(0, var, tracer, __VA_ARGS__)
// A detail span: kept at MICROTRACE_DETAIL_LEVEL >= 1 (per system, per query).
#define MICROTRACE_SPAN_DETAIL(var, tracer, ...) MICROTRACE_SPAN_AT(1, var, tracer, __VA_ARGS__)
// A verbose span: kept at MICROTRACE_DETAIL_LEVEL >= 2 (per entity, per item).
#define MICROTRACE_SPAN_VERBOSE(var, tracer, ...) MICROTRACE_SPAN_AT(2, var, tracer, __VA_ARGS__)

#if MICROTRACE_ENABLED
// Calls `span.method(args...)` only when the span is recording, so `args` cost nothing
// for spans that are not sampled.
#define MICROTRACE_DETAIL_IF_RECORDING(span, call)  \
    do {                                            \
        auto& microtrace_span_ = (span);            \
        if (microtrace_span_.is_recording()) {      \
            static_cast<void>(microtrace_span_.call); \
        }                                           \
    } while (false)
#else
#define MICROTRACE_DETAIL_IF_RECORDING(span, call) MICROTRACE_DETAIL_UNEVALUATED((span).call)
#endif

// span.set_attribute(key, value)
#define MICROTRACE_ATTRIBUTE(span, key, value) MICROTRACE_DETAIL_IF_RECORDING(span, set_attribute(key, value))
// span.add_event(name)
#define MICROTRACE_EVENT(span, name) MICROTRACE_DETAIL_IF_RECORDING(span, add_event(name))
// span.set_status(code[, message])
#define MICROTRACE_STATUS(span, ...) MICROTRACE_DETAIL_IF_RECORDING(span, set_status(__VA_ARGS__))
// span.record_error(message)
#define MICROTRACE_ERROR(span, message) MICROTRACE_DETAIL_IF_RECORDING(span, record_error(message))
