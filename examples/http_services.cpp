// http_services: two real services talking HTTP on loopback, traced end to end.
//
// A request arrives at `front` (GET /checkout). Front continues whatever trace the request
// carries (microtrace::extract: W3C traceparent, else B3), calls `back` (GET /inventory)
// with its client span's context injected (W3C by default; B3 with --propagation b3 or
// b3multi), and back continues that trace in turn. Each service records into its own
// recorder, as two processes would; at the end their dumps are joined and printed as one
// Zipkin v2 JSON array: one trace across both services.
//
//   http_services [--propagation w3c|b3|b3multi] [--header NAME:VALUE]...
//
// --header adds a header to the incoming request, as an upstream caller would (say
// `--header traceparent:00-<trace>-<span>-01`). Built with Debian's libcpp-httplib-dev.
// Listens on 127.0.0.1 only, on ports the system picks, and exits by itself.
#include <microtrace/microtrace.hpp>

#include <httplib.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace {

microtrace::Recorder<64> front_recorder;
microtrace::Recorder<64> back_recorder;
microtrace::Tracer<> front_tracer("front", front_recorder);
microtrace::Tracer<> back_tracer("back", back_recorder);

constexpr const char* loopback = "127.0.0.1";

std::string_view format_name(microtrace::TraceFormat format) {
    switch (format) {
        case microtrace::TraceFormat::w3c: return "w3c";
        case microtrace::TraceFormat::b3_single: return "b3_single";
        case microtrace::TraceFormat::b3_multi: return "b3_multi";
        case microtrace::TraceFormat::none: break;
    }
    return "none";
}

// back: GET /inventory reserves the items of a cart.
void serve_back(httplib::Server& server) {
    server.Get("/inventory", [](const httplib::Request& request, httplib::Response& response) {
        const microtrace::ExtractedContext caller = microtrace::extract(request.headers);
        auto span = back_tracer.start_span("GET /inventory", caller, microtrace::SpanKind::server);
        span.set_attribute("http.method", "GET").set_attribute("http.route", "/inventory");
        span.set_attribute("propagation.in", format_name(caller.format()));
        {
            auto reserve = back_tracer.start_span("reserve stock");  // a child of `span`
            reserve.set_attribute("items", 3);
        }
        response.set_content("reserved", "text/plain");
        span.set_attribute("http.status_code", 200);
        // End before returning: httplib sends the response after the handler returns, so
        // the span is in the recorder before the caller can see the answer.
        span.end();
    });
}

// front: GET /checkout calls back for the stock, with the trace in the request headers.
void serve_front(httplib::Server& server, int back_port, const microtrace::Propagator& propagator) {
    server.Get("/checkout", [back_port, &propagator](const httplib::Request& request, httplib::Response& response) {
        const microtrace::ExtractedContext incoming = microtrace::extract(request.headers);
        auto span = front_tracer.start_span("GET /checkout", incoming, microtrace::SpanKind::server);
        span.set_attribute("http.method", "GET").set_attribute("http.route", "/checkout");
        span.set_attribute("propagation.in", format_name(incoming.format()));
        int status = 0;
        {
            auto call = front_tracer.start_span("GET /inventory", microtrace::SpanKind::client);
            call.set_remote_endpoint({"back", loopback, static_cast<std::uint16_t>(back_port)});
            httplib::Headers outgoing;
            propagator.inject(call.context(), outgoing);  // traceparent, or b3 / X-B3-*
            httplib::Client back(loopback, back_port);
            back.set_connection_timeout(2);
            back.set_read_timeout(5);
            back.set_write_timeout(5);
            const httplib::Result reply = back.Get("/inventory", outgoing);
            status = reply ? reply->status : 502;
            call.set_attribute("http.status_code", status);
            if (!reply) call.record_error(httplib::to_string(reply.error()));
        }
        response.status = status == 200 ? 200 : 502;
        response.set_content(status == 200 ? "checked out" : "inventory unavailable", "text/plain");
        span.set_attribute("http.status_code", response.status);
        if (response.status != 200) span.set_status(microtrace::StatusCode::error, "inventory unavailable");
        span.end();  // recorded before the response leaves (see back)
    });
}

// Joins two Zipkin JSON arrays into one.
std::string join_arrays(const std::string& a, const std::string& b) {
    const std::string a_items = a.size() > 2 ? a.substr(1, a.size() - 2) : "";
    const std::string b_items = b.size() > 2 ? b.substr(1, b.size() - 2) : "";
    return "[" + a_items + (!a_items.empty() && !b_items.empty() ? "," : "") + b_items + "]";
}

// A server listening on 127.0.0.1 on a port the system picks, answering from its own thread.
class Service {
  public:
    explicit Service(httplib::Server& server) : server_(server) {
        server_.set_read_timeout(5);
        server_.set_write_timeout(5);
        port_ = server_.bind_to_any_port(loopback);  // listening from here on
        if (port_ > 0) thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;
    ~Service() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    int port() const { return port_; }

  private:
    httplib::Server& server_;
    int port_ = -1;
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    microtrace::Propagator propagator;  // W3C traceparent/tracestate and baggage
    httplib::Headers incoming;          // what the upstream caller sends to front
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--propagation" && i + 1 < argc) {
            const std::string_view format = argv[++i];
            propagator.send_w3c = format == "w3c";
            propagator.send_b3_single = format == "b3";
            propagator.send_b3_multi = format == "b3multi";
            if (!propagator.send_w3c && !propagator.send_b3_single && !propagator.send_b3_multi) {
                std::fprintf(stderr, "unknown propagation format '%s'\n", argv[i]);
                return 2;
            }
        } else if (arg == "--header" && i + 1 < argc) {
            const std::string_view header = argv[++i];
            const std::size_t colon = header.find(':');
            if (colon == std::string_view::npos) return 2;
            incoming.emplace(std::string(header.substr(0, colon)), std::string(header.substr(colon + 1)));
        } else {
            std::fprintf(stderr, "usage: http_services [--propagation w3c|b3|b3multi] [--header NAME:VALUE]...\n");
            return 2;
        }
    }

    httplib::Server back_server;
    serve_back(back_server);
    httplib::Server front_server;
    bool answered = false;
    {
        Service back(back_server);
        if (back.port() <= 0) return 1;
        serve_front(front_server, back.port(), propagator);
        Service front(front_server);
        if (front.port() <= 0) return 1;

        // The upstream caller: not traced here, it only sends what it was given.
        httplib::Client client(loopback, front.port());
        client.set_connection_timeout(2);
        client.set_read_timeout(10);
        const httplib::Result reply = client.Get("/checkout", incoming);
        answered = reply && reply->status == 200 && reply->body == "checked out";
        if (!answered) std::fprintf(stderr, "front did not answer 200 'checked out'\n");
    }  // both servers stop here

    std::string front_json, back_json;
    front_recorder.dump_zipkin(front_json);
    back_recorder.dump_zipkin(back_json);
    std::printf("%s\n", join_arrays(front_json, back_json).c_str());
    return answered ? 0 : 1;
}
