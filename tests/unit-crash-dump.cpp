// Crash dumps: a child process records spans, installs the crash dump, crashes on purpose
// and leaves a file the parent checks as JSON holding the spans; the process still dies of
// its signal. Also: a crash in the middle of a dump (dump flag held by the crashing
// thread) and a crash while another thread keeps writing.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#if MICROTRACE_HAS_CRASH_DUMP

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "fuzz/json_checker.hpp"

using namespace microtrace;

namespace {

enum class Crash { raise_segv, null_write, abort_in_dump, abort_with_writer };

[[noreturn]] void crash_child(Crash how, int fd) {
    for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(signal_number, SIG_DFL);
    static Recorder<64, 2> recorder;
    static Tracer tracer("crashy", recorder);
    for (int i = 0; i < 5; ++i) {
        auto span = tracer.start_span("before-crash");
        span.set_attribute("i", i).set_attribute("bytes", "\xff\x01\"");
        if (i == 3) span.record_error("about to crash");
    }
    install_crash_dump(recorder, fd);
    switch (how) {
        case Crash::raise_segv:
            ::raise(SIGSEGV);
            break;
        case Crash::null_write: {
            volatile int* volatile pointer = nullptr;
            *pointer = 1;
            break;
        }
        case Crash::abort_in_dump: {
            // The dump flag is held by this thread while the visitor runs.
            recorder.snapshot([](const SpanData&, std::string_view) { std::abort(); });
            break;
        }
        case Crash::abort_with_writer: {
            static std::atomic<bool> started{false};
            std::thread([] {
                for (;;) {
                    tracer.start_span("writer").set_attribute("n", 1);
                    started.store(true);
                }
            }).detach();
            while (!started.load()) {
            }
            std::abort();
        }
    }
    ::_exit(3);  // not reached
}

struct Outcome {
    int signal = 0;
    std::string dump;
};

Outcome run_crash(Crash how) {
    char path[] = "/tmp/microtrace-crash-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    std::fflush(nullptr);
    const ::pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) crash_child(how, fd);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    Outcome outcome;
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    ::lseek(fd, 0, SEEK_SET);
    char buffer[4096];
    for (::ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) outcome.dump.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    ::unlink(path);
    return outcome;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

void check_dump(const Outcome& outcome) {
    INFO(outcome.dump);
    REQUIRE(!outcome.dump.empty());
    CHECK(outcome.dump.back() == '\n');
    CHECK(microtrace_fuzz::is_strict_json(outcome.dump.substr(0, outcome.dump.size() - 1)));
    CHECK(occurrences(outcome.dump, "\"name\":\"before-crash\"") == 5);
    CHECK(occurrences(outcome.dump, "\"serviceName\":\"crashy\"") >= 5);
    CHECK(outcome.dump.find("\"error\":\"about to crash\"") != std::string::npos);
    CHECK(outcome.dump.find("\"bytes\":\"\xEF\xBF\xBD\\u0001\\\"\"") != std::string::npos);
}

}  // namespace

TEST_CASE("crash dump: raise(SIGSEGV) leaves a Zipkin dump and still dies of SIGSEGV") {
    if constexpr (!config::enabled) return;
    const Outcome outcome = run_crash(Crash::raise_segv);
    CHECK(outcome.signal == SIGSEGV);
    check_dump(outcome);
}

TEST_CASE("crash dump: a real null write") {
    if constexpr (!config::enabled) return;
    const Outcome outcome = run_crash(Crash::null_write);
    CHECK(outcome.signal == SIGSEGV);
    check_dump(outcome);
}

TEST_CASE("crash dump: a crash inside a dump does not wait for the dump flag") {
    if constexpr (!config::enabled) return;
    const Outcome outcome = run_crash(Crash::abort_in_dump);
    CHECK(outcome.signal == SIGABRT);
    check_dump(outcome);
}

TEST_CASE("crash dump: another thread writing during the crash" * doctest::skip(!config::threads)) {
    if constexpr (!config::enabled) return;
    const Outcome outcome = run_crash(Crash::abort_with_writer);
    CHECK(outcome.signal == SIGABRT);
    INFO(outcome.dump);
    REQUIRE(!outcome.dump.empty());
    CHECK(microtrace_fuzz::is_strict_json(outcome.dump.substr(0, outcome.dump.size() - 1)));
    // The writer may have lapped the spans before the crash: any whole spans will do.
    CHECK(occurrences(outcome.dump, "{\"traceId\":") >= 1);
}

TEST_CASE("crash dump: callable outside a handler, errno untouched") {
    if constexpr (!config::enabled) return;
    Recorder<8> recorder;
    Tracer tracer("svc", recorder);
    tracer.start_span("one");
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    errno = 1234;
    CHECK(crash_dump_zipkin(recorder, pipe_fds[1]) == 1);
    CHECK(errno == 1234);
    ::close(pipe_fds[1]);
    std::string out;
    char buffer[1024];
    for (::ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    CHECK(out.rfind("[{\"traceId\":\"", 0) == 0);
    CHECK(out.find("\"name\":\"one\"") != std::string::npos);
    CHECK(out.back() == '\n');
}

#endif  // MICROTRACE_HAS_CRASH_DUMP
