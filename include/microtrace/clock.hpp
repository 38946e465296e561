// microtrace/clock.hpp — where span times come from.
//
// A span reads one monotonic clock twice (start and end). Its wall-clock timestamp is
// derived from the first reading plus an offset measured once, so a span pays for two
// clock reads, not three, and a wall-clock step never yields a negative duration.
#pragma once

#include <chrono>
#include <cstdint>

#include "config.hpp"


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

    // Monotonic nanoseconds converted to epoch nanoseconds: the time of a span event.
    std::uint64_t now_epoch_ns() const noexcept { return to_epoch_ns(now_ns()); }

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
#endif

  private:
    static std::uint64_t stopped_ns() noexcept { return 0; }
};

MICROTRACE_END_NAMESPACE
