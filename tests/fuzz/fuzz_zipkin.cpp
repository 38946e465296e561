// Fuzz target: a span fed arbitrary names, attribute keys and values, events, status
// messages and endpoints, dumped as Zipkin v2 JSON; and the JSON string writer on its own.
//
// Input: one operation per line, its first byte saying which, the rest its argument:
//   n<name>  a<key>=<string>  i<key>=<int64>  u<key>=<uint64>  f<key>=<double>  b<key>=<0|1>
//   e<event>  s<o|e|u><message> (status ok, error, unset)  x<message> (record_error)
//   r<service>|<address>|<port> (remote endpoint)  h<0|1> (shared)  k<0-4> (kind)
//   j<bytes...>  the rest of the input, newlines included, as one JSON string
//
// Properties: every dump is strictly valid JSON (tests/fuzz/json_checker.hpp: UTF-8, escapes,
// no duplicate keys) holding exactly the one span; the same bytes whatever the sink's chunk
// size; every string reads back as the bytes given with invalid UTF-8 replaced by U+FFFD
// (a prefix of them when the span's string arena ran out, which microtrace.truncated_strings
// then counts); numbers read back exactly; attributes and events beyond capacity are counted
// in otel.dropped_*; ids, kind, times and endpoints have the Zipkin v2 form.
#include <microtrace/microtrace.hpp>

#include <arpa/inet.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "json_checker.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;
using mf::JsonValue;

namespace {

struct ModelAttribute {
    std::string key;
    AttributeType type = AttributeType::string;
    std::string text;
    std::uint64_t bits = 0;
};

// What the operations asked for, to compare the dump with.
struct Model {
    std::string name;
    SpanKind kind = SpanKind::internal;
    std::vector<ModelAttribute> attributes;  // distinct keys, in first-set order
    std::vector<std::string> kept_keys;      // keys the span takes, capacity permitting
    std::uint64_t dropped_attributes = 0;    // set_attribute calls on a new key when full
    std::uint64_t attribute_calls = 0;       // set_attribute calls
    std::size_t string_bytes = 0;            // bytes of every string given to the span
    std::vector<std::string> events;         // every event asked for, kept or not
    StatusCode status = StatusCode::unset;
    std::string status_message;
    bool remote = false;
    std::string remote_service, remote_address;
    std::uint16_t remote_port = 0;
    bool shared = false;
};

std::pair<std::string_view, std::string_view> split_at(std::string_view text, char separator) {
    const std::size_t at = text.find(separator);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + 1)};
}

// `out` is what a JSON reader makes of some prefix of `raw` (all of it when `whole`): the
// arena cuts strings, never changes them. Every raw byte gives at least one output byte.
bool is_lossy_prefix(std::string_view raw, const std::string& out, bool whole) {
    if (whole) return mf::utf8_lossy(raw) == out;
    for (std::size_t k = std::min(raw.size(), out.size()) + 1; k-- > 0;)
        if (mf::utf8_lossy(raw.substr(0, k)) == out) return true;
    return false;
}

