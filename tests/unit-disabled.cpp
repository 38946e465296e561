// With MICROTRACE_ENABLED=0 every public type and call still compiles unchanged and does
// nothing: queries answer constants, dumps write nothing, and macro arguments are never
// evaluated. This file builds with that setting inside the same test program as the
// enabled tests: the configuration's inline namespace keeps the two apart (safe by
// construction), which is itself part of what is tested here.
#undef MICROTRACE_ENABLED
#define MICROTRACE_ENABLED 0
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <type_traits>

int counted(int value);
const char* counted_name(const char* name);

// External linkage: referenced only in unevaluated operands, they must still exist.
int evaluations = 0;
int counted(int value) {
    ++evaluations;
    return value;
}
const char* counted_name(const char* name) {
    ++evaluations;
    return name;
}

namespace {
microtrace::Recorder<64> recorder;
#define MICROTRACE_TEST_STRING(x) MICROTRACE_TEST_STRING2(x)
#define MICROTRACE_TEST_STRING2(x) #x
}  // namespace

TEST_CASE("disabled: the configuration is visible and lives in its own namespace") {
    static_assert(!microtrace::config::enabled);
    CHECK(std::string(MICROTRACE_TEST_STRING(MICROTRACE_ABI_NAMESPACE)).find("_e0_") != std::string::npos);
}

TEST_CASE("disabled: spans record nothing and report constants") {
    microtrace::Tracer tracer("svc", recorder, microtrace::AlwaysOnSampler{});
    auto span = tracer.start_span("request", microtrace::SpanKind::server);
    span.set_attribute("k", "v").set_attribute("n", 1).set_attribute("b", true).set_attribute("d", 1.5);
    span.add_event("e").set_status(microtrace::StatusCode::error, "m").record_error("x").set_name("n");
    CHECK(span.set_remote_endpoint({"peer", "192.0.2.1", 80}));
    CHECK_FALSE(span.is_recording());
    CHECK_FALSE(span.context().is_valid());
    auto child = tracer.start_span("child", span.context());
    microtrace::StartOptions options;
    options.root = true;
    auto root = tracer.start_span("root", options);
    CHECK_FALSE(child.context().is_valid());
    CHECK_FALSE(microtrace::current_span_context().is_valid());
    CHECK(tracer.service_name().empty());
    span.end();
    root.end(microtrace::EpochNanos(5));
}

TEST_CASE("disabled: the recorder holds nothing and dumps write nothing") {
    microtrace::Tracer tracer("svc", recorder);
    tracer.start_span("ignored");
    std::string out;
    CHECK(recorder.dump_zipkin(out) == 0);
    CHECK(recorder.drain_zipkin(out) == 0);
    CHECK(out.empty());
    CHECK(recorder.snapshot([](const microtrace::SpanData&, std::string_view) {}) == 0);
    const microtrace::RecorderStats stats = recorder.stats();
    CHECK(stats.started == 0);
    CHECK(stats.recorded == 0);
    CHECK(stats.held == 0);
    CHECK(recorder.capacity() == 0);
    static_assert(sizeof(microtrace::Recorder<4096>) < 1024, "no ring storage when compiled out");
}

TEST_CASE("disabled: macro arguments are type-checked but never evaluated") {
    microtrace::Tracer tracer("svc", recorder);
    evaluations = 0;
    {
        MICROTRACE_SPAN(span, tracer, counted_name("coarse"));
        MICROTRACE_SPAN_DETAIL(detail, tracer, counted_name("detail"));
        MICROTRACE_SPAN_VERBOSE(verbose, tracer, counted_name("verbose"), microtrace::SpanKind::client);
        MICROTRACE_ATTRIBUTE(span, "key", counted(1));
        MICROTRACE_EVENT(detail, counted_name("event"));
        MICROTRACE_STATUS(verbose, microtrace::StatusCode::error, counted_name("message"));
        MICROTRACE_ERROR(span, counted_name("error"));
        static_assert(std::is_same_v<decltype(span), microtrace::Span>);
    }
    CHECK(evaluations == 0);
}
