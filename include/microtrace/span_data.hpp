// microtrace/span_data.hpp — SpanData: everything a span records, in one flat,
// trivially copyable block with fixed capacities.
//
// A span fills its SpanData in place while it runs; the recorder copies the used part
// into its ring when the span ends; the Zipkin writer reads it back. Strings live in one
// byte arena per span, so a span never allocates: what does not fit is counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "config.hpp"
#include "context.hpp"
#include "detail/bytes.hpp"
#include "ids.hpp"

MICROTRACE_BEGIN_NAMESPACE

enum class StatusCode : std::uint8_t { unset, ok, error };

enum class AttributeType : std::uint8_t { string, int64, uint64, float64, boolean };

// A slice of a span's string arena.
struct StringRef {
    std::uint16_t offset;
    std::uint16_t size;
};

struct AttributeData {
    StringRef key;
    StringRef text;           // the value, when type == string
    AttributeType type;
    std::uint64_t number;     // the value's bits otherwise (int64/uint64/double/bool)
};

struct EventData {
    std::uint64_t epoch_ns;
    StringRef name;
};

// Zipkin's remote endpoint. Addresses are kept as bytes, so what is written out is
// always a well-formed address.
struct EndpointData {
    StringRef service_name;
    std::uint8_t ipv4[4];
    std::uint8_t ipv6[16];
    std::uint16_t port;       // 0: not set
    bool has_service_name;
    bool has_ipv4;
    bool has_ipv6;
};

// Bits of SpanData::options.
struct SpanOptions {
    static constexpr std::uint8_t debug = 0x01;          // Zipkin "debug": true
    static constexpr std::uint8_t shared = 0x02;         // Zipkin "shared": true
    static constexpr std::uint8_t remote_endpoint = 0x04;
    static constexpr std::uint8_t trace_id_64bit = 0x08; // written back as 16 hex digits
    static constexpr std::uint8_t unsampled = 0x10;      // recorded by a flight recorder, not head-sampled
    static constexpr std::uint8_t kept = 0x20;           // exported because a keep rule kept its trace
};

// The recorded form of a span. No default member initializers on purpose: a span
// that is not sampled never touches this block, so it must cost nothing to create.
struct SpanData {
    TraceId trace_id;
    SpanId span_id;
    SpanId parent_id;         // invalid (0) for a root
    std::uint64_t start_epoch_ns;
    std::uint64_t duration_ns;
    SpanKind kind;
    StatusCode status;
    std::uint8_t options;
    std::uint8_t service_index;        // into the recorder's service-name table
    std::uint8_t attribute_count;
    std::uint8_t event_count;
    std::uint16_t dropped_attributes;
    std::uint16_t dropped_events;
    std::uint16_t truncated_strings;
    std::uint16_t string_bytes_used;
    StringRef name;
    StringRef status_message;
    std::uint16_t thread;              // the recording thread's ordinal (fills padding)
    alignas(8) EndpointData remote;    // meaningful only with SpanOptions::remote_endpoint
    alignas(8) AttributeData attributes[config::max_attributes > 0 ? config::max_attributes : 1];
    alignas(8) EventData events[config::max_events > 0 ? config::max_events : 1];
    alignas(8) char strings[config::span_string_bytes];

    // Resets the fixed part for a new span; the remote endpoint and the arrays are filled
    // as they are used.
    void reset() noexcept { std::memset(static_cast<void*>(this), 0, offsetof(SpanData, remote)); }

    std::string_view view(StringRef ref) const noexcept { return {strings + ref.offset, ref.size}; }

    // Copies `text` into the arena, cut at a UTF-8 character boundary when it does not
    // fit whole (the cut is counted). Returns the stored slice.
    StringRef store(std::string_view text) noexcept {
        const std::size_t room = sizeof strings - string_bytes_used;
        std::size_t size = text.size();
        if (size > room) {
            size = utf8_prefix_length(text, room);
            ++truncated_strings;
        }
        const StringRef ref{string_bytes_used, static_cast<std::uint16_t>(size)};
        detail::copy_bytes(strings + string_bytes_used, text.data(), size);
        string_bytes_used = static_cast<std::uint16_t>(string_bytes_used + size);
        return ref;
    }

    // Stores `first` then `second` as one string (e.g. "exception: " + message).
    StringRef store_joined(std::string_view first, std::string_view second) noexcept {
        StringRef ref = store(first);
        if (ref.size == first.size()) ref.size = static_cast<std::uint16_t>(ref.size + store(second).size);
        return ref;
    }

    // The attribute with this key, or nullptr.
    AttributeData* find_attribute(std::string_view key) noexcept {
        for (std::uint8_t i = 0; i < attribute_count; ++i)
            if (view(attributes[i].key) == key) return &attributes[i];
        return nullptr;
    }

    // The slot for `key`: its existing one (values are replaced, as in OpenTelemetry),
    // or a new one. nullptr, counted as dropped, when the span is full.
    AttributeData* attribute_slot(std::string_view key) noexcept {
        if (AttributeData* existing = find_attribute(key)) return existing;
        if (attribute_count == config::max_attributes ||
            key.size() > sizeof strings - string_bytes_used) {
            ++dropped_attributes;
            return nullptr;
        }
        AttributeData& slot = attributes[attribute_count++];
        slot.key = store(key);
        slot.text = StringRef{0, 0};
        return &slot;
    }

    void add_event(std::uint64_t epoch_ns, StringRef event_name) noexcept {
        events[event_count++] = EventData{epoch_ns, event_name};
    }
    bool events_full() const noexcept { return event_count == config::max_events; }

    // Bytes of this block that hold data: the recorder copies only these.
    std::size_t used_attribute_bytes() const noexcept { return attribute_count * sizeof(AttributeData); }
    std::size_t used_event_bytes() const noexcept { return event_count * sizeof(EventData); }

    // Longest prefix of `text` no longer than `limit` bytes that does not split a UTF-8
    // sequence (continuation bytes are 10xxxxxx).
    static std::size_t utf8_prefix_length(std::string_view text, std::size_t limit) noexcept {
        if (limit >= text.size()) return text.size();
        std::size_t cut = limit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80 && limit - cut < 3)
            --cut;
        return cut;
    }
};

static_assert(std::is_trivially_copyable_v<SpanData>, "the recorder copies SpanData as raw words");
static_assert(config::span_string_bytes <= 0xFFFF, "StringRef offsets are 16-bit");

MICROTRACE_END_NAMESPACE
