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
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "detail/decimal.hpp"

MICROTRACE_BEGIN_NAMESPACE

// Where dumps go: a function and its context, called with consecutive chunks.
// Made implicitly from a std::string (appends), a FILE* (fwrite), or any callable
// taking std::string_view.
class Sink {
  public:
    using WriteFn = void (*)(void* context, const char* data, std::size_t size) noexcept;

    Sink(WriteFn write, void* context) noexcept : write_(write), context_(context) {}
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

// Writes JSON text into a fixed buffer and flushes it to a Sink when full and at the end.
class JsonWriter {
  public:
    static constexpr std::size_t buffer_size = 256;

    explicit JsonWriter(Sink sink) noexcept : sink_(sink) {}
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;
    ~JsonWriter() { flush(); }

    // Appends bytes that are already JSON (punctuation, keys we wrote ourselves).
    void raw(std::string_view text) noexcept {
        for (char c : text) put(c);
    }
    void raw(char c) noexcept { put(c); }

    // Appends `text` as a quoted JSON string, escaped and with invalid UTF-8 replaced.
    void string(std::string_view text) noexcept {
        put('"');
        string_body(text);
        put('"');
    }

    // Appends the escaped contents of a string without the quotes, so a caller can build
    // one JSON string from several pieces.
    void string_body(std::string_view text) noexcept {
        const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
        std::size_t i = 0;
        while (i < text.size()) {
            const unsigned char c = bytes[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                put(static_cast<char>(c));
                ++i;
            } else if (c < 0x80) {
                escape_ascii(c);
                ++i;
            } else {
                std::size_t invalid = 0;
                const std::size_t length = detail::utf8_valid_length(bytes + i, text.size() - i, invalid);
                if (length == 0) {
                    raw("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
                    i += invalid;
                } else {
                    for (std::size_t k = 0; k < length; ++k) put(static_cast<char>(bytes[i + k]));
                    i += length;
                }
            }
        }
    }

    // Appends an unsigned integer in decimal.
    void number(std::uint64_t value) noexcept {
        char digits[20];
        raw(std::string_view(digits, static_cast<std::size_t>(detail::write_decimal(value, digits) - digits)));
    }

    void flush() noexcept {
        if (used_ != 0) sink_.write(buffer_, used_);
        used_ = 0;
    }

  private:
    void put(char c) noexcept {
        if (used_ == buffer_size) flush();
        buffer_[used_++] = c;
    }

    void escape_ascii(unsigned char c) noexcept {
        put('\\');
        switch (c) {
            case '"': put('"'); return;
            case '\\': put('\\'); return;
            case '\b': put('b'); return;
            case '\f': put('f'); return;
            case '\n': put('n'); return;
            case '\r': put('r'); return;
            case '\t': put('t'); return;
            default: break;
        }
        constexpr char hex[] = "0123456789abcdef";
        raw("u00");
        put(hex[c >> 4]);
        put(hex[c & 0xF]);
    }

    Sink sink_;
    std::size_t used_ = 0;
    char buffer_[buffer_size];
};

MICROTRACE_END_NAMESPACE
