// microtrace/zipkin.hpp — one span as a Zipkin v2 JSON object.
//
// Follows zipkin2-api.yaml and OpenTelemetry's Zipkin mapping: lowercase hex ids,
// integer microseconds (duration at least 1), kind in upper case and omitted for
// internal spans, every tag a string, status as `otel.status_code` / `error`, drops as
// `otel.dropped_*`, events as annotations, no empty fields.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "config.hpp"
#include "detail/atomic.hpp"
#include "detail/decimal.hpp"
#include "endpoint.hpp"
#include "json.hpp"
#include "span_data.hpp"

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

constexpr std::string_view zipkin_kind(SpanKind kind) noexcept {
    switch (kind) {
        case SpanKind::server: return "SERVER";
        case SpanKind::client: return "CLIENT";
        case SpanKind::producer: return "PRODUCER";
        case SpanKind::consumer: return "CONSUMER";
        case SpanKind::internal: break;
    }
    return {};
}

// Nanoseconds to Zipkin microseconds, to the nearest one.
constexpr std::uint64_t to_micros(std::uint64_t ns) noexcept {
    const std::uint32_t remainder = divide_in_place(ns, 1000);
    return ns + (remainder >= 500);
}

// Tags this span's status and drop counts write themselves; a user attribute of the same name
// would repeat the key (JSON readers keep only one of them), so it gives way.
constexpr bool is_reserved_tag(std::string_view key, const SpanData& span) noexcept {
    return (span.status != StatusCode::unset && (key == "otel.status_code" || key == "error")) ||
           (span.dropped_attributes != 0 && key == "otel.dropped_attributes_count") ||
           (span.dropped_events != 0 && key == "otel.dropped_events_count") ||
           (span.truncated_strings != 0 && key == "microtrace.truncated_strings");
}

// Writes a finite or infinite double with up to 9 significant digits, in fixed notation
// from 1e-5 to 1e9 and scientific otherwise ("-1.5", "0.001", "2.5e+12"). Integral values
// below 2^53 are exact. Small: no tables, only a few floating-point operations, for
// targets where std::to_chars would link ~100 KiB (MICROTRACE_FLOAT_TO_CHARS=0).
inline char* write_double_compact(double value, char* out) noexcept {
    if (value < 0) {
        *out++ = '-';
        value = -value;
    }
    if (value > 1.7976931348623157e308) return std::memcpy(out, "inf", 3), out + 3;
    if (value < 9007199254740992.0 && value == static_cast<double>(static_cast<std::uint64_t>(value)))
        return write_decimal(static_cast<std::uint64_t>(value), out);
    int exponent = 0;  // value = mantissa * 10^exponent, mantissa in [1, 10)
    double mantissa = value;
    while (mantissa >= 10) mantissa /= 10, ++exponent;
    while (mantissa < 1) mantissa *= 10, --exponent;
    auto significant = static_cast<std::uint32_t>(mantissa * 1e8 + 0.5);  // 9 digits
    if (significant >= 1000000000u) significant /= 10, ++exponent;
    int digits = 9;
    while (significant % 10 == 0) significant /= 10, --digits;
    char text[10];
    write_decimal(significant, text);
    if (exponent >= -5 && exponent < 9) {
        if (exponent < 0) {
            *out++ = '0';
            *out++ = '.';
            for (int zeros = -exponent - 1; zeros > 0; --zeros) *out++ = '0';
            for (int i = 0; i < digits; ++i) *out++ = text[i];
            return out;
        }
        for (int i = 0; i < digits || i <= exponent; ++i) {
            if (i == exponent + 1) *out++ = '.';
            *out++ = i < digits ? text[i] : '0';
        }
        return out;
    }
    *out++ = text[0];
    if (digits > 1) *out++ = '.';
    for (int i = 1; i < digits; ++i) *out++ = text[i];
    *out++ = 'e';
    *out++ = exponent < 0 ? '-' : '+';
    return write_decimal(static_cast<std::uint64_t>(exponent < 0 ? -exponent : exponent), out);
}

// Writes a double as tag text: std::to_chars's shortest round-trip form, or the compact
// form where MICROTRACE_FLOAT_TO_CHARS=0.
inline char* write_double(double value, char* out) noexcept {
    if (value != value) return static_cast<char*>(std::memcpy(out, "NaN", 3)) + 3;
#if MICROTRACE_FLOAT_TO_CHARS
    return std::to_chars(out, out + 32, value).ptr;
#else
    return write_double_compact(value, out);
#endif
}

