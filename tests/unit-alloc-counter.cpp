// The allocation counter behind "zero allocations" tests must itself be able to fail:
// it sees every form of operator new, counts exactly, and counts per thread.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <new>
#include <string>
#include <thread>

#include "support/alloc_counter.hpp"

using microtrace_test::AllocationProbe;

namespace {
// Storing a pointer here makes it escape, so the compiler may not elide the allocation
// (new-expressions may be optimised away since C++14).
void* volatile escaped = nullptr;

struct alignas(64) OverAligned {
    unsigned char bytes[64];
};
}  // namespace

TEST_CASE("a probe over code that does not allocate counts zero") {
    const AllocationProbe probe;
    int local = 42;
    escaped = &local;
    CHECK(probe.count() == 0);
    escaped = nullptr;
}

TEST_CASE("one new int counts exactly one allocation") {
    const AllocationProbe probe;
    int* value = new int(7);
    escaped = value;
    CHECK(probe.count() == 1);
    delete value;
    CHECK(probe.count() == 1);  // deallocation is not an allocation
}

TEST_CASE("a 100-character std::string allocates") {
    const AllocationProbe probe;
    std::string text(100, 'x');
    escaped = text.data();
    CHECK(probe.count() >= 1);
}

TEST_CASE("every form of operator new is counted") {
    const AllocationProbe probe;
    int* array = new int[3];
    escaped = array;
    delete[] array;
    int* nothrow_value = new (std::nothrow) int(1);
    escaped = nothrow_value;
    delete nothrow_value;
    auto* aligned = new OverAligned;
    escaped = aligned;
    CHECK(reinterpret_cast<std::uintptr_t>(aligned) % 64 == 0);
    delete aligned;
    auto* aligned_array = new OverAligned[2];
    escaped = aligned_array;
    CHECK(reinterpret_cast<std::uintptr_t>(aligned_array) % 64 == 0);
    delete[] aligned_array;
    void* raw = ::operator new(16);
    escaped = raw;
    ::operator delete(raw);
    CHECK(probe.count() == 5);
}

TEST_CASE("allocations are counted per thread") {
    const AllocationProbe probe;
    std::uint64_t other_thread_count = 0;
    std::thread worker([&other_thread_count] {
        const AllocationProbe worker_probe;
        int* value = new int(3);
        escaped = value;
        delete value;
        other_thread_count = worker_probe.count();
    });
    const std::uint64_t after_start = probe.count();  // std::thread may allocate its state here
    worker.join();
    CHECK(other_thread_count == 1);
    CHECK(probe.count() == after_start);  // the worker's allocation is not ours
}
