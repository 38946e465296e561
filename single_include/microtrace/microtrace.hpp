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

// MICROTRACE_TRACESTATE_MAX_MEMBERS: W3C tracestate members kept per context. W3C allows 32;
// a smaller limit drops members from the right, as the spec's truncation does.
#ifndef MICROTRACE_TRACESTATE_MAX_MEMBERS
#define MICROTRACE_TRACESTATE_MAX_MEMBERS 32
#elif (MICROTRACE_TRACESTATE_MAX_MEMBERS < 1) || (MICROTRACE_TRACESTATE_MAX_MEMBERS > 32)
#error "MICROTRACE_TRACESTATE_MAX_MEMBERS must be between 1 and 32"
#endif

// MICROTRACE_TRACESTATE_BYTES: characters of tracestate kept and sent (W3C: propagate at least
// 512). A longer header is cut by whole members: those over 128 characters first, then from
// the right.
#ifndef MICROTRACE_TRACESTATE_BYTES
#define MICROTRACE_TRACESTATE_BYTES 512
#elif (MICROTRACE_TRACESTATE_BYTES < 64) || (MICROTRACE_TRACESTATE_BYTES > 65535)
#error "MICROTRACE_TRACESTATE_BYTES must be between 64 and 65535"
#endif

// MICROTRACE_BAGGAGE_MAX_MEMBERS: W3C baggage members kept per context (W3C: at least 64).
// Members beyond it are dropped whole and counted.
#ifndef MICROTRACE_BAGGAGE_MAX_MEMBERS
#define MICROTRACE_BAGGAGE_MAX_MEMBERS 64
#elif (MICROTRACE_BAGGAGE_MAX_MEMBERS < 1) || (MICROTRACE_BAGGAGE_MAX_MEMBERS > 1024)
#error "MICROTRACE_BAGGAGE_MAX_MEMBERS must be between 1 and 1024"
#endif

// MICROTRACE_BAGGAGE_BYTES: bytes of the baggage header kept and sent (W3C: at least 8192).
// Members that would not fit are dropped whole and counted.
#ifndef MICROTRACE_BAGGAGE_BYTES
#define MICROTRACE_BAGGAGE_BYTES 8192
#elif (MICROTRACE_BAGGAGE_BYTES < 64) || (MICROTRACE_BAGGAGE_BYTES > 65535)
#error "MICROTRACE_BAGGAGE_BYTES must be between 64 and 65535"
#endif

// MICROTRACE_THREADS: 1 is safe with any number of threads; 0 promises that only one thread
// (and no interrupt handler) ever uses microtrace, and replaces every atomic with a plain variable.
#ifndef MICROTRACE_THREADS
#define MICROTRACE_THREADS 1
#elif (MICROTRACE_THREADS != 0) && (MICROTRACE_THREADS != 1)
#error "MICROTRACE_THREADS must be 0 or 1"
#endif

// MICROTRACE_THREAD_LOCAL: 1 uses thread_local for each thread's current span and id generator;
// 0 is for platforms without TLS: spans nest only through explicit parents, and ids come from
// one shared generator.
#ifndef MICROTRACE_THREAD_LOCAL
#define MICROTRACE_THREAD_LOCAL 1
#elif (MICROTRACE_THREAD_LOCAL != 0) && (MICROTRACE_THREAD_LOCAL != 1)
#error "MICROTRACE_THREAD_LOCAL must be 0 or 1"
#endif

// MICROTRACE_STD_CLOCK: 1 offers Clock::standard() (std::chrono's steady and system clocks) as
// the default clock; 0 is for targets without them: give every tracer a Clock of your own.
#ifndef MICROTRACE_STD_CLOCK
#define MICROTRACE_STD_CLOCK 1
#elif (MICROTRACE_STD_CLOCK != 0) && (MICROTRACE_STD_CLOCK != 1)
#error "MICROTRACE_STD_CLOCK must be 0 or 1"
#endif

// MICROTRACE_POSIX: 1 seeds ids from getrandom()/getpid() and reseeds them in a fork()ed child
// (pthread_atfork); 0 for bare metal, where seeds come from the clock and addresses only (or
// supply an IdGenerator). Defaults to 1 on Unix-like systems.
#ifndef MICROTRACE_POSIX
#if defined(__unix__) || defined(__APPLE__)
#define MICROTRACE_POSIX 1
#else
#define MICROTRACE_POSIX 0
#endif
#elif (MICROTRACE_POSIX != 0) && (MICROTRACE_POSIX != 1)
#error "MICROTRACE_POSIX must be 0 or 1"
#endif

// MICROTRACE_DETAIL_LEVEL: spans started through MICROTRACE_SPAN_AT(level, ...) with a level
// above this one compile to nothing (arguments unevaluated), like log levels: 0 keeps only
// coarse spans, 1 adds MICROTRACE_SPAN_DETAIL spans, 2 adds MICROTRACE_SPAN_VERBOSE spans.
// Affects macros only, so translation units may differ.
#ifndef MICROTRACE_DETAIL_LEVEL
#define MICROTRACE_DETAIL_LEVEL 2
#elif (MICROTRACE_DETAIL_LEVEL < 0) || (MICROTRACE_DETAIL_LEVEL > 2)
#error "MICROTRACE_DETAIL_LEVEL must be 0, 1 or 2"
#endif

// MICROTRACE_FLOAT_TO_CHARS: how floating-point attributes become Zipkin tag text. 1 uses
// std::to_chars: the shortest text that reads back exactly, but on newlib targets it links
// about 100 KiB of tables. 0 uses a compact formatter (9 significant digits, a few hundred
// bytes): the choice for firmware.
#ifndef MICROTRACE_FLOAT_TO_CHARS
#define MICROTRACE_FLOAT_TO_CHARS 1
#elif (MICROTRACE_FLOAT_TO_CHARS != 0) && (MICROTRACE_FLOAT_TO_CHARS != 1)
#error "MICROTRACE_FLOAT_TO_CHARS must be 0 or 1"
#endif

// Layout-changing configuration is spelled into an inline namespace, so translation
// units built with different settings fail to link instead of sharing a corrupt layout.
#define MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services, ts_members,  \
                                   ts_bytes, bag_members, bag_bytes)                          \
    v##major##_e##enabled##_a##attrs##_ev##events##_s##bytes##_svc##services##_ts##ts_members##_##ts_bytes##_bag##bag_members##_##bag_bytes
#define MICROTRACE_DETAIL_ABI_EXPAND(major, enabled, attrs, events, bytes, services, ts_members, \
                                     ts_bytes, bag_members, bag_bytes)                          \
    MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services, ts_members,       \
                               ts_bytes, bag_members, bag_bytes)
#define MICROTRACE_DETAIL_ABI_PLATFORM(name, threads, tls, clock, posix, floats) \
    name##_t##threads##_tl##tls##_c##clock##_p##posix##_f##floats
#define MICROTRACE_DETAIL_ABI_PLATFORM_EXPAND(name, threads, tls, clock, posix, floats) \
    MICROTRACE_DETAIL_ABI_PLATFORM(name, threads, tls, clock, posix, floats)
#define MICROTRACE_ABI_NAMESPACE                                                              \
    MICROTRACE_DETAIL_ABI_PLATFORM_EXPAND(MICROTRACE_DETAIL_ABI_LAYOUT, MICROTRACE_THREADS,     \
                                          MICROTRACE_THREAD_LOCAL, MICROTRACE_STD_CLOCK,         \
                                          MICROTRACE_POSIX, MICROTRACE_FLOAT_TO_CHARS)
#define MICROTRACE_DETAIL_ABI_LAYOUT                                                          \
    MICROTRACE_DETAIL_ABI_EXPAND(MICROTRACE_VERSION_MAJOR, MICROTRACE_ENABLED,                \
                                 MICROTRACE_MAX_ATTRIBUTES, MICROTRACE_MAX_EVENTS,            \
                                 MICROTRACE_SPAN_STRING_BYTES, MICROTRACE_MAX_SERVICES,       \
                                 MICROTRACE_TRACESTATE_MAX_MEMBERS, MICROTRACE_TRACESTATE_BYTES, \
                                 MICROTRACE_BAGGAGE_MAX_MEMBERS, MICROTRACE_BAGGAGE_BYTES)

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
inline constexpr bool threads = MICROTRACE_THREADS == 1;
inline constexpr bool thread_local_storage = MICROTRACE_THREAD_LOCAL == 1;
inline constexpr bool std_clock = MICROTRACE_STD_CLOCK == 1;
inline constexpr bool posix = MICROTRACE_POSIX == 1;
inline constexpr int detail_level = MICROTRACE_DETAIL_LEVEL;
inline constexpr bool float_to_chars = MICROTRACE_FLOAT_TO_CHARS == 1;
inline constexpr std::size_t tracestate_max_members = MICROTRACE_TRACESTATE_MAX_MEMBERS;
inline constexpr std::size_t tracestate_bytes = MICROTRACE_TRACESTATE_BYTES;
inline constexpr std::size_t baggage_max_members = MICROTRACE_BAGGAGE_MAX_MEMBERS;
inline constexpr std::size_t baggage_bytes = MICROTRACE_BAGGAGE_BYTES;
}  // namespace config
MICROTRACE_END_NAMESPACE
// end of "microtrace/config.hpp"
// #include "microtrace/ids.hpp" (inlined)
// microtrace/ids.hpp — TraceId (128-bit), SpanId (64-bit), their hex form, and the id generator.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (inlined)
// microtrace/detail/atomic.hpp — the atomics the library uses, or plain variables when
// MICROTRACE_THREADS=0 says only one thread ever touches it (single-core firmware, a
// single-threaded game loop): no lock prefix, no libatomic, same code otherwise.

#include <atomic>

// #include "microtrace/config.hpp" (already inlined above)

#if MICROTRACE_THREADS
#include <thread>
#endif

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

#if MICROTRACE_THREADS

template <class T>
using Atomic = std::atomic<T>;

inline void atomic_fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }

// Lets another thread run while we wait for it (only on rare, bounded waits).
inline void yield_thread() noexcept { std::this_thread::yield(); }

#else

// std::atomic's interface over a plain value, for builds with one thread.
template <class T>
class Atomic {
  public:
    constexpr Atomic() noexcept : value_() {}
    constexpr Atomic(T value) noexcept : value_(value) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(std::memory_order = std::memory_order_seq_cst) const noexcept { return value_; }
    void store(T value, std::memory_order = std::memory_order_seq_cst) noexcept { value_ = value; }
    T exchange(T value, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = value;
        return old;
    }
    T fetch_add(T delta, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = static_cast<T>(value_ + delta);
        return old;
    }
    T fetch_sub(T delta, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = static_cast<T>(value_ - delta);
        return old;
    }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order = std::memory_order_seq_cst,
                               std::memory_order = std::memory_order_seq_cst) noexcept {
        if (value_ != expected) {
            expected = value_;
            return false;
        }
        value_ = desired;
        return true;
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order order = std::memory_order_seq_cst,
                                 std::memory_order failure = std::memory_order_seq_cst) noexcept {
        return compare_exchange_weak(expected, desired, order, failure);
    }

  private:
    T value_;
};

inline void atomic_fence(std::memory_order) noexcept {}
inline void yield_thread() noexcept {}

#endif

}  // namespace detail
MICROTRACE_END_NAMESPACE
// end of "microtrace/detail/atomic.hpp"
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
// Branch-free per digit (a bad byte sets bit 8 of `invalid`, checked once at the end):
// ids are parsed on every incoming request, and a branch per digit costs twice as much.
constexpr bool parse_hex_u64(const char* text, std::size_t count, std::uint64_t& out) noexcept {
    std::uint64_t value = 0;
    unsigned invalid = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const unsigned decimal = byte - unsigned{'0'};
        const unsigned letter = byte - unsigned{'a'};
        const unsigned digit = decimal < 10 ? decimal : letter < 6 ? letter + 10 : 0x100;
        invalid |= digit;
        value = (value << 4) | (digit & 0xF);
    }
    if (invalid > 0xF) return false;
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

#if MICROTRACE_ENABLED && MICROTRACE_POSIX
#include <pthread.h>
#include <unistd.h>
#endif
#if MICROTRACE_ENABLED && MICROTRACE_POSIX && defined(__linux__)
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

// Bumped in a forked child so every generator reseeds: a parent and its child must
// never draw the same ids.
inline Atomic<std::uint32_t> fork_generation{1};

inline void on_fork_child() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }

// Seed material unique per thread, per process and per moment: OS entropy where there
// is some, always mixed with a counter and a stack address.
inline std::uint64_t fresh_seed_material() noexcept {
    static Atomic<std::uint64_t> seed_counter{0};
    std::uint64_t material = seed_counter.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
    int stack_marker = 0;
    material ^= static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&stack_marker));
#if MICROTRACE_ENABLED && MICROTRACE_POSIX
#if defined(__linux__)
    std::uint64_t entropy = 0;
    if (getrandom(&entropy, sizeof entropy, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof entropy))
        material ^= entropy;
#endif
    material ^= static_cast<std::uint64_t>(getpid()) << 32;
    // Registered once, by the first caller: every later fork reseeds all generators.
    static const bool fork_hook_registered = pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
    (void)fork_hook_registered;
#endif
    return material;
}

#if MICROTRACE_THREAD_LOCAL
// The calling thread's generator. Constant-initialized (all zero, generation 0), so reaching
// it is one thread-pointer-relative address: no initialization guard on the id path.
struct ThreadRandom {
    Xoshiro256 generator;
    std::uint32_t seeded_generation = 0;
};
inline ThreadRandom& thread_random() noexcept {
    thread_local ThreadRandom state;
    return state;
}

// Seeds the thread's generator: on its first draw, and again in a forked child.
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline void reseed_thread_random(ThreadRandom& state, std::uint32_t generation) noexcept {
    state.generator.seed(fresh_seed_material());
    state.seeded_generation = generation;
}

// The default id source: a per-thread xoshiro256** seeded on first use and again in a
// forked child. Inlined into the span path (see IdGenerator::word), it costs the draw itself
// plus one load and one compare.
inline std::uint64_t random_u64() noexcept {
    ThreadRandom& state = thread_random();
    const std::uint32_t generation = fork_generation.load(std::memory_order_relaxed);
    if (state.seeded_generation != generation) reseed_thread_random(state, generation);
    return state.generator.next();
}
#else
// The default id source without thread_local: one splitmix64 sequence shared by all
// threads, advanced with a single atomic add (seeded on first use and in a forked child).
inline std::uint64_t random_u64() noexcept {
    static Atomic<std::uint64_t> state{0};
    static Atomic<std::uint32_t> seeded_generation{0};
    const std::uint32_t generation = fork_generation.load(std::memory_order_relaxed);
    if (seeded_generation.exchange(generation, std::memory_order_relaxed) != generation)
        state.store(fresh_seed_material(), std::memory_order_relaxed);
    std::uint64_t position = state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
    return splitmix64(position);
}
#endif

}  // namespace detail

// Makes ids from a source of 64-bit random words. Replace `draw` to use your own
// source (a hardware RNG on a device, a fixed sequence in tests); set `random` to
// false when its words are not uniformly random, so new traces do not claim the W3C
// random flag.
struct IdGenerator {
    using Draw = std::uint64_t (*)() noexcept;
    Draw draw = config::enabled ? &detail::random_u64 : nullptr;  // no reference when compiled out
    bool random = true;

    // A new trace id; never all zero, even from a broken source that only draws zeros.
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((always_inline))  // one call site, on the span path: the call would cost a draw
#endif
    TraceId new_trace_id() const noexcept {
        const std::uint64_t high = word();
        TraceId id{high, word()};
        if (!id.is_valid()) id.low = nonzero_draw();
        return id;
    }
    // A new span id; never zero.
    SpanId new_span_id() const noexcept {
        const std::uint64_t value = word();
        return SpanId{value != 0 ? value : nonzero_draw()};
    }

