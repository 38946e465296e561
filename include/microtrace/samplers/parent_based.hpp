// microtrace/samplers/parent_based.hpp — OpenTelemetry's ParentBased composition: a span
// with a parent follows it; a root span asks the root sampler.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../config.hpp"
#include "../context.hpp"
#include "../sampler.hpp"
#include "threshold.hpp"

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
