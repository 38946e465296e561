// microtrace/propagation/tracestate.hpp — W3C tracestate: parse, read, mutate, send, all in
// bounded inline storage; plus OpenTelemetry's `ot` member (the sampling threshold `th`).
//
// Receiving (W3C Trace Context Level 2, "tracestate Header"):
//   - Lines of the header are joined in order; empty members and spaces/tabs around members
//     are allowed.
//   - Strict: one invalid member, or more than 32 members, drops the whole tracestate (the
//     reading the W3C test suite checks). `rejected()` then says so.
//   - Keys are read leniently (Level 2: any `@` placement), written strictly (Level 1:
//     `key` or `tenant@system`), so what we emit is valid for every reader.
//   - A repeated key keeps its first (left-most, most recent) member; the others are dropped.
//   - What does not fit MICROTRACE_TRACESTATE_BYTES / _MAX_MEMBERS is cut by whole
//     members: first those longer than 128 characters, right-most first, then from the
//     right. Every dropped member is counted in `dropped_members()`.
// Mutating: set() moves the key to the front; other members keep their order; when full,
// members are dropped as above (never the one just set).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "../config.hpp"
#include "../context.hpp"
#include "../samplers/threshold.hpp"
#include "carrier.hpp"

MICROTRACE_BEGIN_NAMESPACE

