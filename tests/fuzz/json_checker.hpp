// tests/fuzz/json_checker.hpp — a small strict JSON parser for the fuzz targets and the
// reliability tests, written from RFC 8259 and independently of include/microtrace/json.hpp.
//
// Strict means: one value and nothing after it but whitespace; no trailing commas, no
// leading zeros, no bare control characters in strings, only the escapes RFC 8259 lists,
// \u surrogates only in pairs, and the text must be valid UTF-8 (RFC 8259 section 8.1).
// Duplicate object keys are refused too (unless the caller collects them): Zipkin's tags are
// a map, and a reader keeping the last of two keys would silently lose one value.
//
// It builds a small tree so the tests can compare what came out with what went in; strings
// are decoded to UTF-8. Also here: utf8_lossy(), the Unicode "maximal subpart" replacement
// (Unicode 15, section 3.9, table 3-7), written table-first so it checks json.hpp rather than
// repeating it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microtrace_fuzz {

// ---- UTF-8 ----

// Well-formed UTF-8 (Unicode table 3-7): for each lead byte, the allowed range of the second
// byte and the number of bytes in the sequence. A lead outside every row is ill-formed.
struct Utf8Row {
    unsigned char lead_low, lead_high, second_low, second_high, length;
};
inline constexpr Utf8Row utf8_rows[] = {
    {0x00, 0x7F, 0x00, 0x00, 1}, {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
    {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
    {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

// Length of the well-formed sequence at bytes[0..size), or 0 with `consumed` set to the
// maximal subpart (at least 1) to replace by one U+FFFD.
inline std::size_t utf8_sequence(const unsigned char* bytes, std::size_t size, std::size_t& consumed) {
    for (const Utf8Row& row : utf8_rows) {
        if (bytes[0] < row.lead_low || bytes[0] > row.lead_high) continue;
        for (std::size_t i = 1; i < row.length; ++i) {
            const unsigned char low = i == 1 ? row.second_low : 0x80, high = i == 1 ? row.second_high : 0xBF;
            if (i >= size || bytes[i] < low || bytes[i] > high) {
                consumed = i;
                return 0;
            }
        }
        return row.length;
    }
    consumed = 1;
    return 0;
}

// `bytes` with each maximal ill-formed subpart replaced by U+FFFD.
inline std::string utf8_lossy(std::string_view text) {
    std::string out;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t consumed = 0;
        const std::size_t length = utf8_sequence(bytes + i, text.size() - i, consumed);
        if (length > 0) {
            out.append(text.data() + i, length);
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            i += consumed;
        }
    }
    return out;
}

inline bool is_valid_utf8(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t consumed = 0;
        const std::size_t length = utf8_sequence(bytes + i, text.size() - i, consumed);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

// ---- JSON ----

struct JsonMember;

struct JsonValue {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::string text;  // a number's text, or a string decoded to UTF-8
    std::vector<JsonValue> items;
    std::vector<JsonMember> members;  // in document order (JsonMember: clang's C++20
                                      // library rejects std::pair of a still-incomplete type)

    bool is(Kind k) const { return kind == k; }
    // The member called `key`, or nullptr.
    const JsonValue* find(std::string_view key) const;
};

struct JsonMember {
    std::string name;
    JsonValue value;
};

inline const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& member : members)
        if (member.name == key) return &member.value;
    return nullptr;
}

class JsonParser {
  public:
    static constexpr int max_depth = 64;

    // Parses all of `text` as one JSON value. False, with `error` saying where and why, when
    // it is not strictly valid. With `duplicates`, a repeated object key is recorded there
    // instead of failing the parse.
    static bool parse(std::string_view text, JsonValue& out, std::string& error,
                      std::vector<std::string>* duplicates = nullptr) {
        JsonParser parser(text);
        parser.duplicates_ = duplicates;
        if (!is_valid_utf8(text)) return parser.fail("not valid UTF-8", error);
        parser.skip_whitespace();
        if (!parser.value(out, 0)) return parser.fail(parser.error_, error);
        parser.skip_whitespace();
        if (parser.at_ != text.size()) return parser.fail("text after the value", error);
        return true;
    }

  private:
    explicit JsonParser(std::string_view text) : text_(text) {}

    bool fail(const std::string& why, std::string& error) const {
        error = why + " at byte " + std::to_string(at_);
        return false;
    }
    bool error(const char* why) {
        if (error_.empty()) error_ = why;
        return false;
    }
    bool done() const { return at_ >= text_.size(); }
    char peek() const { return done() ? '\0' : text_[at_]; }
    bool eat(char c) {
        if (done() || text_[at_] != c) return false;
        ++at_;
        return true;
    }
    void skip_whitespace() {
        while (!done() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) ++at_;
    }
    bool literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return error("bad literal");
        at_ += word.size();
        return true;
    }

    bool value(JsonValue& out, int depth) {
        if (depth > max_depth) return error("nested too deep");
        switch (peek()) {
            case '{': return object(out, depth);
            case '[': return array(out, depth);
            case '"': out.kind = JsonValue::Kind::string; return string(out.text);
            case 't': out.kind = JsonValue::Kind::boolean; out.boolean = true; return literal("true");
            case 'f': out.kind = JsonValue::Kind::boolean; out.boolean = false; return literal("false");
            case 'n': out.kind = JsonValue::Kind::null; return literal("null");
            default: out.kind = JsonValue::Kind::number; return number(out.text);
        }
    }

    bool object(JsonValue& out, int depth) {
        out.kind = JsonValue::Kind::object;
        ++at_;  // {
        skip_whitespace();
        if (eat('}')) return true;
        for (;;) {
            skip_whitespace();
            std::string key;
            if (peek() != '"' || !string(key)) return error("expected a string key");
            for (const auto& member : out.members) {
                if (member.name != key) continue;
                if (duplicates_ == nullptr) return error("duplicate object key");
                duplicates_->push_back(key);
                break;
            }
            skip_whitespace();
            if (!eat(':')) return error("expected ':'");
            skip_whitespace();
            JsonValue member;
            if (!value(member, depth + 1)) return false;
            out.members.push_back(JsonMember{std::move(key), std::move(member)});
            skip_whitespace();
            if (eat('}')) return true;
            if (!eat(',')) return error("expected ',' or '}'");
        }
    }

    bool array(JsonValue& out, int depth) {
        out.kind = JsonValue::Kind::array;
        ++at_;  // [
        skip_whitespace();
        if (eat(']')) return true;
        for (;;) {
            skip_whitespace();
            JsonValue item;
            if (!value(item, depth + 1)) return false;
            out.items.push_back(std::move(item));
            skip_whitespace();
            if (eat(']')) return true;
            if (!eat(',')) return error("expected ',' or ']'");
        }
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    bool number(std::string& out) {
        const std::size_t begin = at_;
        eat('-');
        if (eat('0')) {
            if (is_digit(peek())) return error("leading zero");
        } else {
            if (!is_digit(peek()) || peek() == '0') return error("expected a value");
            while (is_digit(peek())) ++at_;
        }
        if (eat('.')) {
            if (!is_digit(peek())) return error("expected a digit after '.'");
            while (is_digit(peek())) ++at_;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++at_;
            if (peek() == '+' || peek() == '-') ++at_;
            if (!is_digit(peek())) return error("expected an exponent");
            while (is_digit(peek())) ++at_;
        }
        out.assign(text_.substr(begin, at_ - begin));
        return true;
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(std::uint32_t& unit) {
        unit = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hex_value(peek());
            if (digit < 0) return error("bad \\u escape");
            unit = unit * 16 + static_cast<std::uint32_t>(digit);
            ++at_;
        }
        return true;
    }

    static void append_utf8(std::uint32_t code, std::string& out) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    bool string(std::string& out) {
        ++at_;  // "
        for (;;) {
            if (done()) return error("unterminated string");
            const auto c = static_cast<unsigned char>(text_[at_]);
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c < 0x20) return error("control character in a string");
            if (c != '\\') {
                out += static_cast<char>(c);  // the whole text is valid UTF-8, checked up front
                ++at_;
                continue;
            }
            ++at_;
            const char escape = peek();
            ++at_;
            switch (escape) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t unit = 0;
                    if (!hex4(unit)) return false;
                    if (unit >= 0xDC00 && unit <= 0xDFFF) return error("lone low surrogate");
                    if (unit >= 0xD800 && unit <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF)
                            return error("lone high surrogate");
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    }
                    append_utf8(unit, out);
                    break;
                }
                default: return error("bad escape");
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
    std::string error_;
    std::vector<std::string>* duplicates_ = nullptr;
};

// True when `text` is exactly one strictly valid JSON value (valid UTF-8 included).
inline bool is_strict_json(std::string_view text) {
    JsonValue value;
    std::string error;
    return JsonParser::parse(text, value, error);
}

}  // namespace microtrace_fuzz
