// microtrace/samplers/adaptive.hpp — holds the number of sampled root traces near a target
// per second (or per tick), whatever the load.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "../clock.hpp"
#include "../config.hpp"
#include "../detail/atomic.hpp"
#include "../sampler.hpp"
#include "coarse_clock.hpp"
#include "threshold.hpp"

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