    // One word from `draw`. The default source is called directly, so it inlines: an
    // indirect call would cost as much as the draw itself.
    std::uint64_t word() const noexcept {
#if MICROTRACE_THREAD_LOCAL
        if (draw == &detail::random_u64) return detail::random_u64();
#endif
        return draw();
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

#if MICROTRACE_ENABLED && MICROTRACE_STD_CLOCK && MICROTRACE_POSIX
#include <time.h>
#endif

MICROTRACE_BEGIN_NAMESPACE

// Nanoseconds since the Unix epoch: the unit of every explicit timestamp.
using EpochNanos = std::chrono::duration<std::uint64_t, std::nano>;

namespace detail {
#if MICROTRACE_ENABLED && MICROTRACE_STD_CLOCK && (defined(__x86_64__) || defined(__aarch64__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define MICROTRACE_DETAIL_CYCLE_COUNTER 1
// The CPU's constant-rate counter: the TSC (rdtsc) on x86-64, the generic timer
// (cntvct_el0) on AArch64. Not serializing: a read may move a few instructions earlier or
// later, which no span can tell.
inline std::uint64_t read_cycle_counter() noexcept {
#if defined(__x86_64__)
    std::uint32_t low, high;
    __asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
    return (std::uint64_t{high} << 32) | low;
#else
    std::uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#endif
}

// True when the counter ticks at a constant rate whatever the core's frequency and sleep
// state: always on AArch64; on x86-64, CPUID's "invariant TSC" bit.
inline bool cycle_counter_is_invariant() noexcept {
#if defined(__x86_64__)
    std::uint32_t eax = 0x80000000u, ebx = 0, ecx = 0, edx = 0;
    __asm__ __volatile__("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    if (eax < 0x80000007u) return false;
    eax = 0x80000007u;
    ecx = 0;
    __asm__ __volatile__("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    return (edx & (1u << 8)) != 0;
#else
    return true;
#endif
}

// Counter ticks to nanoseconds: ns = base_ns + (ticks - base_ticks) * ns_per_tick_q32 / 2^32.
// Set once, by the first Clock::cycle_counter() (a thread-safe static initialization),
// before any clock that reads it exists; only read afterwards. A plain global, so reading
// it on the span path costs no initialization guard.
struct CycleScale {
    std::uint64_t base_ticks = 0;
    std::uint64_t base_ns = 0;
    std::uint64_t ns_per_tick_q32 = 0;  // 0: no usable counter
};
inline CycleScale cycle_scale;
#else
#define MICROTRACE_DETAIL_CYCLE_COUNTER 0
#endif
}  // namespace detail

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

    // Monotonic nanoseconds converted to epoch nanoseconds: the time of a span event.
    std::uint64_t now_epoch_ns() const noexcept {
#if MICROTRACE_DETAIL_CYCLE_COUNTER
        if (now_ns == &cycle_now_ns) return to_epoch_ns(cycle_now_ns());  // inlined: no call
#endif
        return to_epoch_ns(now_ns());
    }

    // The tracer's default: std::chrono where the build has it (MICROTRACE_STD_CLOCK=1);
    // otherwise a clock stopped at 0, so a tracer someone forgot to give a clock records
    // spans at the epoch rather than crash.
#if MICROTRACE_ENABLED && MICROTRACE_STD_CLOCK
    static Clock default_clock() noexcept { return standard(); }
#else
    // A constant when tracing is compiled out, so a static tracer is constant-initialized.
    static constexpr Clock default_clock() noexcept { return config::enabled ? Clock{&stopped_ns, 0} : Clock{}; }
#endif

#if MICROTRACE_STD_CLOCK
    // std::chrono::steady_clock for durations, anchored to system_clock once, now.
    static Clock standard() noexcept {
        if constexpr (!config::enabled) return Clock{};
        Clock clock;
        clock.now_ns = &steady_now_ns;
        clock.epoch_offset_ns = wall_now_ns() - static_cast<std::int64_t>(steady_now_ns());
        return clock;
    }

    // The CPU's cycle counter (rdtsc on x86-64, cntvct_el0 on AArch64) scaled to
    // nanoseconds: about a third of the cost of a steady_clock read. The counter's rate is
    // measured against steady_clock once per process, on the first call, which takes about
    // 2 ms; it is then anchored to system_clock like standard(). Durations are exact to
    // within that measurement (a few parts per million) and assume the counters of all
    // cores agree, as they do on current x86-64 and AArch64 systems. Where there is no such
    // counter (another CPU, or an x86 TSC whose rate varies), this is standard().
    static Clock cycle_counter() noexcept {
        if constexpr (!config::enabled) return Clock{};
#if MICROTRACE_DETAIL_CYCLE_COUNTER
        static const bool calibrated = (detail::cycle_scale = calibrate_cycle_counter(), true);
        (void)calibrated;
        if (detail::cycle_scale.ns_per_tick_q32 != 0) {
            Clock clock;
            clock.now_ns = &cycle_now_ns;
            clock.epoch_offset_ns = wall_now_ns() - static_cast<std::int64_t>(cycle_now_ns());
            return clock;
        }
#endif
        return standard();
    }

    // Monotonic nanoseconds: std::chrono::steady_clock (clock_gettime(CLOCK_MONOTONIC)
    // directly where POSIX has it, one call less).
    static std::uint64_t steady_now_ns() noexcept {
#if MICROTRACE_ENABLED && MICROTRACE_POSIX && defined(CLOCK_MONOTONIC)
        timespec now;
        if (clock_gettime(CLOCK_MONOTONIC, &now) == 0)
            return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(now.tv_nsec);
#endif
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
    }
#endif

  private:
    static std::uint64_t stopped_ns() noexcept { return 0; }

#if MICROTRACE_STD_CLOCK
    static std::int64_t wall_now_ns() noexcept {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
#endif

#if MICROTRACE_DETAIL_CYCLE_COUNTER
    // Pairs a counter reading with a steady_clock reading taken around it, keeping the
    // tightest of a few tries, over a window of about 2 ms.
    static detail::CycleScale calibrate_cycle_counter() noexcept {
        detail::CycleScale result;
        if (!detail::cycle_counter_is_invariant()) return result;
        const auto sample = [](std::uint64_t& ticks, std::uint64_t& ns) noexcept {
            std::uint64_t best_gap = ~std::uint64_t{0};
            for (int attempt = 0; attempt < 8; ++attempt) {
                const std::uint64_t before = steady_now_ns();
                const std::uint64_t counter = detail::read_cycle_counter();
                const std::uint64_t after = steady_now_ns();
                if (after - before < best_gap) {
                    best_gap = after - before;
                    ticks = counter;
                    ns = before + (after - before) / 2;
                }
            }
        };
        std::uint64_t start_ticks = 0, start_ns = 0, end_ticks = 0, end_ns = 0;
        sample(start_ticks, start_ns);
        while (steady_now_ns() - start_ns < 2'000'000) {
        }
        sample(end_ticks, end_ns);
        if (end_ticks <= start_ticks || end_ns <= start_ns) return result;
        const long double ratio = static_cast<long double>(end_ns - start_ns) / static_cast<long double>(end_ticks - start_ticks);
        if (!(ratio > 0 && ratio < 4096)) return result;  // a counter below 250 kHz is no use
        result.base_ticks = end_ticks;
        result.base_ns = end_ns;
        result.ns_per_tick_q32 = static_cast<std::uint64_t>(ratio * 4294967296.0L + 0.5L);
        return result;
    }

    static std::uint64_t cycle_now_ns() noexcept {
        const detail::CycleScale& calibration = detail::cycle_scale;
        const std::uint64_t ticks = detail::read_cycle_counter();
        // (ticks * q32) >> 32 in 128 bits: no overflow for any interval a process lives
        // through. A core whose counter reads a little behind the base counts backwards.
        __extension__ typedef unsigned __int128 Wide;
        if (ticks >= calibration.base_ticks)
            return calibration.base_ns +
                   static_cast<std::uint64_t>((static_cast<Wide>(ticks - calibration.base_ticks) * calibration.ns_per_tick_q32) >> 32);
        return calibration.base_ns -
               static_cast<std::uint64_t>((static_cast<Wide>(calibration.base_ticks - ticks) * calibration.ns_per_tick_q32) >> 32);
    }
#endif
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
class Baggage;     // propagation/baggage.hpp

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

// "No `ot=rv` in the tracestate": OpenTelemetry randomness comes from the trace id.
inline constexpr std::uint64_t no_explicit_randomness = ~std::uint64_t{0};

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
    std::uint64_t explicit_randomness = no_explicit_randomness;  // OpenTelemetry `ot=rv`
    const TraceState* trace_state = nullptr;  // W3C tracestate, owned by whoever extracted it
    const Baggage* baggage = nullptr;         // W3C baggage, owned likewise; travels with the trace

    // Both ids present: a parent that can be continued. Never, when tracing is compiled
    // out: a constant folds away even where the optimizer would not inline (-Os).
    constexpr bool is_valid() const noexcept {
        return config::enabled && trace_id.is_valid() && span_id.is_valid();
    }
    constexpr bool is_sampled() const noexcept { return flags.is_sampled(); }

    // Same identity and sampling state; tracestate and baggage are compared by the propagators.
    friend constexpr bool operator==(const SpanContext& a, const SpanContext& b) noexcept {
        return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags &&
               a.remote == b.remote && a.debug == b.debug &&
               a.sampling_deferred == b.sampling_deferred &&
               a.trace_id_64bit == b.trace_id_64bit &&
               a.sampling_threshold == b.sampling_threshold && a.explicit_randomness == b.explicit_randomness;
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

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
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
// end of "microtrace/sampler.hpp"
// #include "microtrace/span_data.hpp" (inlined)
// microtrace/span_data.hpp — SpanData: everything a span records, in one flat,
// trivially copyable block with fixed capacities.
//
// A span fills its SpanData in place while it runs; the recorder copies the used part
// into its ring when the span ends; the Zipkin writer reads it back. Strings live in one
// byte arena per span, so a span never allocates: what does not fit is counted.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/detail/bytes.hpp" (inlined)
// microtrace/detail/bytes.hpp — copying and scanning short byte strings, inline: names,
// keys and values are mostly a few bytes to a few dozen, where a call to memcpy, or a loop
// over each byte, costs more than the bytes.

#include <cstddef>
#include <cstdint>
#include <cstring>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Copies `size` bytes. Attribute keys and values, names and events are mostly a few bytes
// to a few dozen: on 64-bit targets those are copied inline with two possibly overlapping
// loads and stores, which costs less than the call to memcpy. Never reads outside `from`.
inline void copy_bytes(char* to, const char* from, std::size_t size) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
#if defined(__GNUC__)
    // GCC cannot see that `size` fits both buffers (the caller checked) and, after jump
    // threading, warns about branches dead for the sizes it knows; an empty asm hides where
    // the pointers point. It costs no instruction.
    __asm__("" : "+r"(to), "+r"(from));
#endif
    if (size > 16) {
        std::memcpy(to, from, size);
    } else if (size >= 8) {
        std::uint64_t head, tail;
        std::memcpy(&head, from, 8);
        std::memcpy(&tail, from + size - 8, 8);
        std::memcpy(to, &head, 8);
        std::memcpy(to + size - 8, &tail, 8);
    } else if (size >= 4) {
        std::uint32_t head, tail;
        std::memcpy(&head, from, 4);
        std::memcpy(&tail, from + size - 4, 4);
        std::memcpy(to, &head, 4);
        std::memcpy(to + size - 4, &tail, 4);
    } else if (size != 0) {
        to[0] = from[0];
        to[size / 2] = from[size / 2];
        to[size - 1] = from[size - 1];
    }
#else
    if (size != 0) std::memcpy(to, from, size);  // small targets: the smallest code
#endif
}
// The length of the longest prefix of bytes[0..size) that a JSON string holds as it is:
// printable ASCII but `"` and `\`. Eight bytes at a time on 64-bit targets.
inline std::size_t plain_json_prefix(const unsigned char* bytes, std::size_t size) noexcept {
    std::size_t i = 0;
#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto has_special = [](const unsigned char* at) noexcept {
        std::uint64_t word;
        std::memcpy(&word, at, 8);
        // A byte below 0x20, equal to '"' or '\\', or from 0x80 on: the classic "has a
        // zero byte" test on word - 0x20, word ^ '"' and word ^ '\\' (exact here, since
        // bytes from 0x80 on are excluded first).
        const std::uint64_t below_space = word - ones * 0x20;
        const std::uint64_t quote = word ^ (ones * '"');
        const std::uint64_t backslash = word ^ (ones * '\\');
        return ((word | ((below_space | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & ~word)) &
                highs) != 0;
    };
    for (; i + 8 <= size; i += 8)
        if (has_special(bytes + i)) break;
    // The last few bytes: the 8 that end the string, overlapping bytes already checked.
    if (i + 8 > size && size >= 8 && i < size && !has_special(bytes + size - 8)) return size;
#endif
    while (i < size) {
        const unsigned char c = bytes[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++i;
    }
    return i;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
// end of "microtrace/detail/bytes.hpp"
// #include "microtrace/ids.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

enum class StatusCode : std::uint8_t { unset, ok, error };

enum class AttributeType : std::uint8_t { string, int64, uint64, float64, boolean };

// A slice of a span's string arena.
struct StringRef {
    std::uint16_t offset;
    std::uint16_t size;
};

struct AttributeData {
    StringRef key;
    StringRef text;           // the value, when type == string
    AttributeType type;
    std::uint64_t number;     // the value's bits otherwise (int64/uint64/double/bool)
};

struct EventData {
    std::uint64_t epoch_ns;
    StringRef name;
};

// Zipkin's remote endpoint. Addresses are kept as bytes, so what is written out is
// always a well-formed address.
struct EndpointData {
    StringRef service_name;
    std::uint8_t ipv4[4];
    std::uint8_t ipv6[16];
    std::uint16_t port;       // 0: not set
    bool has_service_name;
    bool has_ipv4;
    bool has_ipv6;
};

// Bits of SpanData::options.
struct SpanOptions {
    static constexpr std::uint8_t debug = 0x01;          // Zipkin "debug": true
    static constexpr std::uint8_t shared = 0x02;         // Zipkin "shared": true
    static constexpr std::uint8_t remote_endpoint = 0x04;
    static constexpr std::uint8_t trace_id_64bit = 0x08; // written back as 16 hex digits
    static constexpr std::uint8_t unsampled = 0x10;      // recorded by a flight recorder, not head-sampled
    static constexpr std::uint8_t kept = 0x20;           // exported because a keep rule kept its trace
};

// The recorded form of a span. No default member initializers on purpose: a span
// that is not sampled never touches this block, so it must cost nothing to create.
struct SpanData {
    TraceId trace_id;
    SpanId span_id;
    SpanId parent_id;         // invalid (0) for a root
    std::uint64_t start_epoch_ns;
    std::uint64_t duration_ns;
    SpanKind kind;
    StatusCode status;
    std::uint8_t options;
    std::uint8_t service_index;        // into the recorder's service-name table
    std::uint8_t attribute_count;
    std::uint8_t event_count;
    std::uint16_t dropped_attributes;
    std::uint16_t dropped_events;
    std::uint16_t truncated_strings;
    std::uint16_t string_bytes_used;
    StringRef name;
    StringRef status_message;
    std::uint16_t thread;              // the recording thread's ordinal (fills padding)
    alignas(8) EndpointData remote;    // meaningful only with SpanOptions::remote_endpoint
    alignas(8) AttributeData attributes[config::max_attributes > 0 ? config::max_attributes : 1];
    alignas(8) EventData events[config::max_events > 0 ? config::max_events : 1];
    alignas(8) char strings[config::span_string_bytes];

    // Resets the fixed part for a new span; the remote endpoint and the arrays are filled
    // as they are used.
    void reset() noexcept { std::memset(static_cast<void*>(this), 0, offsetof(SpanData, remote)); }

    std::string_view view(StringRef ref) const noexcept { return {strings + ref.offset, ref.size}; }

    // Copies `text` into the arena, cut at a UTF-8 character boundary when it does not
    // fit whole (the cut is counted). Returns the stored slice.
    StringRef store(std::string_view text) noexcept {
        const std::size_t room = sizeof strings - string_bytes_used;
        std::size_t size = text.size();
        if (size > room) {
            size = utf8_prefix_length(text, room);
            ++truncated_strings;
        }
        const StringRef ref{string_bytes_used, static_cast<std::uint16_t>(size)};
        detail::copy_bytes(strings + string_bytes_used, text.data(), size);
        string_bytes_used = static_cast<std::uint16_t>(string_bytes_used + size);
        return ref;
    }

    // Stores `first` then `second` as one string (e.g. "exception: " + message).
    StringRef store_joined(std::string_view first, std::string_view second) noexcept {
        StringRef ref = store(first);
        if (ref.size == first.size()) ref.size = static_cast<std::uint16_t>(ref.size + store(second).size);
        return ref;
    }

    // The attribute with this key, or nullptr.
    AttributeData* find_attribute(std::string_view key) noexcept {
        for (std::uint8_t i = 0; i < attribute_count; ++i)
            if (view(attributes[i].key) == key) return &attributes[i];
        return nullptr;
    }

    // The slot for `key`: its existing one (values are replaced, as in OpenTelemetry),
    // or a new one. nullptr, counted as dropped, when the span is full.
    AttributeData* attribute_slot(std::string_view key) noexcept {
        if (AttributeData* existing = find_attribute(key)) return existing;
        if (attribute_count == config::max_attributes ||
            key.size() > sizeof strings - string_bytes_used) {
            ++dropped_attributes;
            return nullptr;
        }
        AttributeData& slot = attributes[attribute_count++];
        slot.key = store(key);
        slot.text = StringRef{0, 0};
        return &slot;
    }

    void add_event(std::uint64_t epoch_ns, StringRef event_name) noexcept {
        events[event_count++] = EventData{epoch_ns, event_name};
    }
    bool events_full() const noexcept { return event_count == config::max_events; }

    // Bytes of this block that hold data: the recorder copies only these.
    std::size_t used_attribute_bytes() const noexcept { return attribute_count * sizeof(AttributeData); }
    std::size_t used_event_bytes() const noexcept { return event_count * sizeof(EventData); }

    // Longest prefix of `text` no longer than `limit` bytes that does not split a UTF-8
    // sequence (continuation bytes are 10xxxxxx).
    static std::size_t utf8_prefix_length(std::string_view text, std::size_t limit) noexcept {
        if (limit >= text.size()) return text.size();
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80 && limit - cut < 3)
            --cut;
        return cut;
    }
};

static_assert(std::is_trivially_copyable_v<SpanData>, "the recorder copies SpanData as raw words");
static_assert(config::span_string_bytes <= 0xFFFF, "StringRef offsets are 16-bit");

MICROTRACE_END_NAMESPACE
// end of "microtrace/span_data.hpp"
// #include "microtrace/endpoint.hpp" (inlined)
// microtrace/endpoint.hpp — IP addresses for Zipkin endpoints: parsed from text into
// bytes, written back in canonical form (RFC 5952 for IPv6), so a dump never carries
// a malformed address.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// The peer of a client or server span, as a user describes it.
struct Endpoint {
    std::string_view service_name;
    std::string_view address;  // IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1"); empty: none
    std::uint16_t port = 0;    // 0: none
};

namespace detail {

// Parses dotted-quad IPv4 ("0.0.0.0" to "255.255.255.255", no leading zeros).
constexpr bool parse_ipv4(std::string_view text, std::uint8_t (&out)[4]) noexcept {
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= text.size() || text[i] != '.') return false;
            ++i;
        }
        const std::size_t begin = i;
        unsigned value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - begin < 3)
            value = value * 10 + static_cast<unsigned>(text[i++] - '0');
        const std::size_t digits = i - begin;
        if (digits == 0 || value > 255 || (digits > 1 && text[begin] == '0')) return false;
        out[part] = static_cast<std::uint8_t>(value);
    }
    return i == text.size();
}

// Parses IPv6 text (RFC 4291 2.2: groups of 1-4 hex digits, at most one "::", an
// optional trailing dotted IPv4; either hex case).
constexpr bool parse_ipv6(std::string_view text, std::uint8_t (&out)[16]) noexcept {
    std::uint16_t groups[8] = {};
    int count = 0;
    int gap = -1;  // index in groups[] where "::" stands
    std::size_t i = 0;
    if (text.substr(0, 2) == "::") {
        gap = 0;
        i = 2;
    } else if (text.empty() || text[0] == ':') {
        return false;
    }
    while (i < text.size()) {
        if (count == 8) return false;
        // A trailing IPv4 takes the last two groups.
        const std::size_t next_colon = text.find(':', i);
        const std::string_view rest = text.substr(i);
        if (next_colon == std::string_view::npos && rest.find('.') != std::string_view::npos) {
            std::uint8_t v4[4] = {};
            if (count > 6 || !parse_ipv4(rest, v4)) return false;
            groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
            groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
            i = text.size();
            break;
        }
        unsigned value = 0;
        std::size_t digits = 0;
        for (; i < text.size() && text[i] != ':'; ++i, ++digits) {
            const char c = text[i];
            int digit = -1;
            if (c >= '0' && c <= '9') digit = c - '0';
            if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
            if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
            if (digit < 0 || digits == 4) return false;
            value = value << 4 | static_cast<unsigned>(digit);
        }
        if (digits == 0) return false;
        groups[count++] = static_cast<std::uint16_t>(value);
        if (i == text.size()) break;
        ++i;  // the ':'
        if (i < text.size() && text[i] == ':') {
            if (gap >= 0) return false;
            gap = count;
            ++i;
        } else if (i == text.size()) {
            return false;  // a single trailing ':'
        }
    }
    if (gap < 0 ? count != 8 : count > 7) return false;
    std::uint16_t full[8] = {};
    const int tail = gap < 0 ? 0 : count - gap;
    for (int g = 0; g < count - tail; ++g) full[g] = groups[g];
    for (int g = 0; g < tail; ++g) full[8 - tail + g] = groups[gap + g];
    for (int g = 0; g < 8; ++g) {
        out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
        out[2 * g + 1] = static_cast<std::uint8_t>(full[g] & 0xFF);
    }
    return true;
}

// Writes an IPv4 address as a dotted quad; returns one past the end (at most 15 chars).
inline char* write_ipv4(const std::uint8_t (&address)[4], char* out) noexcept {
    for (int part = 0; part < 4; ++part) {
        if (part > 0) *out++ = '.';
        const unsigned value = address[part];
        if (value >= 100) *out++ = static_cast<char>('0' + value / 100);
        if (value >= 10) *out++ = static_cast<char>('0' + value / 10 % 10);
        *out++ = static_cast<char>('0' + value % 10);
    }
    return out;
}

// Writes an IPv6 address in RFC 5952 canonical form: lowercase, no leading zeros, the
// longest run of two or more zero groups (the first on a tie) as "::", and an
// IPv4-mapped address with its IPv4 part dotted. Returns one past the end (≤ 45 chars).
inline char* write_ipv6(const std::uint8_t (&address)[16], char* out) noexcept {
    unsigned groups[8];
    for (int g = 0; g < 8; ++g) groups[g] = static_cast<unsigned>(address[2 * g] << 8 | address[2 * g + 1]);
    int best_start = -1, best_length = 1;
    for (int g = 0; g < 8;) {
        int length = 0;
        while (g + length < 8 && groups[g + length] == 0) ++length;
        if (length > best_length) {
            best_start = g;
            best_length = length;
        }
        g += length > 0 ? length : 1;
    }
    const bool ipv4_mapped = best_start == 0 && best_length == 5 && groups[5] == 0xFFFF;
    constexpr char hex[] = "0123456789abcdef";
    for (int g = 0; g < (ipv4_mapped ? 6 : 8); ++g) {
        if (g == best_start) {
            *out++ = ':';
            *out++ = ':';
            g += best_length - 1;
            continue;
        }
        if (g > 0 && g != best_start + best_length) *out++ = ':';
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned digit = groups[g] >> shift & 0xF;
            if (digit != 0 || started || shift == 0) {
                *out++ = hex[digit];
                started = true;
            }
        }
    }
    if (ipv4_mapped) {
        const std::uint8_t v4[4] = {address[12], address[13], address[14], address[15]};
        *out++ = ':';
        out = write_ipv4(v4, out);
    }
    return out;
}

}  // namespace detail

MICROTRACE_END_NAMESPACE
// end of "microtrace/endpoint.hpp"
// #include "microtrace/json.hpp" (inlined)
// microtrace/json.hpp — a streaming JSON writer over a small fixed buffer.
//
// Output goes to a Sink in chunks, so a dump of any size needs no heap. Strings are
// written as valid JSON whatever bytes they hold: control characters are escaped and
// invalid UTF-8 becomes U+FFFD, one per maximal invalid subsequence (the Unicode
// "best practice" that Python's and browsers' decoders follow too).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/bytes.hpp" (already inlined above)
// #include "microtrace/detail/decimal.hpp" (inlined)
// microtrace/detail/decimal.hpp — unsigned 64-bit integers in decimal, without pulling a
// 64-bit division routine into 32-bit firmware.

#include <cstdint>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Divides `value` by `divisor` (below 2^16) in place and returns the remainder. On 32-bit
// targets a 64-bit `/` links libgcc's __udivmoddi4 (700 bytes on a Cortex-M); long
// division by 16-bit digits needs only the CPU's 32-bit divide.
constexpr std::uint32_t divide_in_place(std::uint64_t& value, std::uint32_t divisor) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
    const auto remainder = static_cast<std::uint32_t>(value % divisor);
    value /= divisor;
    return remainder;
#else
    std::uint64_t quotient = 0;
    std::uint32_t remainder = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        const std::uint32_t part = remainder << 16 | static_cast<std::uint32_t>(value >> shift & 0xFFFF);
        quotient |= std::uint64_t{part / divisor} << shift;
        remainder = part % divisor;
    }
    value = quotient;
    return remainder;
#endif
}

// Writes `value` in decimal; returns one past the last digit (at most 20 digits).
constexpr char* write_decimal(std::uint64_t value, char* out) noexcept {
    char reversed[20] = {};
    int count = 0;
    do {
        reversed[count++] = static_cast<char>('0' + divide_in_place(value, 10));
    } while (value != 0);
    while (count > 0) *out++ = reversed[--count];
    return out;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
// end of "microtrace/detail/decimal.hpp"
// #include "microtrace/detail/hex.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Where dumps go: a function and its context, called with consecutive chunks.
// Made implicitly from a std::string (appends), a FILE* (fwrite), or any callable
// taking std::string_view.
class Sink {
  public:
    using WriteFn = void (*)(void* context, const char* data, std::size_t size) noexcept;

    Sink(WriteFn write_fn, void* context) noexcept : write_(write_fn), context_(context) {}
    Sink(std::string& out) noexcept : Sink(&append_to_string, &out) {}
    Sink(std::FILE* file) noexcept : Sink(&write_to_file, file) {}
    // The callable is borrowed: it must outlive the Sink (a temporary lambda passed
    // straight to a dump call does).
    template <class Callable,
              class Target = std::remove_reference_t<Callable>,
              class = std::enable_if_t<std::is_invocable_v<Target&, std::string_view> &&
                                       !std::is_same_v<std::decay_t<Callable>, Sink>>>
    Sink(Callable&& callable) noexcept : Sink(&call<Target>, const_cast<void*>(static_cast<const void*>(&callable))) {}

    void write(const char* data, std::size_t size) const noexcept { write_(context_, data, size); }

  private:
    static void append_to_string(void* out, const char* data, std::size_t size) noexcept {
        static_cast<std::string*>(out)->append(data, size);
    }
    static void write_to_file(void* file, const char* data, std::size_t size) noexcept {
        std::fwrite(data, 1, size, static_cast<std::FILE*>(file));
    }
    template <class Target>
    static void call(void* callable, const char* data, std::size_t size) noexcept {
        (*static_cast<Target*>(callable))(std::string_view(data, size));
    }

    WriteFn write_;
    void* context_;
};

namespace detail {

// Decodes one UTF-8 character at text[0..size). Returns its length, or 0 when the bytes
// there do not start a valid character; then `invalid_length` is the maximal
// invalid subsequence to replace with one U+FFFD (RFC 3629 and Unicode 15, 3.9).
constexpr std::size_t utf8_valid_length(const unsigned char* text, std::size_t size,
                                        std::size_t& invalid_length) noexcept {
    const unsigned char lead = text[0];
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;    // no overlongs
        if (lead == 0xED) high = 0x9F;   // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;    // no overlongs
        if (lead == 0xF4) high = 0x8F;   // nothing above U+10FFFF
    } else {
        invalid_length = 1;
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char lo = i == 1 ? low : 0x80, hi = i == 1 ? high : 0xBF;
        if (i >= size || text[i] < lo || text[i] > hi) {
            invalid_length = i;
            return 0;
        }
    }
    return length;
}

}  // namespace detail

namespace detail {

// Writes `value` in decimal; returns one past the last digit (at most 20). On 64-bit
// targets two digits at a time from a table (a division by 100 is a multiplication);
// elsewhere detail::write_decimal, which needs no 64-bit division routine.
inline char* write_decimal_fast(std::uint64_t value, char* out) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
    static constexpr char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char digits[20];
    char* start = digits + sizeof digits;
    while (value >= 100) {
        const std::uint64_t rest = value / 100;
        start -= 2;
        std::memcpy(start, pairs + 2 * (value - rest * 100), 2);
        value = rest;
    }
    if (value >= 10) {
        start -= 2;
        std::memcpy(start, pairs + 2 * value, 2);
    } else {
        *--start = static_cast<char>('0' + value);
    }
    const auto size = static_cast<std::size_t>(digits + sizeof digits - start);
    std::memcpy(out, start, size);
    return out + size;
#else
    return write_decimal(value, out);
#endif
}

#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
// Writes `value` as exactly 16 lowercase hex digits, a byte at a time from a 512-byte
// table (detail::write_hex_u64 goes a nibble at a time).
inline void write_hex_fast(std::uint64_t value, char* out) noexcept {
    struct Table {
        char pairs[512];
        constexpr Table() noexcept : pairs() {
            for (int byte = 0; byte < 256; ++byte) {
                pairs[2 * byte] = "0123456789abcdef"[byte >> 4];
                pairs[2 * byte + 1] = "0123456789abcdef"[byte & 15];
            }
        }
    };
    static constexpr Table table;
    for (int byte = 0; byte < 8; ++byte)  // unrolled by the compiler: constant trip count
        std::memcpy(out + 2 * byte, table.pairs + 2 * ((value >> (56 - 8 * byte)) & 0xFF), 2);
}
#endif

}  // namespace detail

// Writes JSON text into a fixed buffer and flushes it to a Sink when full and at the end.
// Text goes in by runs, not byte by byte: a run of bytes that need no escaping is one copy.
class JsonWriter {
  public:
    static constexpr std::size_t buffer_size = 256;

    explicit JsonWriter(Sink sink) noexcept : sink_(sink) {}
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    ~JsonWriter() { flush(); }

    // Appends bytes that are already JSON (punctuation, keys we wrote ourselves).
    void raw(std::string_view text) noexcept {
#if defined(__OPTIMIZE_SIZE__)
        for (char c : text) raw(c);  // the smallest code
#else
        if (text.size() <= buffer_size - used_) {  // nearly always: one inline copy
            detail::copy_bytes(buffer_ + used_, text.data(), text.size());
            used_ += text.size();
        } else {
            raw_in_pieces(text);
        }
#endif
    }
    void raw(char c) noexcept {
        if (used_ == buffer_size) flush();
        buffer_[used_++] = c;
    }

    // Appends `text` as a quoted JSON string, escaped and with invalid UTF-8 replaced.
    void string(std::string_view text) noexcept {
        raw('"');
        string_body(text);
        raw('"');
    }

