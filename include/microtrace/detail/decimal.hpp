// microtrace/detail/decimal.hpp — unsigned 64-bit integers in decimal, without pulling a
// 64-bit division routine into 32-bit firmware.
#pragma once

#include <cstdint>

#include "../config.hpp"

MICROTRACE_BEGIN_NAMESPACE
namespace detail {

// Divides `value` by `divisor` (below 2^16) in place and returns the remainder. On 32-bit
// targets a 64-bit `/` links libgcc's __udivmoddi4 (700 bytes on a Cortex-M); long
// division by 16-bit digits needs only the CPU's 32-bit divide.
constexpr std::uint32_t divide_in_place(std::uint64_t& value, std::uint32_t divisor) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu
    const auto remainder = static_cast<std::uint32_t>(value % divisor);
    value /= divisor;
    return remainder;
#else
    std::uint64_t quotient = 0;
    std::uint32_t remainder = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        const std::uint32_t part = remainder << 16 | static_cast<std::uint32_t>(value >> shift & 0xFFFF);
        quotient |= std::uint64_t{part / divisor} << shift;
        remainder = part % divisor;
    }
    value = quotient;
    return remainder;
#endif
}

// Writes `value` in decimal; returns one past the last digit (at most 20 digits).
constexpr char* write_decimal(std::uint64_t value, char* out) noexcept {
    char reversed[20] = {};
    int count = 0;
    do {
        reversed[count++] = static_cast<char>('0' + divide_in_place(value, 10));
    } while (value != 0);
    while (count > 0) *out++ = reversed[--count];
    return out;
}

}  // namespace detail
MICROTRACE_END_NAMESPACE