namespace detail {

constexpr bool is_tracestate_lcalpha_or_digit(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// keychar without `@`: lowercase letters, digits, `_`, `-`, `*`, `/`.
constexpr bool is_tracestate_key_char(char c) noexcept {
    return is_tracestate_lcalpha_or_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

// Checks `text` is 1 to `max_size` key chars, starting with a lowercase letter (or also a
// digit, when `digit_first`), with `@` allowed when `allow_at`.
constexpr bool is_tracestate_key_part(std::string_view text, std::size_t max_size, bool digit_first, bool allow_at) noexcept {
    if (text.empty() || text.size() > max_size) return false;
    const char first = text[0];
    if (!((first >= 'a' && first <= 'z') || (digit_first && first >= '0' && first <= '9'))) return false;
    for (std::size_t i = 1; i < text.size(); ++i)
        if (!is_tracestate_key_char(text[i]) && !(allow_at && text[i] == '@')) return false;
    return true;
}

// Level 2, for keys we receive: a lowercase letter or digit, then up to 255 of
// `a-z 0-9 _ - * / @`.
constexpr bool is_valid_received_tracestate_key(std::string_view key) noexcept {
    return is_tracestate_key_part(key, 256, true, true);
}

// Level 1, for keys we write: `simple-key` (a lowercase letter first, up to 256) or
// `tenant@system` (tenant: up to 241, a letter or digit first; system: up to 14, a letter
// first). Every Level 1 and Level 2 reader accepts these.
constexpr bool is_valid_written_tracestate_key(std::string_view key) noexcept {
    const std::size_t at = key.find('@');
    if (at == std::string_view::npos) return is_tracestate_key_part(key, 256, false, false);
    return is_tracestate_key_part(key.substr(0, at), 241, true, false) &&
           is_tracestate_key_part(key.substr(at + 1), 14, false, false);
}

// 1 to 256 printable ASCII characters (0x20-0x7E) except `,` and `=`, not ending in a space.
constexpr bool is_valid_tracestate_value(std::string_view value) noexcept {
    if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
    for (const char c : value)
        if (c < 0x20 || c > 0x7E || c == ',' || c == '=') return false;
    return true;
}

}  // namespace detail

class TraceState {
  public:
    static constexpr std::size_t max_members = config::tracestate_max_members;
    // Characters of the header kept and sent, commas included.
    static constexpr std::size_t capacity = config::tracestate_bytes;
    // W3C: the header holds at most 32 members; more make it invalid.
    static constexpr std::size_t max_received_members = 32;
    // W3C: when cutting, members longer than this go first.
    static constexpr std::size_t long_member_size = 128;

    struct Member {
        std::string_view key;
        std::string_view value;
    };

    TraceState() noexcept = default;
    // Copies only the used part of the storage.
    TraceState(const TraceState& other) noexcept { *this = other; }
    TraceState& operator=(const TraceState& other) noexcept {
        if (this == &other) return *this;
        std::memcpy(chars_, other.chars_, other.size_);
        std::memcpy(slots_, other.slots_, other.count_ * sizeof(Slot));
        size_ = other.size_;
        count_ = other.count_;
        dropped_members_ = other.dropped_members_;
        rejected_ = other.rejected_;
        return *this;
    }

    // ---- Reading ----

    bool empty() const noexcept { return count_ == 0; }
    // Number of members.
    std::size_t size() const noexcept { return count_; }
    // Member `index`, 0 being the left-most.
    Member operator[](std::size_t index) const noexcept {
        const Slot& slot = slots_[index];
        return {{chars_ + slot.offset, slot.key_size}, {chars_ + slot.offset + slot.key_size + 1, slot.value_size}};
    }
    // Returns the value of `key`, or an empty view when it is absent (values are never empty).
    std::string_view get(std::string_view key) const noexcept {
        const std::size_t index = find(key);
        return index < count_ ? (*this)[index].value : std::string_view{};
    }
    bool contains(std::string_view key) const noexcept { return find(key) < count_; }
    // The header as sent: `key=value` members joined by commas, no whitespace.
    std::string_view header() const noexcept { return {chars_, size_}; }

    // Members received or set but not kept: repeated keys, and what did not fit.
    std::size_t dropped_members() const noexcept { return dropped_members_; }
    // True when the last parse found the header invalid and dropped all of it.
    bool rejected() const noexcept { return rejected_; }

    // ---- Receiving ----

    // Replaces the contents with a received header. Returns false, leaving the state empty
    // and rejected(), when the header is invalid.
    bool parse(std::string_view header) noexcept {
        return parse_lines([header](auto&& visit_line) { visit_line(header); });
    }

    // Same for a header sent as several lines: `for_each_line(visit_line)` calls
    // `visit_line(std::string_view)` for each line in order. The lines must stay valid
    // until this returns.
    template <class ForEachLine>
    bool parse_lines(ForEachLine&& for_each_line) {
        clear();
        dropped_members_ = 0;
        rejected_ = false;
        Member received[max_received_members];
        std::size_t count = 0;
        bool valid = true;
        for_each_line([&](std::string_view line) {
            if (!valid) return;  // already rejected: skip the rest without looking
            valid = detail::for_each_list_item(line, ',', [&](std::string_view item) {
                if (item.empty()) return true;
                if (count == max_received_members) return false;
                Member& member = received[count];
                if (!split_member(item, member) || !detail::is_valid_received_tracestate_key(member.key) ||
                    !detail::is_valid_tracestate_value(member.value))
                    return false;
                ++count;
                return true;
            });
        });
        if (!valid) {
            rejected_ = true;
            return false;
        }

        std::uint16_t sizes[max_received_members] = {};
        std::uint32_t keep = 0;
        for (std::size_t i = 0; i < count; ++i) {
            sizes[i] = member_size(received[i]);
            keep |= std::uint32_t{1} << i;
            for (std::size_t j = 0; j < i; ++j) {
                if (((keep >> j) & 1) && received[j].key == received[i].key) {
                    keep &= ~(std::uint32_t{1} << i);  // a repeated key: the first one stays
                    ++dropped_members_;
                    break;
                }
            }
        }
        keep = fit_within_limits(sizes, count, keep, no_member);
        for (std::size_t i = 0; i < count; ++i)
            if ((keep >> i) & 1) append(received[i]);
        return true;
    }

    // ---- Mutating ----

    // Sets `key` to `value` and moves it to the front, as a vendor does when it updates its
    // member. The key must be a Level 1 key and the value valid; if the result does not
    // fit, other members are dropped (long ones first, then from the right). Returns
    // false, changing nothing, when the key or value is invalid or the member alone
    // cannot fit.
    bool set(std::string_view key, std::string_view value) noexcept {
        if (!detail::is_valid_written_tracestate_key(key) || !detail::is_valid_tracestate_value(value)) return false;
        const Member added{key, value};
        if (member_size(added) > capacity) return false;
        erase(key);

        // Candidates: the new member at index 0, then the current members in order.
        std::uint16_t sizes[max_members + 1];
        sizes[0] = member_size(added);
        for (std::size_t i = 0; i < count_; ++i) sizes[i + 1] = member_size((*this)[i]);
        const std::size_t candidates = count_ + 1;
        const std::uint64_t all = (std::uint64_t{1} << candidates) - 1;
        const std::uint64_t keep = fit_within_limits(sizes, candidates, all, 0);
        keep_only(static_cast<std::uint32_t>(keep >> 1));
        prepend(added);
        return true;
    }

    // Removes `key`; returns whether it was there.
    bool erase(std::string_view key) noexcept {
        const std::size_t index = find(key);
        if (index >= count_) return false;
        keep_only(all_members() & ~(std::uint32_t{1} << index));
        return true;
    }

    // Removes every member (the counters stay).
    void clear() noexcept {
        size_ = 0;
        count_ = 0;
    }

    // Same members in the same order.
    friend bool operator==(const TraceState& a, const TraceState& b) noexcept { return a.header() == b.header(); }
    friend bool operator!=(const TraceState& a, const TraceState& b) noexcept { return !(a == b); }

  private:
    // Where member i lives in chars_: `key=value` starting at offset.
    struct Slot {
        std::uint16_t offset;
        std::uint16_t key_size;
        std::uint16_t value_size;
    };
    static constexpr std::size_t no_member = ~std::size_t{0};

    static std::uint16_t member_size(const Member& member) noexcept {
        return static_cast<std::uint16_t>(member.key.size() + 1 + member.value.size());
    }

    // Splits `key=value` at the first `=`; false when there is none.
    static bool split_member(std::string_view item, Member& member) noexcept {
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos) return false;
        member = {item.substr(0, equals), item.substr(equals + 1)};
        return true;
    }

    // W3C "tracestate Limits": returns `keep` (a bit per member of `sizes`) minus the
    // members dropped so that the rest fit `capacity` characters (with commas) and
    // `max_members`: first members longer than long_member_size, right-most first, then
    // from the right. Never drops `protected_index`. Each drop is counted.
    template <class Mask>
    Mask fit_within_limits(const std::uint16_t* sizes, std::size_t count, Mask keep, std::size_t protected_index) noexcept {
        std::size_t kept = 0, chars = 0;
        for (std::size_t i = 0; i < count; ++i)
            if ((keep >> i) & 1) {
                ++kept;
                chars += sizes[i];
            }
        const auto header_size = [&] { return chars + (kept > 0 ? kept - 1 : 0); };
        const auto drop = [&](std::size_t i) {
            keep &= static_cast<Mask>(~(Mask{1} << i));
            --kept;
            chars -= sizes[i];
            ++dropped_members_;
        };
        for (std::size_t i = count; i-- > 0;)
            if (header_size() > capacity && ((keep >> i) & 1) && i != protected_index && sizes[i] > long_member_size) drop(i);
        for (std::size_t i = count; i-- > 0;)
            if ((header_size() > capacity || kept > max_members) && ((keep >> i) & 1) && i != protected_index) drop(i);
        return keep;
    }

    std::size_t find(std::string_view key) const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if ((*this)[i].key == key) return i;
        return count_;
    }

