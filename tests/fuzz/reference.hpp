// tests/fuzz/reference.hpp — reference readers for the propagation headers, written from the
// specs (W3C Trace Context Level 2, W3C Baggage, openzipkin/b3-propagation; digested in
// /work/shared/SPECS.md and docs/propagation.md) and on purpose not from the library's code:
// plain, slow, position-by-position. The fuzz targets compare the library with them.
//
// Choices the specs leave open follow docs/propagation.md: spaces and tabs around a value are
// trimmed; one bad tracestate member rejects the whole tracestate; a bad baggage member is
// dropped alone; empty baggage properties are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json_checker.hpp"  // utf8_lossy

namespace microtrace_fuzz::reference {

inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view text) {
    while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
    return text;
}

inline bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

inline bool is_lower_hex_id(std::string_view text, std::size_t size) {
    if (text.size() != size) return false;
    bool nonzero = false;
    for (const char c : text) {
        if (!is_lower_hex(c)) return false;
        nonzero = nonzero || c != '0';
    }
    return nonzero;
}

inline std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

inline bool ascii_lower_equals(std::string_view name, std::string_view lowercase) {
    if (name.size() != lowercase.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
        if (c != lowercase[i]) return false;
    }
    return true;
}

// ---- traceparent ----

struct Traceparent {
    bool valid = false;
    std::string trace_id, parent_id;  // hex, as received
    unsigned flags = 0;               // all 8 bits, as received
};

// W3C Trace Context, "traceparent Header" and "Versioning of traceparent".
inline Traceparent traceparent(std::string_view value) {
    value = trim(value);
    Traceparent out;
    // The version-00 layout every version starts with: h = lowercase hex digit.
    static constexpr std::string_view layout = "hh-hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh-hhhhhhhhhhhhhhhh-hh";
    if (value.size() < layout.size()) return out;
    for (std::size_t i = 0; i < layout.size(); ++i) {
        if (layout[i] == 'h' ? !is_lower_hex(value[i]) : value[i] != layout[i]) return out;
    }
    const std::string_view version = value.substr(0, 2);
    if (version == "ff") return out;
    if (version == "00" && value.size() != layout.size()) return out;
    if (value.size() > layout.size() && value[layout.size()] != '-') return out;
    if (!is_lower_hex_id(value.substr(3, 32), 32) || !is_lower_hex_id(value.substr(36, 16), 16)) return out;
    out.valid = true;
    out.trace_id = std::string(value.substr(3, 32));
    out.parent_id = std::string(value.substr(36, 16));
    out.flags = static_cast<unsigned>(std::stoul(std::string(value.substr(53, 2)), nullptr, 16));
    return out;
}

// ---- B3 ----

enum class Sampling { defer, deny, accept, debug };

struct B3 {
    bool valid = false;
    bool has_ids = false;
    std::string trace_id, span_id;  // hex, as received (trace id 16 or 32 digits)
    Sampling sampling = Sampling::defer;
};

inline bool b3_sampling_char(std::string_view text, Sampling& sampling) {
    if (text == "0") sampling = Sampling::deny;
    else if (text == "1") sampling = Sampling::accept;
    else if (text == "d") sampling = Sampling::debug;
    else return false;
    return true;
}

// openzipkin/b3-propagation, "Single Header": {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId},
// the last two optional (the parent only after a sampling state), or the sampling state alone.
inline B3 b3_single(std::string_view value) {
    value = trim(value);
    B3 out;
    if (value.size() == 1) {
        out.valid = b3_sampling_char(value, out.sampling);
        return out;
    }
    const std::vector<std::string_view> fields = split(value, '-');
    if (fields.size() < 2 || fields.size() > 4) return out;
    if (!is_lower_hex_id(fields[0], 16) && !is_lower_hex_id(fields[0], 32)) return out;
    if (!is_lower_hex_id(fields[1], 16)) return out;
    if (fields.size() >= 3 && !b3_sampling_char(fields[2], out.sampling)) return out;
    if (fields.size() == 4 && !is_lower_hex_id(fields[3], 16)) return out;
    out.valid = true;
    out.has_ids = true;
    out.trace_id = std::string(fields[0]);
    out.span_id = std::string(fields[1]);
    return out;
}

// The first line of header `name` (any case), trimmed; false when there is none.
template <class Lines>
bool first_line(const Lines& lines, std::string_view name, std::string_view& value) {
    for (const auto& line : lines) {
        if (ascii_lower_equals(line.first, name)) {
            value = trim(line.second);
            return true;
        }
    }
    return false;
}

