// microtrace/samplers/probability.hpp — OpenTelemetry's consistent trace-id probability
// sampler (TraceIdRatioBased, as specified with OTEP 235 thresholds).
#pragma once

#include <cstdint>

#include "../config.hpp"
#include "../context.hpp"
#include "../sampler.hpp"
#include "threshold.hpp"

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
