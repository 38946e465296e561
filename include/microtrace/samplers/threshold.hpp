// microtrace/samplers/threshold.hpp — OpenTelemetry consistent probability sampling arithmetic.
//
// OpenTelemetry (tracestate-probability-sampling, OTEP 235) compares two 56-bit numbers:
//   R, the randomness: the trace id's right-most 56 bits, or the tracestate `ot=rv` value;
//   T, the rejection threshold: how many of the 2^56 possible R values are dropped.
// A span is sampled iff R >= T. Every conforming SDK computes T from a probability p as
// T = 2^56 - round(p * 2^56), so services with the same p make the same decision for the
// same trace. T travels as `ot=th:<hex>` (sampled spans only) and R, when it is not the
// trace id, as `ot=rv:<14 hex digits>`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../config.hpp"
#include "../detail/hex.hpp"
#include "../ids.hpp"

MICROTRACE_BEGIN_NAMESPACE

// 2^56: the threshold that rejects every R ("never"). Not encodable as `th`.
inline constexpr std::uint64_t max_threshold = std::uint64_t{1} << 56;
// Mask of the 56 bits R and T live in.
inline constexpr std::uint64_t randomness_mask = max_threshold - 1;
// `th` has at most 14 hex digits and `rv` exactly 14 (56 bits / 4).
inline constexpr std::size_t threshold_hex_digits = 14;

// Returns the rejection threshold for sampling probability `probability`:
// 2^56 - round(p * 2^56), halves rounded up. p >= 1 gives 0 (always); p <= 0, NaN, and
// any p below 2^-57 (which rounds to no kept value) give max_threshold (never).
constexpr std::uint64_t threshold_for_probability(double probability) noexcept {
    if (!(probability > 0.0)) return max_threshold;  // also catches NaN
    if (probability >= 1.0) return 0;
    // Multiplying by a power of two is exact, so `scaled` is p * 2^56 without error.
    // Round by hand: std::round is not constexpr before C++23, and `scaled + 0.5` would
    // itself round (ties-to-even) once scaled >= 2^52.
    const double scaled = probability * 0x1p56;
    const auto whole = static_cast<std::uint64_t>(scaled);
    const double fraction = scaled - static_cast<double>(whole);  // exact
    const std::uint64_t kept = whole + (fraction >= 0.5 ? 1 : 0);
    return max_threshold - kept;
}

// Returns the probability a threshold samples with: (2^56 - T) / 2^56; 0 for T >= 2^56.
constexpr double probability_for_threshold(std::uint64_t threshold) noexcept {
    if (threshold >= max_threshold) return 0.0;
    return static_cast<double>(max_threshold - threshold) / 0x1p56;
}

// Returns R for a trace id: its right-most 56 bits (W3C Trace Context Level 2 randomness).
constexpr std::uint64_t randomness_of(const TraceId& trace_id) noexcept {
    return trace_id.low & randomness_mask;
}

// The OpenTelemetry decision: sample iff R >= T. A threshold of max_threshold or above
// (never, or no_sampling_threshold) samples nothing.
constexpr bool threshold_samples(std::uint64_t threshold, std::uint64_t randomness) noexcept {
    return (randomness & randomness_mask) >= threshold;
}
constexpr bool threshold_samples(std::uint64_t threshold, const TraceId& trace_id) noexcept {
    return threshold_samples(threshold, randomness_of(trace_id));
}

// Writes `threshold` as a `th` value: 1-14 lowercase hex digits of the 56-bit number,
// leading zeros kept, trailing zeros dropped, "0" for 0 (always). `out` needs room for
// 14 chars; nothing is NUL-terminated. Returns the number of chars written, or 0 (writing
// nothing) when the threshold cannot be encoded: max_threshold (never) and above.
inline std::size_t format_threshold(std::uint64_t threshold, char* out) noexcept {
    if (threshold >= max_threshold) return 0;
    if (threshold == 0) {
        out[0] = '0';
        return 1;
    }
    char digits[16];
    detail::write_hex_u64(threshold, digits);  // digits[0..1] are "00": T < 2^56
    std::size_t size = threshold_hex_digits;
    while (digits[2 + size - 1] == '0') --size;  // T != 0, so a non-zero digit stops it
    for (std::size_t i = 0; i < size; ++i) out[i] = digits[2 + i];
    return size;
}

// Parses a `th` value: 1-14 lowercase hex digits, read as if right-padded with zeros to
// 14 (so "8" is 2^55, i.e. probability 0.5, and "0" is always). Anything else (empty,
// longer, uppercase, non-hex) returns false and leaves `threshold` untouched.
constexpr bool parse_threshold(std::string_view hex, std::uint64_t& threshold) noexcept {
    std::uint64_t value = 0;
    if (hex.empty() || hex.size() > threshold_hex_digits ||
        !detail::parse_hex_u64(hex.data(), hex.size(), value))
        return false;
    threshold = value << (4 * (threshold_hex_digits - hex.size()));
    return true;
}

// Writes R as an `rv` value: exactly 14 lowercase hex digits; returns 14. `out` needs
// room for 14 chars.
inline std::size_t format_randomness(std::uint64_t randomness, char* out) noexcept {
    char digits[16];
    detail::write_hex_u64(randomness & randomness_mask, digits);
    for (std::size_t i = 0; i < threshold_hex_digits; ++i) out[i] = digits[2 + i];
    return threshold_hex_digits;
}

// Parses an `rv` value: exactly 14 lowercase hex digits. Anything else returns false and
// leaves `randomness` untouched.
constexpr bool parse_randomness(std::string_view hex, std::uint64_t& randomness) noexcept {
    std::uint64_t value = 0;
    if (hex.size() != threshold_hex_digits ||
        !detail::parse_hex_u64(hex.data(), hex.size(), value))
        return false;
    randomness = value;
    return true;
}

MICROTRACE_END_NAMESPACE
