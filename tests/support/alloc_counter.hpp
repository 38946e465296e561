// tests/support/alloc_counter.hpp — counts heap allocations, per thread, for tests that
// promise "no allocation". Linking tests/support/alloc_counter.cpp replaces every global
// operator new/delete with malloc-backed versions that count each operator new call (under
// ThreadSanitizer, which forbids that, it counts every heap allocation through TSan's hook).
#pragma once

#include <cstdint>

namespace microtrace_test {

// Returns how many times this thread has called any form of operator new so far.
std::uint64_t thread_allocations() noexcept;

// Counts this thread's allocations from construction on. Read it on the thread that made it:
//
//     microtrace_test::AllocationProbe probe;
//     hot_path();
//     CHECK(probe.count() == 0);
class AllocationProbe {
public:
    AllocationProbe() noexcept : start_(thread_allocations()) {}

    // Returns the number of operator new calls this thread made since construction.
    std::uint64_t count() const noexcept { return thread_allocations() - start_; }

private:
    std::uint64_t start_;
};

}  // namespace microtrace_test
