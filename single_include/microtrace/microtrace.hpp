// microtrace v0.1.0 — single-header edition.
//
// GENERATED FILE — DO NOT EDIT. Generated from include/microtrace/microtrace.hpp and the parts it
// includes; edit those instead, then regenerate with:
//     python3 tools/amalgamate.py
// A test (`python3 tools/amalgamate.py --check`) fails while this file is out of date.

// microtrace/microtrace.hpp — the umbrella header: include this one.
//
// microtrace: header-only distributed tracing for C++17. Spans, W3C Trace Context /
// W3C Baggage / B3 propagation, samplers, and a fixed-size recorder that dumps Zipkin
// v2 JSON. Define MICROTRACE_ENABLED=0 to strip all of it to nothing.
#pragma once

// #include "microtrace/config.hpp" (inlined)
// microtrace/config.hpp — compile-time switches, their defaults and their validation.
//
// Every switch is valued (0/1 or a number), has a default, and is checked here:
// a bad value is an #error, never a silent fallback. docs/configuration.md has
// one section per switch.

#define MICROTRACE_VERSION_MAJOR 0
#define MICROTRACE_VERSION_MINOR 1
#define MICROTRACE_VERSION_PATCH 0

// MICROTRACE_ENABLED: 1 traces, 0 strips every operation to an empty inline body.
#ifndef MICROTRACE_ENABLED
#define MICROTRACE_ENABLED 1
#elif (MICROTRACE_ENABLED != 0) && (MICROTRACE_ENABLED != 1)
#error "MICROTRACE_ENABLED must be 0 or 1"
#endif

// MICROTRACE_MAX_ATTRIBUTES: attributes one span holds; more are counted as dropped.
#ifndef MICROTRACE_MAX_ATTRIBUTES
#define MICROTRACE_MAX_ATTRIBUTES 8
#elif (MICROTRACE_MAX_ATTRIBUTES < 0) || (MICROTRACE_MAX_ATTRIBUTES > 64)
#error "MICROTRACE_MAX_ATTRIBUTES must be between 0 and 64"
#endif

// MICROTRACE_MAX_EVENTS: events (Zipkin annotations) one span holds; more are counted as dropped.
#ifndef MICROTRACE_MAX_EVENTS
#define MICROTRACE_MAX_EVENTS 4
#elif (MICROTRACE_MAX_EVENTS < 0) || (MICROTRACE_MAX_EVENTS > 64)
#error "MICROTRACE_MAX_EVENTS must be between 0 and 64"
#endif

// MICROTRACE_SPAN_STRING_BYTES: bytes one span keeps for its name, attribute keys and
// string values, event names and status message; what does not fit is truncated and counted.
#ifndef MICROTRACE_SPAN_STRING_BYTES
#define MICROTRACE_SPAN_STRING_BYTES 256
#elif (MICROTRACE_SPAN_STRING_BYTES < 16) || (MICROTRACE_SPAN_STRING_BYTES > 65535)
#error "MICROTRACE_SPAN_STRING_BYTES must be between 16 and 65535"
#endif

// MICROTRACE_MAX_SERVICES: distinct tracer service names one recorder can name in a dump.
#ifndef MICROTRACE_MAX_SERVICES
#define MICROTRACE_MAX_SERVICES 8
#elif (MICROTRACE_MAX_SERVICES < 1) || (MICROTRACE_MAX_SERVICES > 255)
#error "MICROTRACE_MAX_SERVICES must be between 1 and 255"
#endif

// Layout-changing configuration is spelled into an inline namespace, so translation
// units built with different settings fail to link instead of sharing a corrupt layout.
#define MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services) \
    v##major##_e##enabled##_a##attrs##_ev##events##_s##bytes##_svc##services
#define MICROTRACE_DETAIL_ABI_EXPAND(major, enabled, attrs, events, bytes, services) \
    MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services)
#define MICROTRACE_ABI_NAMESPACE                                                              \
    MICROTRACE_DETAIL_ABI_EXPAND(MICROTRACE_VERSION_MAJOR, MICROTRACE_ENABLED,                \
                                 MICROTRACE_MAX_ATTRIBUTES, MICROTRACE_MAX_EVENTS,            \
                                 MICROTRACE_SPAN_STRING_BYTES, MICROTRACE_MAX_SERVICES)

#define MICROTRACE_BEGIN_NAMESPACE \
    namespace microtrace {         \
    inline namespace MICROTRACE_ABI_NAMESPACE {
#define MICROTRACE_END_NAMESPACE \
    }                            \
    }

#include <cstddef>

