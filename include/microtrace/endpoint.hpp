// microtrace/endpoint.hpp — IP addresses for Zipkin endpoints: parsed from text into
// bytes, written back in canonical form (RFC 5952 for IPv6), so a dump never carries
// a malformed address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"

MICROTRACE_BEGIN_NAMESPACE

// The peer of a client or server span, as a user describes it.
struct Endpoint {
    std::string_view service_name;
    std::string_view address;  // IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1"); empty: none
    std::uint16_t port = 0;    // 0: none
};

namespace detail {

// Parses dotted-quad IPv4 ("0.0.0.0" to "255.255.255.255", no leading zeros).
constexpr bool parse_ipv4(std::string_view text, std::uint8_t (&out)[4]) noexcept {
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= text.size() || text[i] != '.') return false;
            ++i;
        }
        const std::size_t begin = i;
        unsigned value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - begin < 3)
            value = value * 10 + static_cast<unsigned>(text[i++] - '0');
        const std::size_t digits = i - begin;
        if (digits == 0 || value > 255 || (digits > 1 && text[begin] == '0')) return false;
        out[part] = static_cast<std::uint8_t>(value);
    }
    return i == text.size();
}

// Parses IPv6 text (RFC 4291 2.2: groups of 1-4 hex digits, at most one "::", an
// optional trailing dotted IPv4; either hex case).
constexpr bool parse_ipv6(std::string_view text, std::uint8_t (&out)[16]) noexcept {
    std::uint16_t groups[8] = {};
    int count = 0;
    int gap = -1;  // index in groups[] where "::" stands
    std::size_t i = 0;
    if (text.substr(0, 2) == "::") {
        gap = 0;
        i = 2;
    } else if (text.empty() || text[0] == ':') {
        return false;
    }
    while (i < text.size()) {
        if (count == 8) return false;
        // A trailing IPv4 takes the last two groups.
        const std::size_t next_colon = text.find(':', i);
        const std::string_view rest = text.substr(i);
        if (next_colon == std::string_view::npos && rest.find('.') != std::string_view::npos) {
            std::uint8_t v4[4] = {};
            if (count > 6 || !parse_ipv4(rest, v4)) return false;
            groups[count++] = static_cast<std::uint16_t>(v4[0] << 8 | v4[1]);
            groups[count++] = static_cast<std::uint16_t>(v4[2] << 8 | v4[3]);
            i = text.size();
            break;
        }
        unsigned value = 0;
        std::size_t digits = 0;
        for (; i < text.size() && text[i] != ':'; ++i, ++digits) {
            const char c = text[i];
            int digit = -1;
            if (c >= '0' && c <= '9') digit = c - '0';
            if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
            if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
            if (digit < 0 || digits == 4) return false;
            value = value << 4 | static_cast<unsigned>(digit);
        }
        if (digits == 0) return false;
        groups[count++] = static_cast<std::uint16_t>(value);
        if (i == text.size()) break;
        ++i;  // the ':'
        if (i < text.size() && text[i] == ':') {
            if (gap >= 0) return false;
            gap = count;
            ++i;
        } else if (i == text.size()) {
            return false;  // a single trailing ':'
        }
    }
    if (gap < 0 ? count != 8 : count > 7) return false;
    std::uint16_t full[8] = {};
    const int tail = gap < 0 ? 0 : count - gap;
    for (int g = 0; g < count - tail; ++g) full[g] = groups[g];
    for (int g = 0; g < tail; ++g) full[8 - tail + g] = groups[gap + g];
    for (int g = 0; g < 8; ++g) {
        out[2 * g] = static_cast<std::uint8_t>(full[g] >> 8);
        out[2 * g + 1] = static_cast<std::uint8_t>(full[g] & 0xFF);
    }
    return true;
}

// Writes an IPv4 address as a dotted quad; returns one past the end (at most 15 chars).
inline char* write_ipv4(const std::uint8_t (&address)[4], char* out) noexcept {
    for (int part = 0; part < 4; ++part) {
        if (part > 0) *out++ = '.';
        const unsigned value = address[part];
        if (value >= 100) *out++ = static_cast<char>('0' + value / 100);
        if (value >= 10) *out++ = static_cast<char>('0' + value / 10 % 10);
        *out++ = static_cast<char>('0' + value % 10);
    }
    return out;
}

// Writes an IPv6 address in RFC 5952 canonical form: lowercase, no leading zeros, the
// longest run of two or more zero groups (the first on a tie) as "::", and an
// IPv4-mapped address with its IPv4 part dotted. Returns one past the end (≤ 45 chars).
inline char* write_ipv6(const std::uint8_t (&address)[16], char* out) noexcept {
    unsigned groups[8];
    for (int g = 0; g < 8; ++g) groups[g] = static_cast<unsigned>(address[2 * g] << 8 | address[2 * g + 1]);
    int best_start = -1, best_length = 1;
    for (int g = 0; g < 8;) {
        int length = 0;
        while (g + length < 8 && groups[g + length] == 0) ++length;
        if (length > best_length) {
            best_start = g;
            best_length = length;
        }
        g += length > 0 ? length : 1;
    }
    const bool ipv4_mapped = best_start == 0 && best_length == 5 && groups[5] == 0xFFFF;
    constexpr char hex[] = "0123456789abcdef";
    for (int g = 0; g < (ipv4_mapped ? 6 : 8); ++g) {
        if (g == best_start) {
            *out++ = ':';
            *out++ = ':';
            g += best_length - 1;
            continue;
        }
        if (g > 0 && g != best_start + best_length) *out++ = ':';
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned digit = groups[g] >> shift & 0xF;
            if (digit != 0 || started || shift == 0) {
                *out++ = hex[digit];
                started = true;
            }
        }
    }
    if (ipv4_mapped) {
        const std::uint8_t v4[4] = {address[12], address[13], address[14], address[15]};
        *out++ = ':';
        out = write_ipv4(v4, out);
    }
    return out;
}

}  // namespace detail

MICROTRACE_END_NAMESPACE
