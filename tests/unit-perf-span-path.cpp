// The span path as the performance work reshaped it: the thread's scope (a stack of
// contexts, also past its capacity), spans ended out of order or moved, the recorder
// copying only the used parts of a span (the remote endpoint only when set), short
// strings of every length, and thread ordinals given back when threads exit.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace microtrace;

namespace {

std::vector<SpanData> collect(RecorderCore& recorder) {
    std::vector<SpanData> spans;
    recorder.snapshot([&](const SpanData& data, std::string_view) { spans.push_back(data); });
    return spans;
}

// Runs `body` on a thread of its own: the cases below leave a stale current span behind,
// as documented, which must not become the parent of other tests' spans.
template <class Body>
void on_own_thread(Body&& body) {
    std::thread(std::forward<Body>(body)).join();
}

}  // namespace

#if MICROTRACE_THREAD_LOCAL
TEST_CASE("nesting deeper than the scope holds still restores every level") {
    Recorder<64> recorder;
    Tracer<> tracer("deep", recorder);
    constexpr std::size_t depth = detail::SpanScope::capacity + 5;
    std::vector<Span> spans;
    spans.reserve(depth);
    for (std::size_t i = 0; i < depth; ++i) {
        spans.push_back(tracer.start_span("level"));
        CHECK(current_span_context().span_id == spans.back().context().span_id);
        if (i > 0) CHECK(spans[i].context().trace_id == spans[0].context().trace_id);
    }
    while (!spans.empty()) {
        spans.back().end();
        spans.pop_back();
        if (!spans.empty()) CHECK(current_span_context().span_id == spans.back().context().span_id);
    }
    CHECK_FALSE(current_span_context().is_valid());
    const auto recorded = collect(recorder);
    REQUIRE(recorded.size() == depth);
    for (std::size_t i = 0; i + 1 < depth; ++i)  // recorded innermost first
        CHECK(recorded[i].parent_id == recorded[i + 1].span_id);
}

TEST_CASE("a span ended before its child leaves the child's restore to it, as documented") {
    on_own_thread([] {
        Recorder<16> recorder;
        Tracer<> tracer("order", recorder);
        auto outer = tracer.start_span("outer");
        const SpanContext outer_context = outer.context();
        auto inner = tracer.start_span("inner");
        outer.end();  // not the current span: nothing to restore yet
        CHECK(current_span_context().span_id == inner.context().span_id);
        inner.end();  // restores what inner covered: outer's context, though outer has ended
        CHECK(current_span_context().span_id == outer_context.span_id);
        auto next = tracer.start_span("next");
        CHECK(next.context().trace_id == outer_context.trace_id);
    });
}

TEST_CASE("a moved active span still restores its thread's scope" * microtrace_test::needs_thread_local) {
    Recorder<16> recorder;
    Tracer<> tracer("moves", recorder);
    auto outer = tracer.start_span("outer");
    {
        Span moved = tracer.start_span("inner");
        Span target = std::move(moved);
        CHECK(current_span_context().span_id == target.context().span_id);
    }
    CHECK(current_span_context().span_id == outer.context().span_id);
}

TEST_CASE("a span ended on another thread restores nothing on either" * microtrace_test::needs_threads) {
    on_own_thread([] {
        Recorder<16> recorder;
        Tracer<> tracer("threads", recorder);
        auto outer = tracer.start_span("outer");
        auto traveller = tracer.start_span("traveller");
        const SpanId traveller_id = traveller.context().span_id;
        std::thread other([&] {
            CHECK_FALSE(current_span_context().is_valid());
            traveller.end();
            CHECK_FALSE(current_span_context().is_valid());
    });
    other.join();
    CHECK(current_span_context().span_id == traveller_id);  // this thread's scope is unchanged
    });
}
#endif

TEST_CASE("the remote endpoint travels with a moved span and is recorded only when set") {
    Recorder<16> recorder;
    Tracer<> tracer("endpoints", recorder);
    {
        auto plain = tracer.start_span("plain");
        auto client = tracer.start_span("client", SpanKind::client);
        client.set_remote_endpoint({"db", "192.0.2.7", 5432});
        Span moved = std::move(client);
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 2);
    const SpanData& client = spans[0];
    CHECK((client.options & SpanOptions::remote_endpoint) != 0);
    CHECK(client.remote.has_ipv4);
    CHECK(client.remote.port == 5432);
    CHECK(client.view(client.remote.service_name) == "db");
    CHECK((spans[1].options & SpanOptions::remote_endpoint) == 0);
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json.find("\"remoteEndpoint\":{\"serviceName\":\"db\",\"ipv4\":\"192.0.2.7\",\"port\":5432}") !=
          std::string::npos);
    CHECK(json.find("remoteEndpoint") == json.rfind("remoteEndpoint"));
}

TEST_CASE("names, keys and values of every short length are stored exactly") {
    Recorder<64> recorder;
    Tracer<> tracer("lengths", recorder);
    const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
    for (std::size_t length = 0; length <= 40; ++length) {
        const std::string piece = text.substr(0, length);
        tracer.start_span(piece).set_attribute(piece + "=", piece);
    }
    const auto spans = collect(recorder);
    REQUIRE(spans.size() == 41);
    for (std::size_t length = 0; length <= 40; ++length) {
        const SpanData& span = spans[length];
        const std::string piece = text.substr(0, length);
        CAPTURE(length);
        CHECK(span.view(span.name) == piece);
        REQUIRE(span.attribute_count == 1);
        CHECK(span.view(span.attributes[0].key) == piece + "=");
        CHECK(span.view(span.attributes[0].text) == piece);
    }
}

#if MICROTRACE_THREAD_LOCAL && MICROTRACE_THREADS
TEST_CASE("a thread's ordinal (its lane) is given back when it exits" * microtrace_test::needs_threads) {
    const std::uint32_t mine = detail::thread_ordinal();
    std::uint32_t first = 0, second = 0;
    std::thread([&] { first = detail::thread_ordinal(); }).join();
    std::thread([&] { second = detail::thread_ordinal(); }).join();
    CHECK(first != mine);
    CHECK(second == first);
    // Threads alive together hold different ordinals.
    std::uint32_t a = 0, b = 0;
    std::thread one([&] { a = detail::thread_ordinal(); });
    one.join();
    std::thread two([&] {
        b = detail::thread_ordinal();
        std::thread([&] { CHECK(detail::thread_ordinal() != b); }).join();
    });
    two.join();
    CHECK(a != mine);
    CHECK(b != mine);
}
#endif
