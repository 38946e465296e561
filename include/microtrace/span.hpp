// microtrace/span.hpp — Span: the RAII, move-only handle to one operation.
//
// A sampled span fills its SpanData in place and hands it to the recorder when it ends.
// A span that is not sampled carries only its context (so children and propagation
// still work) and every recording call on it returns at the first branch.
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

#include "clock.hpp"
#include "config.hpp"
#include "context.hpp"
#include "endpoint.hpp"
#include "recorder.hpp"
#include "span_data.hpp"

MICROTRACE_BEGIN_NAMESPACE

template <class Sampler>
class Tracer;

namespace detail {

// What a recording span needs from its tracer when it ends.
struct TracerState {
    RecorderCore* recorder;
    Clock clock;
    std::uint8_t service_index;
};

// The calling thread's current-span scope: the contexts of the spans active on this thread,
// innermost last. Activating a span copies its context here once; deactivating it is a
// compare and a decrement, because the context it covered is still right below it. Deeper
// nesting than `capacity` keeps working: the innermost entry is then replaced, and the span
// that replaced it keeps the covered context itself (Span::covered_).
struct SpanScope {
    static constexpr std::uint32_t capacity = 16;
    std::uint32_t depth = 0;
    SpanContext contexts[capacity];

    const SpanContext* current() const noexcept { return depth != 0 ? &contexts[depth - 1] : nullptr; }
};

// The calling thread's scope, constant-initialized (no guard on the span path). nullptr
// when the build has no thread_local (MICROTRACE_THREAD_LOCAL=0) or no tracing.
inline SpanScope* thread_scope() noexcept {
#if MICROTRACE_THREAD_LOCAL && MICROTRACE_ENABLED
    thread_local SpanScope scope;
    return &scope;
#else
    return nullptr;
#endif
}

// The calling thread's current span: the implicit parent of the next span it starts.
inline const SpanContext* current_context() noexcept {
    const SpanScope* scope = thread_scope();
    return scope != nullptr ? scope->current() : nullptr;
}

// Same span: what decides whether a span ending is still the thread's current one.
inline bool same_span(const SpanContext& a, const SpanContext& b) noexcept {
    return a.span_id == b.span_id && a.trace_id == b.trace_id;
}

}  // namespace detail

// The calling thread's current span context (invalid when no span is active): inject it
// into outgoing requests made below an instrumented function.
inline SpanContext current_span_context() noexcept {
    const SpanContext* current = detail::current_context();
    return current != nullptr ? *current : SpanContext{};
}

class Span {
  public:
    // A span that records nothing and has no context.
    Span() noexcept {}
    ~Span() { end(); }

    Span(Span&& other) noexcept { take(other); }
    Span& operator=(Span&& other) noexcept {
        if (this != &other) {
            end();
            take(other);
        }
        return *this;
    }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

    // True while the span is sampled and not yet ended (always false when compiled out).
    bool is_recording() const noexcept { return config::enabled && tracer_ != nullptr; }
    // Ids and flags to propagate; valid for sampled and unsampled spans alike.
    const SpanContext& context() const noexcept { return context_; }