    // Appends the escaped contents of a string without the quotes, so a caller can build
    // one JSON string from several pieces.
    void string_body(std::string_view text) noexcept {
        const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t size = text.size();
        std::size_t i = 0;
        while (i < size) {
#if defined(__OPTIMIZE_SIZE__)
            const unsigned char c = bytes[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {  // byte by byte: the smallest code
                raw(static_cast<char>(c));
                ++i;
                continue;
            }
#else
            const std::size_t run = i + detail::plain_json_prefix(bytes + i, size - i);
            if (run != i) {  // a run that needs no escaping: one copy
                raw(text.substr(i, run - i));
                i = run;
                if (i == size) break;
            }
            const unsigned char c = bytes[i];
#endif
            if (c < 0x80) {
                escape_ascii(c);
                ++i;
            } else {
                std::size_t invalid = 0;
                const std::size_t length = detail::utf8_valid_length(bytes + i, size - i, invalid);
                if (length == 0) {
                    raw("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
                    i += invalid;
                } else {
                    raw(text.substr(i, length));
                    i += length;
                }
            }
        }
    }

    // Appends an unsigned integer in decimal.
    void number(std::uint64_t value) noexcept {
        char digits[20];
        raw(std::string_view(digits, static_cast<std::size_t>(detail::write_decimal_fast(value, digits) - digits)));
    }

    // Direct access for pieces of known maximum size (at most buffer_size): returns where
    // to write `size` bytes at most, flushing first if they might not fit; commit() then
    // takes what was written, up to its end.
    char* reserve(std::size_t size) noexcept {
        if (buffer_size - used_ < size) flush();
        return buffer_ + used_;
    }
    void commit(const char* end) noexcept { used_ = static_cast<std::size_t>(end - buffer_); }

    void flush() noexcept {
        if (used_ != 0) sink_.write(buffer_, used_);
        used_ = 0;
    }

  private:
    void raw_in_pieces(std::string_view text) noexcept {
        while (!text.empty()) {
            if (used_ == buffer_size) flush();
            const std::size_t piece = text.size() < buffer_size - used_ ? text.size() : buffer_size - used_;
            std::memcpy(buffer_ + used_, text.data(), piece);
            used_ += piece;
            text.remove_prefix(piece);
        }
    }

    void escape_ascii(unsigned char c) noexcept {
        constexpr char hex[] = "0123456789abcdef";
        char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        std::size_t size = 2;
        switch (c) {
            case '"': escape[1] = '"'; break;
            case '\\': escape[1] = '\\'; break;
            case '\b': escape[1] = 'b'; break;
            case '\f': escape[1] = 'f'; break;
            case '\n': escape[1] = 'n'; break;
            case '\r': escape[1] = 'r'; break;
            case '\t': escape[1] = 't'; break;
            default: size = 6; break;
        }
        raw(std::string_view(escape, size));
    }

    Sink sink_;
    std::size_t used_ = 0;
    char buffer_[buffer_size];
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/json.hpp"
// #include "microtrace/zipkin.hpp" (inlined)
// microtrace/zipkin.hpp — one span as a Zipkin v2 JSON object.
//
// Follows zipkin2-api.yaml and OpenTelemetry's Zipkin mapping: lowercase hex ids,
// integer microseconds (duration at least 1), kind in upper case and omitted for
// internal spans, every tag a string, status as `otel.status_code` / `error`, drops as
// `otel.dropped_*`, events as annotations, no empty fields.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/detail/decimal.hpp" (already inlined above)
// #include "microtrace/endpoint.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

constexpr std::string_view zipkin_kind(SpanKind kind) noexcept {
    switch (kind) {
        case SpanKind::server: return "SERVER";
        case SpanKind::client: return "CLIENT";
        case SpanKind::producer: return "PRODUCER";
        case SpanKind::consumer: return "CONSUMER";
        case SpanKind::internal: break;
    }
    return {};
}

// Nanoseconds to Zipkin microseconds, to the nearest one.
constexpr std::uint64_t to_micros(std::uint64_t ns) noexcept {
    const std::uint32_t remainder = divide_in_place(ns, 1000);
    return ns + (remainder >= 500);
}

// Tags this span's status and drop counts write themselves; a user attribute of the same name
// would repeat the key (JSON readers keep only one of them), so it gives way.
constexpr bool is_reserved_tag(std::string_view key, const SpanData& span) noexcept {
    return (span.status != StatusCode::unset && (key == "otel.status_code" || key == "error")) ||
           (span.dropped_attributes != 0 && key == "otel.dropped_attributes_count") ||
           (span.dropped_events != 0 && key == "otel.dropped_events_count") ||
           (span.truncated_strings != 0 && key == "microtrace.truncated_strings");
}

// Writes a finite or infinite double with up to 9 significant digits, in fixed notation
// from 1e-5 to 1e9 and scientific otherwise ("-1.5", "0.001", "2.5e+12"). Integral values
// below 2^53 are exact. Small: no tables, only a few floating-point operations, for
// targets where std::to_chars would link ~100 KiB (MICROTRACE_FLOAT_TO_CHARS=0).
inline char* write_double_compact(double value, char* out) noexcept {
    if (value < 0) {
        *out++ = '-';
        value = -value;
    }
    if (value > 1.7976931348623157e308) return std::memcpy(out, "inf", 3), out + 3;
    if (value < 9007199254740992.0 && value == static_cast<double>(static_cast<std::uint64_t>(value)))
        return write_decimal(static_cast<std::uint64_t>(value), out);
    int exponent = 0;  // value = mantissa * 10^exponent, mantissa in [1, 10)
    double mantissa = value;
    while (mantissa >= 10) mantissa /= 10, ++exponent;
    while (mantissa < 1) mantissa *= 10, --exponent;
    auto significant = static_cast<std::uint32_t>(mantissa * 1e8 + 0.5);  // 9 digits
    if (significant >= 1000000000u) significant /= 10, ++exponent;
    int digits = 9;
    while (significant % 10 == 0) significant /= 10, --digits;
    char text[10];
    write_decimal(significant, text);
    if (exponent >= -5 && exponent < 9) {
        if (exponent < 0) {
            *out++ = '0';
            *out++ = '.';
            for (int zeros = -exponent - 1; zeros > 0; --zeros) *out++ = '0';
            for (int i = 0; i < digits; ++i) *out++ = text[i];
            return out;
        }
        for (int i = 0; i < digits || i <= exponent; ++i) {
            if (i == exponent + 1) *out++ = '.';
            *out++ = i < digits ? text[i] : '0';
        }
        return out;
    }
    *out++ = text[0];
    if (digits > 1) *out++ = '.';
    for (int i = 1; i < digits; ++i) *out++ = text[i];
    *out++ = 'e';
    *out++ = exponent < 0 ? '-' : '+';
    return write_decimal(static_cast<std::uint64_t>(exponent < 0 ? -exponent : exponent), out);
}

// Writes a double as tag text: std::to_chars's shortest round-trip form, or the compact
// form where MICROTRACE_FLOAT_TO_CHARS=0.
inline char* write_double(double value, char* out) noexcept {
    if (value != value) return static_cast<char*>(std::memcpy(out, "NaN", 3)) + 3;
#if MICROTRACE_FLOAT_TO_CHARS
    return std::to_chars(out, out + 32, value).ptr;
#else
    return write_double_compact(value, out);
#endif
}

// Dumps reach the double formatter through this pointer, which the first floating-point
// attribute sets: a program that never sets one never links the formatter (nor, on a
// Cortex-M, the soft-float routines it needs).
using FloatWriter = char* (*)(double, char*) noexcept;
inline Atomic<FloatWriter> float_writer{nullptr};
inline void use_float_attributes() noexcept {
    if (float_writer.load(std::memory_order_relaxed) == nullptr) float_writer.store(&write_double, std::memory_order_relaxed);
}

// Writes a non-string attribute value as the text OpenTelemetry's Zipkin mapping uses.
inline void write_number_text(JsonWriter& json, const AttributeData& attribute) noexcept {
    char text[32];
    char* end = text;
    switch (attribute.type) {
        case AttributeType::boolean:
            json.raw(attribute.number != 0 ? "true" : "false");
            return;
        case AttributeType::uint64:
            json.number(attribute.number);
            return;
        case AttributeType::int64: {
            const bool negative = (attribute.number >> 63) != 0;  // two's complement bits
            if (negative) *end++ = '-';
            end = write_decimal(negative ? ~attribute.number + 1 : attribute.number, end);
            break;
        }
        case AttributeType::float64: {
            double value;
            std::memcpy(&value, &attribute.number, sizeof value);
            const FloatWriter write_double = float_writer.load(std::memory_order_relaxed);
            if (write_double != nullptr) end = write_double(value, text);
            break;
        }
        case AttributeType::string:
            return;
    }
    json.raw(std::string_view(text, static_cast<std::size_t>(end - text)));
}

// Opens the "tags" object at its first entry, so a span without tags has no empty field.
class TagsWriter {
  public:
    explicit TagsWriter(JsonWriter& json) noexcept : json_(json) {}
    TagsWriter(const TagsWriter&) = delete;
    TagsWriter& operator=(const TagsWriter&) = delete;
    ~TagsWriter() {
        if (opened_) json_.raw('}');
    }

    // Starts an entry and returns the writer for its key and value.
    JsonWriter& entry() noexcept {
        json_.raw(opened_ ? "," : ",\"tags\":{");
        opened_ = true;
        return json_;
    }
    void count(std::string_view key, std::uint64_t count) noexcept {
        if (count == 0) return;
        entry().raw('"');
        json_.raw(key);
        json_.raw("\":\"");
        json_.number(count);
        json_.raw('"');
    }

  private:
    JsonWriter& json_;
    bool opened_ = false;
};

inline void write_tags(JsonWriter& json, const SpanData& span) noexcept {
    TagsWriter tags(json);
    for (std::uint8_t i = 0; i < span.attribute_count; ++i) {
        const AttributeData& attribute = span.attributes[i];
        const std::string_view key = span.view(attribute.key);
        if (is_reserved_tag(key, span)) continue;
        tags.entry().string(key);
        json.raw(":\"");
        if (attribute.type == AttributeType::string)
            json.string_body(span.view(attribute.text));
        else
            write_number_text(json, attribute);
        json.raw('"');
    }
    if (span.status == StatusCode::ok) tags.entry().raw("\"otel.status_code\":\"OK\"");
    if (span.status == StatusCode::error) {
        tags.entry().raw("\"otel.status_code\":\"ERROR\",\"error\":");
        json.string(span.view(span.status_message));
    }
    tags.count("otel.dropped_attributes_count", span.dropped_attributes);
    tags.count("otel.dropped_events_count", span.dropped_events);
    tags.count("microtrace.truncated_strings", span.truncated_strings);
}

inline void write_remote_endpoint(JsonWriter& json, const SpanData& span) noexcept {
    const EndpointData& remote = span.remote;
    json.raw(",\"remoteEndpoint\":{");
    const char* separator = "";
    if (remote.has_service_name) {
        json.raw("\"serviceName\":");
        json.string(span.view(remote.service_name));
        separator = ",";
    }
    char address[46];
    auto write_address = [&](std::string_view field, const char* end) {
        json.raw(separator);
        json.raw(field);
        json.raw(std::string_view(address, static_cast<std::size_t>(end - address)));
        json.raw('"');
        separator = ",";
    };
    if (remote.has_ipv4) write_address("\"ipv4\":\"", write_ipv4(remote.ipv4, address));
    if (remote.has_ipv6) write_address("\"ipv6\":\"", write_ipv6(remote.ipv6, address));
    if (remote.port != 0) {
        json.raw(separator);
        json.raw("\"port\":");
        json.number(remote.port);
    }
    json.raw('}');
}

// `text` (a literal) at `out`; returns one past it. The size is a constant: a few moves.
template <std::size_t N>
inline char* append_literal(char* out, const char (&text)[N]) noexcept {
    std::memcpy(out, text, N - 1);
    return out + N - 1;
}

// The two fixed-size runs of a span object, written straight into the writer's buffer: one
// bounds check for the run instead of one per piece, and the position kept in a register.
// When optimizing for size each piece goes through the writer instead: less code.
// Up to the id's closing quote and the kind: 12 + 32 + 14 + 16 + 8 + 16 + 1 + 10 + 8 + 1.
inline constexpr std::size_t span_opening_size = 118;
// ,"timestamp":<20 digits>,"duration":<20 digits>,"localEndpoint":{"serviceName":
inline constexpr std::size_t span_times_size = 13 + 20 + 12 + 20 + 32;

#if defined(__OPTIMIZE_SIZE__)
class DirectRun {
  public:
    DirectRun(JsonWriter& json, std::size_t) noexcept : json_(json) {}
    template <std::size_t N>
    void literal(const char (&text)[N]) noexcept {
        json_.raw(text);
    }
    void text(std::string_view text) noexcept { json_.raw(text); }
    void hex(std::uint64_t value) noexcept {
        char digits[16];
        json_.raw(std::string_view(digits, static_cast<std::size_t>(write_hex_u64(value, digits) - digits)));
    }
    void number(std::uint64_t value) noexcept { json_.number(value); }
    void put(char c) noexcept { json_.raw(c); }

  private:
    JsonWriter& json_;
};
#else
class DirectRun {
  public:
    DirectRun(JsonWriter& json, std::size_t size) noexcept : json_(json), out_(json.reserve(size)) {}
    DirectRun(const DirectRun&) = delete;
    DirectRun& operator=(const DirectRun&) = delete;
    ~DirectRun() { json_.commit(out_); }

    template <std::size_t N>
    void literal(const char (&text)[N]) noexcept {
        out_ = append_literal(out_, text);
    }
    void text(std::string_view text) noexcept {
        std::memcpy(out_, text.data(), text.size());
        out_ += text.size();
    }
    void hex(std::uint64_t value) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
        write_hex_fast(value, out_);
        out_ += 16;
#else
        out_ = write_hex_u64(value, out_);
#endif
    }
    void number(std::uint64_t value) noexcept { out_ = write_decimal_fast(value, out_); }
    void put(char c) noexcept { *out_++ = c; }

  private:
    JsonWriter& json_;
    char* out_;
};
#endif

}  // namespace detail

// Writes `span` as one Zipkin v2 span object, with `service_name` as its local endpoint.
inline void write_zipkin_span(JsonWriter& json, const SpanData& span, std::string_view service_name) noexcept {
    {
        detail::DirectRun run(json, detail::span_opening_size);
        run.literal("{\"traceId\":\"");
        const bool short_trace_id = (span.options & SpanOptions::trace_id_64bit) != 0 && span.trace_id.high == 0;
        if (!short_trace_id) run.hex(span.trace_id.high);
        run.hex(span.trace_id.low);
        if (span.parent_id.is_valid()) {
            run.literal("\",\"parentId\":\"");
            run.hex(span.parent_id.value);
        }
        run.literal("\",\"id\":\"");
        run.hex(span.span_id.value);
        run.put('"');
        if (const std::string_view kind = detail::zipkin_kind(span.kind); !kind.empty()) {
            run.literal(",\"kind\":\"");
            run.text(kind);
            run.put('"');
        }
    }
    if (span.name.size != 0) {
        json.raw(",\"name\":");
        json.string(span.view(span.name));
    }
    {
        detail::DirectRun run(json, detail::span_times_size);
        run.literal(",\"timestamp\":");
        run.number(detail::to_micros(span.start_epoch_ns));
        run.literal(",\"duration\":");
        const std::uint64_t duration = detail::to_micros(span.duration_ns);
        run.number(duration != 0 ? duration : 1);
        run.literal(",\"localEndpoint\":{\"serviceName\":");
    }
    json.string(service_name);
    json.raw('}');
    if (span.options & SpanOptions::remote_endpoint) detail::write_remote_endpoint(json, span);
    if (span.event_count != 0) {
        json.raw(",\"annotations\":[");
        for (std::uint8_t i = 0; i < span.event_count; ++i) {
            json.raw(i == 0 ? "{\"timestamp\":" : ",{\"timestamp\":");
            json.number(detail::to_micros(span.events[i].epoch_ns));
            json.raw(",\"value\":");
            json.string(span.view(span.events[i].name));
            json.raw('}');
        }
        json.raw(']');
    }
    detail::write_tags(json, span);
    if (span.options & SpanOptions::debug) json.raw(",\"debug\":true");
    if (span.options & SpanOptions::shared) json.raw(",\"shared\":true");
    json.raw('}');
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/zipkin.hpp"
// #include "microtrace/recorder.hpp" (inlined)
// microtrace/recorder.hpp — the fixed-size span ring: many writers, a concurrent dump,
// exact counters, no heap after construction and no lock on the writing path.
//
// Storage is split into lanes; a thread always writes to the same lane (its ordinal
// modulo the lane count), so writers on different lanes share no cache line. Each slot
// is a seqlock: a writer claims it (odd sequence), copies the span in, and publishes it
// (even sequence naming the span's position). A reader copies a slot out and keeps the
// copy only if the sequence did not move, so a dump only ever sees whole spans.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)
// #include "microtrace/zipkin.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// What happens to a span that ends while its lane is full.
enum class OverflowPolicy : std::uint8_t {
    overwrite_oldest,  // flight recorder: the oldest span not yet drained is lost (counted)
    drop_newest,       // the ending span is lost (counted)
};

// Recorder counters. At rest, `recorded + dropped` equals the sampled spans ended, and
// `recorded == dumped + overwritten + held`.
struct RecorderStats {
    std::uint64_t started = 0;      // sampled spans started
    std::uint64_t recorded = 0;     // sampled spans written to the ring
    std::uint64_t dropped = 0;      // sampled spans lost because the ring was full (drop_newest)
    std::uint64_t overwritten = 0;  // recorded spans lost to newer ones before a drain took them
    std::uint64_t dumped = 0;       // spans drained (consumed) by drain/drain_zipkin
    std::uint64_t held = 0;         // spans in the ring now
};

// One ring entry. Public so storage can be supplied by the caller (a static array in a
// chosen memory section, say); its contents are the recorder's business.
struct RecorderSlot {
    // One word when tracing is compiled out, so caller-supplied storage costs nothing.
    static constexpr std::size_t word_count = config::enabled ? sizeof(SpanData) / sizeof(std::uint64_t) : 1;
    // 0: never written; 2p+1: span at position p being written; 2p+2: holds position p.
    detail::Atomic<std::uint64_t> sequence{0};
    detail::Atomic<std::uint64_t> words[word_count]{};
};

// One lane's positions and counters; writer-side and reader-side fields sit on separate
// cache lines so a dump does not slow the writers down.
struct RecorderLane {
    alignas(64) detail::Atomic<std::uint64_t> head{0};     // positions handed out (= recorded)
    detail::Atomic<std::uint64_t> started{0};
    detail::Atomic<std::uint64_t> dropped{0};
    alignas(64) detail::Atomic<std::uint64_t> tail{0};     // first position not yet drained
    detail::Atomic<std::uint64_t> dumped{0};
    detail::Atomic<std::uint64_t> overwritten{0};          // counted by drains
};

namespace detail {

#if MICROTRACE_THREAD_LOCAL
// Thread ordinals, which pick each thread's lane: a thread takes the smallest number no
// running thread holds and gives it back when it exits, so the threads running at any time
// spread evenly over the lanes even when a pool keeps replacing them. Beyond the 256
// numbers tracked here, ordinals come from a counter.
struct OrdinalPool {
    static constexpr std::uint32_t tracked = 256;
    Atomic<std::uint64_t> taken[tracked / 64]{};
    Atomic<std::uint32_t> next_untracked{tracked};
};
inline OrdinalPool ordinal_pool;

inline std::uint32_t take_ordinal() noexcept {
    for (std::uint32_t word = 0; word < OrdinalPool::tracked / 64; ++word) {
        std::uint64_t bits = ordinal_pool.taken[word].load(std::memory_order_relaxed);
        while (bits != ~std::uint64_t{0}) {
            std::uint32_t bit = 0;
            while ((bits >> bit) & 1) ++bit;
            if (ordinal_pool.taken[word].compare_exchange_weak(bits, bits | (std::uint64_t{1} << bit),
                                                               std::memory_order_relaxed))
                return word * 64 + bit;
        }
    }
    return ordinal_pool.next_untracked.fetch_add(1, std::memory_order_relaxed);
}

inline void give_back_ordinal(std::uint32_t ordinal) noexcept {
    if (ordinal >= OrdinalPool::tracked) return;
    Atomic<std::uint64_t>& word = ordinal_pool.taken[ordinal / 64];
    std::uint64_t bits = word.load(std::memory_order_relaxed);
    while (!word.compare_exchange_weak(bits, bits & ~(std::uint64_t{1} << (ordinal % 64)), std::memory_order_relaxed)) {
    }
}

// Gives the thread's ordinal back when the thread exits.
struct OrdinalLease {
    std::uint32_t ordinal;
    ~OrdinalLease() { give_back_ordinal(ordinal); }
};

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline std::uint32_t lease_ordinal() noexcept {
    thread_local OrdinalLease lease{take_ordinal()};
    return lease.ordinal;
}
#endif

// A small per-process number for the calling thread, used to pick its lane. Without
// thread_local every thread shares lane 0 (still safe: lanes take many writers).
inline std::uint32_t thread_ordinal() noexcept {
#if MICROTRACE_THREAD_LOCAL
    thread_local std::uint32_t ordinal_plus_one = 0;  // constant-initialized: no guard here
    if (ordinal_plus_one == 0) ordinal_plus_one = lease_ordinal() + 1;
    return ordinal_plus_one - 1;
#else
    return 0;
#endif
}

// Byte ranges of a SpanData that hold data (whole 64-bit words: every range starts on
// one), copied as words.
static_assert(offsetof(SpanData, remote) % 8 == 0 && offsetof(SpanData, attributes) % 8 == 0 &&
                  offsetof(SpanData, events) % 8 == 0 && offsetof(SpanData, strings) % 8 == 0,
              "the ranges the recorder copies start on 64-bit words");
template <class Visit>
void for_each_used_range(const SpanData& span, Visit&& visit) noexcept {
    visit(std::size_t{0}, offsetof(SpanData, remote));
    if ((span.options & SpanOptions::remote_endpoint) != 0) visit(offsetof(SpanData, remote), sizeof(EndpointData));
    visit(offsetof(SpanData, attributes), span.used_attribute_bytes());
    visit(offsetof(SpanData, events), span.used_event_bytes());
    visit(offsetof(SpanData, strings), std::size_t{span.string_bytes_used});
}

// Words [first, end) of a span into a slot: plain stores on every 64-bit target, but
// atomic ones, so that a dump reading the slot at the same time is not a data race (the
// seqlock then throws the torn copy away).
inline void store_words(RecorderSlot& slot, const unsigned char* bytes, std::size_t first, std::size_t end) noexcept {
    std::size_t w = first;
#if !defined(__OPTIMIZE_SIZE__)
    for (; w + 2 <= end; w += 2) {  // two at a time: the copy is the bulk of a record
        std::uint64_t low, high;
        std::memcpy(&low, bytes + w * 8, 8);
        std::memcpy(&high, bytes + w * 8 + 8, 8);
        slot.words[w].store(low, std::memory_order_relaxed);
        slot.words[w + 1].store(high, std::memory_order_relaxed);
    }
#endif
    for (; w < end; ++w) {
        std::uint64_t word;
        std::memcpy(&word, bytes + w * 8, 8);
        slot.words[w].store(word, std::memory_order_relaxed);
    }
}

// The whole used part of a span into a slot.
inline void store_words(RecorderSlot& slot, const SpanData& span) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&span);
#if defined(__OPTIMIZE_SIZE__)
    for_each_used_range(span, [&](std::size_t offset, std::size_t size) {
        store_words(slot, bytes, offset / 8, (offset + size + 7) / 8);
    });
#else
    // The fixed part has a constant size: straight-line code, and fewer range computations.
    constexpr std::size_t fixed_words = offsetof(SpanData, remote) / 8;
    for (std::size_t w = 0; w < fixed_words; ++w) {
        std::uint64_t word;
        std::memcpy(&word, bytes + w * 8, 8);
        slot.words[w].store(word, std::memory_order_relaxed);
    }
    const auto range = [&](std::size_t offset, std::size_t size) noexcept {
        store_words(slot, bytes, offset / 8, (offset + size + 7) / 8);
    };
    if ((span.options & SpanOptions::remote_endpoint) != 0) range(offsetof(SpanData, remote), sizeof(EndpointData));
    range(offsetof(SpanData, attributes), span.used_attribute_bytes());
    if (span.event_count != 0) range(offsetof(SpanData, events), span.used_event_bytes());
    range(offsetof(SpanData, strings), span.string_bytes_used);
#endif
}

inline void load_words(const RecorderSlot& slot, SpanData& span, std::size_t offset, std::size_t size) noexcept {
    auto* bytes = reinterpret_cast<unsigned char*>(&span);
    for (std::size_t w = offset / 8; w < (offset + size + 7) / 8; ++w) {
        const std::uint64_t word = slot.words[w].load(std::memory_order_relaxed);
        std::memcpy(bytes + w * 8, &word, sizeof word);
    }
}

// Makes sure a forked child bumps fork_generation even if no id was ever drawn from the
// default generator, which registers the same handler (twice only bumps twice).
inline void watch_forks() noexcept {
#if MICROTRACE_ENABLED && MICROTRACE_POSIX
    static const bool registered = pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
    (void)registered;
#endif
}

// Copies the span at `position` out of `slot`. False when the slot does not hold that
// position whole (overwritten, or being written); `span` is then garbage.
inline bool read_slot(const RecorderSlot& slot, std::uint64_t position, SpanData& span) noexcept {
    const std::uint64_t expected = 2 * position + 2;
    if (slot.sequence.load(std::memory_order_acquire) != expected) return false;
    load_words(slot, span, 0, offsetof(SpanData, remote));
    // A torn header may hold any counts: clamp them so the copy stays in bounds; the
    // sequence check below throws such a copy away.
    if (span.attribute_count > config::max_attributes) span.attribute_count = config::max_attributes;
    if (span.event_count > config::max_events) span.event_count = config::max_events;
    if (span.string_bytes_used > config::span_string_bytes) span.string_bytes_used = config::span_string_bytes;
    for_each_used_range(span, [&](std::size_t offset, std::size_t size) {
        if (offset != 0) load_words(slot, span, offset, size);
    });
    detail::atomic_fence(std::memory_order_acquire);
    return slot.sequence.load(std::memory_order_relaxed) == expected;
}

}  // namespace detail

// A recorder over caller-supplied storage: `slots` (a power of two, split evenly over
// the lanes) and `lanes` (a power of two). Recorder<N> below owns its storage instead.
class RecorderCore {
  public:
    static constexpr std::size_t max_service_name = 64;

