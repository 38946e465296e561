// microtrace/samplers/rate_limited.hpp — at most N sampled spans per second, lock-free.
#pragma once

#include <atomic>
#include <cstdint>

#include "../clock.hpp"
#include "../config.hpp"
#include "../detail/atomic.hpp"
#include "../sampler.hpp"
#include "coarse_clock.hpp"

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
