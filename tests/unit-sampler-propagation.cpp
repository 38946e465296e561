// Samplers and the W3C propagator together: the `ot=th` a decision records is what the
// next service receives, and a parent's `th` comes back out of a parent-based child.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

using namespace microtrace;

namespace {

using Headers = std::map<std::string, std::string>;

// Trace ids with a chosen right-most 56 bits: the draws are high, low, then span ids.
std::atomic<std::uint64_t> next_low{0};
std::atomic<int> draw_count{0};
std::uint64_t chosen_draw() noexcept {
    const int n = draw_count.fetch_add(1);
    if (n % 3 == 0) return 0x1111111111111111ULL;  // trace id, high
    if (n % 3 == 1) return next_low.load();        // trace id, low: R is its right 56 bits
    return 0x2222222222222222ULL + static_cast<std::uint64_t>(n);  // span id
}
IdGenerator ids_with_randomness(std::uint64_t randomness) {
    next_low = 0xab00000000000000ULL | randomness;
    draw_count = 0;
    return IdGenerator{&chosen_draw, true};
}

StartOptions new_trace() {
    StartOptions options;
    options.root = true;
    return options;
}

std::string sent(const Headers& headers, const char* name) {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string("<none>") : found->second;
}

}  // namespace

TEST_CASE("a sampled root sends ot=th:<its threshold>; a dropped one sends none") {
    Recorder<16> recorder;
    {
        Tracer<ParentBased<ProbabilitySampler>> tracer("a", recorder, ParentBased{ProbabilitySampler(0.5)},
                                                       Clock::default_clock(),
                                                       ids_with_randomness(0x00c0000000000000ULL));
        auto root = tracer.start_span("root", new_trace());
        REQUIRE(root.context().is_sampled());
        Headers out;
        inject(root.context(), out);
        CHECK(sent(out, "traceparent") ==
              "00-1111111111111111ab" "c0000000000000-" + std::string(root.context().span_id.to_hex().view()) + "-03");
        CHECK(sent(out, "tracestate") == "ot=th:8");
    }
    {
        Tracer<ParentBased<ProbabilitySampler>> tracer("a", recorder, ParentBased{ProbabilitySampler(0.5)},
                                                       Clock::default_clock(),
                                                       ids_with_randomness(0x0040000000000000ULL));
        auto root = tracer.start_span("root", new_trace());
        REQUIRE_FALSE(root.context().is_sampled());
        Headers out;
        inject(root.context(), out);
        CHECK(sent(out, "tracestate") == "<none>");
    }
    {
        Tracer<ProbabilitySampler> tracer("a", recorder, ProbabilitySampler(0.01), Clock::default_clock(),
                                          ids_with_randomness(randomness_mask));
        auto root = tracer.start_span("root", new_trace());
        Headers out;
        inject(root.context(), out);
        CHECK(sent(out, "tracestate") == "ot=th:fd70a3d70a3d71");
    }
}

TEST_CASE("a parent-based child passes the caller's th on, keeping other members") {
    Recorder<16> recorder;
    Tracer<ParentBased<ProbabilitySampler>> tracer("b", recorder, ParentBased{ProbabilitySampler(0.001)});
    Headers in{{"traceparent", "00-0af7651916cd43dd84d0000000000000-b7ad6b7169203331-03"},
               {"tracestate", "vendor=x,ot=th:c"}};  // R = 0xd0... >= th:c
    const ExtractedContext parent = extract(in);
    REQUIRE(parent.context().sampling_threshold == 0x00c0000000000000ULL);
    auto server = tracer.start_span("serve", parent, SpanKind::server);
    CHECK(server.context().is_sampled());
    CHECK(server.context().sampling_threshold == 0x00c0000000000000ULL);
    Headers out;
    inject(server.context(), out);
    CHECK(sent(out, "tracestate") == "vendor=x,ot=th:c");  // unchanged: sent as received
}