    std::uint32_t all_members() const noexcept {
        return count_ == 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << count_) - 1;
    }

    // Adds `member` at the right end; the caller made sure it fits.
    void append(const Member& member) noexcept {
        std::size_t at = size_;
        if (count_ > 0) chars_[at++] = ',';
        write_member(at, member);
        slots_[count_++] = {static_cast<std::uint16_t>(at), static_cast<std::uint16_t>(member.key.size()),
                            static_cast<std::uint16_t>(member.value.size())};
        size_ = static_cast<std::uint16_t>(at + member_size(member));
    }

    // Adds `member` at the left end, shifting the others right; the caller made room.
    void prepend(const Member& member) noexcept {
        const std::size_t shift = member_size(member) + (count_ > 0 ? std::size_t{1} : std::size_t{0});
        std::memmove(chars_ + shift, chars_, size_);
        std::memmove(slots_ + 1, slots_, count_ * sizeof(Slot));
        for (std::size_t i = 1; i <= count_; ++i) slots_[i].offset = static_cast<std::uint16_t>(slots_[i].offset + shift);
        write_member(0, member);
        if (count_ > 0) chars_[member_size(member)] = ',';
        slots_[0] = {0, static_cast<std::uint16_t>(member.key.size()), static_cast<std::uint16_t>(member.value.size())};
        ++count_;
        size_ = static_cast<std::uint16_t>(size_ + shift);
    }

    // Keeps the members whose bit is set in `keep`, in order, closing the gaps.
    void keep_only(std::uint32_t keep) noexcept {
        std::size_t kept = 0, at = 0;
        for (std::size_t i = 0; i < count_; ++i) {
            if (!((keep >> i) & 1)) continue;
            Slot slot = slots_[i];
            if (kept > 0) chars_[at++] = ',';
            const std::size_t length = std::size_t{slot.key_size} + 1 + slot.value_size;
            std::memmove(chars_ + at, chars_ + slot.offset, length);  // at <= offset: moves left only
            slot.offset = static_cast<std::uint16_t>(at);
            slots_[kept++] = slot;
            at += length;
        }
        count_ = static_cast<std::uint16_t>(kept);
        size_ = static_cast<std::uint16_t>(at);
    }

    void write_member(std::size_t at, const Member& member) noexcept {
        std::memcpy(chars_ + at, member.key.data(), member.key.size());
        chars_[at + member.key.size()] = '=';
        std::memcpy(chars_ + at + member.key.size() + 1, member.value.data(), member.value.size());
    }

    char chars_[capacity];  // the header itself; only [0, size_) is ever read
    Slot slots_[max_members];
    std::uint16_t size_ = 0;
    std::uint16_t count_ = 0;
    std::uint16_t dropped_members_ = 0;
    bool rejected_ = false;
};

