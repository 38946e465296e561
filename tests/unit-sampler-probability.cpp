// AlwaysOn / AlwaysOff / ProbabilitySampler: OpenTelemetry-consistent trace-id decisions.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/alloc_counter.hpp"

#include <cstdint>
#include <string_view>

using namespace microtrace;

namespace {

SamplingParameters root_with_randomness(std::uint64_t randomness) {
    SamplingParameters params;
    // The top byte of `low` and all of `high` are not OpenTelemetry randomness: fill them
    // so that a sampler reading the wrong bits fails.
    params.trace_id = TraceId{0xffffffffffffffffULL, 0xff00000000000000ULL | randomness};
    return params;
}

}  // namespace

TEST_CASE("the built-in samplers are samplers, and nothing else is") {
    static_assert(is_sampler_v<AlwaysOnSampler>);
    static_assert(is_sampler_v<AlwaysOffSampler>);
    static_assert(is_sampler_v<ProbabilitySampler>);
    static_assert(is_sampler_v<ParentBased<ProbabilitySampler>>);
    static_assert(is_sampler_v<FollowParentSampler>);
    static_assert(!is_sampler_v<int>);
    static_assert(!is_sampler_v<TraceId>);
    struct ThrowingSampler {  // should_sample without noexcept is not accepted
        SamplingResult should_sample(const SamplingParameters&) { return {}; }
        SamplerDescription description() const noexcept { return {}; }
    };
    static_assert(!is_sampler_v<ThrowingSampler>);
}

TEST_CASE("always-on samples with th:0, always-off drops without a threshold") {
    const SamplingParameters params = root_with_randomness(0);
    CHECK(AlwaysOnSampler{}.should_sample(params).sampled);
    CHECK(AlwaysOnSampler{}.should_sample(params).threshold == 0);
    CHECK_FALSE(AlwaysOffSampler{}.should_sample(params).sampled);
    CHECK(AlwaysOffSampler{}.should_sample(params).threshold == no_sampling_threshold);
    CHECK(AlwaysOnSampler{}.description().view() == "AlwaysOnSampler");
    CHECK(AlwaysOffSampler{}.description().view() == "AlwaysOffSampler");
}

TEST_CASE("p = 1 samples every trace, even R = 0, and records th:0") {
    const ProbabilitySampler sampler(1.0);
    for (std::uint64_t r : {std::uint64_t{0}, std::uint64_t{1}, randomness_mask}) {
        const SamplingResult result = sampler.should_sample(root_with_randomness(r));
        CHECK(result.sampled);
        CHECK(result.threshold == 0);
    }
}

TEST_CASE("p = 0 samples nothing, even R = 2^56 - 1") {
    const ProbabilitySampler sampler(0.0);
    CHECK(sampler.threshold() == max_threshold);
    CHECK_FALSE(sampler.should_sample(root_with_randomness(randomness_mask)).sampled);
    CHECK_FALSE(sampler.should_sample(root_with_randomness(0)).sampled);
}

TEST_CASE("p = 2^-56 samples exactly one R value: 2^56 - 1") {
    const ProbabilitySampler sampler(0x1p-56);
    const SamplingResult kept = sampler.should_sample(root_with_randomness(randomness_mask));
    CHECK(kept.sampled);
    CHECK(kept.threshold == 0x00ffffffffffffffULL);
    CHECK_FALSE(sampler.should_sample(root_with_randomness(randomness_mask - 1)).sampled);
}

TEST_CASE("p = 0.5 splits at R = 2^55 and records th:8") {
    const ProbabilitySampler sampler(0.5);
    const SamplingResult at = sampler.should_sample(root_with_randomness(0x0080000000000000ULL));
    CHECK(at.sampled);
    CHECK(at.threshold == 0x0080000000000000ULL);
    char text[threshold_hex_digits];
    CHECK(std::string_view(text, format_threshold(at.threshold, text)) == "8");
    const SamplingResult below = sampler.should_sample(root_with_randomness(0x007fffffffffffffULL));
    CHECK_FALSE(below.sampled);
    CHECK(below.threshold == no_sampling_threshold);  // no `th` on a dropped span
}

TEST_CASE("decisions match the exact threshold at its boundary for many probabilities") {
    for (double p : {0.9, 0.75, 0.25, 0.1, 0.05, 0.01, 0.001, 1e-6, 1.0 / 3}) {
        CAPTURE(p);
        const ProbabilitySampler sampler(p);
        const std::uint64_t threshold = threshold_for_probability(p);
        CHECK(sampler.threshold() == threshold);
        CHECK(sampler.should_sample(root_with_randomness(threshold)).sampled);
        CHECK_FALSE(sampler.should_sample(root_with_randomness(threshold - 1)).sampled);
    }
}

