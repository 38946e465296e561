// TraceId / SpanId: hex form, validity, and the id generator.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using microtrace::IdGenerator;
using microtrace::SpanId;
using microtrace::TraceId;

TEST_CASE("trace id hex is 32 lowercase digits, high word first") {
    const TraceId id{0x0af7651916cd43ddULL, 0x8448eb211c80319cULL};
    CHECK(id.to_hex().view() == "0af7651916cd43dd8448eb211c80319c");
    TraceId parsed;
    REQUIRE(TraceId::parse_hex("0af7651916cd43dd8448eb211c80319c", parsed));
    CHECK(parsed == id);
}

TEST_CASE("a 64-bit trace id is left-padded with zeros") {
    TraceId parsed;
    REQUIRE(TraceId::parse_hex("8448eb211c80319c", parsed));
    CHECK(parsed.high == 0);
    CHECK(parsed.low == 0x8448eb211c80319cULL);
    CHECK(parsed.to_hex().view() == "00000000000000008448eb211c80319c");
}

TEST_CASE("malformed trace ids are rejected and leave the target untouched") {
    const TraceId original{1, 2};
    for (const char* bad : {"", "0af7651916cd43dd8448eb211c80319", "0af7651916cd43dd8448eb211c80319cc",
                            "0AF7651916CD43DD8448EB211C80319C", "0af7651916cd43dd8448eb211c80319g",
                            "00000000000000000000000000000000", "0000000000000000", "8448eb211c80319",
                            "0af7651916cd43dd-448eb211c80319c"}) {
        TraceId target = original;
        CAPTURE(bad);
        CHECK_FALSE(TraceId::parse_hex(bad, target));
        CHECK(target == original);
    }
}

TEST_CASE("span id hex is 16 lowercase digits and never zero") {
    SpanId id;
    REQUIRE(SpanId::parse_hex("b7ad6b7169203331", id));
    CHECK(id.value == 0xb7ad6b7169203331ULL);
    CHECK(id.to_hex().view() == "b7ad6b7169203331");
    SpanId untouched{7};
    CHECK_FALSE(SpanId::parse_hex("0000000000000000", untouched));
    CHECK_FALSE(SpanId::parse_hex("B7AD6B7169203331", untouched));
    CHECK_FALSE(SpanId::parse_hex("b7ad6b716920333", untouched));
    CHECK_FALSE(SpanId::parse_hex("b7ad6b71692033311", untouched));
    CHECK(untouched.value == 7);
}

TEST_CASE("generated ids are valid and unique across threads") {
    constexpr int threads = 4;
    constexpr int per_thread = 20000;
    std::vector<std::vector<std::uint64_t>> drawn(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&drawn, t] {
            const IdGenerator generator;
            for (int i = 0; i < per_thread; ++i) {
                const TraceId trace = generator.new_trace_id();
                const SpanId span = generator.new_span_id();
                drawn[t].push_back(trace.high);
                drawn[t].push_back(trace.low);
                drawn[t].push_back(span.value);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    std::set<std::uint64_t> unique;
    for (const auto& words : drawn) unique.insert(words.begin(), words.end());
    CHECK(unique.size() == static_cast<std::size_t>(threads) * per_thread * 3);
    CHECK(unique.count(0) == 0);
}

namespace {
std::uint64_t stuck_at_zero() noexcept { return 0; }
std::uint64_t counting_source() noexcept {
    static std::uint64_t next = 0;
    return ++next;
}
}  // namespace

TEST_CASE("a user id source replaces the default, and a broken one never yields zero ids") {
    const IdGenerator counting{&counting_source, false};
    const TraceId first = counting.new_trace_id();
    CHECK(first.low == first.high + 1);
    CHECK(counting.new_span_id().value == first.low + 1);

    const IdGenerator broken{&stuck_at_zero, false};
    CHECK(broken.new_trace_id().is_valid());
    CHECK(broken.new_span_id().is_valid());
}

TEST_CASE("a forked child draws ids its parent never draws") {
    const IdGenerator generator;
    (void)generator.new_span_id();  // seed this thread's generator before forking
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        std::uint64_t ids[64];
        for (auto& id : ids) id = generator.new_span_id().value;
        const ssize_t written = write(pipe_fds[1], ids, sizeof ids);
        _exit(written == static_cast<ssize_t>(sizeof ids) ? 0 : 1);
    }
    std::uint64_t parent_ids[64];
    for (auto& id : parent_ids) id = generator.new_span_id().value;
    std::uint64_t child_ids[64];
    std::size_t received = 0;
    while (received < sizeof child_ids) {
        const ssize_t n = read(pipe_fds[0], reinterpret_cast<char*>(child_ids) + received,
                               sizeof child_ids - received);
        if (n <= 0) break;
        received += static_cast<std::size_t>(n);
    }
    int status = 0;
    waitpid(child, &status, 0);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    REQUIRE(received == sizeof child_ids);
    CHECK(WIFEXITED(status));
    for (std::uint64_t id : child_ids)
        CHECK(std::find(std::begin(parent_ids), std::end(parent_ids), id) == std::end(parent_ids));
}