MICROTRACE_BEGIN_NAMESPACE
namespace config {
inline constexpr bool enabled = MICROTRACE_ENABLED == 1;
inline constexpr std::size_t max_attributes = MICROTRACE_MAX_ATTRIBUTES;
inline constexpr std::size_t max_events = MICROTRACE_MAX_EVENTS;
inline constexpr std::size_t span_string_bytes = MICROTRACE_SPAN_STRING_BYTES;
inline constexpr std::size_t max_services = MICROTRACE_MAX_SERVICES;
}  // namespace config
MICROTRACE_END_NAMESPACE
// end of "microtrace/config.hpp"
// #include "microtrace/ids.hpp" (inlined)
// microtrace/ids.hpp — TraceId (128-bit), SpanId (64-bit), their hex form, and the id generator.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/hex.hpp" (inlined)
// microtrace/detail/hex.hpp — strict lowercase hex, the only hex every spec we speak allows.

#include <cstddef>
#include <cstdint>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Returns 0-15 for '0'-'9' and 'a'-'f', and -1 for anything else (uppercase included:
// W3C and B3 both reject it).
constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Parses exactly `count` (1-16) lowercase hex digits into `out`; false on any other byte.
constexpr bool parse_hex_u64(const char* text, std::size_t count, std::uint64_t& out) noexcept {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const int digit = hex_digit_value(text[i]);
        if (digit < 0) return false;
        value = (value << 4) | static_cast<std::uint64_t>(digit);
    }
    out = value;
    return true;
}

// Writes `value` as exactly 16 lowercase hex digits; returns one past the last digit.
inline char* write_hex_u64(std::uint64_t value, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[value & 0xF];
        value >>= 4;
    }
    return out + 16;
}

// Writes the low byte of `value` as 2 lowercase hex digits; returns one past the last.
inline char* write_hex_u8(std::uint8_t value, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    out[0] = digits[value >> 4];
    out[1] = digits[value & 0xF];
    return out + 2;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
// end of "microtrace/detail/hex.hpp"

#if MICROTRACE_ENABLED && defined(__unix__)
#include <pthread.h>
#include <unistd.h>
#endif
#if MICROTRACE_ENABLED && defined(__linux__)
#include <sys/random.h>
#endif

MICROTRACE_BEGIN_NAMESPACE

// A fixed-size character buffer holding an id's hex form; `view()` borrows it.
template <std::size_t N>
struct HexString {
    char chars[N];
    constexpr std::string_view view() const noexcept { return {chars, N}; }
};

// 128-bit trace id. `high` holds the first 16 hex digits, `low` the last 16, so the
// right-most 56 bits (OpenTelemetry's randomness) are `low & 0x00ff'ffff'ffff'ffff`.
struct TraceId {
    std::uint64_t high = 0;
    std::uint64_t low = 0;

    // All-zero is the "no trace" value every spec rejects.
    constexpr bool is_valid() const noexcept { return (high | low) != 0; }

    // Writes 32 lowercase hex digits; returns one past the last.
    char* write_hex(char* out) const noexcept {
        return detail::write_hex_u64(low, detail::write_hex_u64(high, out));
    }
    HexString<32> to_hex() const noexcept {
        HexString<32> hex{};
        write_hex(hex.chars);
        return hex;
    }

    // Parses 32 lowercase hex digits, or 16 (a 64-bit id, left-padded with zeros as B3
    // maps it to W3C). Anything else, including an all-zero id, returns false and leaves
    // `out` untouched.
    static constexpr bool parse_hex(std::string_view text, TraceId& out) noexcept {
        TraceId id;
        if (text.size() == 32) {
            if (!detail::parse_hex_u64(text.data(), 16, id.high) ||
                !detail::parse_hex_u64(text.data() + 16, 16, id.low))
                return false;
        } else if (text.size() == 16) {
            if (!detail::parse_hex_u64(text.data(), 16, id.low)) return false;
        } else {
            return false;
        }
        if (!id.is_valid()) return false;
        out = id;
        return true;
    }

    friend constexpr bool operator==(const TraceId& a, const TraceId& b) noexcept {
        return a.high == b.high && a.low == b.low;
    }
    friend constexpr bool operator!=(const TraceId& a, const TraceId& b) noexcept {
        return !(a == b);
    }
};

// 64-bit span id.
struct SpanId {
    std::uint64_t value = 0;

    constexpr bool is_valid() const noexcept { return value != 0; }

    // Writes 16 lowercase hex digits; returns one past the last.
    char* write_hex(char* out) const noexcept { return detail::write_hex_u64(value, out); }
    HexString<16> to_hex() const noexcept {
        HexString<16> hex{};
        write_hex(hex.chars);
        return hex;
    }

    // Parses exactly 16 lowercase hex digits, not all zero; false leaves `out` untouched.
    static constexpr bool parse_hex(std::string_view text, SpanId& out) noexcept {
        std::uint64_t value = 0;
        if (text.size() != 16 || !detail::parse_hex_u64(text.data(), 16, value) || value == 0)
            return false;
        out.value = value;
        return true;
    }

    friend constexpr bool operator==(SpanId a, SpanId b) noexcept { return a.value == b.value; }
    friend constexpr bool operator!=(SpanId a, SpanId b) noexcept { return a.value != b.value; }
};

namespace detail {

// splitmix64: turns any seed material into well-mixed 64-bit words (also xoshiro's
// recommended seeder).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// xoshiro256**: 1.5 ns a draw, 256 bits of state, statistically excellent. Not
// cryptographic, and ids need not be: they must be unique and uniformly spread.
struct Xoshiro256 {
    std::uint64_t s[4] = {0, 0, 0, 0};

    void seed(std::uint64_t material) noexcept {
        for (auto& word : s) word = splitmix64(material);
    }
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
};

// Bumped in a forked child so every thread-local generator reseeds: a parent and its
// child must never draw the same ids.
inline std::atomic<std::uint32_t> fork_generation{1};

inline void on_fork_child() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Seed material unique per thread, per process and per moment: OS entropy where there
// is some, always mixed with a counter, the time and a stack address.
inline std::uint64_t fresh_seed_material() noexcept {
    static std::atomic<std::uint64_t> seed_counter{0};
    std::uint64_t material = seed_counter.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
    int stack_marker = 0;
    material ^= static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&stack_marker));
#if MICROTRACE_ENABLED && defined(__linux__)
    std::uint64_t entropy = 0;
    if (getrandom(&entropy, sizeof entropy, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof entropy))
        material ^= entropy;
#endif
#if MICROTRACE_ENABLED && defined(__unix__)
    material ^= static_cast<std::uint64_t>(getpid()) << 32;
    // Registered once, by the first thread that seeds: every later fork reseeds all threads.
    static const bool fork_hook_registered = pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
    (void)fork_hook_registered;
#endif
    return material;
}

