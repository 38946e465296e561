// A user's program, built by every consumer test (tests/consumers/run.sh) the way that
// test's build system hands microtrace over: it records two spans and prints the dump.
// With MICROTRACE_ENABLED=0 it prints an empty line.
#include <microtrace/microtrace.hpp>
#if CONSUMER_USES_EXPORTER
#include <microtrace/export/zipkin_http.hpp>  // installed beside the core headers
#endif

#include <cstdio>
#include <string>

#ifndef CONSUMER_KIND
#error "the consumer's build must define CONSUMER_KIND"
#endif

static microtrace::Recorder<16> recorder;
static microtrace::Tracer tracer("consumer", recorder);

int main() {
    {
        auto span = tracer.start_span("consume", microtrace::SpanKind::server);
        span.set_attribute("consumer.kind", CONSUMER_KIND);  // which build made this program
        span.set_attribute("consumer.a", 1).set_attribute("consumer.b", 2);
        auto child = tracer.start_span("child");
    }
#if CONSUMER_USES_EXPORTER
    microtrace::ZipkinHttpOptions options;  // only compiled: no collector here
    static_cast<void>(options);
#endif
    std::string json;
    recorder.dump_zipkin(json);
    std::printf("%s\n", json.c_str());
    return MICROTRACE_ENABLED == (json.find("\"name\":\"consume\"") != std::string::npos) ? 0 : 1;
}