bool is_lower_hex(const std::string& text, std::size_t size) {
    if (text.size() != size || text.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
    return text.find_first_not_of('0') != std::string::npos;
}

bool is_unsigned_integer(const JsonValue* value) {
    return value != nullptr && value->is(JsonValue::Kind::number) &&
           value->text.find_first_not_of("0123456789") == std::string::npos;
}

std::uint64_t count_tag(const JsonValue* tags, std::string_view key) {
    const JsonValue* value = tags != nullptr ? tags->find(key) : nullptr;
    return value != nullptr ? std::strtoull(value->text.c_str(), nullptr, 10) : 0;
}

// The JSON string writer alone: any bytes, the exact replacement, nothing cut.
void check_json_string(std::string_view bytes) {
    std::string out;
    {
        JsonWriter json{Sink(out)};
        json.string(bytes);
    }
    JsonValue value;
    std::string error;
    FUZZ_CHECK(mf::JsonParser::parse(out, value, error), error + " in " + mf::printable(out));
    FUZZ_CHECK(value.is(JsonValue::Kind::string), out);
    FUZZ_CHECK(value.text == mf::utf8_lossy(bytes), mf::printable(bytes) + " written as " + mf::printable(out));
}

// The tag text OpenTelemetry's Zipkin mapping gives a non-string attribute; for a double, the
// text only has to read back as the same number.
std::string number_text(const ModelAttribute& attribute) {
    switch (attribute.type) {
        case AttributeType::string: return {};
        case AttributeType::boolean: return attribute.bits != 0 ? "true" : "false";
        case AttributeType::int64: return std::to_string(static_cast<std::int64_t>(attribute.bits));
        case AttributeType::uint64: return std::to_string(attribute.bits);
        case AttributeType::float64: break;
    }
    double value;
    std::memcpy(&value, &attribute.bits, sizeof value);
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    return {};  // compared by value below
}

bool number_matches(const ModelAttribute& attribute, const std::string& text) {
    const std::string expected = number_text(attribute);
    if (!expected.empty() || attribute.type != AttributeType::float64) return text == expected;
    double value;
    std::memcpy(&value, &attribute.bits, sizeof value);
    char* end = nullptr;
    const double read = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size() && read == value;
}

// Parses an address as the C library does: the reference for set_remote_endpoint.
int address_family(const std::string& address, unsigned char (&bytes)[16]) {
    if (address.find('\0') != std::string::npos) return 0;
    if (inet_pton(AF_INET, address.c_str(), bytes) == 1) return AF_INET;
    if (inet_pton(AF_INET6, address.c_str(), bytes) == 1) return AF_INET6;
    return 0;
}

void check_span(const JsonValue& span, const Model& model, bool endpoint_accepted) {
    const auto where = [&] { return std::string("span"); };
    FUZZ_CHECK(span.is(JsonValue::Kind::object), where());
    const JsonValue* trace_id = span.find("traceId");
    const JsonValue* id = span.find("id");
    FUZZ_CHECK(trace_id != nullptr && is_lower_hex(trace_id->text, 32), "traceId");
    FUZZ_CHECK(id != nullptr && is_lower_hex(id->text, 16), "id");
    FUZZ_CHECK(span.find("parentId") == nullptr, "a root has no parentId");
    FUZZ_CHECK(is_unsigned_integer(span.find("timestamp")), "timestamp");
    FUZZ_CHECK(is_unsigned_integer(span.find("duration")) && span.find("duration")->text != "0", "duration");
    static const char* const kinds[] = {nullptr, "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
    const JsonValue* kind = span.find("kind");
    const char* expected_kind = kinds[static_cast<int>(model.kind)];
    FUZZ_CHECK(expected_kind == nullptr ? kind == nullptr : kind != nullptr && kind->text == expected_kind, "kind");
    const JsonValue* local = span.find("localEndpoint");
    FUZZ_CHECK(local != nullptr && local->find("serviceName") != nullptr && local->find("serviceName")->text == "fuzz",
               "localEndpoint");
    FUZZ_CHECK((span.find("shared") != nullptr) == model.shared, "shared");
    FUZZ_CHECK(span.find("debug") == nullptr, "debug");

    const JsonValue* tags = span.find("tags");
    FUZZ_CHECK(tags == nullptr || (tags->is(JsonValue::Kind::object) && !tags->members.empty()), "empty tags");
    const bool exact = model.string_bytes <= config::span_string_bytes;  // the arena cannot have run out
    const auto shown_as = [&](std::string_view name) {
        for (const ModelAttribute& attribute : model.attributes)
            if (mf::utf8_lossy(attribute.key) == name) return true;
        return false;
    };
    // With the arena overflowing, which strings were cut or dropped depends on its use, so the
    // counts are read back; a user attribute named like a count makes that ambiguous.
    const bool ambiguous = !exact && (shown_as("otel.dropped_attributes_count") || shown_as("microtrace.truncated_strings"));
    const std::uint64_t truncated = exact ? 0 : ambiguous ? 1 : count_tag(tags, "microtrace.truncated_strings");
    const bool whole = truncated == 0;

    const JsonValue* name = span.find("name");
    if (name == nullptr)
        FUZZ_CHECK(model.name.empty() || !whole, "name missing");
    else
        FUZZ_CHECK(is_lossy_prefix(model.name, name->text, whole), mf::printable(model.name) + " as " + mf::printable(name->text));

    const std::size_t kept_events = std::min<std::size_t>(model.events.size(), config::max_events);
    const std::uint64_t dropped_events = model.events.size() - kept_events;

    // Tags: the status and the counts microtrace writes, and the user's attributes. A user
    // attribute with one of microtrace's tag names gives way to microtrace's tag.
    [&] {
    std::size_t library_tags = 0;
    const auto library_tag = [&](std::string_view key, bool expected) -> const JsonValue* {
        const JsonValue* value = tags != nullptr ? tags->find(key) : nullptr;
        if (!expected) return nullptr;
        FUZZ_CHECK(value != nullptr, "missing " + std::string(key));
        ++library_tags;
        return value;
    };
    if (const JsonValue* status = library_tag("otel.status_code", model.status != StatusCode::unset))
        FUZZ_CHECK(status->text == (model.status == StatusCode::ok ? "OK" : "ERROR"), status->text);
    if (const JsonValue* error = library_tag("error", model.status == StatusCode::error))
        FUZZ_CHECK(is_lossy_prefix(model.status_message, error->text, whole), "status message " + mf::printable(error->text));
    // The counts: exactly known from the model when the arena held everything (events always).
    if (const JsonValue* count = library_tag("otel.dropped_events_count", dropped_events != 0))
        FUZZ_CHECK(count->text == std::to_string(dropped_events), "dropped events " + count->text);
    std::uint64_t dropped_attributes = 0;
    if (exact) {
        dropped_attributes = model.dropped_attributes;
        if (const JsonValue* count = library_tag("otel.dropped_attributes_count", dropped_attributes != 0))
            FUZZ_CHECK(count->text == std::to_string(dropped_attributes), "dropped attributes " + count->text);
        FUZZ_CHECK(truncated == 0, "truncated with room to spare");
    } else if (ambiguous) {
        return;  // the status, events and name are checked; the tags cannot be told apart
    } else {
        dropped_attributes = count_tag(tags, "otel.dropped_attributes_count");
        library_tag("otel.dropped_attributes_count", dropped_attributes != 0);
        library_tag("microtrace.truncated_strings", truncated != 0);
    }

    std::size_t user_tags = 0;
    for (const auto& [key, value] : tags != nullptr ? tags->members : std::vector<microtrace_fuzz::JsonMember>{}) {
        FUZZ_CHECK(value.is(JsonValue::Kind::string), "tags are strings");
        const bool status_tag = model.status != StatusCode::unset && (key == "otel.status_code" || key == "error");
        const bool count_tag_name = (key == "otel.dropped_events_count" && dropped_events != 0) ||
                                    (key == "otel.dropped_attributes_count" && dropped_attributes != 0) ||
                                    (key == "microtrace.truncated_strings" && truncated != 0);
        if (status_tag || count_tag_name) continue;
        ++user_tags;
        // Some attribute with this key (keys differing only in invalid UTF-8 look the same)
        // holds this value.
        bool matched = false, named = false;
        for (const ModelAttribute& attribute : model.attributes) {
            if (mf::utf8_lossy(attribute.key) != key) continue;
            named = true;
            if (attribute.type == AttributeType::string)
                matched = matched || is_lossy_prefix(attribute.text, value.text, whole);
            else
                matched = matched || number_matches(attribute, value.text);
        }
        FUZZ_CHECK(named, "a tag nobody set: " + mf::printable(key));
        FUZZ_CHECK(matched, mf::printable(key) + " = " + mf::printable(value.text));
    }
    std::size_t shown_keys = 0;  // kept keys not hidden by the status or a count tag
    for (const std::string& key : model.kept_keys) {
        const std::string shown = mf::utf8_lossy(key);
        const bool hidden = (model.status != StatusCode::unset && (shown == "otel.status_code" || shown == "error")) ||
                            (shown == "otel.dropped_events_count" && dropped_events != 0) ||
                            (shown == "otel.dropped_attributes_count" && dropped_attributes != 0) ||
                            (shown == "microtrace.truncated_strings" && truncated != 0);
        if (hidden) continue;
        ++shown_keys;
        if (exact) FUZZ_CHECK(tags != nullptr && tags->find(shown) != nullptr, "lost " + mf::printable(key));
    }
    const auto counts = [&] {
        return std::to_string(user_tags) + " user tags, " + std::to_string(dropped_attributes) + " dropped; model: " +
               std::to_string(shown_keys) + " shown, " + std::to_string(model.dropped_attributes) + " dropped";
    };
    // Without the arena's room known, a key it could not hold is dropped and a later, shorter one
    // may take its place, so the kept keys may differ from the model's; but never more than fit,
    // and nothing is lost uncounted.
    std::size_t shown_attributes = 0;  // every key the span was given, not hidden
    for (const ModelAttribute& attribute : model.attributes) {
        const std::string shown = mf::utf8_lossy(attribute.key);
        shown_attributes += !((model.status != StatusCode::unset && (shown == "otel.status_code" || shown == "error")) ||
                              (shown == "otel.dropped_events_count" && dropped_events != 0) ||
                              (shown == "otel.dropped_attributes_count" && dropped_attributes != 0) ||
                              (shown == "microtrace.truncated_strings" && truncated != 0));
    }
    if (exact)
        FUZZ_CHECK(user_tags == shown_keys, counts());
    else
        FUZZ_CHECK(user_tags <= shown_attributes && user_tags <= config::max_attributes, counts());
    FUZZ_CHECK(dropped_attributes <= model.attribute_calls, counts());
    FUZZ_CHECK(user_tags == shown_keys || dropped_attributes > 0, counts());
    const std::size_t tag_count = tags != nullptr ? tags->members.size() : 0;
    FUZZ_CHECK(tag_count == user_tags + library_tags,
               std::to_string(tag_count) + " tags, " + std::to_string(user_tags) + " + " + std::to_string(library_tags) + " expected");
    }();

    // Annotations: the first max_events events, the rest counted.
    const JsonValue* annotations = span.find("annotations");
    const std::size_t kept = kept_events;
    FUZZ_CHECK((annotations == nullptr) == (kept == 0), "annotations present iff events kept");
    if (annotations != nullptr) {
        FUZZ_CHECK(annotations->items.size() == kept, "annotation count");
        for (std::size_t i = 0; i < kept; ++i) {
            const JsonValue& annotation = annotations->items[i];
            FUZZ_CHECK(is_unsigned_integer(annotation.find("timestamp")), "annotation timestamp");
            const JsonValue* value = annotation.find("value");
            FUZZ_CHECK(value != nullptr && is_lossy_prefix(model.events[i], value->text, whole),
                       mf::printable(model.events[i]) + " as " + (value ? mf::printable(value->text) : "nothing"));
        }
    }

    // The remote endpoint: present once set; addresses as the C library reads them.
    const JsonValue* remote = span.find("remoteEndpoint");
    FUZZ_CHECK((remote != nullptr) == model.remote, "remoteEndpoint");
    if (remote != nullptr) {
        unsigned char expected[16] = {}, written[16] = {};
        const int family = address_family(model.remote_address, expected);
        FUZZ_CHECK(endpoint_accepted == (model.remote_address.empty() || family != 0),
                   "set_remote_endpoint on " + mf::printable(model.remote_address));
        const JsonValue* ipv4 = remote->find("ipv4");
        const JsonValue* ipv6 = remote->find("ipv6");
        FUZZ_CHECK((ipv4 != nullptr) == (family == AF_INET) && (ipv6 != nullptr) == (family == AF_INET6),
                   mf::printable(model.remote_address));
        if (ipv4 != nullptr)
            FUZZ_CHECK(inet_pton(AF_INET, ipv4->text.c_str(), written) == 1 && std::memcmp(written, expected, 4) == 0,
                       ipv4->text);
        if (ipv6 != nullptr)
            FUZZ_CHECK(inet_pton(AF_INET6, ipv6->text.c_str(), written) == 1 && std::memcmp(written, expected, 16) == 0,
                       ipv6->text);
        const JsonValue* port = remote->find("port");
        FUZZ_CHECK(model.remote_port == 0 ? port == nullptr : port != nullptr && port->text == std::to_string(model.remote_port),
                   "port");
        const JsonValue* service = remote->find("serviceName");
        FUZZ_CHECK((service != nullptr) == !model.remote_service.empty(), "remote serviceName");
        if (service != nullptr) FUZZ_CHECK(is_lossy_prefix(model.remote_service, service->text, whole), "remote serviceName");
    }
}

Recorder<8, 2> recorder;
Tracer<> tracer("fuzz", recorder);

}  // namespace

MICROTRACE_FUZZ_TARGET(zipkin)(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> operations;
    while (!input.empty()) {
        if (input[0] == 'j') {
            check_json_string(input.substr(1));
            break;
        }
        const std::size_t end = input.find('\n');
        operations.push_back(input.substr(0, end));
        if (end == std::string_view::npos) break;
        input.remove_prefix(end + 1);
    }

    Model model;
    for (const std::string_view op : operations)
        if (op.size() >= 2 && op[0] == 'k') model.kind = static_cast<SpanKind>((static_cast<unsigned char>(op[1]) - '0' + 250u) % 5);
    Span span = tracer.start_span("", model.kind);
    bool endpoint_accepted = true;
    for (const std::string_view op : operations) {
        if (op.empty()) continue;
        const std::string_view argument = op.substr(1);
        const auto [key, value] = split_at(argument, '=');
        const std::string value_text(value);
        ModelAttribute attribute{std::string(key), AttributeType::string, std::string(value), 0};
        bool is_attribute = true;
        switch (op[0]) {
            case 'n':
                span.set_name(argument);
                model.name = std::string(argument);
                model.string_bytes += argument.size();
                is_attribute = false;
                break;
            case 'a': span.set_attribute(key, value); break;
            case 'i': {
                const std::int64_t number = std::strtoll(value_text.c_str(), nullptr, 10);
                span.set_attribute(key, number);
                attribute.type = AttributeType::int64;
                attribute.bits = static_cast<std::uint64_t>(number);
                break;
            }
            case 'u': {
                const std::uint64_t number = std::strtoull(value_text.c_str(), nullptr, 10);
                span.set_attribute(key, number);
                attribute.type = AttributeType::uint64;
                attribute.bits = number;
                break;
            }
            case 'f': {
                const double number = std::strtod(value_text.c_str(), nullptr);
                span.set_attribute(key, number);
                attribute.type = AttributeType::float64;
                std::memcpy(&attribute.bits, &number, sizeof number);
                break;
            }
            case 'b': {
                const bool flag = !value.empty() && (value[0] == '1' || value[0] == 't');
                span.set_attribute(key, flag);
                attribute.type = AttributeType::boolean;
                attribute.bits = flag;
                break;
            }
            default: is_attribute = false; break;
        }
        if (is_attribute) {
            ++model.attribute_calls;
            model.string_bytes += key.size() + (attribute.type == AttributeType::string ? value.size() : 0);
            bool known = false;
            for (const std::string& kept : model.kept_keys) known = known || kept == attribute.key;
            if (!known && model.kept_keys.size() == config::max_attributes)
                ++model.dropped_attributes;
            else if (!known)
                model.kept_keys.push_back(attribute.key);
            bool replaced = false;
            for (ModelAttribute& existing : model.attributes) {
                if (existing.key == attribute.key) {
                    existing = attribute;
                    replaced = true;
                }
            }
            if (!replaced) model.attributes.push_back(attribute);
            continue;
        }
        switch (op[0]) {
            case 'e':
                span.add_event(argument);
                model.events.emplace_back(argument);
                model.string_bytes += argument.size();
                break;
            case 's': {
                const StatusCode code = argument.empty()     ? StatusCode::unset
                                        : argument[0] == 'o' ? StatusCode::ok
                                        : argument[0] == 'e' ? StatusCode::error
                                                             : StatusCode::unset;
                const std::string_view message = argument.empty() ? argument : argument.substr(1);
                span.set_status(code, message);
                model.string_bytes += message.size();
                if (code != StatusCode::unset && model.status != StatusCode::ok) {
                    model.status = code;
                    model.status_message = code == StatusCode::error ? std::string(message) : std::string();
                }
                break;
            }
            case 'x':
                span.record_error(argument);
                if (model.status != StatusCode::ok) {
                    model.status = StatusCode::error;
                    model.status_message = std::string(argument);
                }
                model.events.push_back("exception: " + std::string(argument));
                model.string_bytes += 2 * argument.size() + 11;
                break;
            case 'r': {
                const auto [service, rest] = split_at(argument, '|');
                const auto [address, port] = split_at(rest, '|');
                const std::uint16_t port_number = static_cast<std::uint16_t>(std::strtoul(std::string(port).c_str(), nullptr, 10));
                endpoint_accepted = span.set_remote_endpoint(Endpoint{service, address, port_number});
                model.remote = true;
                model.remote_service = std::string(service);
                model.remote_address = std::string(address);
                model.remote_port = port_number;
                model.string_bytes += service.size();
                break;
            }
            case 'h': span.set_shared(argument != "0"); model.shared = argument != "0"; break;
            default: break;
        }
    }
    span.end();

    std::string dumped, chunked;
    FUZZ_CHECK(recorder.dump_zipkin(dumped) == 1, "one span held");
    std::size_t chunks = 0;
    FUZZ_CHECK(recorder.drain_zipkin([&](std::string_view chunk) {
        FUZZ_CHECK(chunk.size() <= JsonWriter::buffer_size, "chunk larger than the buffer");
        chunked.append(chunk.data(), chunk.size());
        ++chunks;
    }) == 1, "one span drained");
    FUZZ_CHECK(dumped == chunked, "a snapshot and a drain wrote different bytes");
    JsonValue document;
    std::string error;
    std::vector<std::string> duplicates;
    FUZZ_CHECK(mf::JsonParser::parse(dumped, document, error, &duplicates), error + " in " + mf::printable(dumped));
    // The one way to repeat a key: attribute keys that differ only in invalid UTF-8, which
    // both read as U+FFFD (a documented limit).
    for (const std::string& key : duplicates)
        FUZZ_CHECK(key.find("\xEF\xBF\xBD") != std::string::npos, "duplicate key " + mf::printable(key) + " in " + mf::printable(dumped));
    FUZZ_CHECK(document.is(JsonValue::Kind::array) && document.items.size() == 1, "one span in the array");
    check_span(document.items[0], model, endpoint_accepted);
    std::string empty;
    FUZZ_CHECK(recorder.dump_zipkin(empty) == 0 && empty == "[]", "the drain left spans behind");
    return 0;
}
