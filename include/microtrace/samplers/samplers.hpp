// microtrace/samplers/samplers.hpp — every built-in sampler; docs/sampling.md explains them.
#pragma once

#include "../sampler.hpp"        // the interface, AlwaysOnSampler, AlwaysOffSampler
#include "threshold.hpp"         // OpenTelemetry th / rv arithmetic
#include "probability.hpp"       // ProbabilitySampler
#include "parent_based.hpp"      // ParentBased, FollowParentSampler
#include "coarse_clock.hpp"      // coarse_monotonic_ns, the samplers' default clock
#include "rate_limited.hpp"      // RateLimitedSampler
#include "adaptive.hpp"          // AdaptiveSampler
