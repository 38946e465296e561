// microtrace/detail/hex.hpp — strict lowercase hex, the only hex every spec we speak allows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../config.hpp"

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Returns 0-15 for '0'-'9' and 'a'-'f', and -1 for anything else (uppercase included:
// W3C and B3 both reject it).
constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Parses exactly `count` (1-16) lowercase hex digits into `out`; false on any other byte.
// Branch-free per digit (a bad byte sets bit 8 of `invalid`, checked once at the end):
// ids are parsed on every incoming request, and a branch per digit costs twice as much.
constexpr bool parse_hex_u64(const char* text, std::size_t count, std::uint64_t& out) noexcept {
    std::uint64_t value = 0;
    unsigned invalid = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const unsigned decimal = byte - unsigned{'0'};
        const unsigned letter = byte - unsigned{'a'};
        const unsigned digit = decimal < 10 ? decimal : letter < 6 ? letter + 10 : 0x100;
        invalid |= digit;
        value = (value << 4) | (digit & 0xF);
    }
    if (invalid > 0xF) return false;
    out = value;
    return true;
}

// Writes `value` as exactly 16 lowercase hex digits; returns one past the last digit.
inline char* write_hex_u64(std::uint64_t value, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[value & 0xF];
        value >>= 4;
    }
    return out + 16;
}

// Writes the low byte of `value` as 2 lowercase hex digits; returns one past the last.
inline char* write_hex_u8(std::uint8_t value, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    out[0] = digits[value >> 4];
    out[1] = digits[value & 0xF];
    return out + 2;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