TEST_CASE("consistency: a higher probability keeps a superset of the traces") {
    const double probabilities[] = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 1.0};
    std::uint64_t state = 42;
    for (int i = 0; i < 20000; ++i) {
        SamplingParameters params;
        params.trace_id = TraceId{detail::splitmix64(state), detail::splitmix64(state)};
        bool kept_at_lower = false;
        for (double p : probabilities) {
            const bool kept = ProbabilitySampler(p).should_sample(params).sampled;
            if (kept_at_lower) REQUIRE(kept);
            kept_at_lower = kept;
        }
    }
}

TEST_CASE("the kept fraction matches p") {
    const ProbabilitySampler sampler(0.1);
    std::uint64_t state = 7;
    int kept = 0;
    constexpr int traces = 200000;
    for (int i = 0; i < traces; ++i) {
        SamplingParameters params;
        params.trace_id = TraceId{detail::splitmix64(state), detail::splitmix64(state)};
        kept += sampler.should_sample(params).sampled ? 1 : 0;
    }
    // Binomial(200000, 0.1): sd 134; 6 sd either way.
    CHECK(kept > 20000 - 804);
    CHECK(kept < 20000 + 804);
}

TEST_CASE("the parent's flag and th do not matter: TraceIdRatioBased ignores them") {
    const ProbabilitySampler sampler(0.5);
    SpanContext parent;
    parent.trace_id = TraceId{1, 0x0010000000000000ULL};  // R = 2^52 < 2^55: dropped
    parent.span_id = SpanId{1};
    parent.flags.bits = TraceFlags::sampled;
    parent.sampling_threshold = 0;
    SamplingParameters params;
    params.parent = &parent;
    params.trace_id = parent.trace_id;
    CHECK_FALSE(sampler.should_sample(params).sampled);
}

TEST_CASE("explicit randomness (ot=rv) replaces the trace id's bits") {
    // The OpenTelemetry SDK specification's example: a non-random trace id, all ones, with
    // `tracestate: ot=rv:7479cfb506891d`.
    SamplingParameters params;
    params.trace_id = TraceId{0xffffffffffffffffULL, 0xffffffffffffffffULL};
    std::uint64_t rv = 0;
    REQUIRE(parse_randomness("7479cfb506891d", rv));
    const ProbabilitySampler half(0.5);
    CHECK(half.should_sample(params).sampled);  // R from the id: 2^56 - 1
    params.explicit_randomness = rv;
    CHECK(params.randomness() == 0x7479cfb506891dULL);
    CHECK_FALSE(half.should_sample(params).sampled);  // rv < 2^55
    const ProbabilitySampler generous(0.6);
    CHECK(generous.should_sample(params).sampled);  // T = 0x66666666666666 <= rv
    // R >= T exactly at rv.
    CHECK(threshold_samples(rv, params.randomness()));
    CHECK_FALSE(threshold_samples(rv + 1, params.randomness()));
}

TEST_CASE("descriptions name the probability") {
    CHECK(ProbabilitySampler(0.05).description().view() == "ProbabilitySampler{0.05}");
    CHECK(ProbabilitySampler(1.0).description().view() == "ProbabilitySampler{1}");
    CHECK(ProbabilitySampler(0.0001).description().view() == "ProbabilitySampler{0.0001}");
    CHECK(ProbabilitySampler(7.0).description().view() == "ProbabilitySampler{1}");
    CHECK(ProbabilitySampler(-1.0).description().view() == "ProbabilitySampler{0}");
}

TEST_CASE("deciding allocates nothing and is constexpr") {
    static_assert(ProbabilitySampler(1.0).should_sample(SamplingParameters{}).sampled);
    static_assert(!ProbabilitySampler(0.5).should_sample(SamplingParameters{}).sampled);
    static_assert(noexcept(ProbabilitySampler(0.5).should_sample(SamplingParameters{})));
    const ProbabilitySampler sampler(0.25);
    microtrace_test::AllocationProbe probe;
    int kept = 0;
    for (std::uint64_t k = 0; k < 1024; ++k)  // R = k * 2^46 spans [0, 2^56) evenly
        kept += sampler.should_sample(root_with_randomness(k << 46)).sampled ? 1 : 0;
    const SamplerDescription description = sampler.description();
    CHECK(probe.count() == 0);
    CHECK(kept == 256);  // kept iff k * 2^46 >= 3 * 2^54, i.e. k >= 768
    CHECK(description.view() == "ProbabilitySampler{0.25}");
}
