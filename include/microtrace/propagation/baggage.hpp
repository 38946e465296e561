// microtrace/propagation/baggage.hpp — W3C Baggage: user key/value pairs that travel with a
// trace, kept in bounded inline storage.
//
//   baggage: userId=Am%C3%A9lie,serverNode=DF%2028;region=eu,isProduction=false
//
// Receiving (W3C Baggage, "Header Content"):
//   - Lines of the header are combined; spaces/tabs around `,`, `;` and `=` are dropped.
//   - A member is `key=value` plus optional `;property` parts (`k=v` or `k`). The key is an
//     RFC 7230 token; the value may hold `=` and is percent-decoded, each invalid UTF-8
//     sequence becoming U+FFFD. Properties are opaque: kept as received, spaces removed.
//   - An invalid member (bad key, no `=`, a byte outside baggage-octet, a `%` not followed
//     by two hex digits, a bad property) is dropped alone; empty members are skipped.
//   - A repeated key: the last value wins, at the first one's position.
//   - Everything up to MICROTRACE_BAGGAGE_MAX_MEMBERS members and MICROTRACE_BAGGAGE_BYTES
//     bytes of header is kept (W3C's floor: 64 and 8192); beyond that whole members are
//     dropped, never part of one. Each drop is counted in `dropped_members()`.
// Sending: values are percent-encoded where baggage-octet requires it (and `%` always),
// with uppercase hex as RFC 3986 recommends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "../config.hpp"
#include "../detail/hex.hpp"
#include "../json.hpp"  // detail::utf8_valid_length
#include "carrier.hpp"

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

// RFC 7230 `tchar`: what a baggage key (and a property key) is made of.
constexpr bool is_token_char_by_rule(unsigned char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
        default: return false;
    }
}

// W3C `baggage-octet`: printable ASCII except space, `"`, `,`, `;` and `\`.
constexpr bool is_baggage_octet_by_rule(unsigned char c) noexcept {
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
           (c >= 0x5D && c <= 0x7E);
}

// The two rules above as one table, so each byte costs one lookup.
struct BaggageCharClasses {
    static constexpr unsigned char token = 1, octet = 2;
    unsigned char of[256] = {};
    constexpr BaggageCharClasses() noexcept {
        for (unsigned c = 0; c < 256; ++c)
            of[c] = static_cast<unsigned char>((is_token_char_by_rule(static_cast<unsigned char>(c)) ? token : 0) |
                                               (is_baggage_octet_by_rule(static_cast<unsigned char>(c)) ? octet : 0));
    }
};
inline constexpr BaggageCharClasses baggage_char_classes{};

constexpr bool is_token_char(char c) noexcept {
    return (baggage_char_classes.of[static_cast<unsigned char>(c)] & BaggageCharClasses::token) != 0;
}
constexpr bool is_baggage_octet(char c) noexcept {
    return (baggage_char_classes.of[static_cast<unsigned char>(c)] & BaggageCharClasses::octet) != 0;
}

constexpr bool is_token(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (const char c : text)
        if (!is_token_char(c)) return false;
    return true;
}

constexpr bool is_baggage_octets(std::string_view text) noexcept {
    for (const char c : text)
        if (!is_baggage_octet(c)) return false;
    return true;
}

// ---- Percent-coding (RFC 3986 section 2.1), written once for every baggage value ----

// A hex digit of a %XX escape, either case as RFC 3986 allows; -1 for anything else.
constexpr int percent_hex_value(char c) noexcept {
    return hex_digit_value(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
}

// True when `value` is baggage-octets and every `%` starts a %XX escape.
constexpr bool is_percent_encoded_baggage_value(std::string_view value) noexcept {
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!is_baggage_octet(value[i])) return false;
        if (value[i] == '%') {
            if (i + 2 >= value.size() || percent_hex_value(value[i + 1]) < 0 || percent_hex_value(value[i + 2]) < 0)
                return false;
            i += 2;
        }
    }
    return true;
}

// Returns the byte at `position` of a valid encoded value and moves past it (1 char, or 3
// for an escape).
constexpr unsigned char next_decoded_byte(std::string_view encoded, std::size_t& position) noexcept {
    if (encoded[position] != '%') return static_cast<unsigned char>(encoded[position++]);
    const int value = percent_hex_value(encoded[position + 1]) * 16 + percent_hex_value(encoded[position + 2]);
    position += 3;
    return static_cast<unsigned char>(value);
}