    template <std::size_t SlotCount, std::size_t LaneCount>
    constexpr RecorderCore(RecorderSlot (&slots)[SlotCount], RecorderLane (&lanes)[LaneCount],
                           OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept {
        if constexpr (config::enabled) attach(slots, SlotCount, lanes, LaneCount, policy);
        static_assert(LaneCount > 0 && (LaneCount & (LaneCount - 1)) == 0, "lane count must be a power of two");
        static_assert(SlotCount >= LaneCount && (SlotCount & (SlotCount - 1)) == 0,
                      "slot count must be a power of two, at least one per lane");
    }
    RecorderCore(const RecorderCore&) = delete;
    RecorderCore& operator=(const RecorderCore&) = delete;

    OverflowPolicy policy() const noexcept { return policy_; }
    std::size_t capacity() const noexcept { return config::enabled ? lane_capacity_ * lane_count_ : 0; }
    std::size_t lane_count() const noexcept { return lane_count_; }

    // Registers a service name for the dumps' localEndpoint and returns its index. Names
    // are copied (cut at 64 bytes); the same name gets the same index. When the table
    // is full the last slot is shared (documented limit MICROTRACE_MAX_SERVICES).
    std::uint8_t register_service(std::string_view name) noexcept {
        if constexpr (!config::enabled) return 0;
        name = name.substr(0, SpanData::utf8_prefix_length(name, max_service_name));
        DumpGuard guard(*this);
        for (std::size_t i = 0; i < service_count_; ++i)
            if (service_name(static_cast<std::uint8_t>(i)) == name) return static_cast<std::uint8_t>(i);
        if (service_count_ == config::max_services) return static_cast<std::uint8_t>(service_count_ - 1);
        ServiceName& slot = services_[service_count_];
        std::memcpy(slot.chars, name.data(), name.size());
        slot.size = static_cast<std::uint8_t>(name.size());
        return static_cast<std::uint8_t>(service_count_++);
    }

    std::string_view service_name(std::uint8_t index) const noexcept {
        if constexpr (!config::enabled) return {};
        if (index >= service_count_ || index >= config::max_services) return "unknown_service";
        return {services_[index].chars, services_[index].size};
    }

    // Counts a sampled span that started on this thread; returns the thread's lane, where
    // the span will be written (so it need not be looked up again).
    RecorderLane& note_started() noexcept {
        RecorderLane& lane = this_lane();
        if constexpr (config::enabled) lane.started.fetch_add(1, std::memory_order_relaxed);
        return lane;
    }

    // Writes an ended span into this thread's lane, or counts it as dropped.
    void record(const SpanData& span) noexcept { record(span, this_lane()); }

    // Writes an ended span into `lane` (the one note_started() returned), or counts it as
    // dropped. A flight recorder (flight.hpp) routes it through its keep rules instead.
    void record(const SpanData& span, RecorderLane& lane) noexcept {
        if constexpr (!config::enabled) return;
        if (end_hook_ != nullptr) {
            end_hook_(*this, span, lane);
            return;
        }
        write(span, lane);
    }

    // True when spans the head sampler did not select are recorded too (a FlightRecorder):
    // the tracer then records every span, marked SpanOptions::unsampled.
    bool records_unsampled() const noexcept { return config::enabled && end_hook_ != nullptr; }

    // The calling thread's lane, without counting a start.
    RecorderLane& current_lane() const noexcept { return this_lane(); }

  protected:
    // What a FlightRecorder installs: every span ending (sampled or not) goes through it.
    using EndHook = void (*)(RecorderCore& recorder, const SpanData& span, RecorderLane& lane) noexcept;
    void set_end_hook(EndHook hook) noexcept { end_hook_ = hook; }

    // The ring write itself: into `lane`, or counted as dropped.
    void write(const SpanData& span, RecorderLane& lane) noexcept {
        if constexpr (!config::enabled) return;
        std::uint64_t position = 0;
        if (lane_capacity_ == 0 || !reserve(lane, position)) {
            lane.dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        RecorderSlot& slot = slot_for(lane, position);
        if (!claim(slot, position)) return;  // already superseded: a drain counts it overwritten
        detail::atomic_fence(std::memory_order_release);
        detail::store_words(slot, span);
        slot.sequence.store(2 * position + 2, std::memory_order_release);
    }

  public:
    // The counters, summed over the lanes. Exact when no span is being written.
    RecorderStats stats() const noexcept {
        RecorderStats total;
        if constexpr (!config::enabled) return total;
        total.started = unattached_lane_.started.load(std::memory_order_relaxed);
        total.dropped = unattached_lane_.dropped.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < lane_count_; ++i) {
            const RecorderLane& lane = lanes_[i];
            const std::uint64_t head = lane.head.load(std::memory_order_acquire);
            const std::uint64_t tail = lane.tail.load(std::memory_order_acquire);
            const std::uint64_t pending = head - tail;
            const std::uint64_t held = pending < lane_capacity_ ? pending : lane_capacity_;
            total.started += lane.started.load(std::memory_order_relaxed);
            total.recorded += head;
            total.dropped += lane.dropped.load(std::memory_order_relaxed);
            total.dumped += lane.dumped.load(std::memory_order_relaxed);
            total.overwritten += lane.overwritten.load(std::memory_order_relaxed) + (pending - held);
            total.held += held;
        }
        return total;
    }

    // Calls `visit(const SpanData&, std::string_view service_name)` for every span held,
    // leaving them in place. Returns how many it visited.
    template <class Visit>
    std::size_t snapshot(Visit&& visit) const noexcept {
        return walk(visit, false);
    }

    // Like snapshot, but consumes what it visits: a later drain or snapshot will not see
    // those spans again, and `dumped` counts them.
    template <class Visit>
    std::size_t drain(Visit&& visit) noexcept {
        return walk(visit, true);
    }

    // Like snapshot, but does not wait for a dump in progress: for a fatal-signal handler
    // (crash_dump.hpp), which must not wait on a flag its own thread may hold. Slots being
    // written or overwritten meanwhile are still skipped by the sequence checks.
    template <class Visit>
    std::size_t snapshot_unguarded(Visit&& visit) const noexcept {
        return walk_slots(visit, false);
    }

    // Writes the spans held as one Zipkin v2 JSON array (`[]` when empty).
    std::size_t dump_zipkin(Sink sink) const noexcept { return write_zipkin(sink, false, 0); }
    // Like dump_zipkin, but only the spans that ended at or after `ended_since`: "the last
    // T milliseconds" of a flight recorder is dump_zipkin(sink, now - T).
    std::size_t dump_zipkin(Sink sink, EpochNanos ended_since) const noexcept {
        return write_zipkin(sink, false, ended_since.count());
    }
    // Like dump_zipkin, but consumes the spans written.
    std::size_t drain_zipkin(Sink sink) noexcept { return write_zipkin(sink, true, 0); }

  protected:
    // A recorder is all zeros until attach() points it at its storage, so a static one
    // sits in .bss (not in .data, which would cost its whole size in the binary) and is
    // usable at any point of static initialization: spans recorded before attach() are
    // counted as dropped.
    constexpr RecorderCore() noexcept = default;

    // Points the recorder at fresh storage (sequences and counters at zero, as constructed).
    void attach(RecorderSlot* slots, std::size_t slot_count, RecorderLane* lanes, std::size_t lane_count,
                OverflowPolicy policy) noexcept {
        slots_ = slots;
        lanes_ = lanes;
        lane_capacity_ = slot_count / lane_count;
        policy_ = policy;
        lane_count_ = lane_count;
    }

  private:
    struct ServiceName {
        char chars[max_service_name]{};
        std::uint8_t size = 0;
    };

    // Serialises dumps (and service registration) with each other; writers never take it.
    // The lock holds the fork generation (ids.hpp) of the process that took it: a forked child
    // takes over a lock that a parent thread, which the child does not have, was holding.
    class DumpGuard {
      public:
        explicit DumpGuard(const RecorderCore& recorder) noexcept : flag_(recorder.dump_busy_) {
            detail::watch_forks();
            const std::uint32_t generation = detail::fork_generation.load(std::memory_order_relaxed);
            std::uint32_t holder = 0;
            while (!flag_.compare_exchange_weak(holder, generation, std::memory_order_acquire, std::memory_order_relaxed)) {
                if (holder == 0 || holder == generation) {  // free (a spurious failure), or held here: wait
                    holder = 0;
                    detail::yield_thread();
                }  // held before a fork(): the next try takes it over
            }
        }
        ~DumpGuard() { flag_.store(0, std::memory_order_release); }
        DumpGuard(const DumpGuard&) = delete;
        DumpGuard& operator=(const DumpGuard&) = delete;

      private:
        detail::Atomic<std::uint32_t>& flag_;
    };

    RecorderLane& this_lane() const noexcept {
        if (lane_count_ == 0) return unattached_lane_;
        return lanes_[detail::thread_ordinal() & (lane_count_ - 1)];
    }

    RecorderSlot& slot_for(const RecorderLane& lane, std::uint64_t position) const noexcept {
        const std::size_t lane_index = static_cast<std::size_t>(&lane - lanes_);
        return slots_[lane_index * lane_capacity_ + (position & (lane_capacity_ - 1))];
    }

    // Hands out the next position of `lane`; false when drop_newest finds the lane full.
    bool reserve(RecorderLane& lane, std::uint64_t& position) noexcept {
        if (policy_ == OverflowPolicy::overwrite_oldest) {
            position = lane.head.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
        position = lane.head.load(std::memory_order_relaxed);
        do {
            if (position - lane.tail.load(std::memory_order_acquire) >= lane_capacity_) return false;
        } while (!lane.head.compare_exchange_weak(position, position + 1, std::memory_order_relaxed));
        return true;
    }

    // Takes `slot` for writing `position`. False when a newer position already owns it
    // (this span was overwritten before it was written). Waits only in the rare case
    // where the ring lapped a writer that is still copying an older span into this slot.
    static bool claim(RecorderSlot& slot, std::uint64_t position) noexcept {
        const std::uint64_t writing = 2 * position + 1;
        std::uint64_t current = slot.sequence.load(std::memory_order_relaxed);
        for (;;) {
            if (current >= writing) return false;
            if ((current & 1) != 0) {  // an older span is mid-copy here
                detail::yield_thread();
                current = slot.sequence.load(std::memory_order_relaxed);
                continue;
            }
            if (slot.sequence.compare_exchange_weak(current, writing, std::memory_order_relaxed)) return true;
        }
    }

    template <class Visit>
    std::size_t walk(Visit& visit, bool consume) const noexcept {
        if constexpr (!config::enabled) return 0;
        DumpGuard guard(*this);
        return walk_slots(visit, consume);
    }

    template <class Visit>
    std::size_t walk_slots(Visit& visit, bool consume) const noexcept {
        if constexpr (!config::enabled) return 0;
        std::size_t visited = 0;
        SpanData span;
        for (std::size_t i = 0; i < lane_count_; ++i) {
            RecorderLane& lane = lanes_[i];
            const std::uint64_t head = lane.head.load(std::memory_order_acquire);
            const std::uint64_t tail = lane.tail.load(std::memory_order_relaxed);
            // Positions more than one lap behind the head are gone.
            const std::uint64_t oldest = head - tail > lane_capacity_ ? head - lane_capacity_ : tail;
            std::uint64_t overwritten = oldest - tail;
            std::uint64_t visited_here = 0;
            std::uint64_t position = oldest;
            for (; position < head; ++position) {
                const RecorderSlot& slot = slot_for(lane, position);
                if (detail::read_slot(slot, position, span)) {
                    visit(static_cast<const SpanData&>(span), service_name(span.service_index));
                    ++visited_here;
                } else if (slot.sequence.load(std::memory_order_acquire) > 2 * position + 2) {
                    ++overwritten;  // lapped while we looked
                } else if (consume) {
                    break;  // still being written: the next drain takes it
                }
            }
            visited += static_cast<std::size_t>(visited_here);  // at most the capacity
            if (consume) {
                lane.overwritten.fetch_add(overwritten, std::memory_order_relaxed);
                lane.dumped.fetch_add(visited_here, std::memory_order_relaxed);
                lane.tail.store(position, std::memory_order_release);
            }
        }
        return visited;
    }

    std::size_t write_zipkin(Sink sink, bool consume, std::uint64_t ended_since_ns) const noexcept {
        if constexpr (!config::enabled) return 0;  // an empty dump: not even "[]"
        JsonWriter json(sink);
        json.raw('[');
        std::size_t written = 0;
        auto write_span = [&](const SpanData& span, std::string_view service) {
            if (span.start_epoch_ns + span.duration_ns < ended_since_ns) return;
            if (written++ != 0) json.raw(',');
            write_zipkin_span(json, span, service);
        };
        if (consume)
            const_cast<RecorderCore*>(this)->drain(write_span);
        else
            snapshot(write_span);
        json.raw(']');
        return written;
    }

    RecorderSlot* slots_ = nullptr;
    RecorderLane* lanes_ = nullptr;
    std::size_t lane_count_ = 0;
    std::size_t lane_capacity_ = 0;
    OverflowPolicy policy_ = OverflowPolicy::overwrite_oldest;
    mutable RecorderLane unattached_lane_;  // counts what arrives before attach()
    mutable detail::Atomic<std::uint32_t> dump_busy_{0};  // 0, or the fork generation holding it
    EndHook end_hook_ = nullptr;  // set by a FlightRecorder
    std::size_t service_count_ = 0;
    ServiceName services_[config::enabled ? config::max_services : 1]{};
};

namespace detail {
// Recorder<> storage, a base class so it is constructed before RecorderCore points at it.
// Compiled out, it keeps one of each so the types stay usable and nearly empty.
template <std::size_t Capacity, std::size_t Lanes>
struct RecorderStorage {
    RecorderLane lanes_storage[config::enabled ? Lanes : 1];
    RecorderSlot slots_storage[config::enabled ? Capacity : 1];
};
}  // namespace detail

// A recorder that owns room for `Capacity` spans, split over `Lanes` lanes (both powers
// of two). One lane keeps the last `Capacity` spans of all threads together; more lanes
// let writer threads scale (each thread then keeps the last `Capacity / Lanes`).
template <std::size_t Capacity, std::size_t Lanes = 1>
class Recorder : private detail::RecorderStorage<Capacity, Lanes>, public RecorderCore {
    static_assert(Lanes > 0 && (Lanes & (Lanes - 1)) == 0, "Lanes must be a power of two");
    static_assert(Capacity >= Lanes && (Capacity & (Capacity - 1)) == 0,
                  "Capacity must be a power of two, at least one per lane");

  public:
    constexpr explicit Recorder(OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept
        : RecorderCore() {
        if constexpr (config::enabled) attach(this->slots_storage, Capacity, this->lanes_storage, Lanes, policy);
    }
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/recorder.hpp"
// #include "microtrace/span.hpp" (inlined)
// microtrace/span.hpp — Span: the RAII, move-only handle to one operation.
//
// A sampled span fills its SpanData in place and hands it to the recorder when it ends.
// A span that is not sampled carries only its context (so children and propagation
// still work) and every recording call on it returns at the first branch.

#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/endpoint.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)

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
// end of "microtrace/span.hpp"
// #include "microtrace/tracer.hpp" (inlined)
// microtrace/tracer.hpp — Tracer: starts spans for one service, decides sampling, and
// points sampled spans at a recorder.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/span.hpp" (already inlined above)

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
// end of "microtrace/tracer.hpp"
// #include "microtrace/macros.hpp" (inlined)
// microtrace/macros.hpp — instrumentation that costs nothing when it is compiled out.
//
// Plain calls (`span.set_attribute("k", compute())`) always evaluate their arguments, as
// C++ requires. These macros do not: their arguments are evaluated only when the span is
// recording, and never when MICROTRACE_ENABLED=0 or the span's detail level is above
// MICROTRACE_DETAIL_LEVEL. They are still type-checked in every build (as an unevaluated
// operand), so a disabled build cannot rot, and they leave no unused variables behind.

#include <utility>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/span.hpp" (already inlined above)

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
// end of "microtrace/macros.hpp"
// #include "microtrace/chrome_trace.hpp" (inlined)
// microtrace/chrome_trace.hpp — a recorder's spans as Chrome trace-event JSON, for
// Perfetto UI (ui.perfetto.dev) and chrome://tracing.
//
// {"traceEvents":[...],"displayTimeUnit":"ns","otherData":{...}}: one process per service,
// one track per recording thread, spans as complete events ("ph":"X"), span events as
// thread-scoped instant events ("ph":"i"), attributes, ids and status as "args", and
// process/thread name metadata events. Times are microseconds with three decimals,
// relative to the earliest span of the dump (its epoch time is in otherData.base_epoch_us),
// so nanosecond spans stay visible and the numbers stay exact as JSON doubles.
// Streams through the same Sink and JsonWriter as the Zipkin dump: no heap.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)
// #include "microtrace/zipkin.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

// Nanoseconds as microseconds with three decimals ("12.345").
inline void write_chrome_micros(JsonWriter& json, std::uint64_t ns) noexcept {
    char text[32];
    char* end = write_decimal(ns / 1000, text);
    const auto fraction = static_cast<unsigned>(ns % 1000);
    *end++ = '.';
    *end++ = static_cast<char>('0' + fraction / 100);
    *end++ = static_cast<char>('0' + fraction / 10 % 10);
    *end++ = static_cast<char>('0' + fraction % 10);
    json.raw(std::string_view(text, static_cast<std::size_t>(end - text)));
}

inline void write_chrome_track(JsonWriter& json, const SpanData& span) noexcept {
    json.raw(",\"pid\":");
    json.number(std::uint64_t{span.service_index} + 1);
    json.raw(",\"tid\":");
    json.number(std::uint64_t{span.thread} + 1);
}

inline void write_chrome_hex(JsonWriter& json, std::uint64_t value) noexcept {
    char text[16];
    write_hex_u64(value, text);
    json.raw('"');
    json.raw(std::string_view(text, sizeof text));
    json.raw('"');
}

// One attribute value as a typed JSON value: numbers and booleans as such, non-finite
// floating-point values as strings (JSON has no NaN).
inline void write_chrome_value(JsonWriter& json, const SpanData& span, const AttributeData& attribute) noexcept {
    if (attribute.type == AttributeType::string) {
        json.string(span.view(attribute.text));
        return;
    }
    if (attribute.type == AttributeType::float64) {
        double value;
        std::memcpy(&value, &attribute.number, sizeof value);
        if (!(value - value == 0.0)) {  // NaN or infinite
            json.raw('"');
            write_number_text(json, attribute);
            json.raw('"');
            return;
        }
    }
    write_number_text(json, attribute);
}

inline void write_chrome_span(JsonWriter& json, const SpanData& span, std::uint64_t base_ns) noexcept {
    const std::uint64_t start = span.start_epoch_ns > base_ns ? span.start_epoch_ns - base_ns : 0;
    json.raw("{\"ph\":\"X\",\"cat\":\"span\",\"name\":");
    json.string(span.view(span.name));
    write_chrome_track(json, span);
    json.raw(",\"ts\":");
    write_chrome_micros(json, start);
    json.raw(",\"dur\":");
    write_chrome_micros(json, span.duration_ns);
    json.raw(",\"args\":{\"trace_id\":\"");
    char hex[32];
    span.trace_id.write_hex(hex);
    json.raw(std::string_view(hex, sizeof hex));
    json.raw("\",\"span_id\":");
    write_chrome_hex(json, span.span_id.value);
    if (span.parent_id.is_valid()) {
        json.raw(",\"parent_id\":");
        write_chrome_hex(json, span.parent_id.value);
    }
    if (const std::string_view kind = zipkin_kind(span.kind); !kind.empty()) {
        json.raw(",\"kind\":");
        json.string(kind);
    }
    if (span.status == StatusCode::ok) json.raw(",\"status\":\"OK\"");
    if (span.status == StatusCode::error) {
        json.raw(",\"status\":\"ERROR\",\"error\":");
        json.string(span.view(span.status_message));
    }
    for (std::uint8_t i = 0; i < span.attribute_count; ++i) {
        const AttributeData& attribute = span.attributes[i];
        const std::string_view key = span.view(attribute.key);
        // The keys written above win: a JSON object must not repeat a key.
        if (key == "trace_id" || key == "span_id" || key == "parent_id" || key == "kind" || key == "status" ||
            key == "error")
            continue;
        json.raw(',');
        json.string(key);
        json.raw(':');
        write_chrome_value(json, span, attribute);
    }
    json.raw("}}");
    for (std::uint8_t i = 0; i < span.event_count; ++i) {
        const std::uint64_t at = span.events[i].epoch_ns;
        json.raw(",{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"event\",\"name\":");
        json.string(span.view(span.events[i].name));
        write_chrome_track(json, span);
        json.raw(",\"ts\":");
        write_chrome_micros(json, at > base_ns ? at - base_ns : 0);
        json.raw('}');
    }
}

}  // namespace detail

// Writes the spans `recorder` holds as one Chrome trace-event JSON object (nothing at all
// when tracing is compiled out). Non-destructive, like dump_zipkin. Returns how many spans
// it wrote. Name metadata is written for the first 64 (service, thread) tracks; later ones
// still appear, named by their numbers.
inline std::size_t dump_chrome_trace(const RecorderCore& recorder, Sink sink) noexcept {
    if constexpr (!config::enabled) return 0;
    struct Track {
        std::uint8_t service;
        std::uint16_t thread;
    };
    constexpr std::size_t max_tracks = 64;
    Track tracks[max_tracks];
    std::size_t track_count = 0;
    std::uint64_t base_ns = ~std::uint64_t{0};
    recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (span.start_epoch_ns < base_ns) base_ns = span.start_epoch_ns;
        for (std::size_t i = 0; i < track_count; ++i)
            if (tracks[i].service == span.service_index && tracks[i].thread == span.thread) return;
        if (track_count < max_tracks) tracks[track_count++] = Track{span.service_index, span.thread};
    });
    if (base_ns == ~std::uint64_t{0}) base_ns = 0;

    JsonWriter json(sink);
    json.raw("{\"traceEvents\":[");
    bool first = true;
    // Process names: each service once.
    for (std::size_t i = 0; i < track_count; ++i) {
        bool seen = false;
        for (std::size_t j = 0; j < i; ++j) seen = seen || tracks[j].service == tracks[i].service;
        if (seen) continue;
        json.raw(first ? "{" : ",{");
        first = false;
        json.raw("\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
        json.number(std::uint64_t{tracks[i].service} + 1);
        json.raw(",\"args\":{\"name\":");
        json.string(recorder.service_name(tracks[i].service));
        json.raw("}}");
    }
    for (std::size_t i = 0; i < track_count; ++i) {
        json.raw(first ? "{" : ",{");
        first = false;
        json.raw("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":");
        json.number(std::uint64_t{tracks[i].service} + 1);
        json.raw(",\"tid\":");
        json.number(std::uint64_t{tracks[i].thread} + 1);
        json.raw(",\"args\":{\"name\":\"thread ");
        json.number(tracks[i].thread);
        json.raw("\"}}");
    }
    const std::size_t written = recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (!first) json.raw(',');
        first = false;
        detail::write_chrome_span(json, span, base_ns);
    });
    json.raw("],\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"microtrace\",\"base_epoch_us\":\"");
    detail::write_chrome_micros(json, base_ns);
    json.raw("\"}}");
    return written;
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/chrome_trace.hpp"
// #include "microtrace/waterfall.hpp" (inlined)
// microtrace/waterfall.hpp — one trace as a plain-text waterfall, for a serial console or
// a log line. ASCII only, fixed width, no heap:
//
//   trace 0000000000000000000000000000002a: 3 spans, 16.000 ms
//   frame                   |========================================|  16.000 ms
//     physics               |==========..............................|   4.000 ms
//     render                |..........=============================.|  11.500 ms ERROR
//
// Rows are in tree order (each span followed by its children, siblings by start time),
// indented two spaces a level; each bar is placed and scaled on the trace's own span of
// time ('=' where the span runs, '.' elsewhere).

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

struct WaterfallOptions {
    std::size_t name_width = 24;  // indentation and name, cut or padded (at most 64)
    std::size_t bar_width = 40;   // characters between the bars' '|' (1 to 128)
};

namespace detail {

struct WaterfallRow {
    std::uint64_t start_ns;
    std::uint64_t duration_ns;
    std::uint64_t span_id;
    std::uint64_t parent_id;
    char name[64];
    std::uint8_t name_size;
    bool error;
    bool placed;
};

// Milliseconds with three decimals, from nanoseconds rounded to the microsecond.
inline char* write_waterfall_ms(std::uint64_t ns, char* out) noexcept {
    const std::uint64_t us = (ns + 500) / 1000;
    out = write_decimal(us / 1000, out);
    const auto fraction = static_cast<unsigned>(us % 1000);
    *out++ = '.';
    *out++ = static_cast<char>('0' + fraction / 100);
    *out++ = static_cast<char>('0' + fraction / 10 % 10);
    *out++ = static_cast<char>('0' + fraction % 10);
    return out;
}

class WaterfallPrinter {
  public:
    WaterfallPrinter(Sink sink, WaterfallRow* rows, std::size_t count, WaterfallOptions options) noexcept
        : sink_(sink), rows_(rows), count_(count) {
        name_width_ = options.name_width < 64 ? options.name_width : 64;
        bar_width_ = options.bar_width == 0 ? 1 : options.bar_width < 128 ? options.bar_width : 128;
        begin_ = ~std::uint64_t{0};
        std::uint64_t end = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (rows[i].start_ns < begin_) begin_ = rows[i].start_ns;
            if (rows[i].start_ns + rows[i].duration_ns > end) end = rows[i].start_ns + rows[i].duration_ns;
        }
        if (count == 0) begin_ = end = 0;
        total_ = end > begin_ ? end - begin_ : 1;
    }

    std::uint64_t total_ns() const noexcept { return count_ == 0 ? 0 : total_; }

    // Prints the rows whose parent is `parent` (0: the roots, and spans whose parent is not
    // among the rows), by start time, each followed by its children.
    void print_children(std::uint64_t parent, std::size_t depth) noexcept {
        for (;;) {
            WaterfallRow* next = nullptr;
            for (std::size_t i = 0; i < count_; ++i) {
                WaterfallRow& row = rows_[i];
                if (row.placed || !is_child(row, parent)) continue;
                if (next == nullptr || row.start_ns < next->start_ns) next = &row;
            }
            if (next == nullptr) return;
            next->placed = true;
            print_row(*next, depth);
            print_children(next->span_id, depth + 1);
        }
    }

    // Rows left over (a parent cycle): printed at the top level.
    void print_rest() noexcept {
        for (std::size_t i = 0; i < count_; ++i) {
            if (rows_[i].placed) continue;
            rows_[i].placed = true;
            print_row(rows_[i], 0);
        }
    }

  private:
    bool is_child(const WaterfallRow& row, std::uint64_t parent) const noexcept {
        if (parent != 0) return row.parent_id == parent && row.parent_id != row.span_id;
        if (row.parent_id == 0) return true;
        for (std::size_t i = 0; i < count_; ++i)
            if (rows_[i].span_id == row.parent_id && &rows_[i] != &row) return false;
        return true;  // its parent is elsewhere (another process, or not recorded)
    }

    void print_row(const WaterfallRow& row, std::size_t depth) noexcept {
        char line[64 + 128 + 48];
        char* out = line;
        std::size_t column = 0;
        const std::size_t indent = depth < 16 ? 2 * depth : 32;
        for (; column < indent && column < name_width_; ++column) *out++ = ' ';
        for (std::size_t i = 0; i < row.name_size && column < name_width_; ++i, ++column) {
            const char c = row.name[i];
            *out++ = c >= 0x20 && c < 0x7F ? c : '?';
        }
        for (; column < name_width_; ++column) *out++ = ' ';
        *out++ = ' ';
        *out++ = '|';
        const std::uint64_t from = row.start_ns - begin_;
        const std::uint64_t to = from + row.duration_ns;
        std::uint64_t first = from * bar_width_ / total_;
        std::uint64_t last = (to * bar_width_ + total_ - 1) / total_;  // one past, rounded up
        if (first >= bar_width_) first = bar_width_ - 1;
        if (last <= first) last = first + 1;
        if (last > bar_width_) last = bar_width_;
        for (std::size_t i = 0; i < bar_width_; ++i) *out++ = i >= first && i < last ? '=' : '.';
        *out++ = '|';
        char ms[32];
        const std::size_t size = static_cast<std::size_t>(write_waterfall_ms(row.duration_ns, ms) - ms);
        for (std::size_t i = size; i < 11; ++i) *out++ = ' ';
        for (std::size_t i = 0; i < size; ++i) *out++ = ms[i];
        *out++ = ' ';
        *out++ = 'm';
        *out++ = 's';
        if (row.error) {
            for (char c : std::string_view(" ERROR")) *out++ = c;
        }
        *out++ = '\n';
        sink_.write(line, static_cast<std::size_t>(out - line));
    }

    Sink sink_;
    WaterfallRow* rows_;
    std::size_t count_;
    std::size_t name_width_;
    std::size_t bar_width_;
    std::uint64_t begin_;
    std::uint64_t total_;
};

}  // namespace detail

// Writes the spans of `trace` that `recorder` holds as a waterfall (at most MaxSpans of
// them, taken in dump order; the rest are counted on a last line). Non-destructive.
// Returns how many spans it printed; 0, and nothing written, when it holds none (or when
// tracing is compiled out). Needs about 100 * MaxSpans bytes of stack.
template <std::size_t MaxSpans = 64>
std::size_t write_waterfall(const RecorderCore& recorder, TraceId trace, Sink sink,
                            WaterfallOptions options = {}) noexcept {
    if constexpr (!config::enabled) return 0;
    detail::WaterfallRow rows[MaxSpans];
    std::size_t count = 0;
    std::size_t more = 0;
    recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (!(span.trace_id == trace)) return;
        if (count == MaxSpans) {
            ++more;
            return;
        }
        detail::WaterfallRow& row = rows[count++];
        row.start_ns = span.start_epoch_ns;
        row.duration_ns = span.duration_ns;
        row.span_id = span.span_id.value;
        row.parent_id = span.parent_id.value;
        const std::string_view name = span.view(span.name);
        row.name_size = static_cast<std::uint8_t>(name.size() < sizeof row.name ? name.size() : sizeof row.name);
        for (std::size_t i = 0; i < row.name_size; ++i) row.name[i] = name[i];
        row.error = span.status == StatusCode::error;
        row.placed = false;
    });
    if (count == 0) return 0;
    detail::WaterfallPrinter printer(sink, rows, count, options);
    char line[128];
    char* out = line;
    for (char c : std::string_view("trace ")) *out++ = c;
    out = trace.write_hex(out);
    *out++ = ':';
    *out++ = ' ';
    out = detail::write_decimal(count + more, out);
    for (char c : std::string_view(count + more == 1 ? " span, " : " spans, ")) *out++ = c;
    out = detail::write_waterfall_ms(printer.total_ns(), out);
    for (char c : std::string_view(" ms\n")) *out++ = c;
    sink.write(line, static_cast<std::size_t>(out - line));
    printer.print_children(0, 0);
    printer.print_rest();
    if (more != 0) {
        out = line;
        for (char c : std::string_view("... ")) *out++ = c;
        out = detail::write_decimal(more, out);
        for (char c : std::string_view(" more spans not shown\n")) *out++ = c;
        sink.write(line, static_cast<std::size_t>(out - line));
    }
    return count;
}

// Writes the waterfall into `buffer` (NUL-terminated, cut to fit). Returns the length of
// the text, as strlen would.
template <std::size_t MaxSpans = 64>
std::size_t write_waterfall(const RecorderCore& recorder, TraceId trace, char* buffer, std::size_t size,
                            WaterfallOptions options = {}) noexcept {
    if (size == 0) return 0;
    std::size_t used = 0;
    auto append = [&](std::string_view text) noexcept {
        for (char c : text)
            if (used + 1 < size) buffer[used++] = c;
    };
    write_waterfall<MaxSpans>(recorder, trace, Sink(append), options);
    buffer[used] = '\0';
    return used;
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/waterfall.hpp"
// #include "microtrace/flight.hpp" (inlined)
// microtrace/flight.hpp — record everything cheaply, keep the traces that turned out to
// matter (tail keeping).
//
// A FlightRecorder is a Recorder (its ring is the export set: what dump_zipkin and drain
// write) with a second ring, `recent()`, that holds the spans the head sampler did not
// select. Tracers pointed at it record every span; when one that was not sampled ends, the
// keep rules look at it (error status, a duration over a global or per-name threshold, a
// user predicate). A rule that fires, or a manual keep(trace_id), keeps the span's trace:
//   - its spans already in the recent ring are copied ("promoted") into the export ring,
//   - its spans that end within `window_ns` after the decision go to the export ring too,
// all marked SpanOptions::kept and written without the unsampled mark, so the Zipkin dump
// shows them as any sampled span. Spans of traces nobody kept stay in the recent ring, the
// last N spans of the process, overwritten oldest first.
//
// Costs: an unsampled span is recorded like a sampled one (two clock reads, its SpanData
// filled, one ring write) plus a probe of the kept-trace table (at most 4 slots) and the
// rules (a few compares). Promotion walks the recent ring once per kept trace: the span that
// triggers it pays that. No heap, no lock anywhere (the promotion's walk does not take the
// dump flag: it reads slots under their sequence numbers, as dumps do).

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)
// #include "microtrace/zipkin.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// A latency threshold for the spans of one name.
struct NamedLatency {
    std::string_view name;  // must outlive the recorder (a literal)
    std::uint64_t threshold_ns;
};

// When a span the head sampler did not select keeps its trace. Evaluated when the span
// ends, in this order; the first rule that matches keeps it.
struct KeepRules {
    bool errors = true;                    // status error (set_status or record_error)
    std::uint64_t latency_ns = 0;          // duration at least this long (0: off)
    const NamedLatency* named = nullptr;   // per-name thresholds, checked before latency_ns
    std::size_t named_count = 0;
    // A user rule: keeps the trace when it returns true. Runs on the ending thread.
    bool (*predicate)(const SpanData& span, void* context) noexcept = nullptr;
    void* predicate_context = nullptr;
    // How long after a keep decision (measured on span end times) spans of the kept trace
    // still go to the export ring. 0: only the spans already recorded.
    std::uint64_t window_ns = 1'000'000'000;
};

// Flight-recorder counters (beyond the two rings' own RecorderStats).
struct FlightStats {
    std::uint64_t kept_traces = 0;    // keep decisions (rules and manual), one per trace and window
    std::uint64_t kept_spans = 0;     // unsampled spans written to the export ring: promoted or in window
    std::uint64_t table_evicted = 0;  // kept traces forgotten before their window ended (table full)
};

namespace detail {

// One kept trace. A writer claims the slot (odd sequence), fills it, publishes it (even);
// readers keep what they read only if the sequence did not move.
struct KeptTrace {
    Atomic<std::uint64_t> sequence{0};
    Atomic<std::uint64_t> high{0};
    Atomic<std::uint64_t> low{0};
    Atomic<std::uint64_t> until_ns{0};  // end of the window (epoch ns)
};

inline std::uint64_t span_end_ns(const SpanData& span) noexcept { return span.start_epoch_ns + span.duration_ns; }

}  // namespace detail

// The flight machinery over caller-supplied storage; FlightRecorder<> below owns it.
// `kept` is the kept-trace table (a power of two, at least 4).
class FlightCore : public RecorderCore {
  public:
    FlightCore(const FlightCore&) = delete;
    FlightCore& operator=(const FlightCore&) = delete;

    // The ring of spans the head sampler did not select (and nobody kept): the last
    // spans of the process. Dump it like any recorder (dump_zipkin, dump_chrome_trace,
    // write_waterfall) to see what happened just before now.
    RecorderCore& recent() noexcept { return *recent_; }
    const RecorderCore& recent() const noexcept { return *recent_; }

    const KeepRules& rules() const noexcept { return rules_; }
    // Replaces the rules. Not synchronized with spans ending: set them before tracing starts.
    void set_rules(const KeepRules& rules) noexcept { rules_ = rules; }

    // Keeps `trace` as a rule would, at `now_epoch_ns` (its window runs from there):
    // promotes its recorded spans and keeps its later ones within the window. Call it with
    // the time of the decision, e.g. the end of a frame that overran. Returns the number of
    // spans promoted.
    std::size_t keep(TraceId trace, std::uint64_t now_epoch_ns) noexcept {
        if constexpr (!config::enabled) return 0;
        return keep_trace(trace, now_epoch_ns, nullptr);
    }

    // True while `trace` is kept at `when_epoch_ns`.
    bool is_kept(TraceId trace, std::uint64_t when_epoch_ns) const noexcept {
        if constexpr (!config::enabled) return false;
        return find(trace, when_epoch_ns);
    }

