// Zipkin v2 JSON: exact output field by field, string escaping and UTF-8 repair, address
// forms, and the three sinks.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include "support/modes.hpp"

#include "support/deterministic.hpp"

#include <cstdio>
#include <string>
#include <vector>

using namespace microtrace;

namespace {

std::string escaped(std::string_view text) {
    std::string out;
    {
        JsonWriter json(out);
        json.string(text);
    }
    return out;
}

template <class Setup>
std::string dump_one(Setup&& setup, SpanKind kind = SpanKind::internal) {
    Recorder<4> recorder;
    Tracer tracer("users-api", recorder, AlwaysOnSampler{}, microtrace_test::fake_clock(),
                  microtrace_test::counting_ids());
    {
        auto span = tracer.start_span("GET /users", kind);
        setup(span);
    }
    std::string out;
    recorder.dump_zipkin(out);
    return out;
}

}  // namespace

TEST_CASE("a full span, exactly") {
    const std::string json = dump_one(
        [](Span& span) {
            span.set_attribute("http.method", "GET")
                .set_attribute("count", -3)
                .set_attribute("big", std::uint64_t{18446744073709551615ULL})
                .set_attribute("ratio", 0.1)
                .set_attribute("cached", false);
            span.set_remote_endpoint({"client", "192.0.2.10", 443});
            span.add_event("cache miss");
            span.record_error("timeout");
        },
        SpanKind::server);
    CHECK(json ==
          "[{\"traceId\":\"00000000000000010000000000000002\",\"id\":\"0000000000000003\",\"kind\":\"SERVER\","
          "\"name\":\"GET /users\",\"timestamp\":1700000000000001,\"duration\":3,"
          "\"localEndpoint\":{\"serviceName\":\"users-api\"},"
          "\"remoteEndpoint\":{\"serviceName\":\"client\",\"ipv4\":\"192.0.2.10\",\"port\":443},"
          "\"annotations\":[{\"timestamp\":1700000000000002,\"value\":\"cache miss\"},"
          "{\"timestamp\":1700000000000003,\"value\":\"exception: timeout\"}],"
          "\"tags\":{\"http.method\":\"GET\",\"count\":\"-3\",\"big\":\"18446744073709551615\",\"ratio\":\"0.1\","
          "\"cached\":\"false\",\"otel.status_code\":\"ERROR\",\"error\":\"timeout\"}}]");
}

TEST_CASE("a bare internal span has no kind, no empty fields, and a duration of at least 1") {
    Recorder<4> recorder;
    Tracer tracer("svc", recorder, AlwaysOnSampler{}, Clock::standard(), microtrace_test::counting_ids());
    StartOptions options;
    options.start_time = EpochNanos(1'000'000'000'000'000'000);
    tracer.start_span("", options).end(EpochNanos(1'000'000'000'000'000'100));  // 100 ns
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json ==
          "[{\"traceId\":\"00000000000000010000000000000002\",\"id\":\"0000000000000003\","
          "\"timestamp\":1000000000000000,\"duration\":1,\"localEndpoint\":{\"serviceName\":\"svc\"}}]");
}

TEST_CASE("children carry parentId; status OK; dropped counts become otel.dropped_* tags" * microtrace_test::needs_thread_local) {
    Recorder<4> recorder;
    Tracer tracer("svc", recorder, AlwaysOnSampler{}, microtrace_test::fake_clock(), microtrace_test::counting_ids());
    {
        auto parent = tracer.start_span("parent");
        auto child = tracer.start_span("child", SpanKind::client);
        child.set_status(StatusCode::ok);
        for (std::size_t i = 0; i <= config::max_attributes; ++i) child.set_attribute("k" + std::to_string(i), true);
        for (std::size_t i = 0; i <= config::max_events; ++i) child.add_event("e");
    }
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json.find("\"parentId\":\"0000000000000003\",\"id\":\"0000000000000004\",\"kind\":\"CLIENT\"") !=
          std::string::npos);
    CHECK(json.find("\"otel.status_code\":\"OK\",\"otel.dropped_attributes_count\":\"1\","
                    "\"otel.dropped_events_count\":\"1\"}") != std::string::npos);
    CHECK(json.find("\"error\"") == std::string::npos);
}

