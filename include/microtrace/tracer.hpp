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

    // A child of the thread's current span (a root when there is none).
    Span start_span(std::string_view name, SpanKind kind = SpanKind::internal) noexcept {
        StartOptions options;
        options.kind = kind;
        return start_span(name, options);
    }

    // A child of `parent`: a span from another thread, or a context extracted from a
    // request. An invalid parent starts a new trace, still honouring a sampling-only
    // decision it carries (B3 `b3: 0`).
    Span start_span(std::string_view name, const SpanContext& parent, SpanKind kind = SpanKind::internal) noexcept {
        StartOptions options;
        options.kind = kind;
        options.parent = &parent;
        return start_span(name, options);
    }

    Span start_span(std::string_view name, const StartOptions& options) noexcept {
        if constexpr (!config::enabled) return Span{};
        const SpanContext* parent = options.parent;
        if (parent == nullptr && !options.root) {
            const SpanContext* current = detail::current_context();
            if (current != nullptr && current->is_valid()) parent = current;
        }
        if (parent != nullptr && !parent->is_valid() && !parent->remote) parent = nullptr;
        const bool continues = parent != nullptr && parent->is_valid();

        Span span;
        SpanContext& context = span.context_;
        context.trace_id = continues ? parent->trace_id : ids_.new_trace_id();
        const SamplingResult decision = sampler_.should_sample(SamplingParameters{parent, context.trace_id, name, options.kind});
        context.span_id = ids_.new_span_id();
        context.debug = parent != nullptr && parent->debug;
        const bool sampled = decision.sampled || context.debug;
        // W3C Level 2: keep the random flag when continuing; claim it on a new random root.
        const bool random = continues ? parent->flags.is_random() : ids_.random;
        context.flags.bits = static_cast<std::uint8_t>((sampled ? TraceFlags::sampled : 0) |
                                                       (random ? TraceFlags::random : 0));
        context.sampling_threshold = decision.threshold;
        if (continues) {
            context.trace_id_64bit = parent->trace_id_64bit;
            context.trace_state = parent->trace_state;
            context.baggage = parent->baggage;
        }
        // `parent` may be the thread's current context, which activate() overwrites.
        const SpanId parent_id = continues ? parent->span_id : SpanId{};
        if (options.activate) span.activate();
        if (sampled) begin_recording(span, name, options, parent_id);
        return span;
    }

    Sampler& sampler() noexcept { return sampler_; }
    const Sampler& sampler() const noexcept { return sampler_; }
    std::string_view service_name() const noexcept {
        if constexpr (!config::enabled) return {};
        return state_.recorder->service_name(state_.service_index);
    }

  private:
    void begin_recording(Span& span, std::string_view name, const StartOptions& options, SpanId parent_id) noexcept {
        SpanData& data = span.data_;
        data.reset();
        data.trace_id = span.context_.trace_id;
        data.span_id = span.context_.span_id;
        data.parent_id = parent_id;
        data.kind = options.kind;
        data.service_index = state_.service_index;
        data.options = static_cast<std::uint8_t>((span.context_.debug ? SpanOptions::debug : 0) |
                                                 (span.context_.trace_id_64bit ? SpanOptions::trace_id_64bit : 0));
        data.name = data.store(name);
        data.start_epoch_ns = options.start_time.count() != 0 ? options.start_time.count()
                                                              : state_.clock.now_epoch_ns();
        span.tracer_ = &state_;
        state_.recorder->note_started();
    }

    detail::TracerState state_;
    Sampler sampler_;
    IdGenerator ids_;
};

MICROTRACE_END_NAMESPACE
