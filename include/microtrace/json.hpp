// microtrace/json.hpp — a streaming JSON writer over a small fixed buffer.
//
// Output goes to a Sink in chunks, so a dump of any size needs no heap. Strings are
// written as valid JSON whatever bytes they hold: control characters are escaped and
// invalid UTF-8 becomes U+FFFD, one per maximal invalid subsequence (the Unicode
// "best practice" that Python's and browsers' decoders follow too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "detail/bytes.hpp"
#include "detail/decimal.hpp"
#include "detail/hex.hpp"

MICROTRACE_BEGIN_NAMESPACE

// Where dumps go: a function and its context, called with consecutive chunks.
// Made implicitly from a std::string (appends), a FILE* (fwrite), or any callable
// taking std::string_view.
class Sink {
  public:
    using WriteFn = void (*)(void* context, const char* data, std::size_t size) noexcept;

    Sink(WriteFn write_fn, void* context) noexcept : write_(write_fn), context_(context) {}
    Sink(std::string& out) noexcept : Sink(&append_to_string, &out) {}
    Sink(std::FILE* file) noexcept : Sink(&write_to_file, file) {}
    // The callable is borrowed: it must outlive the Sink (a temporary lambda passed
    // straight to a dump call does).
    template <class Callable,
              class Target = std::remove_reference_t<Callable>,
              class = std::enable_if_t<std::is_invocable_v<Target&, std::string_view> &&
                                       !std::is_same_v<std::decay_t<Callable>, Sink>>>
    Sink(Callable&& callable) noexcept : Sink(&call<Target>, const_cast<void*>(static_cast<const void*>(&callable))) {}

    void write(const char* data, std::size_t size) const noexcept { write_(context_, data, size); }

  private:
    static void append_to_string(void* out, const char* data, std::size_t size) noexcept {
        static_cast<std::string*>(out)->append(data, size);
    }
    static void write_to_file(void* file, const char* data, std::size_t size) noexcept {
        std::fwrite(data, 1, size, static_cast<std::FILE*>(file));
    }
    template <class Target>
    static void call(void* callable, const char* data, std::size_t size) noexcept {
        (*static_cast<Target*>(callable))(std::string_view(data, size));
    }

    WriteFn write_;
    void* context_;
};

namespace detail {

// Decodes one UTF-8 character at text[0..size). Returns its length, or 0 when the bytes
// there do not start a valid character; then `invalid_length` is the maximal
// invalid subsequence to replace with one U+FFFD (RFC 3629 and Unicode 15, 3.9).
constexpr std::size_t utf8_valid_length(const unsigned char* text, std::size_t size,
                                        std::size_t& invalid_length) noexcept {
    const unsigned char lead = text[0];
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;    // no overlongs
        if (lead == 0xED) high = 0x9F;   // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;    // no overlongs
        if (lead == 0xF4) high = 0x8F;   // nothing above U+10FFFF
    } else {
        invalid_length = 1;
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char lo = i == 1 ? low : 0x80, hi = i == 1 ? high : 0xBF;
        if (i >= size || text[i] < lo || text[i] > hi) {
            invalid_length = i;
            return 0;
        }
    }
    return length;
}

}  // namespace detail

namespace detail {

// Writes `value` in decimal; returns one past the last digit (at most 20). On 64-bit
// targets two digits at a time from a table (a division by 100 is a multiplication);
// elsewhere detail::write_decimal, which needs no 64-bit division routine.
inline char* write_decimal_fast(std::uint64_t value, char* out) noexcept {
#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
    static constexpr char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char digits[20];
    char* start = digits + sizeof digits;
    while (value >= 100) {
        const std::uint64_t rest = value / 100;
        start -= 2;
        std::memcpy(start, pairs + 2 * (value - rest * 100), 2);
        value = rest;
    }
    if (value >= 10) {
        start -= 2;
        std::memcpy(start, pairs + 2 * value, 2);
    } else {
        *--start = static_cast<char>('0' + value);
    }
    const auto size = static_cast<std::size_t>(digits + sizeof digits - start);
    std::memcpy(out, start, size);
    return out + size;
#else
    return write_decimal(value, out);
#endif
}

#if UINTPTR_MAX > 0xFFFFFFFFu && !defined(__OPTIMIZE_SIZE__)
// Writes `value` as exactly 16 lowercase hex digits, a byte at a time from a 512-byte
// table (detail::write_hex_u64 goes a nibble at a time).
inline void write_hex_fast(std::uint64_t value, char* out) noexcept {
    struct Table {
        char pairs[512];
        constexpr Table() noexcept : pairs() {
            for (int byte = 0; byte < 256; ++byte) {
                pairs[2 * byte] = "0123456789abcdef"[byte >> 4];
                pairs[2 * byte + 1] = "0123456789abcdef"[byte & 15];
            }
        }
    };
    static constexpr Table table;
    for (int byte = 0; byte < 8; ++byte)  // unrolled by the compiler: constant trip count
        std::memcpy(out + 2 * byte, table.pairs + 2 * ((value >> (56 - 8 * byte)) & 0xFF), 2);
}
#endif

}  // namespace detail

