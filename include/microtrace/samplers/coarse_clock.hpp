// microtrace/samplers/coarse_clock.hpp — the cheap clock rate-limited and adaptive samplers
// read on every decision.
//
// Those samplers only need to know which second (or window) a decision falls in, so they
// trade resolution for speed: Linux's CLOCK_MONOTONIC_COARSE costs about 5 ns against
// steady_clock's 25-30 ns, with a resolution of one scheduler tick (1-4 ms). Elsewhere it
// falls back to steady_clock, and with MICROTRACE_STD_CLOCK=0 to a clock stopped at 0 (a
// rate limit then never refills, adaptive windows end only by advance_window()): firmware
// passes its own tick counter instead.
#pragma once

#include <cstdint>

#include "../clock.hpp"
#include "../config.hpp"

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
