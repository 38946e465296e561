// microtrace/ids.hpp — TraceId (128-bit), SpanId (64-bit), their hex form, and the id generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "detail/atomic.hpp"
#include "detail/hex.hpp"

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
