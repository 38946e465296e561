// tests/support/headers.hpp — header lists for the propagation tests.
//
// Headers: the everyday carrier, a vector of name/value pairs (it allocates, as any
// std::string container does). FixedHeaders: the same in fixed storage behind a
// CallbackCarrier, for tests that prove extract and inject allocate nothing; it also
// counts how often the propagators look a header up.
#pragma once

#include <microtrace/microtrace.hpp>

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace microtrace_test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Every value of header `name` (compared exactly: what inject writes is lowercase).
inline std::vector<std::string> values_of(const Headers& headers, std::string_view name) {
    std::vector<std::string> found;
    for (const auto& [key, value] : headers)
        if (key == name) found.push_back(value);
    return found;
}

// The value of header `name`, or "<absent>"; "<repeated>" when it was written twice.
inline std::string value_of(const Headers& headers, std::string_view name) {
    const std::vector<std::string> found = values_of(headers, name);
    if (found.empty()) return "<absent>";
    return found.size() == 1 ? found[0] : "<repeated>";
}

// What a pass-through service sends on for `in`: extract, then inject that context.
inline Headers passed_on(const Headers& in, const microtrace::Propagator& propagator = {}) {
    const microtrace::ExtractedContext extracted = propagator.extract(in);
    Headers out;
    propagator.inject(extracted, out);
    return out;
}

// The ids and flags extracted from `in` (the tracestate and baggage pointers cleared: their
// storage is gone when this returns).
inline microtrace::SpanContext context_of(const Headers& in, const microtrace::Propagator& propagator = {}) {
    const microtrace::ExtractedContext extracted = propagator.extract(in);
    microtrace::SpanContext context = extracted.context();
    context.trace_state = nullptr;
    context.baggage = nullptr;
    return context;
}

// A header list in fixed storage. Lines are never erased: a replaced line is marked gone.
class FixedHeaders {
  public:
    static constexpr std::size_t max_lines = 32;
    static constexpr std::size_t storage_size = 32 * 1024;

    void add(std::string_view name, std::string_view value) noexcept {
        if (count_ == max_lines || used_ + name.size() + value.size() > storage_size) {
            overflowed_ = true;
            return;
        }
        lines_[count_++] = {store(name), store(value), true};
    }

    // The first live value of `name` (exact match), or an empty view.
    std::string_view get(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (lines_[i].live && view(lines_[i].name) == name) return view(lines_[i].value);
        return {};
    }
    std::size_t count(std::string_view name) const noexcept {
        std::size_t found = 0;
        for (std::size_t i = 0; i < count_; ++i)
            if (lines_[i].live && view(lines_[i].name) == name) ++found;
        return found;
    }
    // Header lookups made through carrier() so far.
    std::size_t lookups() const noexcept { return lookups_; }
    bool overflowed() const noexcept { return overflowed_; }

    // A CallbackCarrier over these lines: reads any case, writes by replacing.
    auto carrier() noexcept {
        return microtrace::CallbackCarrier(
            [this](std::string_view name, auto&& visit) {
                ++lookups_;
                for (std::size_t i = 0; i < count_; ++i)
                    if (lines_[i].live && microtrace::header_name_equals(view(lines_[i].name), name))
                        visit(view(lines_[i].value));
            },
            [this](std::string_view name, std::string_view value) {
                for (std::size_t i = 0; i < count_; ++i)
                    if (view(lines_[i].name) == name) lines_[i].live = false;
                add(name, value);
            });
    }

  private:
    struct Slice {
        std::size_t offset;
        std::size_t size;
    };
    struct Line {
        Slice name;
        Slice value;
        bool live;
    };

    Slice store(std::string_view text) noexcept {
        if (!text.empty()) std::memcpy(storage_ + used_, text.data(), text.size());
        const Slice slice{used_, text.size()};
        used_ += text.size();
        return slice;
    }
    std::string_view view(Slice slice) const noexcept { return {storage_ + slice.offset, slice.size}; }

    char storage_[storage_size];
    Line lines_[max_lines];
    std::size_t count_ = 0;
    std::size_t used_ = 0;
    std::size_t lookups_ = 0;
    bool overflowed_ = false;
};

}  // namespace microtrace_test
