// tests/support/alloc_counter.cpp — the allocation counting behind alloc_counter.hpp.
//
// Normally every global operator new/delete is replaced (plain, array, nothrow, sized,
// aligned) by malloc-backed versions that count each operator new call, so no allocation
// slips past the count. ASan intercepts malloc/free underneath and keeps working.
//
// ThreadSanitizer's static runtime defines operator new/delete itself (not weakly), so a
// replacement cannot link there. Under TSan we count through the sanitizer allocator's
// malloc hook instead: it sees every heap allocation (operator new included) on the thread
// that makes it, which is at least as strict.
#include "alloc_counter.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_THREAD__)
#define MICROTRACE_TEST_COUNT_WITH_SANITIZER_HOOK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MICROTRACE_TEST_COUNT_WITH_SANITIZER_HOOK 1
#endif
#endif

#if defined(MICROTRACE_TEST_COUNT_WITH_SANITIZER_HOOK)
#include <sanitizer/allocator_interface.h>
#endif

namespace {

// Constant-initialised and trivially destructible: reading it never allocates or runs
// a TLS constructor, which matters because the allocator itself touches it.
thread_local std::uint64_t allocations_on_this_thread = 0;

}  // namespace

namespace microtrace_test {

std::uint64_t thread_allocations() noexcept { return allocations_on_this_thread; }

}  // namespace microtrace_test

#if defined(MICROTRACE_TEST_COUNT_WITH_SANITIZER_HOOK)

namespace {

void on_malloc(const volatile void*, std::size_t) { ++allocations_on_this_thread; }
void on_free(const volatile void*) {}

// Installed during static initialisation, before any test runs.
struct HookInstaller {
    HookInstaller() noexcept {
        if (__sanitizer_install_malloc_and_free_hooks(&on_malloc, &on_free) == 0) {
            std::fputs("alloc_counter: cannot install the sanitizer malloc hook\n", stderr);
            std::abort();
        }
    }
};
const HookInstaller hook_installer;

}  // namespace

#else  // replace operator new/delete

namespace {

[[noreturn]] void out_of_memory() {
#if defined(__cpp_exceptions)
    throw std::bad_alloc();
#else
    std::abort();
#endif
}

// Returns false when the allocation must fail: there is no new-handler, or (nothrow forms)
// it threw. [new.delete.single]: otherwise call it and retry.
bool run_new_handler(bool may_throw) {
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) {
        if (may_throw) out_of_memory();
        return false;
    }
#if defined(__cpp_exceptions)
    if (!may_throw) {
        try {
            handler();
        } catch (...) {
            return false;
        }
        return true;
    }
#endif
    handler();
    return true;
}

void* allocate(std::size_t size, std::size_t alignment, bool may_throw) {
    ++allocations_on_this_thread;
    if (size == 0) size = 1;  // operator new must return a unique pointer even for size 0
    for (;;) {
        void* memory = nullptr;
        if (alignment <= alignof(std::max_align_t)) {
            memory = std::malloc(size);
        } else if (posix_memalign(&memory, alignment, size) != 0) {
            memory = nullptr;
        }
        if (memory != nullptr) return memory;
        if (!run_new_handler(may_throw)) return nullptr;
    }
}

std::size_t alignment_of(std::align_val_t alignment) noexcept {
    return static_cast<std::size_t>(alignment);
}

}  // namespace

// Allocation: plain, array, nothrow, aligned, aligned nothrow.
void* operator new(std::size_t size) { return allocate(size, 0, true); }
void* operator new[](std::size_t size) { return allocate(size, 0, true); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0, false); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0, false); }
void* operator new(std::size_t size, std::align_val_t alignment) {
    return allocate(size, alignment_of(alignment), true);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
    return allocate(size, alignment_of(alignment), true);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate(size, alignment_of(alignment), false);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate(size, alignment_of(alignment), false);
}

// Deallocation: every form frees with free(), which matches malloc and posix_memalign alike.
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t, const std::nothrow_t&) noexcept { std::free(memory); }

#endif  // MICROTRACE_TEST_COUNT_WITH_SANITIZER_HOOK
