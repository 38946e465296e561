// microtrace/tracer.hpp — Tracer: starts spans for one service, decides sampling, and
// points sampled spans at a recorder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "clock.hpp"
#include "config.hpp"
#include "context.hpp"
#include "ids.hpp"
#include "recorder.hpp"
#include "sampler.hpp"
#include "span.hpp"

// Forces inlining of the span path's pieces into the one place they are used, where -O2
// heuristics would leave calls (a call and the spills around it cost as much as the work).
// Not when optimizing for size: there each piece is kept once.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define MICROTRACE_DETAIL_ALWAYS_INLINE __attribute__((always_inline)) inline
#define MICROTRACE_DETAIL_NOINLINE __attribute__((noinline))
#else
#define MICROTRACE_DETAIL_ALWAYS_INLINE inline
#define MICROTRACE_DETAIL_NOINLINE
#endif

MICROTRACE_BEGIN_NAMESPACE

namespace detail {
// The length of the string in `text[0..capacity)`: up to its first NUL, if any.
constexpr std::size_t bounded_length(const char* text, std::size_t capacity) noexcept {
    std::size_t length = 0;
    while (length < capacity && text[length] != '\0') ++length;
    return length;
}
}  // namespace detail

// How to start a span, beyond its name. The defaults give an internal span, child of
// the thread's current span, starting now, that becomes the thread's current span.
struct StartOptions {
    SpanKind kind = SpanKind::internal;
    const SpanContext* parent = nullptr;  // explicit parent (another thread's, or extracted)
    bool root = false;                    // ignore the thread's current span
    bool activate = true;                 // become the thread's current span until it ends
    EpochNanos start_time{0};             // 0: now
};

// Starts spans for the service `service_name`. Holds its sampler by value, so a call
// to it is direct (and usually inlined). Spans keep a pointer to their tracer: it must
// outlive them, and it cannot be copied or moved.
template <class Sampler = AlwaysOnSampler>
class Tracer {
  public:
    // Compiled out (MICROTRACE_ENABLED=0) it is constant-initialized and never touched,
    // so a static tracer leaves no code or data behind.
    constexpr Tracer(std::string_view service_name, RecorderCore& recorder, Sampler sampler = Sampler{},
                     Clock clock = Clock::default_clock(), IdGenerator ids = IdGenerator{}) noexcept
        : state_{&recorder, clock, config::enabled ? recorder.register_service(service_name) : std::uint8_t{0}},
          sampler_(std::move(sampler)),
          ids_(ids) {}
    // A name given as a literal or an array: measured without strlen, so that a static
    // tracer is constant-initialized (std::string_view's strlen is not folded there).
    template <std::size_t N>
    constexpr Tracer(const char (&service_name)[N], RecorderCore& recorder, Sampler sampler = Sampler{},
                     Clock clock = Clock::default_clock(), IdGenerator ids = IdGenerator{}) noexcept
        : Tracer(std::string_view(service_name, detail::bounded_length(service_name, N)), recorder,
                 std::move(sampler), clock, ids) {}
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    // A child of the thread's current span (a root when there is none). Inlined where it is
    // called down to the choice between the two, each a function of its own: each then saves
    // only the registers its own path needs.
    MICROTRACE_DETAIL_ALWAYS_INLINE Span start_span(std::string_view name, SpanKind kind = SpanKind::internal) noexcept {
        if constexpr (!config::enabled) return Span{};
        detail::SpanScope* const scope = detail::thread_scope();
        if (scope != nullptr && scope->depth != 0) return start_child(name, kind, *scope->current(), *scope);
        return start(name, kind, nullptr, scope, true, 0);
    }

    // A child of `parent`: a span from another thread, or a context extracted from a
    // request. An invalid parent starts a new trace, still honouring a sampling-only
    // decision it carries (B3 `b3: 0`).
    Span start_span(std::string_view name, const SpanContext& parent, SpanKind kind = SpanKind::internal) noexcept {
        if constexpr (!config::enabled) return Span{};
        return start(name, kind, &parent, detail::thread_scope(), true, 0);
    }

    Span start_span(std::string_view name, const StartOptions& options) noexcept {
        if constexpr (!config::enabled) return Span{};
        detail::SpanScope* const scope = detail::thread_scope();
        const SpanContext* parent = options.parent;
        if (parent == nullptr && !options.root && scope != nullptr) parent = scope->current();
        return start(name, options.kind, parent, scope, options.activate, options.start_time.count());
    }

    Sampler& sampler() noexcept { return sampler_; }
    const Sampler& sampler() const noexcept { return sampler_; }
    std::string_view service_name() const noexcept {
        if constexpr (!config::enabled) return {};
        return state_.recorder->service_name(state_.service_index);
    }

