// tests/support/modes.hpp — test-case decorators for what some build modes leave out, so
// the one suite builds and runs in every mode (tools/test.sh has a leg per mode) and a
// test that cannot apply is reported as skipped rather than silently left out:
//
//     TEST_CASE("four writers share a recorder" * microtrace_test::needs_threads) { ... }
#pragma once

#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

namespace microtrace_test {

// Several threads share one tracer, recorder or sampler: not with MICROTRACE_THREADS=0,
// which promises a single thread.
inline const doctest::skip needs_threads{!microtrace::config::threads};

// Spans nest through the thread's current span: not with MICROTRACE_THREAD_LOCAL=0, where
// only explicit parents nest.
inline const doctest::skip needs_thread_local{!microtrace::config::thread_local_storage};

}  // namespace microtrace_test