// Decodes a valid encoded value, calling emit(std::string_view) with consecutive pieces
// of the result; each invalid UTF-8 sequence (maximal subpart, as the JSON writer does)
// becomes U+FFFD. The result is never longer than `encoded`: a replaced byte came from a
// 3-character escape.
template <class Emit>
void percent_decode(std::string_view encoded, Emit&& emit) {
    constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
    std::size_t position = 0;
    while (position < encoded.size()) {
        // Characters up to the next escape are baggage-octets: ASCII, valid UTF-8 as they are.
        std::size_t escape = position;
        while (escape < encoded.size() && encoded[escape] != '%') ++escape;
        if (escape > position) {
            emit(encoded.substr(position, escape - position));
            position = escape;
            continue;
        }
        // Decode up to 4 bytes ahead (the longest UTF-8 sequence); ASCII needs only one.
        char window[4] = {};
        std::size_t ends[4] = {};
        std::size_t decoded = 0;
        std::size_t cursor = position;
        do {
            window[decoded] = static_cast<char>(next_decoded_byte(encoded, cursor));
            ends[decoded++] = cursor;
        } while (static_cast<unsigned char>(window[0]) >= 0x80 && decoded < 4 && cursor < encoded.size());
        std::size_t invalid_length = 0;
        const std::size_t length =
            utf8_valid_length(reinterpret_cast<const unsigned char*>(window), decoded, invalid_length);
        emit(length > 0 ? std::string_view(window, length) : replacement);
        position = ends[(length > 0 ? length : invalid_length) - 1];
    }
}

constexpr bool needs_percent_encoding(char c) noexcept { return c == '%' || !is_baggage_octet(c); }

// Encodes `value`, calling emit(std::string_view) with consecutive pieces: `%` and every
// byte outside baggage-octet become %XX with uppercase hex.
template <class Emit>
constexpr void percent_encode(std::string_view value, Emit&& emit) {
    constexpr char hex[] = "0123456789ABCDEF";
    std::size_t run = 0;  // start of the pending run of characters sent as they are
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!needs_percent_encoding(value[i])) continue;
        if (i > run) emit(value.substr(run, i - run));
        const auto byte = static_cast<unsigned char>(value[i]);
        const char escape[3] = {'%', hex[byte >> 4], hex[byte & 0xF]};
        emit(std::string_view(escape, 3));
        run = i + 1;
    }
    if (value.size() > run) emit(value.substr(run));
}

// Returns the length of `value` once percent-encoded.
constexpr std::size_t percent_encoded_size(std::string_view value) noexcept {
    std::size_t size = 0;
    percent_encode(value, [&size](std::string_view piece) { size += piece.size(); });
    return size;
}

// Checks the `;`-separated properties in `raw` (`k=v` or `k`, spaces allowed around `;`
// and `=`, empty parts skipped) and emits them without spaces, joined by `;`, calling
// emit(std::string_view). Returns false on an invalid property.
template <class Emit>
constexpr bool normalize_baggage_properties(std::string_view raw, Emit&& emit) {
    bool first = true;
    return for_each_list_item(raw, ';', [&](std::string_view property) {
        if (property.empty()) return true;
        const std::size_t equals = property.find('=');
        const std::string_view key = trim_ows(property.substr(0, equals));
        const std::string_view value = equals == std::string_view::npos ? std::string_view{} : trim_ows(property.substr(equals + 1));
        if (!is_token(key) || !is_baggage_octets(value)) return false;
        if (!first) emit(";");
        first = false;
        emit(key);
        if (equals != std::string_view::npos) {
            emit("=");
            emit(value);
        }
        return true;
    });
}

// An emit target that appends to a buffer the caller sized.
struct BufferWriter {
    char* cursor;
    void operator()(std::string_view piece) noexcept {
        if (piece.empty()) return;  // memcpy may not be given the null data of an empty view
        std::memcpy(cursor, piece.data(), piece.size());
        cursor += piece.size();
    }
};

}  // namespace detail

class Baggage {
  public:
    static constexpr std::size_t max_members = config::baggage_max_members;
    // Bytes of the header kept and sent, commas included.
    static constexpr std::size_t capacity = config::baggage_bytes;

    struct Entry {
        std::string_view key;
        std::string_view value;       // decoded
        std::string_view properties;  // `k1=v1;k2`, as received minus spaces; often empty
    };