// ---- OpenTelemetry's `ot` member ----
//
// OpenTelemetry keeps all its tracestate values in one member, `ot`, as `key:value` pairs
// joined by `;` (e.g. `ot=th:c;rv:0123456789abcd`). `th` is the sampling threshold that
// travels as SpanContext::sampling_threshold; `rv` is explicit randomness.

inline constexpr std::string_view otel_tracestate_key = "ot";

// Returns the value of sub-key `key` in an `ot` value (`th` in `th:8;rv:...` is `8`), or
// an empty view when it is absent.
constexpr std::string_view otel_sub_value(std::string_view ot_value, std::string_view key) noexcept {
    std::string_view found;
    detail::for_each_list_item(ot_value, ';', [&](std::string_view item) {
        if (item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == ':') {
            found = item.substr(key.size() + 1);
            return false;
        }
        return true;
    });
    return found;
}

// Sets sub-key `key` of the `ot` member to `value` (an empty value removes it; `ot` goes
// when it has nothing left). A changed `ot` moves to the front, as W3C wants of a
// modified member; an unchanged state is left exactly as it was. Returns false, changing
// nothing, when the `ot` value would pass 256 characters or not fit.
inline bool set_otel_sub_value(TraceState& state, std::string_view key, std::string_view value) noexcept {
    const std::string_view current = state.get(otel_tracestate_key);
    constexpr std::size_t max_value = 256;
    char updated[max_value];
    std::size_t size = 0;
    bool fits = true;
    const auto append = [&](std::string_view piece) {
        if (piece.size() > max_value - size) {
            fits = false;
            return;
        }
        std::memcpy(updated + size, piece.data(), piece.size());
        size += piece.size();
    };
    if (!value.empty()) {
        append(key);
        append(":");
        append(value);
    }
    detail::for_each_list_item(current, ';', [&](std::string_view item) {
        const bool replaced = item.size() > key.size() && item.substr(0, key.size()) == key && item[key.size()] == ':';
        if (!item.empty() && !replaced) {
            if (size > 0) append(";");
            append(item);
        }
        return fits;
    });
    if (!fits) return false;
    const std::string_view result(updated, size);
    if (result == current) return true;
    if (!result.empty()) return state.set(otel_tracestate_key, result);
    state.erase(otel_tracestate_key);
    return true;
}

// Returns the sampling threshold `ot=th` in `state`, or no_sampling_threshold when there
// is none or it is malformed.
inline std::uint64_t sampling_threshold_of(const TraceState& state) noexcept {
    std::uint64_t threshold = no_sampling_threshold;
    if (!parse_threshold(otel_sub_value(state.get(otel_tracestate_key), "th"), threshold))
        return no_sampling_threshold;
    return threshold;
}

// Returns the explicit randomness `ot=rv` in `state`, or no_explicit_randomness when there
// is none or it is malformed.
inline std::uint64_t explicit_randomness_of(const TraceState& state) noexcept {
    std::uint64_t randomness = no_explicit_randomness;
    if (!parse_randomness(otel_sub_value(state.get(otel_tracestate_key), "rv"), randomness))
        return no_explicit_randomness;
    return randomness;
}

// Makes `state`'s `ot=th` say `threshold`; no_sampling_threshold (or any value that
// cannot be encoded) removes it. Returns false, changing nothing, when it does not fit.
inline bool set_sampling_threshold(TraceState& state, std::uint64_t threshold) noexcept {
    char digits[threshold_hex_digits];
    const std::size_t size = format_threshold(threshold, digits);
    return set_otel_sub_value(state, "th", std::string_view(digits, size));
}

MICROTRACE_END_NAMESPACE