TEST_CASE("user attributes never duplicate the status tags") {
    const std::string json = dump_one([](Span& span) {
        span.set_attribute("error", "user value").set_attribute("otel.status_code", "x");
        span.set_status(StatusCode::error, "real");
    });
    CHECK(json.find("\"tags\":{\"otel.status_code\":\"ERROR\",\"error\":\"real\"}") != std::string::npos);
    const std::string unset = dump_one([](Span& span) { span.set_attribute("error", "kept when no status"); });
    CHECK(unset.find("\"tags\":{\"error\":\"kept when no status\"}") != std::string::npos);
}

TEST_CASE("debug and shared are written only when set; 64-bit B3 trace ids keep their width") {
    Recorder<4> recorder;
    Tracer tracer("svc", recorder, AlwaysOnSampler{}, Clock::standard(), microtrace_test::counting_ids());
    SpanContext parent{TraceId{0, 0xabc}, SpanId{0xdef}, TraceFlags{TraceFlags::sampled}};
    parent.remote = true;
    parent.debug = true;
    parent.trace_id_64bit = true;
    tracer.start_span("b3", parent, SpanKind::server).set_shared();
    std::string json;
    recorder.dump_zipkin(json);
    CHECK(json.rfind("[{\"traceId\":\"0000000000000abc\",\"parentId\":\"0000000000000def\"", 0) == 0);
    CHECK(json.find(",\"debug\":true,\"shared\":true}]") != std::string::npos);
}

TEST_CASE("float attributes use the shortest text that reads back exactly") {
    auto tag_of = [](double value) {
        const std::string json = dump_one([value](Span& span) { span.set_attribute("v", value); });
        const auto begin = json.find("\"v\":\"") + 5;
        return json.substr(begin, json.find('"', begin) - begin);
    };
    CHECK(tag_of(0.1) == "0.1");
    CHECK(tag_of(-2.0) == "-2");
    CHECK(tag_of(1e300) == "1e+300");
    CHECK(tag_of(0.0 / 0.0 * 0.0) == "NaN");
    CHECK(tag_of(1.0 / 0.0 * 1.0) == "inf");
}

