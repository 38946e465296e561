// microtrace/sampler.hpp — the sampler interface and the two trivial samplers.
//
// A sampler is a plain value the tracer holds (no heap, no virtual call). Any type with
// these two members is one:
//
//   SamplingResult should_sample(const SamplingParameters&) noexcept;  // may be non-const
//   SamplerDescription description() const noexcept;                   // for logs
//
// It decides once, when a span starts; the tracer applies the decision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "context.hpp"
#include "ids.hpp"

MICROTRACE_BEGIN_NAMESPACE

// What a sampler sees of the span about to start.
struct SamplingParameters {
    const SpanContext* parent = nullptr;  // nullptr for a root span
    TraceId trace_id;                     // the new span's trace id (the parent's, or fresh)
    std::string_view name;
    SpanKind kind = SpanKind::internal;
};

// A sampler's verdict. `threshold` is the OpenTelemetry `th` the decision was made
// with, when the sampler knows one; the W3C propagator writes it as `ot=th:...`.
struct SamplingResult {
    bool sampled = false;
    std::uint64_t threshold = no_sampling_threshold;
};

// A sampler's self-description, e.g. `ProbabilitySampler{0.05}`, in a fixed buffer.
struct SamplerDescription {
    static constexpr std::size_t capacity = 96;
    char chars[capacity] = {};
    std::size_t size = 0;

    std::string_view view() const noexcept { return {chars, size}; }
    // Appends what fits; the description of a deep composition may be cut short.
    SamplerDescription& append(std::string_view text) noexcept {
        for (char c : text) {
            if (size == capacity) break;
            chars[size++] = c;
        }
        return *this;
    }
};

// Samples every span.
struct AlwaysOnSampler {
    constexpr SamplingResult should_sample(const SamplingParameters&) const noexcept {
        return {true, 0};
    }
    SamplerDescription description() const noexcept {
        return SamplerDescription{}.append("AlwaysOnSampler");
    }
};

// Samples no span.
struct AlwaysOffSampler {
    constexpr SamplingResult should_sample(const SamplingParameters&) const noexcept {
        return {false, no_sampling_threshold};
    }
    SamplerDescription description() const noexcept {
        return SamplerDescription{}.append("AlwaysOffSampler");
    }
};

MICROTRACE_END_NAMESPACE