// The default id source: a per-thread xoshiro256** seeded on first use and again in a
// forked child.
inline std::uint64_t thread_random_u64() noexcept {
    thread_local Xoshiro256 generator;
    thread_local std::uint32_t seeded_generation = 0;
    const std::uint32_t generation = fork_generation.load(std::memory_order_relaxed);
    if (seeded_generation != generation) {
        generator.seed(fresh_seed_material());
        seeded_generation = generation;
    }
    return generator.next();
}

}  // namespace detail

// Makes ids from a source of 64-bit random words. Replace `draw` to use your own
// source (a hardware RNG on a device, a fixed sequence in tests); set `random` to
// false when its words are not uniformly random, so new traces do not claim the W3C
// random flag.
struct IdGenerator {
    using Draw = std::uint64_t (*)() noexcept;
    Draw draw = &detail::thread_random_u64;
    bool random = true;

    // A new trace id; never all zero, even from a broken source that only draws zeros.
    TraceId new_trace_id() const noexcept {
        TraceId id{draw(), draw()};
        if (!id.is_valid()) id.low = nonzero_draw();
        return id;
    }
    // A new span id; never zero.
    SpanId new_span_id() const noexcept {
        const std::uint64_t value = draw();
        return SpanId{value != 0 ? value : nonzero_draw()};
    }

  private:
    // A zero draw is astronomically rare from a good source; retry a few times, then
    // settle for 1 rather than loop forever on a source that is stuck.
    std::uint64_t nonzero_draw() const noexcept {
        for (int attempt = 0; attempt < 4; ++attempt)
            if (const std::uint64_t value = draw()) return value;
        return 1;
    }
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/ids.hpp"
// #include "microtrace/clock.hpp" (inlined)
// microtrace/clock.hpp — where span times come from.
//
// A span reads one monotonic clock twice (start and end). Its wall-clock timestamp is
// derived from the first reading plus an offset measured once, so a span pays for two
// clock reads, not three, and a wall-clock step never yields a negative duration.

#include <chrono>
#include <cstdint>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Nanoseconds since the Unix epoch: the unit of every explicit timestamp.
using EpochNanos = std::chrono::duration<std::uint64_t, std::nano>;

// A monotonic nanosecond source plus the offset that turns its readings into epoch
// time. Firmware without `system_clock` supplies its own `now_ns` (a timer) and an
// offset (from an RTC, or 0 to report time since boot).
struct Clock {
    using NowFn = std::uint64_t (*)() noexcept;
    NowFn now_ns = nullptr;               // monotonic nanoseconds, any origin
    std::int64_t epoch_offset_ns = 0;     // now_ns() + epoch_offset_ns = Unix epoch ns

