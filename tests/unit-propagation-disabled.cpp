// With MICROTRACE_ENABLED=0 the propagation API still compiles, and does nothing: extract
// finds no context, inject writes no header. This file builds with that setting (its own
// inline ABI namespace).
#undef MICROTRACE_ENABLED
#define MICROTRACE_ENABLED 0
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>

TEST_CASE("disabled: extract finds nothing and inject writes nothing") {
    static_assert(!microtrace::config::enabled);
    const std::map<std::string, std::string> in{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                                                {"baggage", "a=1"}};
    const microtrace::ExtractedContext extracted = microtrace::extract(in);
    CHECK_FALSE(extracted.is_valid());
    CHECK(extracted.baggage().empty());

    std::map<std::string, std::string> out;
    microtrace::SpanContext context;
    context.trace_id = microtrace::TraceId{1, 2};
    context.span_id = microtrace::SpanId{3};
    microtrace::inject(context, out);
    CHECK(out.empty());
}