// openzipkin/b3-propagation, "Multiple Headers": ids count when both are well formed;
// X-B3-Flags: 1 is debug (and wins over X-B3-Sampled); X-B3-Sampled 1/0 (true/false leniently).
template <class Lines>
B3 b3_multi(const Lines& lines) {
    B3 out;
    std::string_view trace_id, span_id, sampled, flags;
    const bool has_trace_id = first_line(lines, "x-b3-traceid", trace_id) &&
                              (is_lower_hex_id(trace_id, 16) || is_lower_hex_id(trace_id, 32));
    const bool has_span_id = first_line(lines, "x-b3-spanid", span_id) && is_lower_hex_id(span_id, 16);
    out.has_ids = has_trace_id && has_span_id;
    bool decided = true;
    if (first_line(lines, "x-b3-flags", flags) && flags == "1")
        out.sampling = Sampling::debug;
    else if (first_line(lines, "x-b3-sampled", sampled) && (sampled == "1" || sampled == "true"))
        out.sampling = Sampling::accept;
    else if (first_line(lines, "x-b3-sampled", sampled) && (sampled == "0" || sampled == "false"))
        out.sampling = Sampling::deny;
    else
        decided = false;
    out.valid = out.has_ids || decided;
    if (out.has_ids) {
        out.trace_id = std::string(trace_id);
        out.span_id = std::string(span_id);
    }
    return out;
}

// ---- tracestate ----

struct TraceStateMember {
    std::string key, value;
};

struct TraceState {
    bool valid = false;
    std::vector<TraceStateMember> received;  // every member, in order, duplicates included
};

// Level 2 key: a lowercase letter or digit, then up to 255 of a-z 0-9 _ - * / @.
inline bool is_tracestate_key(std::string_view key) {
    if (key.empty() || key.size() > 256) return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '-' && c != '*' && c != '/' && c != '@'))) return false;
    }
    return true;
}

// Level 1 key, what we write: simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/"),
// or tenant-id "@" system-id with tenant-id = (lcalpha / DIGIT) 0*240(...) and
// system-id = lcalpha 0*13(...).
inline bool is_level1_key_part(std::string_view text, std::size_t max_size, bool digit_first) {
    if (text.empty() || text.size() > max_size) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
        const bool ok = i == 0 ? (lower || (digit_first && digit))
                               : (lower || digit || c == '_' || c == '-' || c == '*' || c == '/');
        if (!ok) return false;
    }
    return true;
}
inline bool is_written_tracestate_key(std::string_view key) {
    const std::vector<std::string_view> parts = split(key, '@');
    if (parts.size() == 1) return is_level1_key_part(key, 256, false);
    return parts.size() == 2 && is_level1_key_part(parts[0], 241, true) && is_level1_key_part(parts[1], 14, false);
}

// value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E.
inline bool is_tracestate_value(std::string_view value) {
    if (value.empty() || value.size() > 256) return false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        const bool nonblank = (c >= 0x21 && c <= 0x2B) || (c >= 0x2D && c <= 0x3C) || (c >= 0x3E && c <= 0x7E);
        const bool last = i + 1 == value.size();
        if (!nonblank && (last || c != 0x20)) return false;
    }
    return true;
}

// Lines joined with commas; members OWS-trimmed, empty ones skipped; at most 32.
template <class Lines>
TraceState tracestate(const Lines& lines) {
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) joined += ',';
        joined.append(lines[i].data(), lines[i].size());
    }
    TraceState out;
    for (const std::string_view raw : split(joined, ',')) {
        const std::string_view member = trim(raw);
        if (member.empty()) continue;
        const std::size_t equals = member.find('=');
        if (equals == std::string_view::npos) return out;
        TraceStateMember parsed{std::string(member.substr(0, equals)), std::string(member.substr(equals + 1))};
        if (!is_tracestate_key(parsed.key) || !is_tracestate_value(parsed.value)) return out;
        out.received.push_back(std::move(parsed));
        if (out.received.size() > 32) return out;
    }
    out.valid = true;
    return out;
}

// What a tracestate keeping `max_members` members and `capacity` characters holds after
// receiving `received`: the first of each key, then, while over a limit, members longer
// than 128 characters dropped right-most first, then members dropped from the right.
inline std::vector<TraceStateMember> tracestate_kept(const std::vector<TraceStateMember>& received,
                                                     std::size_t max_members, std::size_t capacity) {
    std::vector<TraceStateMember> kept;
    for (const TraceStateMember& member : received) {
        bool seen = false;
        for (const TraceStateMember& other : kept) seen = seen || other.key == member.key;
        if (!seen) kept.push_back(member);
    }
    const auto size_of = [](const TraceStateMember& m) { return m.key.size() + 1 + m.value.size(); };
    const auto header_size = [&] {
        std::size_t total = kept.empty() ? 0 : kept.size() - 1;
        for (const TraceStateMember& m : kept) total += size_of(m);
        return total;
    };
    for (std::size_t i = kept.size(); i-- > 0;)
        if (header_size() > capacity && size_of(kept[i]) > 128) kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(i));
    while (!kept.empty() && (header_size() > capacity || kept.size() > max_members)) kept.pop_back();
    return kept;
}