    std::uint64_t to_epoch_ns(std::uint64_t monotonic_ns) const noexcept {
        return monotonic_ns + static_cast<std::uint64_t>(epoch_offset_ns);
    }

    // std::chrono::steady_clock for durations, anchored to system_clock once, now.
    static Clock standard() noexcept {
        Clock clock;
        clock.now_ns = &steady_now_ns;
        const std::int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
        clock.epoch_offset_ns = wall - static_cast<std::int64_t>(steady_now_ns());
        return clock;
    }

    static std::uint64_t steady_now_ns() noexcept {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
    }
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/clock.hpp"
// #include "microtrace/context.hpp" (inlined)
// microtrace/context.hpp — SpanContext: what identifies a span and travels between services.

#include <cstdint>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

class TraceState;  // propagation/tracestate.hpp

// The role of a span in a request, as OpenTelemetry and Zipkin name them.
enum class SpanKind : std::uint8_t { internal, server, client, producer, consumer };

// W3C trace-flags: a bit field. Only the bits defined here are ever sent.
struct TraceFlags {
    static constexpr std::uint8_t sampled = 0x01;
    static constexpr std::uint8_t random = 0x02;  // W3C Level 2: right-most 7 id bytes are random
    static constexpr std::uint8_t known = sampled | random;

    std::uint8_t bits = 0;

    constexpr bool is_sampled() const noexcept { return (bits & sampled) != 0; }
    constexpr bool is_random() const noexcept { return (bits & random) != 0; }
    friend constexpr bool operator==(TraceFlags a, TraceFlags b) noexcept { return a.bits == b.bits; }
    friend constexpr bool operator!=(TraceFlags a, TraceFlags b) noexcept { return a.bits != b.bits; }
};

// OpenTelemetry's sampling threshold (the `th` of the `ot` tracestate key): a span is
// sampled iff the trace id's right-most 56 bits are >= the threshold.
inline constexpr std::uint64_t no_sampling_threshold = ~std::uint64_t{0};

// The identity of a span as seen by propagation and by its children.
struct SpanContext {
    TraceId trace_id;
    SpanId span_id;
    TraceFlags flags;
    bool remote = false;             // extracted from a carrier rather than started here
    bool debug = false;              // B3 debug (X-B3-Flags: 1 / b3 `d`): always sampled
    bool sampling_deferred = false;  // B3 with no sampling decision: the callee decides
    bool trace_id_64bit = false;     // B3 64-bit trace id: sent back in the width received
    std::uint64_t sampling_threshold = no_sampling_threshold;  // OpenTelemetry `ot=th`
    const TraceState* trace_state = nullptr;  // W3C tracestate, owned by whoever extracted it

    // Both ids present: a parent that can be continued.
    constexpr bool is_valid() const noexcept { return trace_id.is_valid() && span_id.is_valid(); }
    constexpr bool is_sampled() const noexcept { return flags.is_sampled(); }

    // Same identity and sampling state; tracestate is compared by the propagators.
    friend constexpr bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
        return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags &&
               a.remote == b.remote && a.debug == b.debug &&
               a.sampling_deferred == b.sampling_deferred &&
               a.trace_id_64bit == b.trace_id_64bit &&
               a.sampling_threshold == b.sampling_threshold;
    }
    friend constexpr bool operator!=(const SpanContext& a, const SpanContext& b) noexcept {
        return !(a == b);
    }
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/context.hpp"
// #include "microtrace/sampler.hpp" (inlined)
// microtrace/sampler.hpp — the sampler interface and the two trivial samplers.
//
// A sampler is a plain value the tracer holds (no heap, no virtual call). Any type with
// these two members is one:
//
//   SamplingResult should_sample(const SamplingParameters&) noexcept;  // may be non-const
//   SamplerDescription description() const noexcept;                   // for logs
//
// It decides once, when a span starts; the tracer applies the decision.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)

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
// end of "microtrace/sampler.hpp"
// #include "microtrace/samplers/threshold.hpp" (inlined)
// microtrace/samplers/threshold.hpp — OpenTelemetry consistent probability sampling arithmetic.
//
// OpenTelemetry (tracestate-probability-sampling, OTEP 235) compares two 56-bit numbers:
//   R, the randomness: the trace id's right-most 56 bits, or the tracestate `ot=rv` value;
//   T, the rejection threshold: how many of the 2^56 possible R values are dropped.
// A span is sampled iff R >= T. Every conforming SDK computes T from a probability p as
// T = 2^56 - round(p * 2^56), so services with the same p make the same decision for the
// same trace. T travels as `ot=th:<hex>` (sampled spans only) and R, when it is not the
// trace id, as `ot=rv:<14 hex digits>`.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/hex.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)

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
// end of "microtrace/samplers/threshold.hpp"
