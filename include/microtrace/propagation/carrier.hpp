// microtrace/propagation/carrier.hpp — how propagators read and write headers.
//
// A carrier is any type with these two members (propagators call nothing else):
//
//   template <class Visit> void for_each_value(std::string_view name, Visit&& visit) const;
//       Calls visit(std::string_view value) once per header line called `name`, in the
//       order received. `name` is lowercase; match it ignoring case (header_name_equals).
//       The views must stay valid until the extract call returns.
//   void set(std::string_view name, std::string_view value) const;
//       Sends header `name` (lowercase) with `value`, replacing any earlier one. (A carrier
//       is a view of headers held elsewhere, so writing through a const one is fine.)
//
// Ready-made: HeaderListCarrier adapts std::map, std::unordered_map, std::multimap and
// vectors of name/value pairs (extract and inject also accept those containers directly);
// CallbackCarrier adapts two lambdas, for frameworks with their own header types. The
// propagators never allocate; a container that stores std::string does, by its nature.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../config.hpp"

MICROTRACE_BEGIN_NAMESPACE

// The header names the propagators read and write, lowercase as they are sent.
namespace header {
inline constexpr std::string_view traceparent = "traceparent";
inline constexpr std::string_view tracestate = "tracestate";
inline constexpr std::string_view baggage = "baggage";
inline constexpr std::string_view b3 = "b3";
inline constexpr std::string_view b3_trace_id = "x-b3-traceid";
inline constexpr std::string_view b3_span_id = "x-b3-spanid";
inline constexpr std::string_view b3_parent_span_id = "x-b3-parentspanid";
inline constexpr std::string_view b3_sampled = "x-b3-sampled";
inline constexpr std::string_view b3_flags = "x-b3-flags";
}  // namespace header

// Returns true when `name` is `lowercase_name` in any ASCII case: HTTP header names are
// case-insensitive, and every spec we speak says to accept any case.
constexpr bool header_name_equals(std::string_view name, std::string_view lowercase_name) noexcept {
    if (name.size() != lowercase_name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower != lowercase_name[i]) return false;
    }
    return true;
}

namespace detail {

// RFC 7230 optional whitespace: space and horizontal tab, nothing else.
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// Returns `text` without the optional whitespace around it.
constexpr std::string_view trim_ows(std::string_view text) noexcept {
    std::size_t begin = 0, end = text.size();
    while (begin < end && is_ows(text[begin])) ++begin;
    while (end > begin && is_ows(text[end - 1])) --end;
    return text.substr(begin, end - begin);
}

// Calls visit(piece) for each part of `list` between `separator`s, OWS trimmed, empty
// parts included; stops early when visit returns false. Returns false if it stopped.
// The one list splitter behind tracestate (`,`), baggage (`,` and `;`) and `ot` (`;`).
template <class Visit>
constexpr bool for_each_list_item(std::string_view list, char separator, Visit&& visit) {
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = list.find(separator, begin);
        const std::string_view item = list.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
        if (!visit(trim_ows(item))) return false;
        if (end == std::string_view::npos) return true;
        begin = end + 1;
    }
}

// A visitor that accepts any value: used to detect the carrier interface.
struct AnyValueVisitor {
    void operator()(std::string_view) const noexcept {}
};

template <class T, class = void>
struct is_carrier : std::false_type {};
template <class T>
struct is_carrier<T, std::void_t<decltype(std::declval<const T&>().for_each_value(std::string_view{}, AnyValueVisitor{}))>>
    : std::true_type {};

template <class T, class = void>
struct is_associative : std::false_type {};
template <class T>
struct is_associative<T, std::void_t<typename T::key_type, typename T::mapped_type>> : std::true_type {};

}  // namespace detail

// True for types with the carrier members above.
template <class T>
inline constexpr bool is_carrier_v = detail::is_carrier<std::remove_cv_t<T>>::value;

// A carrier over a container of name/value string pairs: std::map, std::unordered_map,
// std::multimap, std::vector<std::pair<std::string, std::string>> and the like. Reading
// scans every entry, so names in any case, and repeated lines, are all seen. Writing
// replaces every entry with that name (in any case) by one lowercase entry.
template <class Headers>
class HeaderListCarrier {
  public:
    explicit HeaderListCarrier(Headers& headers) noexcept : headers_(headers) {}

    template <class Visit>
    void for_each_value(std::string_view name, Visit&& visit) const {
        for (const auto& entry : headers_)
            if (header_name_equals(std::string_view(entry.first), name)) visit(std::string_view(entry.second));
    }

    void set(std::string_view name, std::string_view value) const {
        if constexpr (detail::is_associative<std::remove_cv_t<Headers>>::value) {
            for (auto it = headers_.begin(); it != headers_.end();) {
                if (header_name_equals(std::string_view(it->first), name))
                    it = headers_.erase(it);
                else
                    ++it;
            }
            headers_.emplace(typename Headers::key_type(name), typename Headers::mapped_type(value));
        } else {
            using Entry = typename Headers::value_type;
            bool replaced = false;
            for (auto it = headers_.begin(); it != headers_.end();) {
                if (!header_name_equals(std::string_view(it->first), name)) {
                    ++it;
                } else if (!replaced) {
                    it->first = typename Entry::first_type(name);
                    it->second = typename Entry::second_type(value);
                    replaced = true;
                    ++it;
                } else {
                    it = headers_.erase(it);
                }
            }
            if (!replaced) headers_.emplace_back(typename Entry::first_type(name), typename Entry::second_type(value));
        }
    }

  private:
    Headers& headers_;
};

// A carrier made of two callables, for header types of your own:
//
//   auto carrier = microtrace::CallbackCarrier(
//       [&](std::string_view name, auto&& visit) {       // every line called `name`
//           for (const Header& h : request.headers)
//               if (microtrace::header_name_equals(h.name, name)) visit(h.value);
//       },
//       [&](std::string_view name, std::string_view value) { response.add(name, value); });
//
// Pass a no-op for the side you do not use.
template <class Get, class Set>
class CallbackCarrier {
  public:
    CallbackCarrier(Get get, Set set) noexcept(std::is_nothrow_move_constructible_v<Get> &&
                                               std::is_nothrow_move_constructible_v<Set>)
        : get_(std::move(get)), set_(std::move(set)) {}

    template <class Visit>
    void for_each_value(std::string_view name, Visit&& visit) const {
        get_(name, visit);
    }
    void set(std::string_view name, std::string_view value) const { set_(name, value); }

  private:
    // A carrier is a view: calling its callables (even stateful ones) is not a change to it.
    mutable Get get_;
    mutable Set set_;
};

namespace detail {

// Lets extract/inject take a carrier, or a header container they wrap in a
// HeaderListCarrier. Returns a reference to a carrier, or the wrapper by value.
template <class T>
decltype(auto) as_carrier(T& headers) noexcept {
    if constexpr (is_carrier_v<T>)
        return (headers);
    else
        return HeaderListCarrier<T>(headers);
}

// Sets `first` to the first line of header `name` and returns how many lines there are:
// B3 takes the first value; two traceparent lines make it invalid.
template <class Carrier>
std::size_t first_value(const Carrier& carrier, std::string_view name, std::string_view& first) {
    std::size_t count = 0;
    carrier.for_each_value(name, [&](std::string_view value) {
        if (count++ == 0) first = value;
    });
    return count;
}

}  // namespace detail

MICROTRACE_END_NAMESPACE