    FlightStats flight_stats() const noexcept {
        FlightStats stats;
        if constexpr (!config::enabled) return stats;
        stats.kept_traces = kept_traces_.load(std::memory_order_relaxed);
        stats.kept_spans = kept_spans_.load(std::memory_order_relaxed);
        stats.table_evicted = table_evicted_.load(std::memory_order_relaxed);
        return stats;
    }

    // Writes the spans of kept traces only (not the head-sampled ones) as one Zipkin v2
    // JSON array. Non-destructive. Returns how many spans it wrote.
    std::size_t dump_kept_zipkin(Sink sink) const noexcept {
        if constexpr (!config::enabled) return 0;
        JsonWriter json(sink);
        json.raw('[');
        std::size_t written = 0;
        snapshot([&](const SpanData& span, std::string_view service) {
            if ((span.options & SpanOptions::kept) == 0) return;
            if (written != 0) json.raw(',');
            ++written;
            write_zipkin_span(json, span, service);
        });
        json.raw(']');
        return written;
    }

  protected:
    // Points the export ring at `slots`/`lanes`, the recent ring at `recent`, the table at
    // `kept` (kept_count: a power of two, at least 4).
    FlightCore() noexcept = default;
    void attach_flight(RecorderCore& recent, detail::KeptTrace* kept, std::size_t kept_count,
                       const KeepRules& rules) noexcept {
        recent_ = &recent;
        kept_ = kept;
        kept_mask_ = kept_count - 1;
        rules_ = rules;
        set_end_hook(&FlightCore::on_end);
    }

  private:
    static constexpr std::size_t probe_length = 4;

    // Every span ending on a tracer pointed here comes through this.
    static void on_end(RecorderCore& core, const SpanData& span, RecorderLane& lane) noexcept {
        auto& self = static_cast<FlightCore&>(core);
        if ((span.options & SpanOptions::unsampled) == 0) {  // head-sampled: as any recorder
            self.write(span, lane);
            return;
        }
        // The span's own block (a Span's, about to be discarded): marked in place rather
        // than copied, which would cost as much as the ring write.
        SpanData& data = const_cast<SpanData&>(span);
        const std::uint64_t end_ns = detail::span_end_ns(span);
        if (self.find(span.trace_id, end_ns)) {
            self.export_kept(data, lane);
            return;
        }
        if (self.matches_rules(span)) {
            self.keep_trace(span.trace_id, end_ns, &lane);
            self.export_kept(data, lane);
            return;
        }
        if (span.service_index >= self.recent_services_.load(std::memory_order_acquire)) self.sync_services(span.service_index);
        self.recent_->record(span);
    }

    // Gives the recent ring the export ring's service names up to `index`, at the same
    // indices (registered in the same order), so its dumps name the services too. Once per
    // service: the first span of a new service waits for the recent ring's dump flag.
    void sync_services(std::uint8_t index) noexcept {
        for (std::uint32_t i = 0; i <= index; ++i) recent_->register_service(service_name(static_cast<std::uint8_t>(i)));
        std::uint32_t synced = recent_services_.load(std::memory_order_relaxed);
        while (synced < std::uint32_t{index} + 1u &&
               !recent_services_.compare_exchange_weak(synced, std::uint32_t{index} + 1u, std::memory_order_release,
                                                       std::memory_order_relaxed)) {
        }
    }

    bool matches_rules(const SpanData& span) const noexcept {
        if (rules_.errors && span.status == StatusCode::error) return true;
        if (rules_.named_count != 0) {
            const std::string_view name = span.view(span.name);
            for (std::size_t i = 0; i < rules_.named_count; ++i)
                if (rules_.named[i].name == name) return span.duration_ns >= rules_.named[i].threshold_ns;
        }
        if (rules_.latency_ns != 0 && span.duration_ns >= rules_.latency_ns) return true;
        return rules_.predicate != nullptr && rules_.predicate(span, rules_.predicate_context);
    }

    void export_kept(SpanData& span, RecorderLane& lane) noexcept {
        span.options = static_cast<std::uint8_t>((span.options & ~SpanOptions::unsampled) | SpanOptions::kept);
        write(span, lane);
        kept_spans_.fetch_add(1, std::memory_order_relaxed);
    }

    // Enters `trace` in the table (or extends its window) and promotes its spans from the
    // recent ring into the export ring.
    std::size_t keep_trace(TraceId trace, std::uint64_t now_ns, RecorderLane* lane) noexcept {
        const std::uint64_t until = now_ns + rules_.window_ns;
        const bool known = find(trace, now_ns);
        insert(trace, until == 0 ? 1 : until);
        if (known) return 0;  // already promoted when it was first kept
        kept_traces_.fetch_add(1, std::memory_order_relaxed);
        RecorderLane& into = lane != nullptr ? *lane : current_lane();
        std::size_t promoted = 0;
        recent_->snapshot_unguarded([&](const SpanData& recorded, std::string_view) {
            if (!(recorded.trace_id == trace) || (recorded.options & SpanOptions::unsampled) == 0) return;
            // `recorded` is the walk's own copy: free to mark.
            export_kept(const_cast<SpanData&>(recorded), into);
            ++promoted;
        });
        return promoted;
    }

    bool find(TraceId trace, std::uint64_t when_ns) const noexcept {
        const std::size_t home = static_cast<std::size_t>(trace.low ^ trace.high);
        for (std::size_t i = 0; i < probe_length; ++i) {
            const detail::KeptTrace& slot = kept_[(home + i) & kept_mask_];
            const std::uint64_t before = slot.sequence.load(std::memory_order_acquire);
            if (before == 0) return false;  // never used: the probe ends here
            if ((before & 1) != 0) continue;
            const std::uint64_t high = slot.high.load(std::memory_order_relaxed);
            const std::uint64_t low = slot.low.load(std::memory_order_relaxed);
            const std::uint64_t until = slot.until_ns.load(std::memory_order_relaxed);
            detail::atomic_fence(std::memory_order_acquire);
            if (slot.sequence.load(std::memory_order_relaxed) != before) continue;
            if (high == trace.high && low == trace.low) return when_ns <= until;
        }
        return false;
    }

    // Writes `trace` into its slot if present, else into a free or expired slot of its
    // probe, else over the one whose window ends first (counted as evicted if still open).
    void insert(TraceId trace, std::uint64_t until_ns) noexcept {
        const std::size_t home = static_cast<std::size_t>(trace.low ^ trace.high);
        std::size_t chosen = home & kept_mask_;
        std::uint64_t chosen_until = ~std::uint64_t{0};
        const std::uint64_t now_ns = until_ns - rules_.window_ns;
        for (std::size_t i = 0; i < probe_length; ++i) {
            const std::size_t index = (home + i) & kept_mask_;
            detail::KeptTrace& slot = kept_[index];
            const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
            if (sequence == 0) {
                chosen = index;
                chosen_until = 0;
                break;
            }
            if (slot.high.load(std::memory_order_relaxed) == trace.high &&
                slot.low.load(std::memory_order_relaxed) == trace.low) {
                chosen = index;
                chosen_until = 0;
                break;
            }
            const std::uint64_t until = slot.until_ns.load(std::memory_order_relaxed);
            if (until < chosen_until) {
                chosen = index;
                chosen_until = until;
            }
        }
        if (chosen_until != 0 && chosen_until != ~std::uint64_t{0} && chosen_until >= now_ns)
            table_evicted_.fetch_add(1, std::memory_order_relaxed);
        detail::KeptTrace& slot = kept_[chosen];
        std::uint64_t sequence = slot.sequence.load(std::memory_order_relaxed);
        for (;;) {  // claim: another thread writing this slot finishes first
            if ((sequence & 1) != 0) {
                detail::yield_thread();
                sequence = slot.sequence.load(std::memory_order_relaxed);
                continue;
            }
            if (slot.sequence.compare_exchange_weak(sequence, sequence + 1, std::memory_order_acquire,
                                                    std::memory_order_relaxed))
                break;
        }
        detail::atomic_fence(std::memory_order_release);
        slot.high.store(trace.high, std::memory_order_relaxed);
        slot.low.store(trace.low, std::memory_order_relaxed);
        slot.until_ns.store(until_ns, std::memory_order_relaxed);
        slot.sequence.store(sequence + 2, std::memory_order_release);
    }

    RecorderCore* recent_ = nullptr;
    detail::KeptTrace* kept_ = nullptr;
    std::size_t kept_mask_ = 0;
    KeepRules rules_;
    detail::Atomic<std::uint64_t> kept_traces_{0};
    detail::Atomic<std::uint64_t> kept_spans_{0};
    detail::Atomic<std::uint64_t> table_evicted_{0};
    detail::Atomic<std::uint32_t> recent_services_{0};  // service names copied to the recent ring
};

namespace detail {
template <std::size_t Capacity, std::size_t RecentCapacity, std::size_t Lanes, std::size_t Kept>
struct FlightStorage {
    RecorderLane lanes_storage[config::enabled ? Lanes : 1];
    RecorderSlot slots_storage[config::enabled ? Capacity : 1];
    Recorder<config::enabled ? RecentCapacity : Lanes, Lanes> recent_storage;
    KeptTrace kept_storage[config::enabled ? Kept : 1];
};
}  // namespace detail

// A recorder that keeps `Capacity` exported spans (head-sampled, and those of kept traces)
// and the last `RecentCapacity` spans nobody sampled or kept, over `Lanes` lanes each, and
// remembers up to `Kept` kept traces at a time (all powers of two).
template <std::size_t Capacity, std::size_t RecentCapacity, std::size_t Lanes = 1, std::size_t Kept = 64>
class FlightRecorder : private detail::FlightStorage<Capacity, RecentCapacity, Lanes, Kept>, public FlightCore {
    static_assert(Lanes > 0 && (Lanes & (Lanes - 1)) == 0, "Lanes must be a power of two");
    static_assert(Capacity >= Lanes && (Capacity & (Capacity - 1)) == 0,
                  "Capacity must be a power of two, at least one per lane");
    static_assert(RecentCapacity >= Lanes && (RecentCapacity & (RecentCapacity - 1)) == 0,
                  "RecentCapacity must be a power of two, at least one per lane");
    static_assert(Kept >= 4 && (Kept & (Kept - 1)) == 0, "Kept must be a power of two, at least 4");

