// microtrace/clock.hpp — where span times come from.
//
// A span reads one monotonic clock twice (start and end). Its wall-clock timestamp is
// derived from the first reading plus an offset measured once, so a span pays for two
// clock reads, not three, and a wall-clock step never yields a negative duration.
#pragma once

#include <chrono>
#include <cstdint>

#include "config.hpp"

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
