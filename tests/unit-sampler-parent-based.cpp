// ParentBased: the five OpenTelemetry cases, B3 debug and defer, and `th` propagation.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/alloc_counter.hpp"

#include <cstdint>
#include <string_view>

using namespace microtrace;

namespace {

// A custom sampler, as a user would write one: it answers with a fixed verdict and counts
// its calls (non-const should_sample: ParentBased must still accept it).
struct Recording {
    bool verdict = false;
    int calls = 0;
    SamplingResult should_sample(const SamplingParameters&) noexcept {
        ++calls;
        return {verdict, verdict ? std::uint64_t{0x0040000000000000ULL} : no_sampling_threshold};
    }
    SamplerDescription description() const noexcept {
        return SamplerDescription{}.append(verdict ? "Yes" : "No");
    }
};

SpanContext parent_context(bool remote, bool sampled) {
    SpanContext parent;
    parent.trace_id = TraceId{0x1111111111111111ULL, 0x2222222222222222ULL};
    parent.span_id = SpanId{0x3333333333333333ULL};
    parent.remote = remote;
    parent.flags.bits = sampled ? TraceFlags::sampled : 0;
    return parent;
}

SamplingParameters child_of(const SpanContext& parent) {
    SamplingParameters params;
    params.parent = &parent;
    params.trace_id = parent.trace_id;
    return params;
}

// Each delegate answers with a different verdict pattern so the test sees which one ran.
using Probe = ParentBased<Recording, Recording, Recording, Recording, Recording>;
Probe make_probe() { return Probe(Recording{}, Recording{}, Recording{}, Recording{}, Recording{}); }

}  // namespace

TEST_CASE("each of OpenTelemetry's five cases goes to its own delegate") {
    Probe sampler = make_probe();
    SamplingParameters root;
    root.trace_id = TraceId{1, 2};
    sampler.should_sample(root);
    const SpanContext remote_sampled = parent_context(true, true);
    sampler.should_sample(child_of(remote_sampled));
    sampler.should_sample(child_of(remote_sampled));
    const SpanContext remote_not_sampled = parent_context(true, false);
    for (int i = 0; i < 3; ++i) sampler.should_sample(child_of(remote_not_sampled));
    const SpanContext local_sampled = parent_context(false, true);
    for (int i = 0; i < 4; ++i) sampler.should_sample(child_of(local_sampled));
    const SpanContext local_not_sampled = parent_context(false, false);
    for (int i = 0; i < 5; ++i) sampler.should_sample(child_of(local_not_sampled));

    CHECK(sampler.root().calls == 1);
    CHECK(sampler.remote_parent_sampled().calls == 2);
    CHECK(sampler.remote_parent_not_sampled().calls == 3);
    CHECK(sampler.local_parent_sampled().calls == 4);
    CHECK(sampler.local_parent_not_sampled().calls == 5);
}

TEST_CASE("by default a child follows its parent's sampled flag, remote or local") {
    const ParentBased sampler{AlwaysOffSampler{}};
    for (bool remote : {true, false}) {
        CAPTURE(remote);
        const SpanContext sampled = parent_context(remote, true);
        CHECK(sampler.should_sample(child_of(sampled)).sampled);
        const SpanContext dropped = parent_context(remote, false);
        CHECK_FALSE(sampler.should_sample(child_of(dropped)).sampled);
    }
    // Whatever the root sampler would say about the same trace.
    const ParentBased always_root{AlwaysOnSampler{}};
    const SpanContext dropped = parent_context(true, false);
    CHECK_FALSE(always_root.should_sample(child_of(dropped)).sampled);
}

TEST_CASE("a root span, or a local parent without ids, asks the root sampler") {
    ParentBased sampler{Recording{true}};
    SamplingParameters root;
    root.trace_id = TraceId{1, 2};
    CHECK(sampler.should_sample(root).sampled);
    const SpanContext empty;  // invalid, not remote: nothing to follow
    CHECK(sampler.should_sample(child_of(empty)).sampled);
    CHECK(sampler.root().calls == 2);
}

