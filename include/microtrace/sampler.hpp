// microtrace/sampler.hpp — the sampler interface and the two trivial samplers.
//
// A sampler is a plain value the tracer holds (no heap, no virtual call). Any type with
// these two members is one (`is_sampler_v` checks it):
//
//   SamplingResult should_sample(const SamplingParameters&) noexcept;
//   SamplerDescription description() const noexcept;                   // for logs
//
// It decides once, when a span starts; the tracer applies the decision. Many threads call
// `should_sample` at once, so the built-in samplers make it `const` and keep whatever
// changes (a token bucket, a window's counts) in atomics. A custom sampler may make it
// non-const; it then owns its thread safety. The samplers themselves live in
// samplers/*.hpp; samplers/samplers.hpp includes them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "context.hpp"
#include "ids.hpp"
#include "samplers/threshold.hpp"

MICROTRACE_BEGIN_NAMESPACE

// What a sampler sees of the span about to start.
struct SamplingParameters {
    const SpanContext* parent = nullptr;  // nullptr for a root span
    TraceId trace_id;                     // the new span's trace id (the parent's, or fresh)
    std::string_view name;
    SpanKind kind = SpanKind::internal;
    // The parent's OpenTelemetry explicit randomness (`ot=rv`, see parse_randomness), when
    // its tracestate carries one; it replaces the trace id's bits as R.
    std::uint64_t explicit_randomness = no_explicit_randomness;

    // OpenTelemetry's R for this trace: `rv` when present, otherwise the trace id's
    // right-most 56 bits (presumed random, as the OpenTelemetry SDK specification says).
    constexpr std::uint64_t randomness() const noexcept {
        return explicit_randomness != no_explicit_randomness ? explicit_randomness & randomness_mask
                                                             : randomness_of(trace_id);
    }
};

// A sampler's verdict. `threshold` is the OpenTelemetry rejection threshold the decision
// was made with, when it was a probability decision; the W3C propagator writes it as
// `ot=th:...`. Non-probabilistic decisions (rate limits, drops) leave no_sampling_threshold,
// which erases `th` as the OpenTelemetry specification requires.
struct SamplingResult {
    bool sampled = false;
    std::uint64_t threshold = no_sampling_threshold;
};