// Dumps reach the double formatter through this pointer, which the first floating-point
// attribute sets: a program that never sets one never links the formatter (nor, on a
// Cortex-M, the soft-float routines it needs).
using FloatWriter = char* (*)(double, char*) noexcept;
inline Atomic<FloatWriter> float_writer{nullptr};
inline void use_float_attributes() noexcept {
    if (float_writer.load(std::memory_order_relaxed) == nullptr) float_writer.store(&write_double, std::memory_order_relaxed);
}

// Writes a non-string attribute value as the text OpenTelemetry's Zipkin mapping uses.
inline void write_number_text(JsonWriter& json, const AttributeData& attribute) noexcept {
    char text[32];
    char* end = text;
    switch (attribute.type) {
        case AttributeType::boolean:
            json.raw(attribute.number != 0 ? "true" : "false");
            return;
        case AttributeType::uint64:
            json.number(attribute.number);
            return;
        case AttributeType::int64: {
            const bool negative = (attribute.number >> 63) != 0;  // two's complement bits
            if (negative) *end++ = '-';
            end = write_decimal(negative ? ~attribute.number + 1 : attribute.number, end);
            break;
        }
        case AttributeType::float64: {
            double value;
            std::memcpy(&value, &attribute.number, sizeof value);
            const FloatWriter write_double = float_writer.load(std::memory_order_relaxed);
            if (write_double != nullptr) end = write_double(value, text);
            break;
        }
        case AttributeType::string:
            return;
    }
    json.raw(std::string_view(text, static_cast<std::size_t>(end - text)));
}

// Opens the "tags" object at its first entry, so a span without tags has no empty field.
class TagsWriter {
  public:
    explicit TagsWriter(JsonWriter& json) noexcept : json_(json) {}
    TagsWriter(const TagsWriter&) = delete;
    TagsWriter& operator=(const TagsWriter&) = delete;
    ~TagsWriter() {
        if (opened_) json_.raw('}');
    }

    // Starts an entry and returns the writer for its key and value.
    JsonWriter& entry() noexcept {
        json_.raw(opened_ ? "," : ",\"tags\":{");
        opened_ = true;
        return json_;
    }
    void count(std::string_view key, std::uint64_t count) noexcept {
        if (count == 0) return;
        entry().raw('"');
        json_.raw(key);
        json_.raw("\":\"");
        json_.number(count);
        json_.raw('"');
    }

  private:
    JsonWriter& json_;
    bool opened_ = false;
};

inline void write_tags(JsonWriter& json, const SpanData& span) noexcept {
    TagsWriter tags(json);
    for (std::uint8_t i = 0; i < span.attribute_count; ++i) {
        const AttributeData& attribute = span.attributes[i];
        const std::string_view key = span.view(attribute.key);
        if (is_reserved_tag(key, span)) continue;
        tags.entry().string(key);
        json.raw(":\"");
        if (attribute.type == AttributeType::string)
            json.string_body(span.view(attribute.text));
        else
            write_number_text(json, attribute);
        json.raw('"');
    }
    if (span.status == StatusCode::ok) tags.entry().raw("\"otel.status_code\":\"OK\"");
    if (span.status == StatusCode::error) {
        tags.entry().raw("\"otel.status_code\":\"ERROR\",\"error\":");
        json.string(span.view(span.status_message));
    }
    tags.count("otel.dropped_attributes_count", span.dropped_attributes);
    tags.count("otel.dropped_events_count", span.dropped_events);
    tags.count("microtrace.truncated_strings", span.truncated_strings);
}

inline void write_remote_endpoint(JsonWriter& json, const SpanData& span) noexcept {
    const EndpointData& remote = span.remote;
    json.raw(",\"remoteEndpoint\":{");
    const char* separator = "";
    if (remote.has_service_name) {
        json.raw("\"serviceName\":");
        json.string(span.view(remote.service_name));
        separator = ",";
    }
    char address[46];
    auto write_address = [&](std::string_view field, const char* end) {
        json.raw(separator);
        json.raw(field);
        json.raw(std::string_view(address, static_cast<std::size_t>(end - address)));
        json.raw('"');
        separator = ",";
    };
    if (remote.has_ipv4) write_address("\"ipv4\":\"", write_ipv4(remote.ipv4, address));
    if (remote.has_ipv6) write_address("\"ipv6\":\"", write_ipv6(remote.ipv6, address));
    if (remote.port != 0) {
        json.raw(separator);
        json.raw("\"port\":");
        json.number(remote.port);
    }
    json.raw('}');
}

// `text` (a literal) at `out`; returns one past it. The size is a constant: a few moves.
template <std::size_t N>
inline char* append_literal(char* out, const char (&text)[N]) noexcept {
    std::memcpy(out, text, N - 1);
    return out + N - 1;
}

