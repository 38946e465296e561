// microtrace/crash_dump.hpp — the recorder's ring as Zipkin JSON from a fatal-signal
// handler (POSIX: with MICROTRACE_POSIX=1, MICROTRACE_HAS_CRASH_DUMP is then 1).
//
// crash_dump_zipkin() is async-signal-safe: no allocation, no lock, no stdio. It walks the
// ring without the recorder's dump flag (the crashing thread may be the one holding it,
// in the middle of a dump) and relies on the slots' sequence numbers alone, as every dump
// does, to skip spans being written or overwritten meanwhile; the JSON goes out through a
// 256-byte stack buffer with write(2). install_crash_dump() hooks it to SIGSEGV, SIGBUS,
// SIGFPE, SIGILL and SIGABRT: the first fatal signal writes the dump once, then the
// handler that was there before runs (or the default action: the process still dies with
// the same signal and leaves its core dump).
//
// Open the file before the crash (open(2) in the handler is allowed, but a crash is a bad
// time to find out the directory is not writable) and give the process an alternate
// signal stack (sigaltstack) if stack overflows are among the crashes to catch: the dump
// needs about 2 KiB of stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "detail/atomic.hpp"
#include "json.hpp"
#include "recorder.hpp"
#include "span_data.hpp"
#include "zipkin.hpp"

#if MICROTRACE_POSIX
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#define MICROTRACE_HAS_CRASH_DUMP 1
#else
#define MICROTRACE_HAS_CRASH_DUMP 0
#endif

MICROTRACE_BEGIN_NAMESPACE

#if MICROTRACE_HAS_CRASH_DUMP

namespace detail {

// A Sink target: write(2) until all is written (retrying on EINTR, giving up on errors).
inline void write_to_fd(void* fd, const char* data, std::size_t size) noexcept {
    const int descriptor = *static_cast<const int*>(fd);
    while (size != 0) {
        const ::ssize_t written = ::write(descriptor, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
}

inline constexpr int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
inline constexpr std::size_t crash_signal_count = sizeof crash_signals / sizeof crash_signals[0];

struct CrashDumpState {
    Atomic<const RecorderCore*> recorder{nullptr};
    Atomic<int> fd{-1};
    Atomic<std::uint32_t> fired{0};
    struct sigaction previous[crash_signal_count]{};  // zeros: constant-initialized, no guard
};
inline CrashDumpState crash_dump_state;

}  // namespace detail

// Writes the spans `recorder` holds to the file descriptor `fd` as one Zipkin v2 JSON
// array followed by a newline. Async-signal-safe (see above): callable from a signal
// handler, and from anywhere else (it leaves errno as it found it). Non-destructive.
// Returns how many spans it wrote.
inline std::size_t crash_dump_zipkin(const RecorderCore& recorder, int fd) noexcept {
    if constexpr (!config::enabled) return 0;
    const int saved_errno = errno;
    std::size_t written = 0;
    {
        JsonWriter json(Sink(&detail::write_to_fd, &fd));
        json.raw('[');
        recorder.snapshot_unguarded([&](const SpanData& span, std::string_view service) {
            if (written != 0) json.raw(',');
            ++written;
            write_zipkin_span(json, span, service);
        });
        json.raw("]\n");
    }
    errno = saved_errno;
    return written;
}

namespace detail {
inline void crash_dump_handler(int signal_number, ::siginfo_t* info, void* context) noexcept {
    CrashDumpState& state = crash_dump_state;
    // Once, even when several threads crash together or the dump itself faults.
    if (state.fired.exchange(1, std::memory_order_acq_rel) == 0) {
        const RecorderCore* recorder = state.recorder.load(std::memory_order_acquire);
        const int fd = state.fd.load(std::memory_order_acquire);
        if (recorder != nullptr && fd >= 0) crash_dump_zipkin(*recorder, fd);
    }
    // Hand the signal on to whoever handled it before.
    for (std::size_t i = 0; i < crash_signal_count; ++i) {
        if (crash_signals[i] != signal_number) continue;
        const struct sigaction& previous = state.previous[i];
        if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
            previous.sa_sigaction(signal_number, info, context);
            return;
        }
        if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
            previous.sa_handler(signal_number);
            return;
        }
        // The default action: restore it and raise the signal again. A fault re-executes
        // the faulting instruction on return; a raised signal is delivered on return.
        ::sigaction(signal_number, &previous, nullptr);
        ::raise(signal_number);
        return;
    }
}
}  // namespace detail

// Dumps `recorder` to `fd` (see crash_dump_zipkin) when the process gets a fatal signal
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), then passes the signal on to the handler
// installed before, or to the default action. The recorder must outlive the process's
// last chance to crash (a static one does); the fd stays open. Calling it again points the
// dump at another recorder or fd. Returns false if a handler could not be installed (or
// when tracing is compiled out: then nothing is installed).
inline bool install_crash_dump(const RecorderCore& recorder, int fd) noexcept {
    if constexpr (!config::enabled) return false;
    detail::CrashDumpState& state = detail::crash_dump_state;
    state.fd.store(fd, std::memory_order_release);
    const bool installed_before = state.recorder.exchange(&recorder, std::memory_order_acq_rel) != nullptr;
    if (installed_before) return true;
    struct sigaction action {};
    action.sa_sigaction = &detail::crash_dump_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    bool ok = true;
    for (std::size_t i = 0; i < detail::crash_signal_count; ++i)
        ok = ::sigaction(detail::crash_signals[i], &action, &state.previous[i]) == 0 && ok;
    return ok;
}

#endif  // MICROTRACE_HAS_CRASH_DUMP

MICROTRACE_END_NAMESPACE