// ---- baggage ----

// RFC 7230 tchar.
inline bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
inline bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!is_tchar(c)) return false;
    return true;
}
// baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
inline bool is_baggage_octet(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E);
}
inline int any_case_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes a received value: false when a byte is not a baggage-octet or a `%` is not
// followed by two hex digits. Invalid UTF-8 in the result becomes U+FFFD.
inline bool decode_baggage_value(std::string_view value, std::string& decoded) {
    std::string bytes;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!is_baggage_octet(value[i])) return false;
        if (value[i] != '%') {
            bytes += value[i];
            continue;
        }
        if (value.size() - i < 3) return false;  // `%` and two more characters
        const int high = any_case_hex(value[i + 1]), low = any_case_hex(value[i + 2]);
        if (high < 0 || low < 0) return false;
        bytes += static_cast<char>(high * 16 + low);
        i += 2;
    }
    decoded = utf8_lossy(bytes);
    return true;
}

// The value as sent: `%` and every byte that is not a baggage-octet as %XX, uppercase.
inline std::string encode_baggage_value(std::string_view value) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        if (is_baggage_octet(c) && c != '%') {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += digits[byte >> 4];
            out += digits[byte & 0xF];
        }
    }
    return out;
}

struct BaggageEntry {
    std::string key, value, properties;  // value decoded; properties `k=v;k`, spaces removed
    std::size_t encoded_size = 0;        // of `key=value;properties` as sent
};

// One member, OWS-trimmed and not empty: key OWS "=" OWS value *( OWS ";" OWS property ).
inline bool baggage_member(std::string_view member, BaggageEntry& entry) {
    const std::vector<std::string_view> parts = split(member, ';');
    const std::size_t equals = parts[0].find('=');
    if (equals == std::string_view::npos) return false;
    entry.key = std::string(trim(parts[0].substr(0, equals)));
    if (!is_token(entry.key) || !decode_baggage_value(trim(parts[0].substr(equals + 1)), entry.value)) return false;
    entry.properties.clear();
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view property = trim(parts[i]);
        if (property.empty()) continue;
        const std::size_t property_equals = property.find('=');
        const std::string_view key = trim(property.substr(0, property_equals));
        if (!is_token(key)) return false;
        if (!entry.properties.empty()) entry.properties += ';';
        entry.properties.append(key.data(), key.size());
        if (property_equals != std::string_view::npos) {
            const std::string_view value = trim(property.substr(property_equals + 1));
            for (const char c : value)
                if (!is_baggage_octet(c)) return false;
            entry.properties += '=';
            entry.properties.append(value.data(), value.size());
        }
    }
    entry.encoded_size = entry.key.size() + 1 + encode_baggage_value(entry.value).size() +
                         (entry.properties.empty() ? 0 : 1 + entry.properties.size());
    return true;
}

struct Baggage {
    std::vector<BaggageEntry> entries;
    std::size_t dropped = 0;  // invalid members, and members that did not fit
};

// W3C Baggage, received: lines combined; each valid member kept unless it does not fit
// `max_members` / `capacity` bytes of header as sent; a repeated key replaces the value in
// place (if the new one fits).
template <class Lines>
Baggage baggage(const Lines& lines, std::size_t max_members, std::size_t capacity) {
    Baggage out;
    for (const std::string_view line : lines) {
        for (const std::string_view raw : split(line, ',')) {
            const std::string_view member = trim(raw);
            if (member.empty()) continue;
            BaggageEntry entry;
            if (!baggage_member(member, entry)) {
                ++out.dropped;
                continue;
            }
            std::size_t index = out.entries.size(), others_size = 0, others = 0;
            for (std::size_t i = 0; i < out.entries.size(); ++i) {
                if (out.entries[i].key == entry.key) {
                    index = i;
                } else {
                    others_size += out.entries[i].encoded_size;
                    ++others;
                }
            }
            const bool replacing = index < out.entries.size();
            if ((!replacing && out.entries.size() == max_members) || others_size + others + entry.encoded_size > capacity) {
                ++out.dropped;
                continue;
            }
            if (replacing)
                out.entries[index] = std::move(entry);
            else
                out.entries.push_back(std::move(entry));
        }
    }
    return out;
}

}  // namespace microtrace_fuzz::reference
