// microtrace/detail/atomic.hpp — the atomics the library uses, or plain variables when
// MICROTRACE_THREADS=0 says only one thread ever touches it (single-core firmware, a
// single-threaded game loop): no lock prefix, no libatomic, same code otherwise.
#pragma once

#include <atomic>

#include "../config.hpp"

#if MICROTRACE_THREADS
#include <thread>
#endif

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

#if MICROTRACE_THREADS

template <class T>
using Atomic = std::atomic<T>;

inline void atomic_fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }

// Lets another thread run while we wait for it (only on rare, bounded waits).
inline void yield_thread() noexcept { std::this_thread::yield(); }

#else

// std::atomic's interface over a plain value, for builds with one thread.
template <class T>
class Atomic {
  public:
    constexpr Atomic() noexcept : value_() {}
    constexpr Atomic(T value) noexcept : value_(value) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(std::memory_order = std::memory_order_seq_cst) const noexcept { return value_; }
    void store(T value, std::memory_order = std::memory_order_seq_cst) noexcept { value_ = value; }
    T exchange(T value, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = value;
        return old;
    }
    T fetch_add(T delta, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = static_cast<T>(value_ + delta);
        return old;
    }
    T fetch_sub(T delta, std::memory_order = std::memory_order_seq_cst) noexcept {
        const T old = value_;
        value_ = static_cast<T>(value_ - delta);
        return old;
    }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order = std::memory_order_seq_cst,
                               std::memory_order = std::memory_order_seq_cst) noexcept {
        if (value_ != expected) {
            expected = value_;
            return false;
        }
        value_ = desired;
        return true;
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order order = std::memory_order_seq_cst,
                                 std::memory_order failure = std::memory_order_seq_cst) noexcept {
        return compare_exchange_weak(expected, desired, order, failure);
    }

  private:
    T value_;
};

inline void atomic_fence(std::memory_order) noexcept {}
inline void yield_thread() noexcept {}

#endif

}  // namespace detail
MICROTRACE_END_NAMESPACE