  public:
    explicit FlightRecorder(const KeepRules& rules = KeepRules{},
                            OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept {
        if constexpr (config::enabled) {
            attach(this->slots_storage, Capacity, this->lanes_storage, Lanes, policy);
            attach_flight(this->recent_storage, this->kept_storage, Kept, rules);
        }
    }
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/flight.hpp"
// #include "microtrace/crash_dump.hpp" (inlined)
// microtrace/crash_dump.hpp — the recorder's ring as Zipkin JSON from a fatal-signal
// handler (POSIX: with MICROTRACE_POSIX=1, MICROTRACE_HAS_CRASH_DUMP is then 1).
//
// crash_dump_zipkin() is async-signal-safe: no allocation, no lock, no stdio. It walks the
// ring without the recorder's dump flag (the crashing thread may be the one holding it,
// in the middle of a dump) and relies on the slots' sequence numbers alone, as every dump
// does, to skip spans being written or overwritten meanwhile; the JSON goes out through a
// 256-byte stack buffer with write(2). install_crash_dump() hooks it to SIGSEGV, SIGBUS,
// SIGFPE, SIGILL and SIGABRT: the first fatal signal writes the dump once, then the
// handler that was there before runs (or the default action: the process still dies with
// the same signal and leaves its core dump).
//
// Open the file before the crash (open(2) in the handler is allowed, but a crash is a bad
// time to find out the directory is not writable) and give the process an alternate
// signal stack (sigaltstack) if stack overflows are among the crashes to catch: the dump
// needs about 2 KiB of stack.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/recorder.hpp" (already inlined above)
// #include "microtrace/span_data.hpp" (already inlined above)
// #include "microtrace/zipkin.hpp" (already inlined above)

#if MICROTRACE_POSIX
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#define MICROTRACE_HAS_CRASH_DUMP 1
#else
#define MICROTRACE_HAS_CRASH_DUMP 0
#endif

MICROTRACE_BEGIN_NAMESPACE

#if MICROTRACE_HAS_CRASH_DUMP

namespace detail {

// A Sink target: write(2) until all is written (retrying on EINTR, giving up on errors).
inline void write_to_fd(void* fd, const char* data, std::size_t size) noexcept {
    const int descriptor = *static_cast<const int*>(fd);
    while (size != 0) {
        const ::ssize_t written = ::write(descriptor, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

inline constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
inline constexpr std::size_t crash_signal_count = sizeof crash_signals / sizeof crash_signals[0];

struct CrashDumpState {
    Atomic<const RecorderCore*> recorder{nullptr};
    Atomic<int> fd{-1};
    Atomic<std::uint32_t> fired{0};
    struct sigaction previous[crash_signal_count]{};  // zeros: constant-initialized, no guard
};
inline CrashDumpState crash_dump_state;

}  // namespace detail

// Writes the spans `recorder` holds to the file descriptor `fd` as one Zipkin v2 JSON
// array followed by a newline. Async-signal-safe (see above): callable from a signal
// handler, and from anywhere else (it leaves errno as it found it). Non-destructive.
// Returns how many spans it wrote.
inline std::size_t crash_dump_zipkin(const RecorderCore& recorder, int fd) noexcept {
    if constexpr (!config::enabled) return 0;
    const int saved_errno = errno;
    std::size_t written = 0;
    {
        JsonWriter json(Sink(&detail::write_to_fd, &fd));
        json.raw('[');
        recorder.snapshot_unguarded([&](const SpanData& span, std::string_view service) {
            if (written != 0) json.raw(',');
            ++written;
            write_zipkin_span(json, span, service);
        });
        json.raw("]\n");
    }
    errno = saved_errno;
    return written;
}

namespace detail {
inline void crash_dump_handler(int signal_number, ::siginfo_t* info, void* context) noexcept {
    CrashDumpState& state = crash_dump_state;
    // Once, even when several threads crash together or the dump itself faults.
    if (state.fired.exchange(1, std::memory_order_acq_rel) == 0) {
        const RecorderCore* recorder = state.recorder.load(std::memory_order_acquire);
        const int fd = state.fd.load(std::memory_order_acquire);
        if (recorder != nullptr && fd >= 0) crash_dump_zipkin(*recorder, fd);
    }
    // Hand the signal on to whoever handled it before.
    for (std::size_t i = 0; i < crash_signal_count; ++i) {
        if (crash_signals[i] != signal_number) continue;
        const struct sigaction& previous = state.previous[i];
        if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
            previous.sa_sigaction(signal_number, info, context);
            return;
        }
        if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
            previous.sa_handler(signal_number);
            return;
        }
        // The default action: restore it and raise the signal again. A fault re-executes
        // the faulting instruction on return; a raised signal is delivered on return.
        ::sigaction(signal_number, &previous, nullptr);
        ::raise(signal_number);
        return;
    }
}
}  // namespace detail

// Dumps `recorder` to `fd` (see crash_dump_zipkin) when the process gets a fatal signal
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), then passes the signal on to the handler
// installed before, or to the default action. The recorder must outlive the process's
// last chance to crash (a static one does); the fd stays open. Calling it again points the
// dump at another recorder or fd. Returns false if a handler could not be installed (or
// when tracing is compiled out: then nothing is installed).
inline bool install_crash_dump(const RecorderCore& recorder, int fd) noexcept {
    if constexpr (!config::enabled) return false;
    detail::CrashDumpState& state = detail::crash_dump_state;
    state.fd.store(fd, std::memory_order_release);
    const bool installed_before = state.recorder.exchange(&recorder, std::memory_order_acq_rel) != nullptr;
    if (installed_before) return true;
    struct sigaction action {};
    action.sa_sigaction = &detail::crash_dump_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    bool ok = true;
    for (std::size_t i = 0; i < detail::crash_signal_count; ++i)
        ok = ::sigaction(detail::crash_signals[i], &action, &state.previous[i]) == 0 && ok;
    return ok;
}

#endif  // MICROTRACE_HAS_CRASH_DUMP

MICROTRACE_END_NAMESPACE
// end of "microtrace/crash_dump.hpp"
// #include "microtrace/samplers/samplers.hpp" (inlined)
// microtrace/samplers/samplers.hpp — every built-in sampler; docs/sampling.md explains them.

// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/samplers/threshold.hpp" (already inlined above)
// #include "microtrace/samplers/probability.hpp" (inlined)
// microtrace/samplers/probability.hpp — OpenTelemetry's consistent trace-id probability
// sampler (TraceIdRatioBased, as specified with OTEP 235 thresholds).

#include <cstdint>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/samplers/threshold.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Samples a trace iff R >= T, where R is the trace's randomness (the trace id's right-most
// 56 bits, or the parent's `ot=rv`) and T = 2^56 - round(p * 2^56). Every service that
// uses the same p, in any OpenTelemetry-conforming SDK, keeps exactly the same traces, and
// one with a higher p keeps a superset of them.
//
// Like OpenTelemetry's TraceIdRatioBased it ignores the parent's sampled flag and `th`
// (wrap it in ParentBased to follow parents), and a sampled decision carries T, which the
// W3C propagator writes as `ot=th:...`. p >= 1 samples everything (th:0); p <= 0 and NaN
// sample nothing; p below 2^-57 rounds to nothing as well.
class ProbabilitySampler {
  public:
    explicit constexpr ProbabilitySampler(double probability) noexcept
        : probability_(probability >= 1.0 ? 1.0 : (probability > 0.0 ? probability : 0.0)),
          threshold_(threshold_for_probability(probability)) {}

    constexpr SamplingResult should_sample(const SamplingParameters& params) const noexcept {
        const bool sampled = threshold_samples(threshold_, params.randomness());
        return {sampled, sampled ? threshold_ : no_sampling_threshold};
    }

    // The probability as configured (clamped to [0, 1]), e.g. for the description.
    constexpr double probability() const noexcept { return probability_; }
    // The rejection threshold every decision uses; max_threshold when it never samples.
    constexpr std::uint64_t threshold() const noexcept { return threshold_; }

    // `ProbabilitySampler{0.05}`.
    SamplerDescription description() const noexcept {
        return SamplerDescription{}
            .append("ProbabilitySampler{")
            .append_number(probability_)
            .append("}");
    }

  private:
    double probability_;
    std::uint64_t threshold_;
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/samplers/probability.hpp"
// #include "microtrace/samplers/parent_based.hpp" (inlined)
// microtrace/samplers/parent_based.hpp — OpenTelemetry's ParentBased composition: a span
// with a parent follows it; a root span asks the root sampler.

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/samplers/threshold.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Samples iff the parent is sampled (or B3 debug), and carries the parent's OpenTelemetry
// threshold when it is consistent with the decision. ParentBased's default for its four
// parent cases: it decides like OpenTelemetry's AlwaysOn / AlwaysOff defaults but, as the
// OpenTelemetry probability-sampling rules require of a parent-based stage, propagates the
// parent's `th` instead of claiming 100% (`th:0`). With no parent it samples nothing.
struct FollowParentSampler {
    constexpr SamplingResult should_sample(const SamplingParameters& params) const noexcept {
        const SpanContext* parent = params.parent;
        if (parent == nullptr || !(parent->is_sampled() || parent->debug)) return {};
        return {true, inherited_threshold(*parent, params.randomness())};
    }
    SamplerDescription description() const noexcept {
        return SamplerDescription{}.append("FollowParentSampler");
    }

    // The parent's threshold, or none when it has none or it is apparently inconsistent
    // (R < T although the parent was sampled: a non-probabilistic decision upstream), in
    // which case OpenTelemetry says to erase it rather than pass on a wrong adjusted count.
    static constexpr std::uint64_t inherited_threshold(const SpanContext& parent,
                                                       std::uint64_t randomness) noexcept {
        const std::uint64_t threshold = parent.sampling_threshold;
        return threshold < max_threshold && threshold_samples(threshold, randomness)
                   ? threshold
                   : no_sampling_threshold;
    }
};

// Chooses a delegate by the parent, as OpenTelemetry's ParentBased does:
//
//   no parent (or an invalid one)         -> root
//   remote parent, sampled                -> remote_parent_sampled      (default: follow)
//   remote parent, not sampled            -> remote_parent_not_sampled  (default: follow)
//   local parent, sampled                 -> local_parent_sampled       (default: follow)
//   local parent, not sampled             -> local_parent_not_sampled   (default: follow)
//
// Cases OpenTelemetry does not have, from B3: a debug parent is always sampled, whatever
// the delegates say (even a `b3: d` with no ids); a parent that carries no decision (B3
// "defer", SpanContext::sampling_deferred) counts as no parent, so the root sampler decides;
// a remote parent without ids (`b3: 0`, `b3: 1`) is followed like any remote parent. A
// local parent without ids is no parent.
//
// Delegates are held by value (no heap, no virtual call). A root sampler that counts, such
// as RateLimitedSampler or AdaptiveSampler, therefore sees root spans only.
template <class Root, class RemoteParentSampled = FollowParentSampler,
          class RemoteParentNotSampled = FollowParentSampler,
          class LocalParentSampled = FollowParentSampler,
          class LocalParentNotSampled = FollowParentSampler>
class ParentBased {
    static_assert(is_sampler_v<Root> && is_sampler_v<RemoteParentSampled> &&
                      is_sampler_v<RemoteParentNotSampled> && is_sampler_v<LocalParentSampled> &&
                      is_sampler_v<LocalParentNotSampled>,
                  "every ParentBased delegate must be a sampler: see sampler.hpp");

  public:
    explicit constexpr ParentBased(Root root, RemoteParentSampled remote_parent_sampled = {},
                                   RemoteParentNotSampled remote_parent_not_sampled = {},
                                   LocalParentSampled local_parent_sampled = {},
                                   LocalParentNotSampled local_parent_not_sampled = {}) noexcept
        : root_(std::move(root)),
          remote_parent_sampled_(std::move(remote_parent_sampled)),
          remote_parent_not_sampled_(std::move(remote_parent_not_sampled)),
          local_parent_sampled_(std::move(local_parent_sampled)),
          local_parent_not_sampled_(std::move(local_parent_not_sampled)) {}

    // Const when every delegate's should_sample is (all built-in ones are); the non-const
    // overload serves custom delegates whose should_sample is not.
    SamplingResult should_sample(const SamplingParameters& params) const noexcept {
        return decide(*this, params);
    }
    SamplingResult should_sample(const SamplingParameters& params) noexcept {
        return decide(*this, params);
    }

    // `ParentBased{root=ProbabilitySampler{0.05}}`, plus each delegate that is not the
    // default, by its OpenTelemetry parameter name.
    SamplerDescription description() const noexcept {
        SamplerDescription text;
        text.append("ParentBased{root=").append(root_.description().view());
        append_delegate(text, ",remoteParentSampled=", remote_parent_sampled_);
        append_delegate(text, ",remoteParentNotSampled=", remote_parent_not_sampled_);
        append_delegate(text, ",localParentSampled=", local_parent_sampled_);
        append_delegate(text, ",localParentNotSampled=", local_parent_not_sampled_);
        return text.append("}");
    }

    // The delegates, e.g. to read an adaptive root sampler's probability or statistics,
    // or to end its window.
    Root& root() noexcept { return root_; }
    const Root& root() const noexcept { return root_; }
    const RemoteParentSampled& remote_parent_sampled() const noexcept {
        return remote_parent_sampled_;
    }
    const RemoteParentNotSampled& remote_parent_not_sampled() const noexcept {
        return remote_parent_not_sampled_;
    }
    const LocalParentSampled& local_parent_sampled() const noexcept {
        return local_parent_sampled_;
    }
    const LocalParentNotSampled& local_parent_not_sampled() const noexcept {
        return local_parent_not_sampled_;
    }

  private:
    template <class Self>  // ParentBased or const ParentBased
    static SamplingResult decide(Self& self, const SamplingParameters& params) noexcept {
        const SpanContext* parent = params.parent;
        if (parent == nullptr) return self.root_.should_sample(params);
        // Debug is only ever set on purpose, so it wins even without ids (B3 `b3: d`).
        if (parent->debug)
            return {true, FollowParentSampler::inherited_threshold(*parent, params.randomness())};
        // A parent without ids still carries a decision when it came from a carrier (B3
        // `b3: 0` / `b3: 1`); B3 "defer" carries none.
        const bool has_decision =
            !parent->sampling_deferred && (parent->is_valid() || parent->remote);
        if (!has_decision) return self.root_.should_sample(params);
        if (parent->remote)
            return parent->is_sampled() ? self.remote_parent_sampled_.should_sample(params)
                                        : self.remote_parent_not_sampled_.should_sample(params);
        return parent->is_sampled() ? self.local_parent_sampled_.should_sample(params)
                                    : self.local_parent_not_sampled_.should_sample(params);
    }

    template <class Delegate>
    static void append_delegate(SamplerDescription& text, std::string_view name,
                                const Delegate& delegate) noexcept {
        if constexpr (!std::is_same_v<Delegate, FollowParentSampler>)
            text.append(name).append(delegate.description().view());
    }

    Root root_;
    RemoteParentSampled remote_parent_sampled_;
    RemoteParentNotSampled remote_parent_not_sampled_;
    LocalParentSampled local_parent_sampled_;
    LocalParentNotSampled local_parent_not_sampled_;
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/samplers/parent_based.hpp"
// #include "microtrace/samplers/coarse_clock.hpp" (inlined)
// microtrace/samplers/coarse_clock.hpp — the cheap clock rate-limited and adaptive samplers
// read on every decision.
//
// Those samplers only need to know which second (or window) a decision falls in, so they
// trade resolution for speed: Linux's CLOCK_MONOTONIC_COARSE costs about 5 ns against
// steady_clock's 25-30 ns, with a resolution of one scheduler tick (1-4 ms). Elsewhere it
// falls back to steady_clock, and with MICROTRACE_STD_CLOCK=0 to a clock stopped at 0 (a
// rate limit then never refills, adaptive windows end only by advance_window()): firmware
// passes its own tick counter instead.

#include <cstdint>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)

#if MICROTRACE_ENABLED && defined(__linux__)
#include <time.h>
#endif

MICROTRACE_BEGIN_NAMESPACE

// Monotonic nanoseconds, any origin, to within a few milliseconds. A Clock::NowFn.
inline std::uint64_t coarse_monotonic_ns() noexcept {
#if MICROTRACE_ENABLED && defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE)
    timespec now{};
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) == 0)
        return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
               static_cast<std::uint64_t>(now.tv_nsec);
#endif
#if MICROTRACE_STD_CLOCK
    return Clock::steady_now_ns();
#else
    return 0;  // MICROTRACE_STD_CLOCK=0: no clock to fall back on; pass your own tick counter
#endif
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/samplers/coarse_clock.hpp"
// #include "microtrace/samplers/rate_limited.hpp" (inlined)
// microtrace/samplers/rate_limited.hpp — at most N sampled spans per second, lock-free.

#include <atomic>
#include <cstdint>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/samplers/coarse_clock.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// A token bucket: `per_second` tokens a second, holding at most `burst`; a decision that
// takes a token samples. Use it as ParentBased's root sampler, so that it limits root
// traces and their children follow them; on its own it limits every span it is asked about.
//
// The bucket is one atomic word, the generic cell rate algorithm's "theoretical arrival
// time": the instant the bucket would be full again. A decision samples iff that instant
// is at most (burst - 1) token intervals ahead of now, and then pushes it one interval
// later with a compare-exchange. A refused decision is a load and a compare; a granted one
// is one CAS, retried only when another thread has just taken a token. Never more tokens
// than the rate and burst allow, however many threads ask at once. (With
// MICROTRACE_THREADS=0 the word is a plain variable.)
//
// Its decisions are not probabilistic, so they carry no OpenTelemetry threshold (`th` is
// erased). Time comes from `now_ns` (default: coarse_monotonic_ns, a few ms resolution);
// tests and firmware pass their own.
class RateLimitedSampler {
  public:
    // `burst` 0 means one second's worth (at least 1). `per_second` <= 0 or NaN never
    // samples. A null `now_ns` means the default clock.
    explicit constexpr RateLimitedSampler(double per_second, std::uint32_t burst = 0,
                                          Clock::NowFn now_ns = &coarse_monotonic_ns) noexcept
        : per_second_(per_second > 0.0 ? per_second : 0.0),
          burst_(burst != 0 ? burst : one_second_of(per_second_)),
          interval_ns_(interval_for(per_second_)),
          tolerance_ns_(tolerance_for(burst_, interval_ns_)),
          now_ns_(now_ns != nullptr ? now_ns : &coarse_monotonic_ns) {}

    // A copy has the same configuration and a full bucket of its own: copying is for
    // setting up (the tracer takes its sampler by value), so it is constexpr and a static
    // tracer stays constant-initialized.
    constexpr RateLimitedSampler(const RateLimitedSampler& other) noexcept
        : per_second_(other.per_second_),
          burst_(other.burst_),
          interval_ns_(other.interval_ns_),
          tolerance_ns_(other.tolerance_ns_),
          now_ns_(other.now_ns_) {}
    RateLimitedSampler& operator=(const RateLimitedSampler&) = delete;

    SamplingResult should_sample(const SamplingParameters&) const noexcept {
        if (interval_ns_ == never) return {};
        const std::uint64_t now = now_ns_();
        std::uint64_t full_at = full_again_at_ns_.load(std::memory_order_relaxed);
        for (;;) {
            // A bucket idle long enough is simply full: it never banks more than `burst`.
            const std::uint64_t from = full_at > now ? full_at : now;
            if (from - now > tolerance_ns_) return {};  // empty
            // Relaxed: the word publishes no other data; its modification order alone
            // makes every granted token distinct.
            if (full_again_at_ns_.compare_exchange_weak(full_at, from + interval_ns_,
                                                        std::memory_order_relaxed))
                return {true, no_sampling_threshold};
        }
    }

    double per_second() const noexcept { return per_second_; }
    std::uint32_t burst() const noexcept { return burst_; }

    // `RateLimitedSampler{100/s,burst=100}`.
    SamplerDescription description() const noexcept {
        return SamplerDescription{}
            .append("RateLimitedSampler{")
            .append_number(per_second_)
            .append("/s,burst=")
            .append_number(std::uint64_t{burst_})
            .append("}");
    }

  private:
    static constexpr std::uint64_t never = ~std::uint64_t{0};
    // Caps keep every sum below 2^64 for centuries of uptime.
    static constexpr double max_span_ns = 0x1p62;

    static constexpr std::uint32_t one_second_of(double per_second) noexcept {
        if (per_second >= 4294967295.0) return 4294967295u;
        return per_second >= 1.0 ? static_cast<std::uint32_t>(per_second) : 1;
    }
    // Nanoseconds between two tokens, at least 1; `never` for a zero rate.
    static constexpr std::uint64_t interval_for(double per_second) noexcept {
        if (!(per_second > 0.0)) return never;
        const double interval = 1e9 / per_second;
        if (interval >= max_span_ns) return never;
        return interval < 1.0 ? 1 : static_cast<std::uint64_t>(interval + 0.5);
    }
    // How far ahead of now the full-again instant may be for a token to remain.
    static constexpr std::uint64_t tolerance_for(std::uint32_t burst,
                                                 std::uint64_t interval_ns) noexcept {
        if (interval_ns == never) return 0;
        const double tolerance = (burst - 1.0) * static_cast<double>(interval_ns);
        return tolerance >= max_span_ns ? static_cast<std::uint64_t>(max_span_ns)
                                        : static_cast<std::uint64_t>(tolerance);
    }

    double per_second_;
    std::uint32_t burst_;
    std::uint64_t interval_ns_;
    std::uint64_t tolerance_ns_;
    Clock::NowFn now_ns_;
    // 0: full from the start.
    mutable detail::Atomic<std::uint64_t> full_again_at_ns_{0};
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/samplers/rate_limited.hpp"
// #include "microtrace/samplers/adaptive.hpp" (inlined)
// microtrace/samplers/adaptive.hpp — holds the number of sampled root traces near a target
// per second (or per tick), whatever the load.

#include <atomic>
#include <cstddef>
#include <cstdint>

// #include "microtrace/clock.hpp" (already inlined above)
// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/atomic.hpp" (already inlined above)
// #include "microtrace/sampler.hpp" (already inlined above)
// #include "microtrace/samplers/coarse_clock.hpp" (already inlined above)
// #include "microtrace/samplers/threshold.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// How an AdaptiveSampler behaves. Every field has a default; C++20 callers can write
// `AdaptiveSampler({.target = 100})`.
struct AdaptiveSamplerConfig {
    // Sampled decisions wanted per window.
    double target = 100;
    // Window length. 0: no clock at all; a window ends only when advance_window() is
    // called (once per game tick, frame, batch...).
    std::uint64_t window_ns = 1'000'000'000;
    // Bounds of the probability, whatever the load. min 0 allows sampling nothing.
    double min_probability = 0x1p-56;
    double max_probability = 1.0;
    // Probability for the first window, before any load is known; below 0: max_probability.
    double initial_probability = -1;
    // Weight of the newest window in the load estimate, in (0, 1]: 1 reacts at once, lower
    // values smooth noisy loads. A load more than twice or less than half the estimate is
    // taken as is, so a burst or a lull is followed within one window.
    double smoothing = 0.5;
    // Monotonic time; unused when window_ns is 0. Null means coarse_monotonic_ns.
    Clock::NowFn now_ns = &coarse_monotonic_ns;
};

// Exact counts of the decisions an AdaptiveSampler made.
struct AdaptiveSamplerStatistics {
    std::uint64_t windows = 0;  // windows completed
    std::uint64_t decisions = 0;
    std::uint64_t sampled = 0;
    std::uint64_t window_decisions = 0;  // of which in the current window
    std::uint64_t window_sampled = 0;
};

// Samples with the trace-id probability rule (R >= T, like ProbabilitySampler, so services
// agree on the traces they share for the current probability) and, at the end of every
// window, sets the probability to target / estimated decisions per window, clamped to
// [min_probability, max_probability]. A load below the target therefore samples
// everything (up to max_probability). Use it as ParentBased's root sampler so that it
// counts root traces and children follow their root.
//
// Hot path: one clock read (none in tick mode), two loads and one fetch_add on a counter
// of the thread's own (8 cache-line stripes). The thread that first sees the window over
// ends it; the others keep deciding with the previous probability meanwhile, and no
// decision is lost from the counts. (With MICROTRACE_THREADS=0 the atomics are plain
// variables and there is one stripe.)
class AdaptiveSampler {
  public:
    explicit constexpr AdaptiveSampler(double target_per_second) noexcept
        : AdaptiveSampler(config_for(target_per_second, 1'000'000'000)) {}
    // The first window starts with the first decision (or advance_window()), not here, so
    // that construction reads no clock and a static sampler is constant-initialized.
    explicit constexpr AdaptiveSampler(const AdaptiveSamplerConfig& config) noexcept
        : target_(config.target > 0.0 ? config.target : 0.0),
          window_ns_(config.window_ns),
          smoothing_(config.smoothing > 0.0 && config.smoothing <= 1.0 ? config.smoothing : 1.0),
          now_ns_(config.now_ns != nullptr ? config.now_ns : &coarse_monotonic_ns),
          // The bounds apply to the threshold: a bigger threshold is a smaller probability.
          highest_threshold_(threshold_for_probability(config.min_probability)),
          lowest_threshold_(clamp_threshold(threshold_for_probability(config.max_probability),
                                            0, highest_threshold_)),
          initial_threshold_(initial_threshold(config.initial_probability)),
          threshold_(initial_threshold_),
          window_end_ns_(window_ns_ != 0 ? not_started : no_window_end) {}
    // A sampler whose windows are ticks: call advance_window() once per tick.
    static constexpr AdaptiveSampler per_tick(double target_per_tick) noexcept {
        return AdaptiveSampler(config_for(target_per_tick, 0));
    }

    // A copy has the same configuration and starts afresh (initial probability, no counts):
    // copying is for setting up (the tracer takes its sampler by value), so it is constexpr
    // and a static tracer stays constant-initialized.
    constexpr AdaptiveSampler(const AdaptiveSampler& other) noexcept
        : target_(other.target_),
          window_ns_(other.window_ns_),
          smoothing_(other.smoothing_),
          now_ns_(other.now_ns_),
          highest_threshold_(other.highest_threshold_),
          lowest_threshold_(other.lowest_threshold_),
          initial_threshold_(other.initial_threshold_),
          threshold_(initial_threshold_),
          window_end_ns_(window_ns_ != 0 ? not_started : no_window_end) {}
    AdaptiveSampler& operator=(const AdaptiveSampler&) = delete;

    SamplingResult should_sample(const SamplingParameters& params) const noexcept {
        if (window_ns_ != 0) {
            const std::uint64_t now = now_ns_();
            if (now >= window_end_ns_.load(std::memory_order_relaxed)) end_window(now, false);
        }
        const std::uint64_t threshold = threshold_.load(std::memory_order_relaxed);
        const bool sampled = threshold_samples(threshold, params.randomness());
        // One RMW counts both: decisions in the high half, sampled ones in the low half (so
        // a window holds up to 2^32 - 1 decisions per stripe: billions a second).
        window_counts_[counter_stripe()].counts.fetch_add(one_decision | (sampled ? 1 : 0),
                                                           std::memory_order_relaxed);
        return {sampled, sampled ? threshold : no_sampling_threshold};
    }

    // Ends the current window now and adapts the probability: the tick of a game loop, or
    // an early end in clock mode. Returns false (doing nothing) if another thread is ending
    // the window at this moment.
    bool advance_window() noexcept { return end_window(window_ns_ != 0 ? now_ns_() : 0, true); }

    // The probability decisions use now: (2^56 - threshold) / 2^56.
    double probability() const noexcept { return probability_for_threshold(threshold()); }
    // The rejection threshold decisions use now.
    std::uint64_t threshold() const noexcept { return threshold_.load(std::memory_order_relaxed); }
    double target() const noexcept { return target_; }

    // Exact counts. A snapshot consistent across windows: it never counts a decision twice
    // or misses one, even while a window ends.
    AdaptiveSamplerStatistics statistics() const noexcept {
        // A sequence lock: windows_ended_ is odd while a window's counts move to the totals.
        // The acquire loads pair with end_window's release writes, so a snapshot that saw
        // any of that move also sees the odd count and is taken again.
        for (;;) {
            const std::uint64_t before = windows_ended_.load(std::memory_order_acquire);
            if (before % 2 != 0) continue;
            AdaptiveSamplerStatistics stats;
            stats.windows = before / 2;
            for (const CounterStripe& stripe : window_counts_) {
                const std::uint64_t counts = stripe.counts.load(std::memory_order_acquire);
                stats.window_decisions += counts >> 32;
                stats.window_sampled += counts & low_half;
            }
            stats.decisions =
                total_decisions_.load(std::memory_order_acquire) + stats.window_decisions;
            stats.sampled = total_sampled_.load(std::memory_order_acquire) + stats.window_sampled;
            if (windows_ended_.load(std::memory_order_relaxed) == before) return stats;
        }
    }

    // `AdaptiveSampler{100/s,p=0.01,min=1.38777878078145e-17,max=1}`; `/tick` in tick mode.
    SamplerDescription description() const noexcept {
        SamplerDescription text;
        text.append("AdaptiveSampler{").append_number(target_);
        if (window_ns_ == 0)
            text.append("/tick");
        else if (window_ns_ == 1'000'000'000)
            text.append("/s");
        else
            text.append("/").append_number(window_ns_).append("ns");
        return text.append(",p=")
            .append_number(probability())
            .append(",min=")
            .append_number(probability_for_threshold(highest_threshold_))
            .append(",max=")
            .append_number(probability_for_threshold(lowest_threshold_))
            .append("}");
    }

  private:
    static constexpr std::uint64_t one_decision = std::uint64_t{1} << 32;
    static constexpr std::uint64_t low_half = one_decision - 1;
    // window_end_ns_ values that no clock reaches: tick mode's, and "being ended"; and 0,
    // which every clock reading passes: "clock mode, no window yet".
    static constexpr std::uint64_t no_window_end = ~std::uint64_t{0} - 1;
    static constexpr std::uint64_t ending = ~std::uint64_t{0};
    static constexpr std::uint64_t not_started = 0;

    // Decision counters: 8 stripes where threads have thread_local to remember theirs, else 1
    // (and then no cache-line padding either).
    static constexpr std::size_t counter_stripes =
        MICROTRACE_THREADS && MICROTRACE_THREAD_LOCAL ? 8 : 1;
    static constexpr std::size_t stripe_alignment =
        counter_stripes > 1 ? 64 : alignof(std::uint64_t);

    // This thread's stripe: threads take stripes in turn, the first time they decide.
    static std::size_t counter_stripe() noexcept {
#if MICROTRACE_THREADS && MICROTRACE_THREAD_LOCAL
        static detail::Atomic<std::size_t> next_stripe{0};
        thread_local std::size_t stripe_plus_one = 0;  // constant-initialized: no TLS guard
        if (stripe_plus_one == 0) {
            const std::size_t taken = next_stripe.fetch_add(1, std::memory_order_relaxed);
            stripe_plus_one = taken % counter_stripes + 1;
        }
        return stripe_plus_one - 1;
#else
        return 0;
#endif
    }

    static constexpr AdaptiveSamplerConfig config_for(double target,
                                                      std::uint64_t window_ns) noexcept {
        AdaptiveSamplerConfig config;
        config.target = target;
        config.window_ns = window_ns;
        return config;
    }
    static constexpr std::uint64_t clamp_threshold(std::uint64_t threshold, std::uint64_t lowest,
                                                   std::uint64_t highest) noexcept {
        return threshold < lowest ? lowest : (threshold > highest ? highest : threshold);
    }
    constexpr std::uint64_t initial_threshold(double probability) const noexcept {
        if (probability < 0) return lowest_threshold_;  // the default: max_probability
        return clamp_threshold(threshold_for_probability(probability), lowest_threshold_,
                               highest_threshold_);
    }

    // Closes the window if this thread is the one to (or `forced`, whatever the clock says),
    // folds its counts into the totals and picks the next probability.
    bool end_window(std::uint64_t now, bool forced) const noexcept {
        std::uint64_t end = window_end_ns_.load(std::memory_order_relaxed);
        // Claiming the window end is the only lock: losers return and decide as before.
        do {
            if (end == ending || (!forced && now < end)) return false;
        } while (!window_end_ns_.compare_exchange_weak(end, ending, std::memory_order_acquire,
                                                       std::memory_order_relaxed));
        if (end == not_started) {  // the first decision in clock mode: the first window opens
            window_start_ns_ = now;
            window_end_ns_.store(now + window_ns_, std::memory_order_release);
            return true;
        }

        windows_ended_.fetch_add(1, std::memory_order_relaxed);  // odd: statistics() waits
        std::uint64_t decisions = 0;
        std::uint64_t sampled = 0;
        for (CounterStripe& stripe : window_counts_) {
            const std::uint64_t counts = stripe.counts.exchange(0, std::memory_order_acq_rel);
            decisions += counts >> 32;
            sampled += counts & low_half;
        }
        total_decisions_.fetch_add(decisions, std::memory_order_release);
        total_sampled_.fetch_add(sampled, std::memory_order_release);
        windows_ended_.fetch_add(1, std::memory_order_release);  // even again

        // Decisions per window length; a window that ran long (an idle device) or was cut
        // short (advance_window) is scaled to the configured length.
        double load = static_cast<double>(decisions);
        if (window_ns_ != 0 && now > window_start_ns_)
            load *= static_cast<double>(window_ns_) / static_cast<double>(now - window_start_ns_);
        const bool step = !has_estimate_ || load > 2 * load_estimate_ || 2 * load < load_estimate_;
        load_estimate_ = step ? load : smoothing_ * load + (1 - smoothing_) * load_estimate_;
        has_estimate_ = true;

        const double probability = load_estimate_ > 0 ? target_ / load_estimate_ : 1.0;
        threshold_.store(clamp_threshold(threshold_for_probability(probability), lowest_threshold_,
                                         highest_threshold_),
                         std::memory_order_relaxed);

        window_start_ns_ = now;
        // Release: the next thread to claim the end sees this window's estimate.
        window_end_ns_.store(window_ns_ != 0 ? now + window_ns_ : no_window_end,
                             std::memory_order_release);
        return true;
    }

    // Configuration.
    double target_ = 0;
    std::uint64_t window_ns_ = 0;
    double smoothing_ = 1;
    Clock::NowFn now_ns_ = nullptr;
    std::uint64_t highest_threshold_ = max_threshold;  // from min_probability
    std::uint64_t lowest_threshold_ = 0;               // from max_probability
    std::uint64_t initial_threshold_ = 0;              // from initial_probability

    // Read by every decision, written once a window: shared, clean, by all cores.
    mutable detail::Atomic<std::uint64_t> threshold_{0};
    mutable detail::Atomic<std::uint64_t> window_end_ns_{no_window_end};
    // Written by every decision: a thread always counts into the same stripe, each on a
    // cache line of its own, so threads on different cores do not pass lines back and forth
    // (nor evict the two words above from each other's caches).
    struct alignas(stripe_alignment) CounterStripe {
        detail::Atomic<std::uint64_t> counts{0};  // decisions << 32 | sampled
    };
    mutable CounterStripe window_counts_[counter_stripes];

    // Written only by the thread that holds the window end (window_end_ns_ == ending).
    mutable detail::Atomic<std::uint64_t> windows_ended_{0};  // twice the windows; odd mid-close
    mutable detail::Atomic<std::uint64_t> total_decisions_{0};
    mutable detail::Atomic<std::uint64_t> total_sampled_{0};
    mutable std::uint64_t window_start_ns_ = 0;
    mutable double load_estimate_ = 0;
    mutable bool has_estimate_ = false;
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/samplers/adaptive.hpp"
// end of "microtrace/samplers/samplers.hpp"
// #include "microtrace/propagation/propagation.hpp" (inlined)
// microtrace/propagation/propagation.hpp — every propagation header: carriers, W3C
// traceparent/tracestate, W3C Baggage, B3, and the composite extract/inject.

// #include "microtrace/propagation/carrier.hpp" (inlined)
// microtrace/propagation/carrier.hpp — how propagators read and write headers.
//
// A carrier is any type with these two members (propagators call nothing else):
//
//   template <class Visit> void for_each_value(std::string_view name, Visit&& visit) const;
//       Calls visit(std::string_view value) once per header line called `name`, in the
//       order received. `name` is lowercase; match it ignoring case (header_name_equals).
//       The views must stay valid until the extract call returns.
//   void set(std::string_view name, std::string_view value) const;
//       Sends header `name` (lowercase) with `value`, replacing any earlier one. (A carrier
//       is a view of headers held elsewhere, so writing through a const one is fine.)
//
// Ready-made: HeaderListCarrier adapts std::map, std::unordered_map, std::multimap and
// vectors of name/value pairs (extract and inject also accept those containers directly);
// CallbackCarrier adapts two lambdas, for frameworks with their own header types. The
// propagators never allocate; a container that stores std::string does, by its nature.

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

// #include "microtrace/config.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// The header names the propagators read and write, lowercase as they are sent.
namespace header {
inline constexpr std::string_view traceparent = "traceparent";
inline constexpr std::string_view tracestate = "tracestate";
inline constexpr std::string_view baggage = "baggage";
inline constexpr std::string_view b3 = "b3";
inline constexpr std::string_view b3_trace_id = "x-b3-traceid";
inline constexpr std::string_view b3_span_id = "x-b3-spanid";
inline constexpr std::string_view b3_parent_span_id = "x-b3-parentspanid";
inline constexpr std::string_view b3_sampled = "x-b3-sampled";
inline constexpr std::string_view b3_flags = "x-b3-flags";
}  // namespace header

// Returns true when `name` is `lowercase_name` in any ASCII case: HTTP header names are
// case-insensitive, and every spec we speak says to accept any case.
constexpr bool header_name_equals(std::string_view name, std::string_view lowercase_name) noexcept {
    if (name.size() != lowercase_name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != lowercase_name[i]) return false;
    }
    return true;
}

namespace detail {

// RFC 7230 optional whitespace: space and horizontal tab, nothing else.
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// Returns `text` without the optional whitespace around it.
constexpr std::string_view trim_ows(std::string_view text) noexcept {
    std::size_t begin = 0, end = text.size();
    while (begin < end && is_ows(text[begin])) ++begin;
    while (end > begin && is_ows(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

// Calls visit(piece) for each part of `list` between `separator`s, OWS trimmed, empty
// parts included; stops early when visit returns false. Returns false if it stopped.
// The one list splitter behind tracestate (`,`), baggage (`,` and `;`) and `ot` (`;`).
template <class Visit>
constexpr bool for_each_list_item(std::string_view list, char separator, Visit&& visit) {
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = list.find(separator, begin);
        const std::string_view item = list.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
        if (!visit(trim_ows(item))) return false;
        if (end == std::string_view::npos) return true;
        begin = end + 1;
    }
}

// A visitor that accepts any value: used to detect the carrier interface.
struct AnyValueVisitor {
    void operator()(std::string_view) const noexcept {}
};

template <class T, class = void>
struct is_carrier : std::false_type {};
template <class T>
struct is_carrier<T, std::void_t<decltype(std::declval<const T&>().for_each_value(std::string_view{}, AnyValueVisitor{}))>>
    : std::true_type {};

template <class T, class = void>
struct is_associative : std::false_type {};
template <class T>
struct is_associative<T, std::void_t<typename T::key_type, typename T::mapped_type>> : std::true_type {};

}  // namespace detail

// True for types with the carrier members above.
template <class T>
inline constexpr bool is_carrier_v = detail::is_carrier<std::remove_cv_t<T>>::value;

// A carrier over a container of name/value string pairs: std::map, std::unordered_map,
// std::multimap, std::vector<std::pair<std::string, std::string>> and the like. Reading
// scans every entry, so names in any case, and repeated lines, are all seen. Writing
// replaces every entry with that name (in any case) by one lowercase entry.
template <class Headers>
class HeaderListCarrier {
  public:
    explicit HeaderListCarrier(Headers& headers) noexcept : headers_(headers) {}

    template <class Visit>
    void for_each_value(std::string_view name, Visit&& visit) const {
        for (const auto& entry : headers_)
            if (header_name_equals(std::string_view(entry.first), name)) visit(std::string_view(entry.second));
    }

    void set(std::string_view name, std::string_view value) const {
        if constexpr (detail::is_associative<std::remove_cv_t<Headers>>::value) {
            for (auto it = headers_.begin(); it != headers_.end();) {
                if (header_name_equals(std::string_view(it->first), name))
                    it = headers_.erase(it);
                else
                    ++it;
            }
            headers_.emplace(typename Headers::key_type(name), typename Headers::mapped_type(value));
        } else {
            using Entry = typename Headers::value_type;
            bool replaced = false;
            for (auto it = headers_.begin(); it != headers_.end();) {
                if (!header_name_equals(std::string_view(it->first), name)) {
                    ++it;
                } else if (!replaced) {
                    it->first = typename Entry::first_type(name);
                    it->second = typename Entry::second_type(value);
                    replaced = true;
                    ++it;
                } else {
                    it = headers_.erase(it);
                }
            }
            if (!replaced) headers_.emplace_back(typename Entry::first_type(name), typename Entry::second_type(value));
        }
    }

  private:
    Headers& headers_;
};

// A carrier made of two callables, for header types of your own:
//
//   auto carrier = microtrace::CallbackCarrier(
//       [&](std::string_view name, auto&& visit) {       // every line called `name`
//           for (const Header& h : request.headers)
//               if (microtrace::header_name_equals(h.name, name)) visit(h.value);
//       },
//       [&](std::string_view name, std::string_view value) { response.add(name, value); });
//
// Pass a no-op for the side you do not use.
template <class Get, class Set>
class CallbackCarrier {
  public:
    CallbackCarrier(Get get, Set set) noexcept(std::is_nothrow_move_constructible_v<Get> &&
                                               std::is_nothrow_move_constructible_v<Set>)
        : get_(std::move(get)), set_(std::move(set)) {}

    template <class Visit>
    void for_each_value(std::string_view name, Visit&& visit) const {
        get_(name, visit);
    }
    void set(std::string_view name, std::string_view value) const { set_(name, value); }

  private:
    // A carrier is a view: calling its callables (even stateful ones) is not a change to it.
    mutable Get get_;
    mutable Set set_;
};

namespace detail {

// Lets extract/inject take a carrier, or a header container they wrap in a
// HeaderListCarrier. Returns a reference to a carrier, or the wrapper by value.
template <class T>
decltype(auto) as_carrier(T& headers) noexcept {
    if constexpr (is_carrier_v<T>)
        return (headers);
    else
        return HeaderListCarrier<T>(headers);
}

// Sets `first` to the first line of header `name` and returns how many lines there are:
// B3 takes the first value; two traceparent lines make it invalid.
template <class Carrier>
std::size_t first_value(const Carrier& carrier, std::string_view name, std::string_view& first) {
    std::size_t count = 0;
    carrier.for_each_value(name, [&](std::string_view value) {
        if (count++ == 0) first = value;
    });
    return count;
}

}  // namespace detail

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/carrier.hpp"
// #include "microtrace/propagation/traceparent.hpp" (inlined)
// microtrace/propagation/traceparent.hpp — the W3C traceparent value: strict parse, format.
//
//   00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01
//   version-trace id (32 hex)-parent id (16 hex)-flags (2 hex)
//
// Rules (W3C Trace Context Level 2, "traceparent Header"): lowercase hex only; version ff
// and all-zero ids are invalid; version 00 is exactly 55 characters; a higher version is
// read with the 00 layout when it is at least 55 characters and the flags are followed by
// the end or by `-`, and is sent on as 00. Flags are a bit field: only `sampled` and
// `random` are kept and sent, other bits are sent as 0.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/detail/hex.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Characters in a version-00 traceparent.
inline constexpr std::size_t traceparent_size = 55;

// Parses a traceparent value, spaces and tabs around it allowed. On success sets the
// fields traceparent carries — trace id, span id (the caller's: the "parent id"), flags
// (sampled and random only), `remote` — clears the B3-only ones (debug, sampling
// deferred, 64-bit id), and returns true. Tracestate, baggage and the sampling threshold
// come from other headers and are left alone. On failure returns false and leaves `out`
// untouched: the caller starts a new trace.
constexpr bool parse_traceparent(std::string_view value, SpanContext& out) noexcept {
    value = detail::trim_ows(value);
    // Field boundaries of the version-00 layout, which every version starts with.
    constexpr std::size_t trace_id_at = 3, span_id_at = 36, flags_at = 53;
    if (value.size() < traceparent_size) return false;
    if (value[2] != '-' || value[trace_id_at + 32] != '-' || value[span_id_at + 16] != '-') return false;

    std::uint64_t version = 0, flags = 0;
    if (!detail::parse_hex_u64(value.data(), 2, version) || version == 0xff) return false;
    // Version 00 ends after the flags; a later version may go on, but only after a `-`.
    if (value.size() > traceparent_size && (version == 0 || value[traceparent_size] != '-')) return false;

    TraceId trace_id;
    SpanId span_id;
    if (!TraceId::parse_hex(value.substr(trace_id_at, 32), trace_id) ||
        !SpanId::parse_hex(value.substr(span_id_at, 16), span_id) ||
        !detail::parse_hex_u64(value.data() + flags_at, 2, flags))
        return false;

    out.trace_id = trace_id;
    out.span_id = span_id;
    out.flags.bits = static_cast<std::uint8_t>(flags & TraceFlags::known);
    out.remote = true;
    out.debug = false;
    out.sampling_deferred = false;
    out.trace_id_64bit = false;
    return true;
}

// Writes `context` as a version-00 traceparent into `out` (room for traceparent_size
// chars, not NUL-terminated) and returns traceparent_size; returns 0, writing nothing,
// when the context has no valid ids. B3 debug is sent as sampled.
inline std::size_t format_traceparent(const SpanContext& context, char* out) noexcept {
    if (!context.is_valid()) return 0;
    std::uint8_t flags = context.flags.bits & TraceFlags::known;
    if (context.debug) flags |= TraceFlags::sampled;
    char* cursor = out;
    *cursor++ = '0';
    *cursor++ = '0';
    *cursor++ = '-';
    cursor = context.trace_id.write_hex(cursor);
    *cursor++ = '-';
    cursor = context.span_id.write_hex(cursor);
    *cursor++ = '-';
    cursor = detail::write_hex_u8(flags, cursor);
    return static_cast<std::size_t>(cursor - out);
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/traceparent.hpp"
// #include "microtrace/propagation/tracestate.hpp" (inlined)
// microtrace/propagation/tracestate.hpp — W3C tracestate: parse, read, mutate, send, all in
// bounded inline storage; plus OpenTelemetry's `ot` member (the sampling threshold `th`).
//
// Receiving (W3C Trace Context Level 2, "tracestate Header"):
//   - Lines of the header are joined in order; empty members and spaces/tabs around members
//     are allowed.
//   - Strict: one invalid member, or more than 32 members, drops the whole tracestate (the
//     reading the W3C test suite checks). `rejected()` then says so.
//   - Keys are read leniently (Level 2: any `@` placement), written strictly (Level 1:
//     `key` or `tenant@system`), so what we emit is valid for every reader.
//   - A repeated key keeps its first (left-most, most recent) member; the others are dropped.
//   - What does not fit MICROTRACE_TRACESTATE_BYTES / _MAX_MEMBERS is cut by whole
//     members: first those longer than 128 characters, right-most first, then from the
//     right. Every dropped member is counted in `dropped_members()`.
// Mutating: set() moves the key to the front; other members keep their order; when full,
// members are dropped as above (never the one just set).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/samplers/threshold.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

constexpr bool is_tracestate_lcalpha_or_digit(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// keychar without `@`: lowercase letters, digits, `_`, `-`, `*`, `/`.
constexpr bool is_tracestate_key_char(char c) noexcept {
    return is_tracestate_lcalpha_or_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// Checks `text` is 1 to `max_size` key chars, starting with a lowercase letter (or also a
// digit, when `digit_first`), with `@` allowed when `allow_at`.
constexpr bool is_tracestate_key_part(std::string_view text, std::size_t max_size, bool digit_first, bool allow_at) noexcept {
    if (text.empty() || text.size() > max_size) return false;
    const char first = text[0];
    if (!((first >= 'a' && first <= 'z') || (digit_first && first >= '0' && first <= '9'))) return false;
    for (std::size_t i = 1; i < text.size(); ++i)
        if (!is_tracestate_key_char(text[i]) && !(allow_at && text[i] == '@')) return false;
    return true;
}

// Level 2, for keys we receive: a lowercase letter or digit, then up to 255 of
// `a-z 0-9 _ - * / @`.
constexpr bool is_valid_received_tracestate_key(std::string_view key) noexcept {
    return is_tracestate_key_part(key, 256, true, true);
}

// Level 1, for keys we write: `simple-key` (a lowercase letter first, up to 256) or
// `tenant@system` (tenant: up to 241, a letter or digit first; system: up to 14, a letter
// first). Every Level 1 and Level 2 reader accepts these.
constexpr bool is_valid_written_tracestate_key(std::string_view key) noexcept {
    const std::size_t at = key.find('@');
    if (at == std::string_view::npos) return is_tracestate_key_part(key, 256, false, false);
    return is_tracestate_key_part(key.substr(0, at), 241, true, false) &&
           is_tracestate_key_part(key.substr(at + 1), 14, false, false);
}

// 1 to 256 printable ASCII characters (0x20-0x7E) except `,` and `=`, not ending in a space.
constexpr bool is_valid_tracestate_value(std::string_view value) noexcept {
    if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
    for (const char c : value)
        if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
    return true;
}

}  // namespace detail

class TraceState {
  public:
    static constexpr std::size_t max_members = config::tracestate_max_members;
    // Characters of the header kept and sent, commas included.
    static constexpr std::size_t capacity = config::tracestate_bytes;
    // W3C: the header holds at most 32 members; more make it invalid.
    static constexpr std::size_t max_received_members = 32;
    // W3C: when cutting, members longer than this go first.
    static constexpr std::size_t long_member_size = 128;

    struct Member {
        std::string_view key;
        std::string_view value;
    };

    TraceState() noexcept = default;
    // Copies only the used part of the storage.
    TraceState(const TraceState& other) noexcept { *this = other; }
    TraceState& operator=(const TraceState& other) noexcept {
        if (this == &other) return *this;
        std::memcpy(chars_, other.chars_, other.size_);
        std::memcpy(slots_, other.slots_, other.count_ * sizeof(Slot));
        size_ = other.size_;
        count_ = other.count_;
        dropped_members_ = other.dropped_members_;
        rejected_ = other.rejected_;
        return *this;
    }

    // ---- Reading ----

    bool empty() const noexcept { return count_ == 0; }
    // Number of members.
    std::size_t size() const noexcept { return count_; }
    // Member `index`, 0 being the left-most.
    Member operator[](std::size_t index) const noexcept {
        const Slot& slot = slots_[index];
        return {{chars_ + slot.offset, slot.key_size}, {chars_ + slot.offset + slot.key_size + 1, slot.value_size}};
    }
    // Returns the value of `key`, or an empty view when it is absent (values are never empty).
    std::string_view get(std::string_view key) const noexcept {
        const std::size_t index = find(key);
        return index < count_ ? (*this)[index].value : std::string_view{};
    }
    bool contains(std::string_view key) const noexcept { return find(key) < count_; }
    // The header as sent: `key=value` members joined by commas, no whitespace.
    std::string_view header() const noexcept { return {chars_, size_}; }

    // Members received or set but not kept: repeated keys, and what did not fit.
    std::size_t dropped_members() const noexcept { return dropped_members_; }
    // True when the last parse found the header invalid and dropped all of it.
    bool rejected() const noexcept { return rejected_; }

    // ---- Receiving ----

    // Replaces the contents with a received header. Returns false, leaving the state empty
    // and rejected(), when the header is invalid.
    bool parse(std::string_view header) noexcept {
        return parse_lines([header](auto&& visit_line) { visit_line(header); });
    }

    // Same for a header sent as several lines: `for_each_line(visit_line)` calls
    // `visit_line(std::string_view)` for each line in order. The lines must stay valid
    // until this returns.
    template <class ForEachLine>
    bool parse_lines(ForEachLine&& for_each_line) {
        clear();
        dropped_members_ = 0;
        rejected_ = false;
        Member received[max_received_members];
        std::size_t count = 0;
        bool valid = true;
        for_each_line([&](std::string_view line) {
            if (!valid) return;  // already rejected: skip the rest without looking
            valid = detail::for_each_list_item(line, ',', [&](std::string_view item) {
                if (item.empty()) return true;
                if (count == max_received_members) return false;
                Member& member = received[count];
                if (!split_member(item, member) || !detail::is_valid_received_tracestate_key(member.key) ||
                    !detail::is_valid_tracestate_value(member.value))
                    return false;
                ++count;
                return true;
            });
        });
        if (!valid) {
            rejected_ = true;
            return false;
        }

        std::uint16_t sizes[max_received_members] = {};
        std::uint32_t keep = 0;
        for (std::size_t i = 0; i < count; ++i) {
            sizes[i] = member_size(received[i]);
            keep |= std::uint32_t{1} << i;
            for (std::size_t j = 0; j < i; ++j) {
                if (((keep >> j) & 1) && received[j].key == received[i].key) {
                    keep &= ~(std::uint32_t{1} << i);  // a repeated key: the first one stays
                    ++dropped_members_;
                    break;
                }
            }
        }
        keep = fit_within_limits(sizes, count, keep, no_member);
        for (std::size_t i = 0; i < count; ++i)
            if ((keep >> i) & 1) append(received[i]);
        return true;
    }

    // ---- Mutating ----

    // Sets `key` to `value` and moves it to the front, as a vendor does when it updates its
    // member. The key must be a Level 1 key and the value valid; if the result does not
    // fit, other members are dropped (long ones first, then from the right). Returns
    // false, changing nothing, when the key or value is invalid or the member alone
    // cannot fit.
    bool set(std::string_view key, std::string_view value) noexcept {
        if (!detail::is_valid_written_tracestate_key(key) || !detail::is_valid_tracestate_value(value)) return false;
        const Member added{key, value};
        if (member_size(added) > capacity) return false;
        erase(key);

        // Candidates: the new member at index 0, then the current members in order.
        std::uint16_t sizes[max_members + 1];
        sizes[0] = member_size(added);
        for (std::size_t i = 0; i < count_; ++i) sizes[i + 1] = member_size((*this)[i]);
        const std::size_t candidates = count_ + 1;
        const std::uint64_t all = (std::uint64_t{1} << candidates) - 1;
        const std::uint64_t keep = fit_within_limits(sizes, candidates, all, 0);
        keep_only(static_cast<std::uint32_t>(keep >> 1));
        prepend(added);
        return true;
    }

    // Removes `key`; returns whether it was there.
    bool erase(std::string_view key) noexcept {
        const std::size_t index = find(key);
        if (index >= count_) return false;
        keep_only(all_members() & ~(std::uint32_t{1} << index));
        return true;
    }

    // Removes every member (the counters stay).
    void clear() noexcept {
        size_ = 0;
        count_ = 0;
    }

    // Same members in the same order.
    friend bool operator==(const TraceState& a, const TraceState& b) noexcept { return a.header() == b.header(); }
    friend bool operator!=(const TraceState& a, const TraceState& b) noexcept { return !(a == b); }

  private:
    // Where member i lives in chars_: `key=value` starting at offset.
    struct Slot {
        std::uint16_t offset;
        std::uint16_t key_size;
        std::uint16_t value_size;
    };
    static constexpr std::size_t no_member = ~std::size_t{0};

    static std::uint16_t member_size(const Member& member) noexcept {
        return static_cast<std::uint16_t>(member.key.size() + 1 + member.value.size());
    }

    // Splits `key=value` at the first `=`; false when there is none.
    static bool split_member(std::string_view item, Member& member) noexcept {
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos) return false;
        member = {item.substr(0, equals), item.substr(equals + 1)};
        return true;
    }

    // W3C "tracestate Limits": returns `keep` (a bit per member of `sizes`) minus the
    // members dropped so that the rest fit `capacity` characters (with commas) and
    // `max_members`: first members longer than long_member_size, right-most first, then
    // from the right. Never drops `protected_index`. Each drop is counted.
    template <class Mask>
    Mask fit_within_limits(const std::uint16_t* sizes, std::size_t count, Mask keep, std::size_t protected_index) noexcept {
        std::size_t kept = 0, chars = 0;
        for (std::size_t i = 0; i < count; ++i)
            if ((keep >> i) & 1) {
                ++kept;
                chars += sizes[i];
            }
        const auto header_size = [&] { return chars + (kept > 0 ? kept - 1 : 0); };
        const auto drop = [&](std::size_t i) {
            keep &= static_cast<Mask>(~(Mask{1} << i));
            --kept;
            chars -= sizes[i];
            ++dropped_members_;
        };
        for (std::size_t i = count; i-- > 0;)
            if (header_size() > capacity && ((keep >> i) & 1) && i != protected_index && sizes[i] > long_member_size) drop(i);
        for (std::size_t i = count; i-- > 0;)
            if ((header_size() > capacity || kept > max_members) && ((keep >> i) & 1) && i != protected_index) drop(i);
        return keep;
    }

    std::size_t find(std::string_view key) const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if ((*this)[i].key == key) return i;
        return count_;
    }

    std::uint32_t all_members() const noexcept {
        return count_ == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << count_) - 1;
    }

    // Adds `member` at the right end; the caller made sure it fits.
    void append(const Member& member) noexcept {
        std::size_t at = size_;
        if (count_ > 0) chars_[at++] = ',';
        write_member(at, member);
        slots_[count_++] = {static_cast<std::uint16_t>(at), static_cast<std::uint16_t>(member.key.size()),
                            static_cast<std::uint16_t>(member.value.size())};
        size_ = static_cast<std::uint16_t>(at + member_size(member));
    }

    // Adds `member` at the left end, shifting the others right; the caller made room.
    void prepend(const Member& member) noexcept {
        const std::size_t shift = member_size(member) + (count_ > 0 ? std::size_t{1} : std::size_t{0});
        std::memmove(chars_ + shift, chars_, size_);
        std::memmove(slots_ + 1, slots_, count_ * sizeof(Slot));
        for (std::size_t i = 1; i <= count_; ++i) slots_[i].offset = static_cast<std::uint16_t>(slots_[i].offset + shift);
        write_member(0, member);
        if (count_ > 0) chars_[member_size(member)] = ',';
        slots_[0] = {0, static_cast<std::uint16_t>(member.key.size()), static_cast<std::uint16_t>(member.value.size())};
        ++count_;
        size_ = static_cast<std::uint16_t>(size_ + shift);
    }

    // Keeps the members whose bit is set in `keep`, in order, closing the gaps.
    void keep_only(std::uint32_t keep) noexcept {
        std::size_t kept = 0, at = 0;
        for (std::size_t i = 0; i < count_; ++i) {
            if (!((keep >> i) & 1)) continue;
            Slot slot = slots_[i];
            if (kept > 0) chars_[at++] = ',';
            const std::size_t length = std::size_t{slot.key_size} + 1 + slot.value_size;
            std::memmove(chars_ + at, chars_ + slot.offset, length);  // at <= offset: moves left only
            slot.offset = static_cast<std::uint16_t>(at);
            slots_[kept++] = slot;
            at += length;
        }
        count_ = static_cast<std::uint16_t>(kept);
        size_ = static_cast<std::uint16_t>(at);
    }

    void write_member(std::size_t at, const Member& member) noexcept {
        std::memcpy(chars_ + at, member.key.data(), member.key.size());
        chars_[at + member.key.size()] = '=';
        std::memcpy(chars_ + at + member.key.size() + 1, member.value.data(), member.value.size());
    }

    char chars_[capacity];  // the header itself; only [0, size_) is ever read
    Slot slots_[max_members];
    std::uint16_t size_ = 0;
    std::uint16_t count_ = 0;
    std::uint16_t dropped_members_ = 0;
    bool rejected_ = false;
};

// ---- OpenTelemetry's `ot` member ----
//
// OpenTelemetry keeps all its tracestate values in one member, `ot`, as `key:value` pairs
// joined by `;` (e.g. `ot=th:c;rv:0123456789abcd`). `th` is the sampling threshold that
// travels as SpanContext::sampling_threshold; `rv` is explicit randomness.

inline constexpr std::string_view otel_tracestate_key = "ot";

// Returns the value of sub-key `key` in an `ot` value (`th` in `th:8;rv:...` is `8`), or
// an empty view when it is absent.
constexpr std::string_view otel_sub_value(std::string_view ot_value, std::string_view key) noexcept {
    std::string_view found;
    detail::for_each_list_item(ot_value, ';', [&](std::string_view item) {
        if (item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == ':') {
            found = item.substr(key.size() + 1);
            return false;
        }
        return true;
    });
    return found;
}

// Sets sub-key `key` of the `ot` member to `value` (an empty value removes it; `ot` goes
// when it has nothing left). A changed `ot` moves to the front, as W3C wants of a
// modified member; an unchanged state is left exactly as it was. Returns false, changing
// nothing, when the `ot` value would pass 256 characters or not fit.
inline bool set_otel_sub_value(TraceState& state, std::string_view key, std::string_view value) noexcept {
    const std::string_view current = state.get(otel_tracestate_key);
    constexpr std::size_t max_value = 256;
    char updated[max_value];
    std::size_t size = 0;
    bool fits = true;
    const auto append = [&](std::string_view piece) {
        if (piece.size() > max_value - size) {
            fits = false;
            return;
        }
        std::memcpy(updated + size, piece.data(), piece.size());
        size += piece.size();
    };
    if (!value.empty()) {
        append(key);
        append(":");
        append(value);
    }
    detail::for_each_list_item(current, ';', [&](std::string_view item) {
        const bool replaced = item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == ':';
        if (!item.empty() && !replaced) {
            if (size > 0) append(";");
            append(item);
        }
        return fits;
    });
    if (!fits) return false;
    const std::string_view result(updated, size);
    if (result == current) return true;
    if (!result.empty()) return state.set(otel_tracestate_key, result);
    state.erase(otel_tracestate_key);
    return true;
}

// Returns the sampling threshold `ot=th` in `state`, or no_sampling_threshold when there
// is none or it is malformed.
inline std::uint64_t sampling_threshold_of(const TraceState& state) noexcept {
    std::uint64_t threshold = no_sampling_threshold;
    if (!parse_threshold(otel_sub_value(state.get(otel_tracestate_key), "th"), threshold))
        return no_sampling_threshold;
    return threshold;
}

// Returns the explicit randomness `ot=rv` in `state`, or no_explicit_randomness when there
// is none or it is malformed.
inline std::uint64_t explicit_randomness_of(const TraceState& state) noexcept {
    std::uint64_t randomness = no_explicit_randomness;
    if (!parse_randomness(otel_sub_value(state.get(otel_tracestate_key), "rv"), randomness))
        return no_explicit_randomness;
    return randomness;
}

// Makes `state`'s `ot=th` say `threshold`; no_sampling_threshold (or any value that
// cannot be encoded) removes it. Returns false, changing nothing, when it does not fit.
inline bool set_sampling_threshold(TraceState& state, std::uint64_t threshold) noexcept {
    char digits[threshold_hex_digits];
    const std::size_t size = format_threshold(threshold, digits);
    return set_otel_sub_value(state, "th", std::string_view(digits, size));
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/tracestate.hpp"
// #include "microtrace/propagation/trace_context.hpp" (inlined)
// microtrace/propagation/trace_context.hpp — the W3C Trace Context propagator: traceparent
// and tracestate together, through a carrier.
//
// Extract: exactly one valid traceparent line, or the trace restarts (two lines are
// invalid). tracestate is parsed only when traceparent is valid, and its failure never
// affects traceparent. OpenTelemetry's `ot=th` becomes SpanContext::sampling_threshold and
// `ot=rv` SpanContext::explicit_randomness.
// Inject: traceparent as version 00; tracestate as received, except that `ot=th` is
// rewritten (and `ot` moved to the front) when the context's sampling threshold differs
// from the one the tracestate carries. An empty tracestate is not sent.

#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)
// #include "microtrace/propagation/traceparent.hpp" (already inlined above)
// #include "microtrace/propagation/tracestate.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// Extracts traceparent and, when it is valid, tracestate into `trace_state`. Returns true
// when traceparent was valid: `context` then holds its ids and flags, points at
// `trace_state` and carries its sampling threshold. Returns false when the trace must
// restart: `context` is untouched and `trace_state` empty.
template <class Carrier>
bool extract_trace_context(const Carrier& carrier, SpanContext& context, TraceState& trace_state) {
    trace_state = TraceState{};
    std::string_view traceparent;
    if (detail::first_value(carrier, header::traceparent, traceparent) != 1 || !parse_traceparent(traceparent, context))
        return false;
    trace_state.parse_lines([&carrier](auto&& visit_line) { carrier.for_each_value(header::tracestate, visit_line); });
    context.trace_state = &trace_state;
    context.sampling_threshold = sampling_threshold_of(trace_state);
    context.explicit_randomness = explicit_randomness_of(trace_state);
    return true;
}

// Sends `context` as traceparent and tracestate; nothing when its ids are invalid.
template <class Carrier>
void inject_trace_context(const SpanContext& context, Carrier& carrier) {
    char traceparent[traceparent_size];
    if (format_traceparent(context, traceparent) == 0) return;
    carrier.set(header::traceparent, std::string_view(traceparent, traceparent_size));

    const TraceState* received = context.trace_state;
    const std::uint64_t carried = received != nullptr ? sampling_threshold_of(*received) : no_sampling_threshold;
    if (carried == context.sampling_threshold) {
        if (received != nullptr && !received->empty()) carrier.set(header::tracestate, received->header());
        return;
    }
    // The sampler changed the threshold: send a copy with `ot=th` updated.
    TraceState updated = received != nullptr ? *received : TraceState{};
    set_sampling_threshold(updated, context.sampling_threshold);
    if (!updated.empty()) carrier.set(header::tracestate, updated.header());
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/trace_context.hpp"
// #include "microtrace/propagation/baggage.hpp" (inlined)
// microtrace/propagation/baggage.hpp — W3C Baggage: user key/value pairs that travel with a
// trace, kept in bounded inline storage.
//
//   baggage: userId=Am%C3%A9lie,serverNode=DF%2028;region=eu,isProduction=false
//
// Receiving (W3C Baggage, "Header Content"):
//   - Lines of the header are combined; spaces/tabs around `,`, `;` and `=` are dropped.
//   - A member is `key=value` plus optional `;property` parts (`k=v` or `k`). The key is an
//     RFC 7230 token; the value may hold `=` and is percent-decoded, each invalid UTF-8
//     sequence becoming U+FFFD. Properties are opaque: kept as received, spaces removed.
//   - An invalid member (bad key, no `=`, a byte outside baggage-octet, a `%` not followed
//     by two hex digits, a bad property) is dropped alone; empty members are skipped.
//   - A repeated key: the last value wins, at the first one's position.
//   - Everything up to MICROTRACE_BAGGAGE_MAX_MEMBERS members and MICROTRACE_BAGGAGE_BYTES
//     bytes of header is kept (W3C's floor: 64 and 8192); beyond that whole members are
//     dropped, never part of one. Each drop is counted in `dropped_members()`.
// Sending: values are percent-encoded where baggage-octet requires it (and `%` always),
// with uppercase hex as RFC 3986 recommends.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/detail/hex.hpp" (already inlined above)
// #include "microtrace/json.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

// RFC 7230 `tchar`: what a baggage key (and a property key) is made of.
constexpr bool is_token_char_by_rule(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
        default: return false;
    }
}

// W3C `baggage-octet`: printable ASCII except space, `"`, `,`, `;` and `\`.
constexpr bool is_baggage_octet_by_rule(unsigned char c) noexcept {
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E);
}

// The two rules above as one table, so each byte costs one lookup.
struct BaggageCharClasses {
    static constexpr unsigned char token = 1, octet = 2;
    unsigned char of[256] = {};
    constexpr BaggageCharClasses() noexcept {
        for (unsigned c = 0; c < 256; ++c)
            of[c] = static_cast<unsigned char>((is_token_char_by_rule(static_cast<unsigned char>(c)) ? token : 0) |
                                               (is_baggage_octet_by_rule(static_cast<unsigned char>(c)) ? octet : 0));
    }
};
inline constexpr BaggageCharClasses baggage_char_classes{};

constexpr bool is_token_char(char c) noexcept {
    return (baggage_char_classes.of[static_cast<unsigned char>(c)] & BaggageCharClasses::token) != 0;
}
constexpr bool is_baggage_octet(char c) noexcept {
    return (baggage_char_classes.of[static_cast<unsigned char>(c)] & BaggageCharClasses::octet) != 0;
}

constexpr bool is_token(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text)
        if (!is_token_char(c)) return false;
    return true;
}

constexpr bool is_baggage_octets(std::string_view text) noexcept {
    for (const char c : text)
        if (!is_baggage_octet(c)) return false;
    return true;
}

// ---- Percent-coding (RFC 3986 section 2.1), written once for every baggage value ----

// A hex digit of a %XX escape, either case as RFC 3986 allows; -1 for anything else.
constexpr int percent_hex_value(char c) noexcept {
    return hex_digit_value(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
}

// True when `value` is baggage-octets and every `%` starts a %XX escape.
constexpr bool is_percent_encoded_baggage_value(std::string_view value) noexcept {
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!is_baggage_octet(value[i])) return false;
        if (value[i] == '%') {
            if (i + 2 >= value.size() || percent_hex_value(value[i + 1]) < 0 || percent_hex_value(value[i + 2]) < 0)
                return false;
            i += 2;
        }
    }
    return true;
}

// Returns the byte at `position` of a valid encoded value and moves past it (1 char, or 3
// for an escape).
constexpr unsigned char next_decoded_byte(std::string_view encoded, std::size_t& position) noexcept {
    if (encoded[position] != '%') return static_cast<unsigned char>(encoded[position++]);
    const int value = percent_hex_value(encoded[position + 1]) * 16 + percent_hex_value(encoded[position + 2]);
    position += 3;
    return static_cast<unsigned char>(value);
}

// Decodes a valid encoded value, calling emit(std::string_view) with consecutive pieces
// of the result; each invalid UTF-8 sequence (maximal subpart, as the JSON writer does)
// becomes U+FFFD. The result is never longer than `encoded`: a replaced byte came from a
// 3-character escape.
template <class Emit>
void percent_decode(std::string_view encoded, Emit&& emit) {
    constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
    std::size_t position = 0;
    while (position < encoded.size()) {
        // Characters up to the next escape are baggage-octets: ASCII, valid UTF-8 as they are.
        std::size_t escape = position;
        while (escape < encoded.size() && encoded[escape] != '%') ++escape;
        if (escape > position) {
            emit(encoded.substr(position, escape - position));
            position = escape;
            continue;
        }
        // Decode up to 4 bytes ahead (the longest UTF-8 sequence); ASCII needs only one.
        char window[4] = {};
        std::size_t ends[4] = {};
        std::size_t decoded = 0;
        std::size_t cursor = position;
        do {
            window[decoded] = static_cast<char>(next_decoded_byte(encoded, cursor));
            ends[decoded++] = cursor;
        } while (static_cast<unsigned char>(window[0]) >= 0x80 && decoded < 4 && cursor < encoded.size());
        std::size_t invalid_length = 0;
        const std::size_t length =
            utf8_valid_length(reinterpret_cast<const unsigned char*>(window), decoded, invalid_length);
        emit(length > 0 ? std::string_view(window, length) : replacement);
        position = ends[(length > 0 ? length : invalid_length) - 1];
    }
}

constexpr bool needs_percent_encoding(char c) noexcept { return c == '%' || !is_baggage_octet(c); }

// Encodes `value`, calling emit(std::string_view) with consecutive pieces: `%` and every
// byte outside baggage-octet become %XX with uppercase hex.
template <class Emit>
constexpr void percent_encode(std::string_view value, Emit&& emit) {
    constexpr char hex[] = "0123456789ABCDEF";
    std::size_t run = 0;  // start of the pending run of characters sent as they are
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!needs_percent_encoding(value[i])) continue;
        if (i > run) emit(value.substr(run, i - run));
        const auto byte = static_cast<unsigned char>(value[i]);
        const char escape[3] = {'%', hex[byte >> 4], hex[byte & 0xF]};
        emit(std::string_view(escape, 3));
        run = i + 1;
    }
    if (value.size() > run) emit(value.substr(run));
}

// Returns the length of `value` once percent-encoded.
constexpr std::size_t percent_encoded_size(std::string_view value) noexcept {
    std::size_t size = 0;
    percent_encode(value, [&size](std::string_view piece) { size += piece.size(); });
    return size;
}

// Checks the `;`-separated properties in `raw` (`k=v` or `k`, spaces allowed around `;`
// and `=`, empty parts skipped) and emits them without spaces, joined by `;`, calling
// emit(std::string_view). Returns false on an invalid property.
template <class Emit>
constexpr bool normalize_baggage_properties(std::string_view raw, Emit&& emit) {
    bool first = true;
    return for_each_list_item(raw, ';', [&](std::string_view property) {
        if (property.empty()) return true;
        const std::size_t equals = property.find('=');
        const std::string_view key = trim_ows(property.substr(0, equals));
        const std::string_view value = equals == std::string_view::npos ? std::string_view{} : trim_ows(property.substr(equals + 1));
        if (!is_token(key) || !is_baggage_octets(value)) return false;
        if (!first) emit(";");
        first = false;
        emit(key);
        if (equals != std::string_view::npos) {
            emit("=");
            emit(value);
        }
        return true;
    });
}

// An emit target that appends to a buffer the caller sized.
struct BufferWriter {
    char* cursor;
    void operator()(std::string_view piece) noexcept {
        if (piece.empty()) return;  // memcpy may not be given the null data of an empty view
        std::memcpy(cursor, piece.data(), piece.size());
        cursor += piece.size();
    }
};

}  // namespace detail

class Baggage {
  public:
    static constexpr std::size_t max_members = config::baggage_max_members;
    // Bytes of the header kept and sent, commas included.
    static constexpr std::size_t capacity = config::baggage_bytes;

    struct Entry {
        std::string_view key;
        std::string_view value;       // decoded
        std::string_view properties;  // `k1=v1;k2`, as received minus spaces; often empty
    };

    Baggage() noexcept = default;
    // Copies only the used part of the storage.
    Baggage(const Baggage& other) noexcept { *this = other; }
    Baggage& operator=(const Baggage& other) noexcept {
        if (this == &other) return *this;
        std::memcpy(bytes_, other.bytes_, other.used_bytes_);
        std::memcpy(slots_, other.slots_, other.count_ * sizeof(Slot));
        used_bytes_ = other.used_bytes_;
        count_ = other.count_;
        encoded_members_size_ = other.encoded_members_size_;
        dropped_members_ = other.dropped_members_;
        return *this;
    }

    // ---- Reading ----

    bool empty() const noexcept { return count_ == 0; }
    // Number of entries.
    std::size_t size() const noexcept { return count_; }
    // Entry `index`, in header order.
    Entry operator[](std::size_t index) const noexcept {
        const Slot& slot = slots_[index];
        const char* at = bytes_ + slot.offset;
        return {{at, slot.key_size},
                {at + slot.key_size, slot.value_size},
                {at + slot.key_size + slot.value_size, slot.properties_size}};
    }
    // Returns the decoded value of `key`, or an empty view when it is absent.
    std::string_view get(std::string_view key) const noexcept {
        const std::size_t index = find(key);
        return index < count_ ? (*this)[index].value : std::string_view{};
    }
    bool contains(std::string_view key) const noexcept { return find(key) < count_; }

    // Length of the header write() makes; never more than `capacity`.
    std::size_t header_size() const noexcept {
        return encoded_members_size_ + (count_ > 0 ? std::size_t{count_} - 1 : std::size_t{0});
    }
    // Writes the header (percent-encoded) into `out`, which needs header_size() chars; not
    // NUL-terminated. Returns header_size().
    std::size_t write(char* out) const noexcept {
        detail::BufferWriter writer{out};
        for (std::size_t i = 0; i < count_; ++i) {
            const Entry entry = (*this)[i];
            if (i > 0) writer(",");
            writer(entry.key);
            writer("=");
            detail::percent_encode(entry.value, writer);
            if (!entry.properties.empty()) {
                writer(";");
                writer(entry.properties);
            }
        }
        return static_cast<std::size_t>(writer.cursor - out);
    }

    // Members received or set but not kept: invalid ones, and what did not fit.
    std::size_t dropped_members() const noexcept { return dropped_members_; }

    // ---- Receiving ----

    // Replaces the contents with a received header. Invalid members are dropped one by one.
    void parse(std::string_view header) noexcept {
        parse_lines([header](auto&& visit_line) { visit_line(header); });
    }

    // Same for a header sent as several lines: `for_each_line(visit_line)` calls
    // `visit_line(std::string_view)` for each line in order.
    template <class ForEachLine>
    void parse_lines(ForEachLine&& for_each_line) {
        clear();
        dropped_members_ = 0;
        for_each_line([this](std::string_view line) {
            detail::for_each_list_item(line, ',', [this](std::string_view member) {
                if (!member.empty() && !add_received(member)) ++dropped_members_;
                return true;
            });
        });
    }

    // ---- Mutating ----

    // Sets `key` (an RFC 7230 token) to `value` (any bytes; encoded when sent), with
    // optional `properties` (`k1=v1;k2`). An existing key keeps its position. Returns
    // false, changing nothing and counting a drop, when the key or properties are invalid
    // or the entry does not fit.
    bool set(std::string_view key, std::string_view value, std::string_view properties = {}) noexcept {
        if (put(key, value, false, properties)) return true;
        ++dropped_members_;
        return false;
    }

    // Removes `key`; returns whether it was there.
    bool erase(std::string_view key) noexcept {
        const std::size_t index = find(key);
        if (index >= count_) return false;
        encoded_members_size_ = static_cast<std::uint16_t>(encoded_members_size_ - slots_[index].encoded_size);
        release_bytes(slots_[index]);
        std::memmove(slots_ + index, slots_ + index + 1, (count_ - index - 1) * sizeof(Slot));
        --count_;
        return true;
    }

    // Removes every entry (the drop counter stays).
    void clear() noexcept {
        used_bytes_ = 0;
        count_ = 0;
        encoded_members_size_ = 0;
    }

    // Same entries in the same order.
    friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
        if (a.count_ != b.count_) return false;
        for (std::size_t i = 0; i < a.count_; ++i) {
            const Entry x = a[i], y = b[i];
            if (x.key != y.key || x.value != y.value || x.properties != y.properties) return false;
        }
        return true;
    }
    friend bool operator!=(const Baggage& a, const Baggage& b) noexcept { return !(a == b); }

  private:
    // Entry i: key, decoded value and properties, back to back from `offset` in bytes_.
    struct Slot {
        std::uint16_t offset;
        std::uint16_t key_size;
        std::uint16_t value_size;
        std::uint16_t properties_size;
        std::uint16_t encoded_size;  // of `key=value;properties` as sent
    };

    std::size_t find(std::string_view key) const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if ((*this)[i].key == key) return i;
        return count_;
    }

    // Parses one received member (OWS-trimmed, not empty); false when it is invalid or
    // does not fit.
    bool add_received(std::string_view member) noexcept {
        const std::size_t semicolon = member.find(';');
        const std::string_view key_value = member.substr(0, semicolon);
        const std::string_view properties = semicolon == std::string_view::npos ? std::string_view{} : member.substr(semicolon + 1);
        const std::size_t equals = key_value.find('=');
        if (equals == std::string_view::npos) return false;
        const std::string_view value = detail::trim_ows(key_value.substr(equals + 1));
        if (!detail::is_percent_encoded_baggage_value(value)) return false;
        return put(detail::trim_ows(key_value.substr(0, equals)), value, true, properties);
    }

    // Adds or replaces an entry; `value` is percent-encoded when `value_encoded`, raw bytes
    // otherwise. Checks the key and properties, then the limits, before touching anything.
    bool put(std::string_view key, std::string_view value, bool value_encoded, std::string_view raw_properties) noexcept {
        if (!detail::is_token(key)) return false;
        std::size_t properties_size = 0;
        if (!detail::normalize_baggage_properties(raw_properties, [&](std::string_view piece) { properties_size += piece.size(); }))
            return false;

        // The stored (decoded) value's size, and its size once encoded again for sending.
        std::size_t value_size = 0, value_encoded_size = 0;
        const auto measure = [&](std::string_view piece) {
            value_size += piece.size();
            value_encoded_size += detail::percent_encoded_size(piece);
        };
        if (value_encoded)
            detail::percent_decode(value, measure);
        else
            measure(value);
        const std::size_t encoded_size =
            key.size() + 1 + value_encoded_size + (properties_size > 0 ? 1 + properties_size : 0);

        const std::size_t index = find(key);
        const bool replacing = index < count_;
        const std::size_t others = replacing ? count_ - 1 : count_;
        const std::size_t others_encoded =
            encoded_members_size_ - (replacing ? std::size_t{slots_[index].encoded_size} : std::size_t{0});
        if (!replacing && count_ == max_members) return false;
        if (others_encoded + encoded_size + others > capacity) return false;

        // Fits: stored bytes never exceed the header they are sent as, so storage does too.
        if (replacing) {
            release_bytes(slots_[index]);
        } else {
            ++count_;
        }
        Slot& slot = slots_[replacing ? index : count_ - 1];
        slot = {static_cast<std::uint16_t>(used_bytes_), static_cast<std::uint16_t>(key.size()),
                static_cast<std::uint16_t>(value_size), static_cast<std::uint16_t>(properties_size),
                static_cast<std::uint16_t>(encoded_size)};
        detail::BufferWriter store{bytes_ + used_bytes_};
        store(key);
        if (value_encoded)
            detail::percent_decode(value, store);
        else
            store(value);
        detail::normalize_baggage_properties(raw_properties, store);
        used_bytes_ = static_cast<std::uint16_t>(store.cursor - bytes_);
        encoded_members_size_ = static_cast<std::uint16_t>(others_encoded + encoded_size);
        return true;
    }

    // Frees an entry's bytes, moving later bytes down (slots keep their order).
    void release_bytes(const Slot& released) noexcept {
        const std::size_t offset = released.offset;
        const std::size_t length = std::size_t{released.key_size} + released.value_size + released.properties_size;
        std::memmove(bytes_ + offset, bytes_ + offset + length, used_bytes_ - offset - length);
        used_bytes_ = static_cast<std::uint16_t>(used_bytes_ - length);
        for (std::size_t i = 0; i < count_; ++i)
            if (slots_[i].offset > offset) slots_[i].offset = static_cast<std::uint16_t>(slots_[i].offset - length);
    }

    char bytes_[capacity];  // only [0, used_bytes_) is ever read
    Slot slots_[max_members];
    std::uint16_t used_bytes_ = 0;
    std::uint16_t count_ = 0;
    std::uint16_t encoded_members_size_ = 0;  // sum of the slots' encoded_size
    std::uint32_t dropped_members_ = 0;
};

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/baggage.hpp"
// #include "microtrace/propagation/b3.hpp" (inlined)
// microtrace/propagation/b3.hpp — Zipkin B3 propagation, single header and multi header.
//
//   b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90
//       {trace id: 16 or 32 hex}-{span id: 16 hex}[-{0|1|d}[-{parent span id: 16 hex}]]
//   b3: 0                                  (a sampling decision alone: 0, 1 or d)
//   X-B3-TraceId, X-B3-SpanId, X-B3-ParentSpanId, X-B3-Sampled (1/0, true/false
//   accepted), X-B3-Flags: 1 (debug)
//
// Rules (openzipkin/b3-propagation): lowercase hex only; ids not all zero. The sampling
// state is four-valued — defer (absent), deny, accept, debug — and is kept through a hop,
// also when it travels without ids. A malformed header (bad length, non-hex, uppercase,
// all-zero id, unknown sampling value, missing hyphen, empty) counts as absent. With
// multiple lines of a header, the first wins. A 64-bit trace id is held left-padded and
// sent back 64-bit. We never send X-B3-ParentSpanId: the parent of our span is the
// caller's span, and the caller's parent is not ours to repeat.

#include <cstddef>
#include <cstdint>
#include <string_view>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/ids.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// B3's sampling state.
enum class B3Sampling : std::uint8_t { defer, deny, accept, debug };

// Longest `b3` value we write: 32 + 1 + 16 + 1 + 1 (no parent span id).
inline constexpr std::size_t b3_single_max_size = 51;

// Returns the B3 sampling state a context carries.
constexpr B3Sampling b3_sampling_of(const SpanContext& context) noexcept {
    if (context.debug) return B3Sampling::debug;
    if (context.sampling_deferred) return B3Sampling::defer;
    return context.is_sampled() ? B3Sampling::accept : B3Sampling::deny;
}

namespace detail {

// Puts a B3 sampling state into a context: debug implies sampled; defer is "not sampled
// yet, the callee decides".
constexpr void set_b3_sampling(B3Sampling sampling, SpanContext& context) noexcept {
    context.debug = sampling == B3Sampling::debug;
    context.sampling_deferred = sampling == B3Sampling::defer;
    const bool sampled = sampling == B3Sampling::accept || sampling == B3Sampling::debug;
    context.flags.bits = static_cast<std::uint8_t>(sampled ? (context.flags.bits | TraceFlags::sampled)
                                                           : (context.flags.bits & ~TraceFlags::sampled));
}

// Fills `out` from parsed B3 fields: ids (or none, for a sampling decision alone) and the
// sampling state. The context came from a carrier, so it is remote.
constexpr void set_b3_context(const TraceId& trace_id, SpanId span_id, bool trace_id_64bit, B3Sampling sampling,
                              SpanContext& out) noexcept {
    out.trace_id = trace_id;
    out.span_id = span_id;
    out.flags = TraceFlags{};
    out.trace_id_64bit = trace_id_64bit;
    out.remote = true;
    set_b3_sampling(sampling, out);
}

// The `b3` sampling character: 0, 1 or d.
constexpr bool parse_b3_sampling_char(char c, B3Sampling& sampling) noexcept {
    switch (c) {
        case '0': sampling = B3Sampling::deny; return true;
        case '1': sampling = B3Sampling::accept; return true;
        case 'd': sampling = B3Sampling::debug; return true;
        default: return false;
    }
}

constexpr char b3_sampling_char(B3Sampling sampling) noexcept {
    return sampling == B3Sampling::debug ? 'd' : sampling == B3Sampling::accept ? '1' : '0';
}

// A context worth sending: ids, or (from a carrier) a sampling decision alone. A
// default-constructed context says nothing, rather than "deny".
constexpr bool has_b3_to_send(const SpanContext& context) noexcept {
    return context.is_valid() || (context.remote && b3_sampling_of(context) != B3Sampling::defer);
}

// Writes the trace id in the width it was received: 16 hex digits for a 64-bit id (the
// right-most 64 bits), 32 otherwise. Returns one past the last digit.
inline char* write_b3_trace_id(const SpanContext& context, char* out) noexcept {
    return context.trace_id_64bit ? detail::write_hex_u64(context.trace_id.low, out) : context.trace_id.write_hex(out);
}

}  // namespace detail

// Parses a `b3` single-header value (spaces/tabs around it allowed). Returns false, leaving
// `out` untouched, when it is malformed. A sampling decision alone leaves the ids invalid.
constexpr bool parse_b3_single(std::string_view value, SpanContext& out) noexcept {
    value = detail::trim_ows(value);
    B3Sampling sampling = B3Sampling::defer;
    if (value.size() == 1) {
        if (!detail::parse_b3_sampling_char(value[0], sampling)) return false;
        detail::set_b3_context(TraceId{}, SpanId{}, false, sampling, out);
        return true;
    }
    const std::size_t trace_id_size = value.find('-');
    TraceId trace_id;
    SpanId span_id, parent_span_id;
    if (trace_id_size == std::string_view::npos || !TraceId::parse_hex(value.substr(0, trace_id_size), trace_id))
        return false;
    std::string_view rest = value.substr(trace_id_size + 1);
    if (rest.size() < 16 || !SpanId::parse_hex(rest.substr(0, 16), span_id)) return false;
    rest.remove_prefix(16);
    if (!rest.empty()) {  // -{sampling}[-{parent span id}]
        if (rest.size() < 2 || rest[0] != '-' || !detail::parse_b3_sampling_char(rest[1], sampling)) return false;
        rest.remove_prefix(2);
        // The parent span id is checked, then ignored: it is the caller's parent, not ours.
        if (!rest.empty() && (rest[0] != '-' || !SpanId::parse_hex(rest.substr(1), parent_span_id))) return false;
    }
    detail::set_b3_context(trace_id, span_id, trace_id_size == 16, sampling, out);
    return true;
}

// Writes the `b3` single-header value for `context` into `out` (room for
// b3_single_max_size chars) and returns its length; 0 when there is nothing to send.
inline std::size_t format_b3_single(const SpanContext& context, char* out) noexcept {
    if (!detail::has_b3_to_send(context)) return 0;
    const B3Sampling sampling = b3_sampling_of(context);
    if (!context.is_valid()) {
        out[0] = detail::b3_sampling_char(sampling);
        return 1;
    }
    char* cursor = detail::write_b3_trace_id(context, out);
    *cursor++ = '-';
    cursor = context.span_id.write_hex(cursor);
    if (sampling != B3Sampling::defer) {
        *cursor++ = '-';
        *cursor++ = detail::b3_sampling_char(sampling);
    }
    return static_cast<std::size_t>(cursor - out);
}

// Extracts the `b3` header (the first line, if several). Returns false, leaving `out`
// untouched, when it is absent or malformed.
template <class Carrier>
bool extract_b3_single(const Carrier& carrier, SpanContext& out) {
    std::string_view value;
    return detail::first_value(carrier, header::b3, value) > 0 && parse_b3_single(value, out);
}

// Extracts the X-B3-* headers. Each malformed header counts as absent; ids are used only
// when both trace id and span id are present and valid. Returns false, leaving `out`
// untouched, when neither ids nor a sampling decision remain.
template <class Carrier>
bool extract_b3_multi(const Carrier& carrier, SpanContext& out) {
    const auto first_trimmed = [&carrier](std::string_view name, std::string_view& value) {
        const bool present = detail::first_value(carrier, name, value) > 0;
        value = detail::trim_ows(value);
        return present;
    };
    std::string_view trace_id_text, span_id_text, sampled_text, flags_text;
    TraceId trace_id;
    SpanId span_id;
    const bool has_trace_id = first_trimmed(header::b3_trace_id, trace_id_text) && TraceId::parse_hex(trace_id_text, trace_id);
    const bool has_span_id = first_trimmed(header::b3_span_id, span_id_text) && SpanId::parse_hex(span_id_text, span_id);
    const bool has_ids = has_trace_id && has_span_id;

    const bool debug = first_trimmed(header::b3_flags, flags_text) && flags_text == "1";
    const bool has_sampled = first_trimmed(header::b3_sampled, sampled_text);
    bool has_sampling = true;
    B3Sampling sampling = B3Sampling::defer;
    if (debug)
        sampling = B3Sampling::debug;  // implies accept, whatever X-B3-Sampled says
    else if (has_sampled && (sampled_text == "1" || sampled_text == "true"))
        sampling = B3Sampling::accept;
    else if (has_sampled && (sampled_text == "0" || sampled_text == "false"))
        sampling = B3Sampling::deny;
    else
        has_sampling = false;

    if (!has_ids && !has_sampling) return false;
    if (has_ids)
        detail::set_b3_context(trace_id, span_id, trace_id_text.size() == 16, sampling, out);
    else
        detail::set_b3_context(TraceId{}, SpanId{}, false, sampling, out);
    return true;
}

// Sends `context` as the `b3` header.
template <class Carrier>
void inject_b3_single(const SpanContext& context, Carrier& carrier) {
    char value[b3_single_max_size];
    const std::size_t size = format_b3_single(context, value);
    if (size > 0) carrier.set(header::b3, std::string_view(value, size));
}

// Sends `context` as X-B3-TraceId, X-B3-SpanId and X-B3-Sampled, or X-B3-Flags: 1 for
// debug (which implies sampled, so X-B3-Sampled is left out).
template <class Carrier>
void inject_b3_multi(const SpanContext& context, Carrier& carrier) {
    if (!detail::has_b3_to_send(context)) return;
    if (context.is_valid()) {
        char trace_id[32], span_id[16];
        const char* trace_id_end = detail::write_b3_trace_id(context, trace_id);
        context.span_id.write_hex(span_id);
        carrier.set(header::b3_trace_id, std::string_view(trace_id, static_cast<std::size_t>(trace_id_end - trace_id)));
        carrier.set(header::b3_span_id, std::string_view(span_id, 16));
    }
    switch (b3_sampling_of(context)) {
        case B3Sampling::debug: carrier.set(header::b3_flags, "1"); break;
        case B3Sampling::accept: carrier.set(header::b3_sampled, "1"); break;
        case B3Sampling::deny: carrier.set(header::b3_sampled, "0"); break;
        case B3Sampling::defer: break;
    }
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/b3.hpp"
// #include "microtrace/propagation/composite.hpp" (inlined)
// microtrace/propagation/composite.hpp — one call to extract or inject every configured
// format: W3C Trace Context, B3 single and multi header, with W3C Baggage alongside.
//
//   auto parent = microtrace::extract(request_headers);     // W3C, then b3, then X-B3-*
//   auto span = tracer.start_span("handle", parent, microtrace::SpanKind::server);
//   microtrace::inject(span.context(), outgoing_headers);   // traceparent, tracestate, baggage
//
// Extraction tries the formats in order and the first that finds a context wins (a B3
// sampling decision alone counts). Baggage is read whatever the trace format. The
// returned ExtractedContext owns the tracestate and baggage its SpanContext points at,
// so spans started from it, and inject() on them, carry both on.

#include <cstddef>
#include <cstdint>
#include <utility>

// #include "microtrace/config.hpp" (already inlined above)
// #include "microtrace/context.hpp" (already inlined above)
// #include "microtrace/propagation/b3.hpp" (already inlined above)
// #include "microtrace/propagation/baggage.hpp" (already inlined above)
// #include "microtrace/propagation/carrier.hpp" (already inlined above)
// #include "microtrace/propagation/trace_context.hpp" (already inlined above)
// #include "microtrace/propagation/tracestate.hpp" (already inlined above)

MICROTRACE_BEGIN_NAMESPACE

// The trace-context formats.
enum class TraceFormat : std::uint8_t { none, w3c, b3_single, b3_multi };

// What extraction found: a SpanContext (invalid when the trace starts here) and the
// tracestate and baggage storage it points at. It converts to `const SpanContext&`, so
// it can be passed straight to Tracer::start_span. Copies re-point at their own storage.
// Keep it alive while spans started from it run.
class ExtractedContext {
  public:
    ExtractedContext() noexcept { link(); }
    ExtractedContext(const ExtractedContext& other) noexcept
        : context_(other.context_), trace_state_(other.trace_state_), baggage_(other.baggage_), format_(other.format_) {
        link();
    }
    ExtractedContext& operator=(const ExtractedContext& other) noexcept {
        context_ = other.context_;
        trace_state_ = other.trace_state_;
        baggage_ = other.baggage_;
        format_ = other.format_;
        link();
        return *this;
    }

    // The context points into this object: spans started from it, and what they inject,
    // need it alive. So a temporary does not convert (`start_span("x", extract(headers))`
    // would dangle): name the extracted context first.
    const SpanContext& context() const& noexcept { return context_; }
    operator const SpanContext&() const& noexcept { return context_; }
    const SpanContext& context() const&& = delete;
    operator const SpanContext&() const&& = delete;
    // Ids present: a trace to continue.
    bool is_valid() const noexcept { return context_.is_valid(); }
    // The format the context came from; `none` when no format found one.
    TraceFormat format() const noexcept { return format_; }

    // The received tracestate and baggage, to read or change before starting spans.
    TraceState& trace_state() noexcept { return trace_state_; }
    const TraceState& trace_state() const noexcept { return trace_state_; }
    Baggage& baggage() noexcept { return baggage_; }
    const Baggage& baggage() const noexcept { return baggage_; }

  private:
    friend struct Propagator;

    void link() noexcept {
        context_.trace_state = &trace_state_;
        context_.baggage = &baggage_;
    }

    SpanContext context_;
    TraceState trace_state_;
    Baggage baggage_;
    TraceFormat format_ = TraceFormat::none;
};

// Which formats to read and write. The defaults read W3C, then B3 single, then B3 multi,
// and write W3C; baggage is read and written. Set the fields to change them:
//
//   microtrace::Propagator zipkin_style;
//   zipkin_style.send_w3c = false;
//   zipkin_style.send_b3_multi = true;
struct Propagator {
    // Tried in order; the first that finds a context wins. `none` entries are skipped.
    TraceFormat extract_order[3] = {TraceFormat::w3c, TraceFormat::b3_single, TraceFormat::b3_multi};
    bool send_w3c = true;
    bool send_b3_single = false;
    bool send_b3_multi = false;
    bool baggage = true;

    // Extracts from `headers` (a carrier, or a container of name/value pairs) into `out`.
    template <class Headers>
    void extract(Headers&& headers, ExtractedContext& out) const {
        if constexpr (config::enabled) {
            out = ExtractedContext{};
            auto&& carrier = detail::as_carrier(headers);
            for (const TraceFormat format : extract_order) {
                if (extract_format(format, carrier, out)) {
                    out.format_ = format;
                    break;
                }
            }
            if (baggage)
                out.baggage_.parse_lines([&carrier](auto&& visit_line) { carrier.for_each_value(header::baggage, visit_line); });
            out.link();
        }
    }

    template <class Headers>
    ExtractedContext extract(Headers&& headers) const {
        ExtractedContext out;
        extract(std::forward<Headers>(headers), out);
        return out;
    }

    // Writes `context` (and the tracestate and baggage it points at) into `headers`.
    template <class Headers>
    void inject(const SpanContext& context, Headers&& headers) const {
        inject_with_baggage(context, context.baggage, headers);
    }

    // Same, sending `baggage` instead of the context's: for a trace that starts here with
    // baggage of its own.
    template <class Headers>
    void inject(const SpanContext& context, const Baggage& outgoing_baggage, Headers&& headers) const {
        inject_with_baggage(context, &outgoing_baggage, headers);
    }

  private:
    template <class Headers>
    void inject_with_baggage(const SpanContext& context, const Baggage* sent_baggage, Headers& headers) const {
        if constexpr (config::enabled) {
            auto&& carrier = detail::as_carrier(headers);
            if (send_w3c) inject_trace_context(context, carrier);
            if (send_b3_single) inject_b3_single(context, carrier);
            if (send_b3_multi) inject_b3_multi(context, carrier);
            if (baggage && sent_baggage != nullptr && !sent_baggage->empty()) {
                char value[Baggage::capacity];
                carrier.set(header::baggage, std::string_view(value, sent_baggage->write(value)));
            }
        }
    }

    template <class Carrier>
    static bool extract_format(TraceFormat format, const Carrier& carrier, ExtractedContext& out) {
        switch (format) {
            case TraceFormat::w3c: return extract_trace_context(carrier, out.context_, out.trace_state_);
            case TraceFormat::b3_single: return extract_b3_single(carrier, out.context_);
            case TraceFormat::b3_multi: return extract_b3_multi(carrier, out.context_);
            case TraceFormat::none: return false;
        }
        return false;
    }
};

// Extracts with the default Propagator: W3C, then B3 single, then B3 multi; baggage too.
template <class Headers>
ExtractedContext extract(Headers&& headers) {
    return Propagator{}.extract(std::forward<Headers>(headers));
}
template <class Headers>
void extract(Headers&& headers, ExtractedContext& out) {
    Propagator{}.extract(std::forward<Headers>(headers), out);
}

// Injects with the default Propagator: traceparent, tracestate and baggage.
template <class Headers>
void inject(const SpanContext& context, Headers&& headers) {
    Propagator{}.inject(context, std::forward<Headers>(headers));
}
template <class Headers>
void inject(const SpanContext& context, const Baggage& outgoing_baggage, Headers&& headers) {
    Propagator{}.inject(context, outgoing_baggage, std::forward<Headers>(headers));
}

MICROTRACE_END_NAMESPACE
// end of "microtrace/propagation/composite.hpp"
// end of "microtrace/propagation/propagation.hpp"