TEST_CASE("an inconsistent th is erased by a parent-based child") {
    Recorder<16> recorder;
    Tracer<ParentBased<AlwaysOffSampler>> tracer("c", recorder, ParentBased{AlwaysOffSampler{}});
    // Sampled, but R = 0x10... < th:e: kept by something that was not this threshold.
    Headers in{{"traceparent", "00-0af7651916cd43dd8410000000000000-b7ad6b7169203331-01"},
               {"tracestate", "ot=th:e,vendor=x"}};
    const ExtractedContext parent = extract(in);
    auto server = tracer.start_span("serve", parent, SpanKind::server);
    CHECK(server.context().is_sampled());
    CHECK(server.context().sampling_threshold == no_sampling_threshold);
    Headers out;
    inject(server.context(), out);
    CHECK(sent(out, "tracestate") == "vendor=x");
}

TEST_CASE("rate-limited roots send no th: their probability is unknown") {
    Recorder<16> recorder;
    Tracer<ParentBased<RateLimitedSampler>> tracer("d", recorder, ParentBased{RateLimitedSampler(10)});
    auto root = tracer.start_span("root", new_trace());
    REQUIRE(root.context().is_sampled());
    Headers out;
    inject(root.context(), out);
    CHECK(sent(out, "tracestate") == "<none>");
}

TEST_CASE("the same trace id gets the same decision in every service with the same p") {
    // Service A decides a root at p = 0.25 and calls B; B, with its own ProbabilitySampler
    // at 0.25 (no ParentBased), decides the same; C at 0.5 keeps everything A kept.
    Recorder<64> recorder;
    for (std::uint64_t r : {0x00bfffffffffffffULL, 0x00c0000000000000ULL, 0x0080000000000000ULL,
                            0x007fffffffffffffULL, 0x00ffffffffffffffULL, 0x0ULL}) {
        CAPTURE(r);
        Tracer<ProbabilitySampler> a("a", recorder, ProbabilitySampler(0.25), Clock::default_clock(),
                                     ids_with_randomness(r));
        Tracer<ProbabilitySampler> b("b", recorder, ProbabilitySampler(0.25));
        Tracer<ProbabilitySampler> c("c", recorder, ProbabilitySampler(0.5));
        auto root = a.start_span("a", new_trace());
        Headers call;
        inject(root.context(), call);
        const ExtractedContext received = extract(call);
        auto in_b = b.start_span("b", received, SpanKind::server);
        auto in_c = c.start_span("c", received, SpanKind::server);
        CHECK(in_b.context().is_sampled() == root.context().is_sampled());
        if (root.context().is_sampled()) CHECK(in_c.context().is_sampled());
        CHECK(root.context().is_sampled() == (r >= 0x00c0000000000000ULL));
    }
}

TEST_CASE("an incoming ot=rv replaces the trace id's randomness, for the server span and its children") {
    Recorder<16> recorder;
    Tracer<ProbabilitySampler> tracer("b", recorder, ProbabilitySampler(0.5));
    // The trace id's right-most 56 bits are all ones: sampled at 0.5 by the id alone.
    const std::string traceparent = "00-0af7651916cd43dd8affffffffffffff-b7ad6b7169203331-01";

    Headers by_id{{"traceparent", traceparent}};
    const ExtractedContext plain = extract(by_id);
    CHECK(plain.context().explicit_randomness == no_explicit_randomness);
    CHECK(tracer.start_span("server", plain.context(), SpanKind::server).context().is_sampled());

    // rv says R is tiny: below the threshold 2^55, so the same probability drops it.
    Headers by_rv{{"traceparent", traceparent}, {"tracestate", "ot=rv:00000000000001,other=x"}};
    const ExtractedContext explicit_rv = extract(by_rv);
    CHECK(explicit_rv.context().explicit_randomness == 1);
    auto server = tracer.start_span("server", explicit_rv.context(), SpanKind::server);
    CHECK_FALSE(server.context().is_sampled());
    CHECK(server.context().explicit_randomness == 1);
    CHECK_FALSE(tracer.start_span("child", server.context()).context().is_sampled());  // a local child keeps rv

    Headers malformed{{"traceparent", traceparent}, {"tracestate", "ot=rv:123"}};
    const ExtractedContext bad_rv = extract(malformed);
    CHECK(bad_rv.context().explicit_randomness == no_explicit_randomness);
}