namespace detail {

// Writes `value` in decimal; returns the number of chars (at most 20).
inline std::size_t format_unsigned(std::uint64_t value, char* out) noexcept {
    char reversed[20];
    std::size_t size = 0;
    do {
        reversed[size++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (std::size_t i = 0; i < size; ++i) out[i] = reversed[size - 1 - i];
    return size;
}

// Writes a finite, non-negative `value` with up to 15 significant digits (every such
// decimal survives a round trip through a double), trailing zeros dropped: "0.05", "100",
// "1.38777878078145e-17". Plain notation from 1e-5 to 1e15, scientific outside. A
// description helper: no iostreams, no printf (which firmware often builds without float
// support). Returns the number of chars (at most 32); out-of-domain values write "nan".
inline std::size_t format_decimal(double value, char* out) noexcept {
    // Powers of ten up to 1e22 are exact doubles: one multiplication by one of them
    // rounds once, which keeps all 15 digits right.
    constexpr double exact_powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    constexpr int significant = 15;
    if (!(value >= 0.0) || value > 1e300) {  // negative, NaN or absurd: not a sampler setting
        out[0] = 'n';
        out[1] = 'a';
        out[2] = 'n';
        return 3;
    }
    if (value == 0.0) {
        out[0] = '0';
        return 1;
    }
    if (value < 1e-300) value = 1e-300;  // subnormals: keeps the scaling below in range

    // exponent ~ floor(log10(value)); an estimate off by one at a boundary is fixed below.
    int exponent = 0;
    for (double magnitude = value; magnitude >= 10.0 || magnitude < 1.0;) {
        const bool big = magnitude >= 10.0;
        const int step = (big ? magnitude >= 1e22 : magnitude < 1e-22) ? 22 : 1;
        magnitude = big ? magnitude / exact_powers[step] : magnitude * exact_powers[step];
        exponent += big ? step : -step;
    }

    // digits = round(value * 10^(14 - exponent)): exactly 15 digits once the exponent is right.
    const auto scale_to_digits = [&](int exponent_guess) noexcept {
        double scaled = value;
        for (int shift = significant - 1 - exponent_guess; shift != 0;) {
            const int step = shift > 22 ? 22 : (shift < -22 ? -22 : shift);
            scaled = step > 0 ? scaled * exact_powers[step] : scaled / exact_powers[-step];
            shift -= step;
        }
        return static_cast<std::uint64_t>(scaled + 0.5);
    };
    std::uint64_t digits = scale_to_digits(exponent);
    if (digits >= 1000000000000000ULL) digits = scale_to_digits(++exponent);  // 9.99..95 rounded up
    if (digits < 100000000000000ULL) digits = scale_to_digits(--exponent);
    int digit_count = significant;
    while (digits % 10 == 0) {
        digits /= 10;
        --digit_count;
    }

    char text[significant];
    format_unsigned(digits, text);
    std::size_t size = 0;
    if (exponent >= 15 || exponent < -5) {  // d.ddde±x
        out[size++] = text[0];
        if (digit_count > 1) out[size++] = '.';
        for (int i = 1; i < digit_count; ++i) out[size++] = text[i];
        out[size++] = 'e';
        out[size++] = exponent < 0 ? '-' : '+';
        size += format_unsigned(static_cast<std::uint64_t>(exponent < 0 ? -exponent : exponent),
                                out + size);
    } else if (exponent < 0) {  // 0.000ddd
        out[size++] = '0';
        out[size++] = '.';
        for (int i = -1; i > exponent; --i) out[size++] = '0';
        for (int i = 0; i < digit_count; ++i) out[size++] = text[i];
    } else {  // ddd.ddd
        for (int i = 0; i <= exponent; ++i) out[size++] = i < digit_count ? text[i] : '0';
        if (digit_count > exponent + 1) {
            out[size++] = '.';
            for (int i = exponent + 1; i < digit_count; ++i) out[size++] = text[i];
        }
    }
    return size;
}

}  // namespace detail

// A sampler's self-description, e.g. `ProbabilitySampler{0.05}`, in a fixed buffer.
struct SamplerDescription {
    static constexpr std::size_t capacity = 192;
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
    // Appends a number: `0.05`, `100`, `1.5e-17` (see detail::format_decimal).
    SamplerDescription& append_number(double value) noexcept {
        char text[32];
        return append({text, detail::format_decimal(value, text)});
    }
    SamplerDescription& append_number(std::uint64_t value) noexcept {
        char text[20];
        return append({text, detail::format_unsigned(value, text)});
    }
};

// True when S can be plugged into a Tracer or a ParentBased sampler: it has
// `SamplingResult should_sample(const SamplingParameters&)` and
// `SamplerDescription description() const`, both noexcept.
template <class S, class = void>
struct is_sampler : std::false_type {};
template <class S>
struct is_sampler<S, std::void_t<decltype(std::declval<S&>().should_sample(
                                     std::declval<const SamplingParameters&>())),
                                 decltype(std::declval<const S&>().description())>>
    : std::bool_constant<
          std::is_same_v<decltype(std::declval<S&>().should_sample(
                             std::declval<const SamplingParameters&>())),
                         SamplingResult> &&
          std::is_same_v<decltype(std::declval<const S&>().description()), SamplerDescription> &&
          noexcept(std::declval<S&>().should_sample(std::declval<const SamplingParameters&>())) &&
          noexcept(std::declval<const S&>().description())> {};
template <class S>
inline constexpr bool is_sampler_v = is_sampler<S>::value;

// Samples every span, with threshold 0 (`ot=th:0`: probability 1, as OpenTelemetry's
// AlwaysOn records it).
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
