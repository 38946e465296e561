// microtrace/span.hpp — Span: the RAII, move-only handle to one operation.
//
// A sampled span fills its SpanData in place and hands it to the recorder when it ends.
// A span that is not sampled carries only its context (so children and propagation
// still work) and every recording call on it returns at the first branch.
#pragma once

#include <cstdint>
#include <cstring>
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

// The calling thread's current span: the implicit parent of the next span it starts.
// nullptr when the build has no thread_local (MICROTRACE_THREAD_LOCAL=0) or no tracing.
inline SpanContext* current_context() noexcept {
#if MICROTRACE_THREAD_LOCAL && MICROTRACE_ENABLED
    thread_local SpanContext current;
    return &current;
#else
    return nullptr;
#endif
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
        tracer_->recorder->record(data_);
        tracer_ = nullptr;
    }

    // Makes this span the thread's current one, remembering what to restore.
    void activate() noexcept {
        SpanContext* current = detail::current_context();
        if (current == nullptr) return;
        restore_ = *current;
        *current = context_;
        active_ = true;
    }

    // Restores the previous current span, unless a later span took over the thread (or
    // the span moved to another thread): then the current span is left alone.
    void deactivate() noexcept {
        SpanContext* current = detail::current_context();
        if (current == nullptr || !active_) return;
        active_ = false;
        if (current->span_id == context_.span_id && current->trace_id == context_.trace_id) *current = restore_;
    }

    void take(Span& other) noexcept {
        if constexpr (!config::enabled) return;
        context_ = other.context_;
        restore_ = other.restore_;
        active_ = other.active_;
        tracer_ = other.tracer_;
        if (tracer_ != nullptr) {
            auto* to = reinterpret_cast<unsigned char*>(&data_);
            const auto* from = reinterpret_cast<const unsigned char*>(&other.data_);
            detail::for_each_used_range(other.data_, [&](std::size_t offset, std::size_t size) {
                if (size != 0) std::memcpy(to + offset, from + offset, size);
            });
        }
        other.tracer_ = nullptr;
        other.active_ = false;
    }

    SpanContext context_;
    SpanContext restore_;
    const detail::TracerState* tracer_ = nullptr;  // set while recording
    bool active_ = false;                          // this span is (or was) the thread's current
    SpanData data_;                                // touched only while recording
};

MICROTRACE_END_NAMESPACE