// The two fixed-size runs of a span object, written straight into the writer's buffer: one
// bounds check for the run instead of one per piece, and the position kept in a register.
// When optimizing for size each piece goes through the writer instead: less code.
// Up to the id's closing quote and the kind: 12 + 32 + 14 + 16 + 8 + 16 + 1 + 10 + 8 + 1.
inline constexpr std::size_t span_opening_size = 118;
// ,"timestamp":<20 digits>,"duration":<20 digits>,"localEndpoint":{"serviceName":
inline constexpr std::size_t span_times_size = 13 + 20 + 12 + 20 + 32;

#if defined(__OPTIMIZE_SIZE__)
class DirectRun {
  public:
    DirectRun(JsonWriter& json, std::size_t) noexcept : json_(json) {}
    template <std::size_t N>
    void literal(const char (&text)[N]) noexcept {
        json_.raw(text);
    }
    void text(std::string_view text) noexcept { json_.raw(text); }
    void hex(std::uint64_t value) noexcept {
        char digits[16];
        json_.raw(std::string_view(digits, static_cast<std::size_t>(write_hex_u64(value, digits) - digits)));
    }
    void number(std::uint64_t value) noexcept { json_.number(value); }
    void put(char c) noexcept { json_.raw(c); }

  private:
    JsonWriter& json_;
};
#else
class DirectRun {
  public:
    DirectRun(JsonWriter& json, std::size_t size) noexcept : json_(json), out_(json.reserve(size)) {}
    DirectRun(const DirectRun&) = delete;
    DirectRun& operator=(const DirectRun&) = delete;
    ~DirectRun() { json_.commit(out_); }

    template <std::size_t N>
    void literal(const char (&text)[N]) noexcept {
        out_ = append_literal(out_, text);
    }
    void text(std::string_view text) noexcept {
        std::memcpy(out_, text.data(), text.size());
        out_ += text.size();
    }
    void hex(std::uint64_t value) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
        write_hex_fast(value, out_);
        out_ += 16;
#else
        out_ = write_hex_u64(value, out_);
#endif
    }
    void number(std::uint64_t value) noexcept { out_ = write_decimal_fast(value, out_); }
    void put(char c) noexcept { *out_++ = c; }

  private:
    JsonWriter& json_;
    char* out_;
};
#endif

}  // namespace detail

// Writes `span` as one Zipkin v2 span object, with `service_name` as its local endpoint.
inline void write_zipkin_span(JsonWriter& json, const SpanData& span, std::string_view service_name) noexcept {
    {
        detail::DirectRun run(json, detail::span_opening_size);
        run.literal("{\"traceId\":\"");
        const bool short_trace_id = (span.options & SpanOptions::trace_id_64bit) != 0 && span.trace_id.high == 0;
        if (!short_trace_id) run.hex(span.trace_id.high);
        run.hex(span.trace_id.low);
        if (span.parent_id.is_valid()) {
            run.literal("\",\"parentId\":\"");
            run.hex(span.parent_id.value);
        }
        run.literal("\",\"id\":\"");
        run.hex(span.span_id.value);
        run.put('"');
        if (const std::string_view kind = detail::zipkin_kind(span.kind); !kind.empty()) {
            run.literal(",\"kind\":\"");
            run.text(kind);
            run.put('"');
        }
    }
    if (span.name.size != 0) {
        json.raw(",\"name\":");
        json.string(span.view(span.name));
    }
    {
        detail::DirectRun run(json, detail::span_times_size);
        run.literal(",\"timestamp\":");
        run.number(detail::to_micros(span.start_epoch_ns));
        run.literal(",\"duration\":");
        const std::uint64_t duration = detail::to_micros(span.duration_ns);
        run.number(duration != 0 ? duration : 1);
        run.literal(",\"localEndpoint\":{\"serviceName\":");
    }
    json.string(service_name);
    json.raw('}');
    if (span.options & SpanOptions::remote_endpoint) detail::write_remote_endpoint(json, span);
    if (span.event_count != 0) {
        json.raw(",\"annotations\":[");
        for (std::uint8_t i = 0; i < span.event_count; ++i) {
            json.raw(i == 0 ? "{\"timestamp\":" : ",{\"timestamp\":");
            json.number(detail::to_micros(span.events[i].epoch_ns));
            json.raw(",\"value\":");
            json.string(span.view(span.events[i].name));
            json.raw('}');
        }
        json.raw(']');
    }
    detail::write_tags(json, span);
    if (span.options & SpanOptions::debug) json.raw(",\"debug\":true");
    if (span.options & SpanOptions::shared) json.raw(",\"shared\":true");
    json.raw('}');
}

MICROTRACE_END_NAMESPACE
