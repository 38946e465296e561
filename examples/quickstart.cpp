// quickstart: a request crosses two simulated services; both record into one recorder,
// and the joined trace is printed as Zipkin v2 JSON (paste it into Zipkin's or Jaeger's
// "upload JSON" view to see the timeline).
#include <microtrace/microtrace.hpp>

#include <cstdio>

static microtrace::Recorder<256> recorder;  // fixed ring, no heap

// The back service: continues the trace it receives.
static void inventory_service(const microtrace::SpanContext& caller) {
    static microtrace::Tracer tracer("inventory", recorder);
    auto span = tracer.start_span("reserve_items", caller, microtrace::SpanKind::server);
    span.set_attribute("items", 3);
    auto query = tracer.start_span("SELECT stock", microtrace::SpanKind::client);  // nests under `span`
    query.set_remote_endpoint({"postgres", "10.0.0.7", 5432});
}

// The front service: a server span for the request, a client span for the call out.
static void checkout_service() {
    static microtrace::Tracer tracer("checkout", recorder);
    auto request = tracer.start_span("POST /checkout", microtrace::SpanKind::server);
    request.set_attribute("http.method", "POST").set_attribute("cart.total", 59.90);
    {
        auto call = tracer.start_span("reserve", microtrace::SpanKind::client);
        microtrace::SpanContext sent = call.context();  // what travels in the headers
        sent.remote = true;
        inventory_service(sent);
        call.add_event("reply received");
    }
    request.set_status(microtrace::StatusCode::ok);
}

int main() {
    checkout_service();
    recorder.dump_zipkin(stdout);
    std::puts("");
}
