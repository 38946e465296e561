// tests/support/deterministic.hpp — a clock and an id source whose values tests can
// predict, so span contents and Zipkin output can be checked exactly.
#pragma once

#include <microtrace/microtrace.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace microtrace_test {

// Every reading advances the clock by 1 µs, from a known start: 1700000000 s after the
// epoch plus `monotonic_start_ns`.
inline std::atomic<std::uint64_t> fake_now_ns{0};
inline std::uint64_t fake_clock_now() noexcept { return fake_now_ns.fetch_add(1000) + 1000; }
inline constexpr std::int64_t fake_epoch_offset_ns = 1'700'000'000'000'000'000;

inline microtrace::Clock fake_clock() noexcept {
    fake_now_ns = 0;
    return microtrace::Clock{&fake_clock_now, fake_epoch_offset_ns};
}

// Ids 1, 2, 3, ... in order of drawing.
inline std::atomic<std::uint64_t> next_id{0};
inline std::uint64_t counting_ids_draw() noexcept { return ++next_id; }
inline microtrace::IdGenerator counting_ids() noexcept {
    next_id = 0;
    return microtrace::IdGenerator{&counting_ids_draw, false};
}

// Collects a recorder's spans by value, in dump order.
struct CollectedSpan {
    microtrace::SpanData data;
    std::string service;
};

}  // namespace microtrace_test
