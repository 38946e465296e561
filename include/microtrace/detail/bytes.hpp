// microtrace/detail/bytes.hpp — copying and scanning short byte strings, inline: names,
// keys and values are mostly a few bytes to a few dozen, where a call to memcpy, or a loop
// over each byte, costs more than the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../config.hpp"

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Copies `size` bytes. Attribute keys and values, names and events are mostly a few bytes
// to a few dozen: on 64-bit targets those are copied inline with two possibly overlapping
// loads and stores, which costs less than the call to memcpy. Never reads outside `from`.
inline void copy_bytes(char* to, const char* from, std::size_t size) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
#if defined(__GNUC__)
    // GCC cannot see that `size` fits both buffers (the caller checked) and, after jump
    // threading, warns about branches dead for the sizes it knows; an empty asm hides where
    // the pointers point. It costs no instruction.
    __asm__("" : "+r"(to), "+r"(from));
#endif
    if (size > 16) {
        std::memcpy(to, from, size);
    } else if (size >= 8) {
        std::uint64_t head, tail;
        std::memcpy(&head, from, 8);
        std::memcpy(&tail, from + size - 8, 8);
        std::memcpy(to, &head, 8);
        std::memcpy(to + size - 8, &tail, 8);
    } else if (size >= 4) {
        std::uint32_t head, tail;
        std::memcpy(&head, from, 4);
        std::memcpy(&tail, from + size - 4, 4);
        std::memcpy(to, &head, 4);
        std::memcpy(to + size - 4, &tail, 4);
    } else if (size != 0) {
        to[0] = from[0];
        to[size / 2] = from[size / 2];
        to[size - 1] = from[size - 1];
    }
#else
    if (size != 0) std::memcpy(to, from, size);  // small targets: the smallest code
#endif
}
// The length of the longest prefix of bytes[0..size) that a JSON string holds as it is:
// printable ASCII but `"` and `\`. Eight bytes at a time on 64-bit targets.
inline std::size_t plain_json_prefix(const unsigned char* bytes, std::size_t size) noexcept {
    std::size_t i = 0;
#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto has_special = [](const unsigned char* at) noexcept {
        std::uint64_t word;
        std::memcpy(&word, at, 8);
        // A byte below 0x20, equal to '"' or '\\', or from 0x80 on: the classic "has a
        // zero byte" test on word - 0x20, word ^ '"' and word ^ '\\' (exact here, since
        // bytes from 0x80 on are excluded first).
        const std::uint64_t below_space = word - ones * 0x20;
        const std::uint64_t quote = word ^ (ones * '"');
        const std::uint64_t backslash = word ^ (ones * '\\');
        return ((word | ((below_space | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & ~word)) &
                highs) != 0;
    };
    for (; i + 8 <= size; i += 8)
        if (has_special(bytes + i)) break;
    // The last few bytes: the 8 that end the string, overlapping bytes already checked.
    if (i + 8 > size && size >= 8 && i < size && !has_special(bytes + size - 8)) return size;
#endif
    while (i < size) {
        const unsigned char c = bytes[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++i;
    }
    return i;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