TEST_CASE("JSON strings: quotes, backslashes and control characters escaped") {
    CHECK(escaped("plain") == "\"plain\"");
    CHECK(escaped("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(escaped("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
    CHECK(escaped(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
    CHECK(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST_CASE("JSON strings: invalid UTF-8 becomes U+FFFD, one per maximal invalid subsequence") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(escaped("\xFF") == "\"" + fffd + "\"");                       // never a lead byte
    CHECK(escaped("\x80x") == "\"" + fffd + "x\"");                     // lone continuation
    CHECK(escaped("\xC0\xAF") == "\"" + fffd + fffd + "\"");            // overlong lead
    CHECK(escaped("\xE0\x80\xAF") == "\"" + fffd + fffd + fffd + "\""); // overlong 3-byte
    CHECK(escaped("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\""); // surrogate
    CHECK(escaped("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
    CHECK(escaped("\xE2\x82") == "\"" + fffd + "\"");                   // truncated at the end
    CHECK(escaped("\xE2\x82x") == "\"" + fffd + "x\"");                 // truncated in the middle
    CHECK(escaped("\xF0\x9F\x98") == "\"" + fffd + "\"");
}

TEST_CASE("IPv6 addresses are written in RFC 5952 canonical form") {
    auto canonical = [](std::string_view text) {
        std::uint8_t bytes[16] = {};
        if (!detail::parse_ipv6(text, bytes)) return std::string("invalid");
        char out[46];
        return std::string(out, static_cast<std::size_t>(detail::write_ipv6(bytes, out) - out));
    };
    CHECK(canonical("2001:0DB8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
    CHECK(canonical("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
    CHECK(canonical("2001:db8::") == "2001:db8::");
    CHECK(canonical("::") == "::");
    CHECK(canonical("::1") == "::1");
    CHECK(canonical("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
    CHECK(canonical("::ffff:192.0.2.1") == "::ffff:192.0.2.1");
    CHECK(canonical("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
    for (const char* bad : {"", ":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::",
                            "1:", ":1", "::1.2.3", "1::2:3:4:5:6:7:8", "::256.0.0.1"}) {
        CAPTURE(bad);
        CHECK(canonical(bad) == "invalid");
    }
    std::uint8_t v4[4] = {};
    CHECK(detail::parse_ipv4("255.255.255.255", v4));
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.4 ", "a.b.c.d"}) {
        CAPTURE(bad);
        CHECK_FALSE(detail::parse_ipv4(bad, v4));
    }
}

TEST_CASE("sinks: a string, a FILE*, and a callback in fixed-size chunks all get the same bytes") {
    Recorder<64> recorder;
    Tracer tracer("svc", recorder);
    for (int i = 0; i < 20; ++i) tracer.start_span("span").set_attribute("i", i);

    std::string via_string;
    CHECK(recorder.dump_zipkin(via_string) == 20);
    REQUIRE(via_string.size() > JsonWriter::buffer_size * 4);

    std::string via_callback;
    std::size_t chunks = 0, largest = 0;
    recorder.dump_zipkin([&](std::string_view chunk) {
        ++chunks;
        largest = chunk.size() > largest ? chunk.size() : largest;
        via_callback.append(chunk);
    });
    CHECK(via_callback == via_string);
    CHECK(chunks > 4);
    CHECK(largest <= JsonWriter::buffer_size);

    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    recorder.dump_zipkin(file);
    std::rewind(file);
    std::string via_file(via_string.size() + 1, '\0');
    via_file.resize(std::fread(via_file.data(), 1, via_file.size(), file));
    std::fclose(file);
    CHECK(via_file == via_string);
}

TEST_CASE("the compact float formatter (MICROTRACE_FLOAT_TO_CHARS=0): 9 significant digits") {
    auto compact = [](double value) {
        char text[32];
        return std::string(text, static_cast<std::size_t>(detail::write_double_compact(value, text) - text));
    };
    CHECK(compact(0.0) == "0");
    CHECK(compact(-2.0) == "-2");
    CHECK(compact(0.1) == "0.1");
    CHECK(compact(0.001) == "0.001");
    CHECK(compact(100.25) == "100.25");
    CHECK(compact(123.456) == "123.456");
    CHECK(compact(3.14159265358979) == "3.14159265");
    CHECK(compact(1e-7) == "1e-7");
    CHECK(compact(2.5e-12) == "2.5e-12");
    CHECK(compact(1e300) == "1e+300");
    CHECK(compact(1.7976931348623157e308) == "1.79769313e+308");
    CHECK(compact(9007199254740991.0) == "9007199254740991");  // integral: exact
    CHECK(compact(1e20) == "1e+20");
    CHECK(compact(-1.0 / 0.0 * 1.0) == "-inf");
}

TEST_CASE("decimal digits without 64-bit division") {
    char text[21];
    auto decimal = [&text](std::uint64_t value) {
        return std::string(text, static_cast<std::size_t>(detail::write_decimal(value, text) - text));
    };
    CHECK(decimal(0) == "0");
    CHECK(decimal(1700000000000001) == "1700000000000001");
    CHECK(decimal(18446744073709551615ULL) == "18446744073709551615");
    std::uint64_t value = 1'234'567'891'234ULL;
    CHECK(detail::divide_in_place(value, 1000) == 234);
    CHECK(value == 1'234'567'891ULL);
}
