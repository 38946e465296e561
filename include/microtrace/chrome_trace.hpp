// microtrace/chrome_trace.hpp — a recorder's spans as Chrome trace-event JSON, for
// Perfetto UI (ui.perfetto.dev) and chrome://tracing.
//
// {"traceEvents":[...],"displayTimeUnit":"ns","otherData":{...}}: one process per service,
// one track per recording thread, spans as complete events ("ph":"X"), span events as
// thread-scoped instant events ("ph":"i"), attributes, ids and status as "args", and
// process/thread name metadata events. Times are microseconds with three decimals,
// relative to the earliest span of the dump (its epoch time is in otherData.base_epoch_us),
// so nanosecond spans stay visible and the numbers stay exact as JSON doubles.
// Streams through the same Sink and JsonWriter as the Zipkin dump: no heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "config.hpp"
#include "json.hpp"
#include "recorder.hpp"
#include "span_data.hpp"
#include "zipkin.hpp"

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

// Nanoseconds as microseconds with three decimals ("12.345").
inline void write_chrome_micros(JsonWriter& json, std::uint64_t ns) noexcept {
    char text[32];
    char* end = write_decimal(ns / 1000, text);
    const auto fraction = static_cast<unsigned>(ns % 1000);
    *end++ = '.';
    *end++ = static_cast<char>('0' + fraction / 100);
    *end++ = static_cast<char>('0' + fraction / 10 % 10);
    *end++ = static_cast<char>('0' + fraction % 10);
    json.raw(std::string_view(text, static_cast<std::size_t>(end - text)));
}

inline void write_chrome_track(JsonWriter& json, const SpanData& span) noexcept {
    json.raw(",\"pid\":");
    json.number(std::uint64_t{span.service_index} + 1);
    json.raw(",\"tid\":");
    json.number(std::uint64_t{span.thread} + 1);
}

inline void write_chrome_hex(JsonWriter& json, std::uint64_t value) noexcept {
    char text[16];
    write_hex_u64(value, text);
    json.raw('"');
    json.raw(std::string_view(text, sizeof text));
    json.raw('"');
}

// One attribute value as a typed JSON value: numbers and booleans as such, non-finite
// floating-point values as strings (JSON has no NaN).
inline void write_chrome_value(JsonWriter& json, const SpanData& span, const AttributeData& attribute) noexcept {
    if (attribute.type == AttributeType::string) {
        json.string(span.view(attribute.text));
        return;
    }
    if (attribute.type == AttributeType::float64) {
        double value;
        std::memcpy(&value, &attribute.number, sizeof value);
        if (!(value - value == 0.0)) {  // NaN or infinite
            json.raw('"');
            write_number_text(json, attribute);
            json.raw('"');
            return;
        }
    }
    write_number_text(json, attribute);
}

inline void write_chrome_span(JsonWriter& json, const SpanData& span, std::uint64_t base_ns) noexcept {
    const std::uint64_t start = span.start_epoch_ns > base_ns ? span.start_epoch_ns - base_ns : 0;
    json.raw("{\"ph\":\"X\",\"cat\":\"span\",\"name\":");
    json.string(span.view(span.name));
    write_chrome_track(json, span);
    json.raw(",\"ts\":");
    write_chrome_micros(json, start);
    json.raw(",\"dur\":");
    write_chrome_micros(json, span.duration_ns);
    json.raw(",\"args\":{\"trace_id\":\"");
    char hex[32];
    span.trace_id.write_hex(hex);
    json.raw(std::string_view(hex, sizeof hex));
    json.raw("\",\"span_id\":");
    write_chrome_hex(json, span.span_id.value);
    if (span.parent_id.is_valid()) {
        json.raw(",\"parent_id\":");
        write_chrome_hex(json, span.parent_id.value);
    }
    if (const std::string_view kind = zipkin_kind(span.kind); !kind.empty()) {
        json.raw(",\"kind\":");
        json.string(kind);
    }
    if (span.status == StatusCode::ok) json.raw(",\"status\":\"OK\"");
    if (span.status == StatusCode::error) {
        json.raw(",\"status\":\"ERROR\",\"error\":");
        json.string(span.view(span.status_message));
    }
    for (std::uint8_t i = 0; i < span.attribute_count; ++i) {
        const AttributeData& attribute = span.attributes[i];
        const std::string_view key = span.view(attribute.key);
        // The keys written above win: a JSON object must not repeat a key.
        if (key == "trace_id" || key == "span_id" || key == "parent_id" || key == "kind" || key == "status" ||
            key == "error")
            continue;
        json.raw(',');
        json.string(key);
        json.raw(':');
        write_chrome_value(json, span, attribute);
    }
    json.raw("}}");
    for (std::uint8_t i = 0; i < span.event_count; ++i) {
        const std::uint64_t at = span.events[i].epoch_ns;
        json.raw(",{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"event\",\"name\":");
        json.string(span.view(span.events[i].name));
        write_chrome_track(json, span);
        json.raw(",\"ts\":");
        write_chrome_micros(json, at > base_ns ? at - base_ns : 0);
        json.raw('}');
    }
}

}  // namespace detail

// Writes the spans `recorder` holds as one Chrome trace-event JSON object (nothing at all
// when tracing is compiled out). Non-destructive, like dump_zipkin. Returns how many spans
// it wrote. Name metadata is written for the first 64 (service, thread) tracks; later ones
// still appear, named by their numbers.
inline std::size_t dump_chrome_trace(const RecorderCore& recorder, Sink sink) noexcept {
    if constexpr (!config::enabled) return 0;
    struct Track {
        std::uint8_t service;
        std::uint16_t thread;
    };
    constexpr std::size_t max_tracks = 64;
    Track tracks[max_tracks];
    std::size_t track_count = 0;
    std::uint64_t base_ns = ~std::uint64_t{0};
    recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (span.start_epoch_ns < base_ns) base_ns = span.start_epoch_ns;
        for (std::size_t i = 0; i < track_count; ++i)
            if (tracks[i].service == span.service_index && tracks[i].thread == span.thread) return;
        if (track_count < max_tracks) tracks[track_count++] = Track{span.service_index, span.thread};
    });
    if (base_ns == ~std::uint64_t{0}) base_ns = 0;

    JsonWriter json(sink);
    json.raw("{\"traceEvents\":[");
    bool first = true;
    // Process names: each service once.
    for (std::size_t i = 0; i < track_count; ++i) {
        bool seen = false;
        for (std::size_t j = 0; j < i; ++j) seen = seen || tracks[j].service == tracks[i].service;
        if (seen) continue;
        json.raw(first ? "{" : ",{");
        first = false;
        json.raw("\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
        json.number(std::uint64_t{tracks[i].service} + 1);
        json.raw(",\"args\":{\"name\":");
        json.string(recorder.service_name(tracks[i].service));
        json.raw("}}");
    }
    for (std::size_t i = 0; i < track_count; ++i) {
        json.raw(first ? "{" : ",{");
        first = false;
        json.raw("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":");
        json.number(std::uint64_t{tracks[i].service} + 1);
        json.raw(",\"tid\":");
        json.number(std::uint64_t{tracks[i].thread} + 1);
        json.raw(",\"args\":{\"name\":\"thread ");
        json.number(tracks[i].thread);
        json.raw("\"}}");
    }
    const std::size_t written = recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (!first) json.raw(',');
        first = false;
        detail::write_chrome_span(json, span, base_ns);
    });
    json.raw("],\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"microtrace\",\"base_epoch_us\":\"");
    detail::write_chrome_micros(json, base_ns);
    json.raw("\"}}");
    return written;
}

MICROTRACE_END_NAMESPACE