TEST_CASE("B3 debug always samples, even when the flag, the delegates or the ids say no") {
    ParentBased<AlwaysOffSampler, AlwaysOffSampler, AlwaysOffSampler, AlwaysOffSampler, AlwaysOffSampler>
        sampler{AlwaysOffSampler{}};
    for (bool remote : {true, false}) {
        SpanContext debug = parent_context(remote, false);
        debug.debug = true;
        CHECK(sampler.should_sample(child_of(debug)).sampled);
    }
    SpanContext debug_without_ids;  // `b3: d`
    debug_without_ids.remote = true;
    debug_without_ids.debug = true;
    SamplingParameters params;
    params.parent = &debug_without_ids;
    params.trace_id = TraceId{1, 2};
    CHECK(sampler.should_sample(params).sampled);
    // Not a probability decision: no threshold unless the parent had a consistent one.
    CHECK(sampler.should_sample(params).threshold == no_sampling_threshold);
}

TEST_CASE("B3 defer is no decision: the root sampler decides") {
    ParentBased sampler{Recording{true}};
    SpanContext deferred = parent_context(true, false);
    deferred.sampling_deferred = true;
    CHECK(sampler.should_sample(child_of(deferred)).sampled);
    CHECK(sampler.root().calls == 1);

    // With a probability root, a deferred parent gets the trace-id decision.
    const ParentBased probability{ProbabilitySampler(0.5)};
    deferred.trace_id = TraceId{0, 0x00c0000000000000ULL};  // R = 3 * 2^54 >= 2^55
    const SamplingResult result = probability.should_sample(child_of(deferred));
    CHECK(result.sampled);
    CHECK(result.threshold == 0x0080000000000000ULL);
}

TEST_CASE("a remote decision without ids (b3: 0 / b3: 1) is followed") {
    const ParentBased sampler{AlwaysOnSampler{}};
    SpanContext deny;  // `b3: 0`
    deny.remote = true;
    SamplingParameters params;
    params.parent = &deny;
    params.trace_id = TraceId{1, 2};  // the tracer's fresh trace id
    CHECK_FALSE(sampler.should_sample(params).sampled);
    SpanContext accept;  // `b3: 1`
    accept.remote = true;
    accept.flags.bits = TraceFlags::sampled;
    params.parent = &accept;
    CHECK(ParentBased{AlwaysOffSampler{}}.should_sample(params).sampled);
}

TEST_CASE("a followed parent passes its th on, and only when it is consistent") {
    const ParentBased sampler{AlwaysOnSampler{}};
    SpanContext parent = parent_context(true, true);
    parent.trace_id = TraceId{0, 0x00d0000000000000ULL};  // R = 0xd0...

    parent.sampling_threshold = 0x00c0000000000000ULL;  // th:c, R >= T: consistent
    SamplingResult result = sampler.should_sample(child_of(parent));
    CHECK(result.sampled);
    CHECK(result.threshold == 0x00c0000000000000ULL);  // not AlwaysOn's th:0

    parent.sampling_threshold = 0x00e0000000000000ULL;  // th:e, R < T: a rate limit upstream
    result = sampler.should_sample(child_of(parent));
    CHECK(result.sampled);
    CHECK(result.threshold == no_sampling_threshold);  // erased, as OpenTelemetry requires

    parent.sampling_threshold = no_sampling_threshold;  // no th: stays absent
    CHECK(sampler.should_sample(child_of(parent)).threshold == no_sampling_threshold);

    parent.sampling_threshold = 0;  // th:0
    CHECK(sampler.should_sample(child_of(parent)).threshold == 0);

    // The parent's `rv`, not the trace id, is the R to check against.
    parent.sampling_threshold = 0x00c0000000000000ULL;
    SamplingParameters params = child_of(parent);
    params.explicit_randomness = 0x0010000000000000ULL;
    CHECK(sampler.should_sample(params).threshold == no_sampling_threshold);
    params.explicit_randomness = 0x00c0000000000000ULL;
    CHECK(sampler.should_sample(params).threshold == 0x00c0000000000000ULL);

    // An unsampled parent's th is not passed on: nothing is recorded for its children.
    SpanContext dropped = parent_context(true, false);
    dropped.sampling_threshold = 0x00c0000000000000ULL;
    CHECK(sampler.should_sample(child_of(dropped)).threshold == no_sampling_threshold);
}