    // Sets an attribute (a Zipkin tag). Setting a key again replaces its value. When the
    // span is full the attribute is counted as dropped; a long value is cut and counted.
    Span& set_attribute(std::string_view key, std::string_view value) noexcept {
        if (!is_recording()) return *this;
        if (AttributeData* slot = data_.attribute_slot(key)) {
            slot->type = AttributeType::string;
            slot->text = data_.store(value);
        }
        return *this;
    }
    Span& set_attribute(std::string_view key, const char* value) noexcept {
        return set_attribute(key, std::string_view(value != nullptr ? value : ""));
    }
    Span& set_attribute(std::string_view key, bool value) noexcept {
        return set_number(key, AttributeType::boolean, value ? 1u : 0u);
    }
    template <class Integer, std::enable_if_t<std::is_integral_v<Integer> && !std::is_same_v<Integer, bool> &&
                                                  !std::is_same_v<Integer, char>,
                                              int> = 0>
    Span& set_attribute(std::string_view key, Integer value) noexcept {
        if constexpr (std::is_signed_v<Integer>)
            return set_number(key, AttributeType::int64, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
        else
            return set_number(key, AttributeType::uint64, static_cast<std::uint64_t>(value));
    }
    Span& set_attribute(std::string_view key, double value) noexcept {
        if (!is_recording()) return *this;
        detail::use_float_attributes();
        std::uint64_t bits;
        std::memcpy(&bits, &value, sizeof bits);
        return set_number(key, AttributeType::float64, bits);
    }

    // Adds a timestamped event (a Zipkin annotation), now or at `when`.
    Span& add_event(std::string_view name) noexcept {
        if (!is_recording()) return *this;
        return add_event(name, EpochNanos(tracer_->clock.now_epoch_ns()));
    }
    Span& add_event(std::string_view name, EpochNanos when) noexcept {
        if (!is_recording()) return *this;
        if (data_.events_full()) {
            ++data_.dropped_events;
        } else {
            data_.add_event(when.count(), data_.store(name));
        }
        return *this;
    }

    // Sets the status, as OpenTelemetry does: `ok` is final, `unset` changes nothing, and
    // the message is kept only for `error`.
    Span& set_status(StatusCode code, std::string_view message = {}) noexcept {
        if (!is_recording() || code == StatusCode::unset || data_.status == StatusCode::ok) return *this;
        data_.status = code;
        data_.status_message = code == StatusCode::error ? data_.store(message) : StringRef{0, 0};
        return *this;
    }

    // Marks the span failed with `message` and adds an "exception: <message>" event.
    Span& record_error(std::string_view message) noexcept {
        if (!is_recording()) return *this;
        set_status(StatusCode::error, message);
        if (data_.events_full()) {
            ++data_.dropped_events;
        } else {
            data_.add_event(tracer_->clock.now_epoch_ns(), data_.store_joined("exception: ", message));
        }
        return *this;
    }

    // Renames the span (e.g. once the route is known).
    Span& set_name(std::string_view name) noexcept {
        if (is_recording()) data_.name = data_.store(name);
        return *this;
    }

    // Describes the peer of a client or server span. Returns false (and records no
    // address) when `endpoint.address` is neither IPv4 nor IPv6 text.
    bool set_remote_endpoint(const Endpoint& endpoint) noexcept {
        if (!is_recording()) return true;
        EndpointData& remote = data_.remote;
        remote = EndpointData{};
        data_.options |= SpanOptions::remote_endpoint;
        remote.has_service_name = !endpoint.service_name.empty();
        if (remote.has_service_name) remote.service_name = data_.store(endpoint.service_name);
        remote.port = endpoint.port;
        if (endpoint.address.empty()) return true;
        remote.has_ipv4 = detail::parse_ipv4(endpoint.address, remote.ipv4);
        remote.has_ipv6 = !remote.has_ipv4 && detail::parse_ipv6(endpoint.address, remote.ipv6);
        return remote.has_ipv4 || remote.has_ipv6;
    }

    // Marks the span as Zipkin "shared": its id was started by the caller's tracer.
    Span& set_shared(bool shared = true) noexcept {
        if (is_recording())
            data_.options = static_cast<std::uint8_t>(shared ? data_.options | SpanOptions::shared
                                                             : data_.options & ~SpanOptions::shared);
        return *this;
    }

    // Ends the span now (or at `when`), records it if sampled, and restores the thread's
    // previous current span. Later calls, and every call on an ended span, do nothing.
    void end() noexcept {
        if (is_recording()) finish(tracer_->clock.now_epoch_ns());
        deactivate();
    }
    void end(EpochNanos when) noexcept {
        if (is_recording()) finish(when.count());
        deactivate();
    }

  private:
    template <class Sampler>
    friend class Tracer;

    // A span with this context, not yet recording nor active (the tracer finishes it).
    explicit Span(const SpanContext& context) noexcept : context_(context) {}

    Span& set_number(std::string_view key, AttributeType type, std::uint64_t bits) noexcept {
        if (!is_recording()) return *this;
        if (AttributeData* slot = data_.attribute_slot(key)) {
            slot->type = type;
            slot->number = bits;
        }
        return *this;
    }

    void finish(std::uint64_t end_epoch_ns) noexcept {
        data_.duration_ns = end_epoch_ns > data_.start_epoch_ns ? end_epoch_ns - data_.start_epoch_ns : 0;
        tracer_->recorder->record(data_, *lane_);
        tracer_ = nullptr;
    }

    // Makes this span the thread's current one: `write(entry)` writes the span's context
    // into the scope. The tracer writes it from the values it made the context from:
    // copying context_ instead would read back, 16 bytes at a time, fields just stored one
    // by one, which defeats store-to-load forwarding and stalls for a dozen cycles.
    template <class WriteContext>
    void activate(detail::SpanScope* scope, const WriteContext& write) noexcept {
        if constexpr (!config::thread_local_storage) return;
        if (scope == nullptr) return;
        if (scope->depth < detail::SpanScope::capacity) {
            write(scope->contexts[scope->depth++]);
            scope_ = pushed;
        } else {  // nested deeper than the scope holds: take over its innermost entry
            SpanContext& innermost = scope->contexts[detail::SpanScope::capacity - 1];
            std::memcpy(covered_, &innermost, sizeof innermost);
            write(innermost);
            scope_ = replaced;
        }
    }

    // Restores the previous current span, unless a later span took over the thread (or
    // the span moved to another thread): then the current span is left alone.
    void deactivate() noexcept {
        if constexpr (!config::thread_local_storage) return;
        if (scope_ == inactive) return;
        const std::uint8_t how = scope_;
        scope_ = inactive;
        detail::SpanScope* scope = detail::thread_scope();
        if (scope == nullptr || scope->depth == 0) return;
        SpanContext& innermost = scope->contexts[scope->depth - 1];
        if (!detail::same_span(innermost, context_)) return;
        if (how == pushed)
            --scope->depth;
        else
            std::memcpy(&innermost, covered_, sizeof innermost);
    }

    void take(Span& other) noexcept {
        if constexpr (!config::enabled) return;
        context_ = other.context_;
        scope_ = other.scope_;
        if (scope_ == replaced) std::memcpy(covered_, other.covered_, sizeof covered_);
        tracer_ = other.tracer_;
        if (tracer_ != nullptr) {
            lane_ = other.lane_;
            ::new (static_cast<void*>(&data_)) SpanData;
            auto* to = reinterpret_cast<unsigned char*>(&data_);
            const auto* from = reinterpret_cast<const unsigned char*>(&other.data_);
            detail::for_each_used_range(other.data_, [&](std::size_t offset, std::size_t size) {
                if (size != 0) std::memcpy(to + offset, from + offset, size);
            });
        }
        other.tracer_ = nullptr;
        other.scope_ = inactive;
    }

    // How the span sits in its thread's scope.
    static constexpr std::uint8_t inactive = 0;  // not (or no longer) the thread's current span
    static constexpr std::uint8_t pushed = 1;    // its context is the scope's innermost entry
    static constexpr std::uint8_t replaced = 2;  // ... which it took over; covered_ holds the old one

    SpanContext context_;
    const detail::TracerState* tracer_ = nullptr;  // set while recording
    RecorderLane* lane_;                           // where it will be recorded (while recording)
    std::uint8_t scope_ = inactive;
    // The context a `replaced` activation covered. Raw bytes, so that a span that never
    // nests that deep does not pay for constructing it.
    alignas(SpanContext) unsigned char covered_[sizeof(SpanContext)];
    union {
        // Constructed (by the tracer) only when the span is sampled: a span that is not
        // never touches these 600 bytes.
        SpanData data_;
    };
};

MICROTRACE_END_NAMESPACE
