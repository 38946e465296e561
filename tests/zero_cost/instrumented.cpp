// Compiled with MICROTRACE_ENABLED=0, this file must produce exactly the machine code of
// plain.cpp: the same functions without their instrumentation (check_zero_cost.py).
#include <microtrace/microtrace.hpp>

#include <cstdio>

static microtrace::Recorder<1024, 2> recorder;
static microtrace::Tracer tracer("zero-cost-service", recorder);

int side_effects = 0;
int expensive() { return ++side_effects; }  // arguments of compiled-out macros never run

int handle_request(int x) {
    MICROTRACE_SPAN(span, tracer, "handle_request", microtrace::SpanKind::server);
    MICROTRACE_ATTRIBUTE(span, "x", expensive());
    MICROTRACE_EVENT(span, "start");
    span.set_attribute("plain", x).set_attribute("flag", true);
    int result = x * 2;
    for (int i = 0; i < x; ++i) {
        MICROTRACE_SPAN_VERBOSE(step, tracer, "step");
        MICROTRACE_ATTRIBUTE(step, "i", i);
        result += i;
    }
    if (result > 100) MICROTRACE_ERROR(span, "too large");
    MICROTRACE_STATUS(span, microtrace::StatusCode::ok);
    return result;
}

int call_downstream(int x) {
    auto client = tracer.start_span("call", microtrace::SpanKind::client);
    client.set_remote_endpoint({"db", "192.0.2.1", 5432});
    client.add_event("sent").record_error("timeout");
    const microtrace::SpanContext sent = client.context();
    client.end();
    return sent.is_valid() ? x + 1 : x;
}

bool tracing_now() { return microtrace::current_span_context().is_valid() || recorder.stats().recorded > 0; }

void dump(std::FILE* out) { recorder.dump_zipkin(out); }