    Baggage() noexcept = default;
    // Copies only the used part of the storage.
    Baggage(const Baggage& other) noexcept { *this = other; }
    Baggage& operator=(const Baggage& other) noexcept {
        if (this == &other) return *this;
        std::memcpy(bytes_, other.bytes_, other.used_bytes_);
        std::memcpy(slots_, other.slots_, other.count_ * sizeof(Slot));
        used_bytes_ = other.used_bytes_;
        count_ = other.count_;
        encoded_members_size_ = other.encoded_members_size_;
        dropped_members_ = other.dropped_members_;
        return *this;
    }

    // ---- Reading ----

    bool empty() const noexcept { return count_ == 0; }
    // Number of entries.
    std::size_t size() const noexcept { return count_; }
    // Entry `index`, in header order.
    Entry operator[](std::size_t index) const noexcept {
        const Slot& slot = slots_[index];
        const char* at = bytes_ + slot.offset;
        return {{at, slot.key_size},
                {at + slot.key_size, slot.value_size},
                {at + slot.key_size + slot.value_size, slot.properties_size}};
    }
    // Returns the decoded value of `key`, or an empty view when it is absent.
    std::string_view get(std::string_view key) const noexcept {
        const std::size_t index = find(key);
        return index < count_ ? (*this)[index].value : std::string_view{};
    }
    bool contains(std::string_view key) const noexcept { return find(key) < count_; }

    // Length of the header write() makes; never more than `capacity`.
    std::size_t header_size() const noexcept {
        return encoded_members_size_ + (count_ > 0 ? std::size_t{count_} - 1 : std::size_t{0});
    }
    // Writes the header (percent-encoded) into `out`, which needs header_size() chars; not
    // NUL-terminated. Returns header_size().
    std::size_t write(char* out) const noexcept {
        detail::BufferWriter writer{out};
        for (std::size_t i = 0; i < count_; ++i) {
            const Entry entry = (*this)[i];
            if (i > 0) writer(",");
            writer(entry.key);
            writer("=");
            detail::percent_encode(entry.value, writer);
            if (!entry.properties.empty()) {
                writer(";");
                writer(entry.properties);
            }
        }
        return static_cast<std::size_t>(writer.cursor - out);
    }

    // Members received or set but not kept: invalid ones, and what did not fit.
    std::size_t dropped_members() const noexcept { return dropped_members_; }

    // ---- Receiving ----

    // Replaces the contents with a received header. Invalid members are dropped one by one.
    void parse(std::string_view header) noexcept {
        parse_lines([header](auto&& visit_line) { visit_line(header); });
    }

    // Same for a header sent as several lines: `for_each_line(visit_line)` calls
    // `visit_line(std::string_view)` for each line in order.
    template <class ForEachLine>
    void parse_lines(ForEachLine&& for_each_line) {
        clear();
        dropped_members_ = 0;
        for_each_line([this](std::string_view line) {
            detail::for_each_list_item(line, ',', [this](std::string_view member) {
                if (!member.empty() && !add_received(member)) ++dropped_members_;
                return true;
            });
        });
    }

    // ---- Mutating ----

    // Sets `key` (an RFC 7230 token) to `value` (any bytes; encoded when sent), with
    // optional `properties` (`k1=v1;k2`). An existing key keeps its position. Returns
    // false, changing nothing and counting a drop, when the key or properties are invalid
    // or the entry does not fit.
    bool set(std::string_view key, std::string_view value, std::string_view properties = {}) noexcept {
        if (put(key, value, false, properties)) return true;
        ++dropped_members_;
        return false;
    }

    // Removes `key`; returns whether it was there.
    bool erase(std::string_view key) noexcept {
        const std::size_t index = find(key);
        if (index >= count_) return false;
        encoded_members_size_ = static_cast<std::uint16_t>(encoded_members_size_ - slots_[index].encoded_size);
        release_bytes(slots_[index]);
        std::memmove(slots_ + index, slots_ + index + 1, (count_ - index - 1) * sizeof(Slot));
        --count_;
        return true;
    }

    // Removes every entry (the drop counter stays).
    void clear() noexcept {
        used_bytes_ = 0;
        count_ = 0;
        encoded_members_size_ = 0;
    }