// Writes JSON text into a fixed buffer and flushes it to a Sink when full and at the end.
// Text goes in by runs, not byte by byte: a run of bytes that need no escaping is one copy.
class JsonWriter {
  public:
    static constexpr std::size_t buffer_size = 256;

    explicit JsonWriter(Sink sink) noexcept : sink_(sink) {}
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    ~JsonWriter() { flush(); }

    // Appends bytes that are already JSON (punctuation, keys we wrote ourselves).
    void raw(std::string_view text) noexcept {
#if defined(__OPTIMIZE_SIZE__)
        for (char c : text) raw(c);  // the smallest code
#else
        if (text.size() <= buffer_size - used_) {  // nearly always: one inline copy
            detail::copy_bytes(buffer_ + used_, text.data(), text.size());
            used_ += text.size();
        } else {
            raw_in_pieces(text);
        }
#endif
    }
    void raw(char c) noexcept {
        if (used_ == buffer_size) flush();
        buffer_[used_++] = c;
    }

    // Appends `text` as a quoted JSON string, escaped and with invalid UTF-8 replaced.
    void string(std::string_view text) noexcept {
        raw('"');
        string_body(text);
        raw('"');
    }

    // Appends the escaped contents of a string without the quotes, so a caller can build
    // one JSON string from several pieces.
    void string_body(std::string_view text) noexcept {
        const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
        const std::size_t size = text.size();
        std::size_t i = 0;
        while (i < size) {
#if defined(__OPTIMIZE_SIZE__)
            const unsigned char c = bytes[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {  // byte by byte: the smallest code
                raw(static_cast<char>(c));
                ++i;
                continue;
            }
#else
            const std::size_t run = i + detail::plain_json_prefix(bytes + i, size - i);
            if (run != i) {  // a run that needs no escaping: one copy
                raw(text.substr(i, run - i));
                i = run;
                if (i == size) break;
            }
            const unsigned char c = bytes[i];
#endif
            if (c < 0x80) {
                escape_ascii(c);
                ++i;
            } else {
                std::size_t invalid = 0;
                const std::size_t length = detail::utf8_valid_length(bytes + i, size - i, invalid);
                if (length == 0) {
                    raw("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
                    i += invalid;
                } else {
                    raw(text.substr(i, length));
                    i += length;
                }
            }
        }
    }

    // Appends an unsigned integer in decimal.
    void number(std::uint64_t value) noexcept {
        char digits[20];
        raw(std::string_view(digits, static_cast<std::size_t>(detail::write_decimal_fast(value, digits) - digits)));
    }

    // Direct access for pieces of known maximum size (at most buffer_size): returns where
    // to write `size` bytes at most, flushing first if they might not fit; commit() then
    // takes what was written, up to its end.
    char* reserve(std::size_t size) noexcept {
        if (buffer_size - used_ < size) flush();
        return buffer_ + used_;
    }
    void commit(const char* end) noexcept { used_ = static_cast<std::size_t>(end - buffer_); }

    void flush() noexcept {
        if (used_ != 0) sink_.write(buffer_, used_);
        used_ = 0;
    }

  private:
    void raw_in_pieces(std::string_view text) noexcept {
        while (!text.empty()) {
            if (used_ == buffer_size) flush();
            const std::size_t piece = text.size() < buffer_size - used_ ? text.size() : buffer_size - used_;
            std::memcpy(buffer_ + used_, text.data(), piece);
            used_ += piece;
            text.remove_prefix(piece);
        }
    }

    void escape_ascii(unsigned char c) noexcept {
        constexpr char hex[] = "0123456789abcdef";
        char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        std::size_t size = 2;
        switch (c) {
            case '"': escape[1] = '"'; break;
            case '\\': escape[1] = '\\'; break;
            case '\b': escape[1] = 'b'; break;
            case '\f': escape[1] = 'f'; break;
            case '\n': escape[1] = 'n'; break;
            case '\r': escape[1] = 'r'; break;
            case '\t': escape[1] = 't'; break;
            default: size = 6; break;
        }
        raw(std::string_view(escape, size));
    }

    Sink sink_;
    std::size_t used_ = 0;
    char buffer_[buffer_size];
};

MICROTRACE_END_NAMESPACE
