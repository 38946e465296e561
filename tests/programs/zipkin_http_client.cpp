// The exporter's side of tests/check_exporter.py: records a few spans, exports them to the
// receiver the script runs on 127.0.0.1, and prints what happened, one `key=value` line per
// step, for the script to hold against what the receiver saw.
//
//   zipkin_http_client SCENARIO PORT
//
// Exits 0 when the exporter's own counters add up (the script judges the rest), 1 when
// they do not, 2 on bad arguments.
#include <microtrace/export/zipkin_http.hpp>
#include <microtrace/microtrace.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

microtrace::Recorder<16> recorder;
microtrace::Tracer<> front("front", recorder);
microtrace::Tracer<> back("back", recorder);
microtrace::SpanData pending[16];  // the recorder's capacity: the exporter never loses a span

// Records one request: a front server span, its client call, and the back server span.
void record_request(const char* name) {
    auto request = front.start_span(name, microtrace::SpanKind::server);
    request.set_attribute("http.method", "POST").set_attribute("odd", std::string_view("tab\there \"quoted\" \xff", 19));
    auto call = front.start_span("call back", microtrace::SpanKind::client);
    microtrace::SpanContext sent = call.context();
    sent.remote = true;
    auto served = back.start_span("serve", sent, microtrace::SpanKind::server);
    served.set_status(microtrace::StatusCode::ok);
}

// Prints the spans the recorder holds now, as the script will expect to receive them.
void print_recorded() {
    std::string json;
    recorder.dump_zipkin(json);
    std::printf("recorded %s\n", json.c_str());
}

void print(const char* step, const microtrace::ExportResult& result, const microtrace::ZipkinHttpExporter& exporter) {
    std::printf("%s status=%s http=%d attempts=%u spans=%zu pending=%zu errno=%d\n", step,
                microtrace::to_string(result.status), result.http_status, static_cast<unsigned>(result.attempts),
                result.spans, exporter.pending(), result.error_number);
}

// The exporter's counters against the recorder's: every span drained is exported,
// rejected, lost or pending.
bool counters_add_up(const microtrace::ZipkinHttpExporter& exporter) {
    const microtrace::ZipkinHttpExporterStats stats = exporter.stats();
    const microtrace::RecorderStats recorded = recorder.stats();
    std::printf("stats requests=%llu batches_ok=%llu batches_failed=%llu exported=%llu rejected=%llu lost=%llu "
                "pending=%llu dumped=%llu\n",
                static_cast<unsigned long long>(stats.requests), static_cast<unsigned long long>(stats.batches_ok),
                static_cast<unsigned long long>(stats.batches_failed),
                static_cast<unsigned long long>(stats.spans_exported),
                static_cast<unsigned long long>(stats.spans_rejected), static_cast<unsigned long long>(stats.spans_lost),
                static_cast<unsigned long long>(stats.spans_pending), static_cast<unsigned long long>(recorded.dumped));
    return recorded.dumped == stats.spans_exported + stats.spans_rejected + stats.spans_lost + stats.spans_pending;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: zipkin_http_client SCENARIO PORT\n");
        return 2;
    }
    const std::string_view scenario = argv[1];
    microtrace::ZipkinHttpOptions options;
    options.host = "127.0.0.1";
    options.port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    options.connect_timeout_ms = 2000;
    options.request_timeout_ms = 5000;
    options.max_attempts = 3;
    options.backoff_ms = 10;
    options.max_backoff_ms = 40;
    if (scenario == "keep") options.max_attempts = 2;
    if (scenario == "slow" || scenario == "dribble") {
        options.request_timeout_ms = 200;
        options.max_attempts = 2;
    }
    microtrace::ZipkinHttpExporter exporter(recorder, pending, options);

    if (scenario == "raw") {  // a dump kept as text, posted as it is
        record_request("POST /raw");
        std::string json;
        recorder.dump_zipkin(json);
        std::printf("recorded %s\n", json.c_str());
        const microtrace::ExportResult result = microtrace::post_zipkin_json(options, json);
        print("post", result, exporter);
        return 0;
    }

    record_request("POST /checkout");
    print_recorded();
    print("export", exporter.export_spans(), exporter);
    if (scenario == "keep") {  // the failed batch goes first next time, then the new spans
        record_request("POST /again");
        print_recorded();
        print("export", exporter.export_spans(), exporter);
    }
    print("export", exporter.export_spans(), exporter);  // nothing left: no request
    return counters_add_up(exporter) ? 0 : 1;
}