    // Same entries in the same order.
    friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
        if (a.count_ != b.count_) return false;
        for (std::size_t i = 0; i < a.count_; ++i) {
            const Entry x = a[i], y = b[i];
            if (x.key != y.key || x.value != y.value || x.properties != y.properties) return false;
        }
        return true;
    }
    friend bool operator!=(const Baggage& a, const Baggage& b) noexcept { return !(a == b); }

  private:
    // Entry i: key, decoded value and properties, back to back from `offset` in bytes_.
    struct Slot {
        std::uint16_t offset;
        std::uint16_t key_size;
        std::uint16_t value_size;
        std::uint16_t properties_size;
        std::uint16_t encoded_size;  // of `key=value;properties` as sent
    };

    std::size_t find(std::string_view key) const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if ((*this)[i].key == key) return i;
        return count_;
    }

    // Parses one received member (OWS-trimmed, not empty); false when it is invalid or
    // does not fit.
    bool add_received(std::string_view member) noexcept {
        const std::size_t semicolon = member.find(';');
        const std::string_view key_value = member.substr(0, semicolon);
        const std::string_view properties = semicolon == std::string_view::npos ? std::string_view{} : member.substr(semicolon + 1);
        const std::size_t equals = key_value.find('=');
        if (equals == std::string_view::npos) return false;
        const std::string_view value = detail::trim_ows(key_value.substr(equals + 1));
        if (!detail::is_percent_encoded_baggage_value(value)) return false;
        return put(detail::trim_ows(key_value.substr(0, equals)), value, true, properties);
    }

    // Adds or replaces an entry; `value` is percent-encoded when `value_encoded`, raw bytes
    // otherwise. Checks the key and properties, then the limits, before touching anything.
    bool put(std::string_view key, std::string_view value, bool value_encoded, std::string_view raw_properties) noexcept {
        if (!detail::is_token(key)) return false;
        std::size_t properties_size = 0;
        if (!detail::normalize_baggage_properties(raw_properties, [&](std::string_view piece) { properties_size += piece.size(); }))
            return false;

        // The stored (decoded) value's size, and its size once encoded again for sending.
        std::size_t value_size = 0, value_encoded_size = 0;
        const auto measure = [&](std::string_view piece) {
            value_size += piece.size();
            value_encoded_size += detail::percent_encoded_size(piece);
        };
        if (value_encoded)
            detail::percent_decode(value, measure);
        else
            measure(value);
        const std::size_t encoded_size =
            key.size() + 1 + value_encoded_size + (properties_size > 0 ? 1 + properties_size : 0);

        const std::size_t index = find(key);
        const bool replacing = index < count_;
        const std::size_t others = replacing ? count_ - 1 : count_;
        const std::size_t others_encoded =
            encoded_members_size_ - (replacing ? std::size_t{slots_[index].encoded_size} : std::size_t{0});
        if (!replacing && count_ == max_members) return false;
        if (others_encoded + encoded_size + others > capacity) return false;

        // Fits: stored bytes never exceed the header they are sent as, so storage does too.
        if (replacing) {
            release_bytes(slots_[index]);
        } else {
            ++count_;
        }
        Slot& slot = slots_[replacing ? index : count_ - 1];
        slot = {static_cast<std::uint16_t>(used_bytes_), static_cast<std::uint16_t>(key.size()),
                static_cast<std::uint16_t>(value_size), static_cast<std::uint16_t>(properties_size),
                static_cast<std::uint16_t>(encoded_size)};
        detail::BufferWriter store{bytes_ + used_bytes_};
        store(key);
        if (value_encoded)
            detail::percent_decode(value, store);
        else
            store(value);
        detail::normalize_baggage_properties(raw_properties, store);
        used_bytes_ = static_cast<std::uint16_t>(store.cursor - bytes_);
        encoded_members_size_ = static_cast<std::uint16_t>(others_encoded + encoded_size);
        return true;
    }

    // Frees an entry's bytes, moving later bytes down (slots keep their order).
    void release_bytes(const Slot& released) noexcept {
        const std::size_t offset = released.offset;
        const std::size_t length = std::size_t{released.key_size} + released.value_size + released.properties_size;
        std::memmove(bytes_ + offset, bytes_ + offset + length, used_bytes_ - offset - length);
        used_bytes_ = static_cast<std::uint16_t>(used_bytes_ - length);
        for (std::size_t i = 0; i < count_; ++i)
            if (slots_[i].offset > offset) slots_[i].offset = static_cast<std::uint16_t>(slots_[i].offset - length);
    }

    char bytes_[capacity];  // only [0, used_bytes_) is ever read
    Slot slots_[max_members];
    std::uint16_t used_bytes_ = 0;
    std::uint16_t count_ = 0;
    std::uint16_t encoded_members_size_ = 0;  // sum of the slots' encoded_size
    std::uint32_t dropped_members_ = 0;
};

MICROTRACE_END_NAMESPACE