  private:
    // The most common span: a child of the thread's current span, which is a valid local
    // context (so no validity checks), becoming the current span in turn.
    MICROTRACE_DETAIL_NOINLINE Span start_child(std::string_view name, SpanKind kind, const SpanContext& parent,
                                                detail::SpanScope& scope) noexcept {
        const SamplingResult decision =
            sampler_.should_sample(SamplingParameters{&parent, parent.trace_id, name, kind, parent.explicit_randomness});
        const SpanId span_id = ids_.new_span_id();
        const bool sampled = decision.sampled || parent.debug;
        const auto flags = static_cast<std::uint8_t>((sampled ? TraceFlags::sampled : 0) |
                                                     (parent.flags.bits & TraceFlags::random));
        // Everything else (trace id, debug, 64-bit id, rv, tracestate, baggage) is the
        // parent's; a local parent is neither remote nor deferred.
        const auto own = [&](SpanContext& context) noexcept {
            context.span_id = span_id;
            context.flags.bits = flags;
            context.sampling_threshold = decision.threshold;
        };
        const auto write = [&](SpanContext& context) noexcept {
            context = parent;
            own(context);
        };
        Span span(parent);
        own(span.context_);
        const SpanId parent_id = parent.span_id;  // activating may overwrite `parent`
        span.activate(&scope, write);
        if (sampled || state_.recorder->records_unsampled()) begin_recording(span, name, kind, parent_id, 0, sampled);
        return span;
    }

    // Starts a span. `parent` is the explicit parent, the thread's current span (always a
    // valid context) or nullptr; `start_ns` 0 means now.
    MICROTRACE_DETAIL_NOINLINE Span start(std::string_view name, SpanKind kind, const SpanContext* parent,
                                          detail::SpanScope* scope, bool activate, std::uint64_t start_ns) noexcept {
        // Baggage travels even when the trace does not: a request with baggage and no trace
        // context starts a new trace that still carries it on.
        const Baggage* const baggage = parent != nullptr ? parent->baggage : nullptr;
        if (parent != nullptr && !parent->is_valid() && !parent->remote) parent = nullptr;
        const bool continues = parent != nullptr && parent->is_valid();

        const TraceId trace_id = continues ? parent->trace_id : ids_.new_trace_id();
        const std::uint64_t randomness = continues ? parent->explicit_randomness : no_explicit_randomness;
        const SamplingResult decision =
            sampler_.should_sample(SamplingParameters{parent, trace_id, name, kind, randomness});
        const SpanId span_id = ids_.new_span_id();
        const bool debug = parent != nullptr && parent->debug;
        const bool sampled = decision.sampled || debug;
        // W3C Level 2: keep the random flag when continuing; claim it on a new random root.
        const bool random = continues ? parent->flags.is_random() : ids_.random;
        const auto flags = static_cast<std::uint8_t>((sampled ? TraceFlags::sampled : 0) | (random ? TraceFlags::random : 0));
        // Fills a default context. A continued trace keeps the parent's 64-bit id form, rv and
        // tracestate; baggage is kept either way.
        const auto fill = [&](SpanContext& context) noexcept {
            context.trace_id = trace_id;
            context.span_id = span_id;
            context.flags.bits = flags;
            context.debug = debug;
            context.sampling_threshold = decision.threshold;
            context.baggage = baggage;
            if (continues) {
                context.trace_id_64bit = parent->trace_id_64bit;
                context.explicit_randomness = parent->explicit_randomness;
                context.trace_state = parent->trace_state;
            }
        };
        Span span;
        fill(span.context_);
        // `parent` may be the thread's current context, which activating may overwrite.
        const SpanId parent_id = continues ? parent->span_id : SpanId{};
        if (activate) {
            span.activate(scope, [&](SpanContext& entry) noexcept {
                entry = SpanContext{};
                fill(entry);
            });
        }
        if (sampled || state_.recorder->records_unsampled())
            begin_recording(span, name, kind, parent_id, start_ns, sampled);
        return span;
    }

    void begin_recording(Span& span, std::string_view name, SpanKind kind, SpanId parent_id,
                         std::uint64_t start_ns, bool sampled) noexcept {
        SpanData& data = *::new (static_cast<void*>(&span.data_)) SpanData;
        data.reset();
        data.trace_id = span.context_.trace_id;
        data.span_id = span.context_.span_id;
        data.parent_id = parent_id;
        data.kind = kind;
        data.service_index = state_.service_index;
        data.options = static_cast<std::uint8_t>((span.context_.debug ? SpanOptions::debug : 0) |
                                                 (span.context_.trace_id_64bit ? SpanOptions::trace_id_64bit : 0) |
                                                 (sampled ? 0 : SpanOptions::unsampled));
        data.name = data.store(name);
        data.start_epoch_ns = start_ns != 0 ? start_ns : state_.clock.now_epoch_ns();
        span.tracer_ = &state_;
        // A span recorded only by a flight recorder is not counted as a sampled start.
        span.lane_ = sampled ? &state_.recorder->note_started() : &state_.recorder->current_lane();
        data.thread = static_cast<std::uint16_t>(detail::thread_ordinal());
    }

    detail::TracerState state_;
    Sampler sampler_;
    IdGenerator ids_;
};

MICROTRACE_END_NAMESPACE