TEST_CASE("explicit delegates replace following, as in OpenTelemetry") {
    // Sample every remote request we receive, whatever the caller decided.
    const ParentBased<ProbabilitySampler, AlwaysOnSampler, AlwaysOnSampler> sampler{
        ProbabilitySampler(0.01)};
    const SpanContext dropped = parent_context(true, false);
    const SamplingResult result = sampler.should_sample(child_of(dropped));
    CHECK(result.sampled);
    CHECK(result.threshold == 0);  // AlwaysOn's own th:0
    const SpanContext local_dropped = parent_context(false, false);
    CHECK_FALSE(sampler.should_sample(child_of(local_dropped)).sampled);  // still follows
}

TEST_CASE("FollowParentSampler on its own") {
    const FollowParentSampler follow;
    CHECK_FALSE(follow.should_sample(SamplingParameters{}).sampled);  // no parent: no
    const SpanContext sampled = parent_context(false, true);
    CHECK(follow.should_sample(child_of(sampled)).sampled);
    CHECK(follow.description().view() == "FollowParentSampler");
}

TEST_CASE("descriptions name the root and every non-default delegate") {
    CHECK(ParentBased{ProbabilitySampler(0.05)}.description().view() ==
          "ParentBased{root=ProbabilitySampler{0.05}}");
    CHECK(ParentBased{AlwaysOnSampler{}}.description().view() == "ParentBased{root=AlwaysOnSampler}");
    const ParentBased<AlwaysOffSampler, FollowParentSampler, AlwaysOnSampler> partial{
        AlwaysOffSampler{}};
    CHECK(partial.description().view() ==
          "ParentBased{root=AlwaysOffSampler,remoteParentNotSampled=AlwaysOnSampler}");
    CHECK(make_probe().description().view() ==
          "ParentBased{root=No,remoteParentSampled=No,remoteParentNotSampled=No,"
          "localParentSampled=No,localParentNotSampled=No}");
}

TEST_CASE("ParentBased holds its delegates by value and decides without allocating") {
    static_assert(sizeof(ParentBased<AlwaysOnSampler>) <= 8);  // empty delegates cost ~nothing
    static_assert(noexcept(std::declval<const ParentBased<ProbabilitySampler>&>().should_sample(
        std::declval<const SamplingParameters&>())));
    const ParentBased sampler{ProbabilitySampler(0.5)};
    const SpanContext parent = parent_context(true, true);
    microtrace_test::AllocationProbe probe;
    int sampled = 0;
    for (int i = 0; i < 100; ++i) sampled += sampler.should_sample(child_of(parent)).sampled ? 1 : 0;
    CHECK(probe.count() == 0);
    CHECK(sampled == 100);
}

#if defined(__cpp_constinit)
// A static tracer's sampler must not need code at start-up (MICROTRACE_ENABLED=0 leaves none).
constinit ParentBased<ProbabilitySampler, AlwaysOnSampler> static_parent_based{ProbabilitySampler(0.05)};
TEST_CASE("a static ParentBased sampler is constant-initialized") {
    CHECK(static_parent_based.root().threshold() == threshold_for_probability(0.05));
}
#endif

TEST_CASE("through a Tracer: a probability root, children and remote parents follow") {
    Recorder<64> recorder;
    Tracer<ParentBased<ProbabilitySampler>> tracer("svc", recorder,
                                                   ParentBased{ProbabilitySampler(0.25)});
    CHECK(tracer.sampler().description().view() == "ParentBased{root=ProbabilitySampler{0.25}}");
    int sampled_roots = 0;
    for (int i = 0; i < 200; ++i) {
        StartOptions root_options;
        root_options.root = true;
        Span root = tracer.start_span("root", root_options);
        const SpanContext& context = root.context();
        const bool expected = threshold_samples(0x00c0000000000000ULL, context.trace_id);
        REQUIRE(context.is_sampled() == expected);
        REQUIRE(context.sampling_threshold ==
                (expected ? std::uint64_t{0x00c0000000000000ULL} : no_sampling_threshold));
        sampled_roots += expected ? 1 : 0;
        Span child = tracer.start_span("child", context);
        REQUIRE(child.context().is_sampled() == expected);
        REQUIRE(child.context().sampling_threshold == context.sampling_threshold);
    }
    CHECK(sampled_roots > 0);
    CHECK(sampled_roots < 200);

    SpanContext remote = parent_context(true, true);
    remote.trace_id = TraceId{0, 1};  // R = 1: the root sampler would drop it
    Span server = tracer.start_span("server", remote, SpanKind::server);
    CHECK(server.context().is_sampled());
}
