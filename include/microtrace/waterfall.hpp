// microtrace/waterfall.hpp — one trace as a plain-text waterfall, for a serial console or
// a log line. ASCII only, fixed width, no heap:
//
//   trace 0000000000000000000000000000002a: 3 spans, 16.000 ms
//   frame                   |========================================|  16.000 ms
//     physics               |==========..............................|   4.000 ms
//     render                |..........=============================.|  11.500 ms ERROR
//
// Rows are in tree order (each span followed by its children, siblings by start time),
// indented two spaces a level; each bar is placed and scaled on the trace's own span of
// time ('=' where the span runs, '.' elsewhere).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "recorder.hpp"
#include "span_data.hpp"

MICROTRACE_BEGIN_NAMESPACE

struct WaterfallOptions {
    std::size_t name_width = 24;  // indentation and name, cut or padded (at most 64)
    std::size_t bar_width = 40;   // characters between the bars' '|' (1 to 128)
};

namespace detail {

struct WaterfallRow {
    std::uint64_t start_ns;
    std::uint64_t duration_ns;
    std::uint64_t span_id;
    std::uint64_t parent_id;
    char name[64];
    std::uint8_t name_size;
    bool error;
    bool placed;
};

// Milliseconds with three decimals, from nanoseconds rounded to the microsecond.
inline char* write_waterfall_ms(std::uint64_t ns, char* out) noexcept {
    const std::uint64_t us = (ns + 500) / 1000;
    out = write_decimal(us / 1000, out);
    const auto fraction = static_cast<unsigned>(us % 1000);
    *out++ = '.';
    *out++ = static_cast<char>('0' + fraction / 100);
    *out++ = static_cast<char>('0' + fraction / 10 % 10);
    *out++ = static_cast<char>('0' + fraction % 10);
    return out;
}

class WaterfallPrinter {
  public:
    WaterfallPrinter(Sink sink, WaterfallRow* rows, std::size_t count, WaterfallOptions options) noexcept
        : sink_(sink), rows_(rows), count_(count) {
        name_width_ = options.name_width < 64 ? options.name_width : 64;
        bar_width_ = options.bar_width == 0 ? 1 : options.bar_width < 128 ? options.bar_width : 128;
        begin_ = ~std::uint64_t{0};
        std::uint64_t end = 0;
        for (std::size_t i = 0; i < count; ++i) {
            if (rows[i].start_ns < begin_) begin_ = rows[i].start_ns;
            if (rows[i].start_ns + rows[i].duration_ns > end) end = rows[i].start_ns + rows[i].duration_ns;
        }
        if (count == 0) begin_ = end = 0;
        total_ = end > begin_ ? end - begin_ : 1;
    }

    std::uint64_t total_ns() const noexcept { return count_ == 0 ? 0 : total_; }

    // Prints the rows whose parent is `parent` (0: the roots, and spans whose parent is not
    // among the rows), by start time, each followed by its children.
    void print_children(std::uint64_t parent, std::size_t depth) noexcept {
        for (;;) {
            WaterfallRow* next = nullptr;
            for (std::size_t i = 0; i < count_; ++i) {
                WaterfallRow& row = rows_[i];
                if (row.placed || !is_child(row, parent)) continue;
                if (next == nullptr || row.start_ns < next->start_ns) next = &row;
            }
            if (next == nullptr) return;
            next->placed = true;
            print_row(*next, depth);
            print_children(next->span_id, depth + 1);
        }
    }

    // Rows left over (a parent cycle): printed at the top level.
    void print_rest() noexcept {
        for (std::size_t i = 0; i < count_; ++i) {
            if (rows_[i].placed) continue;
            rows_[i].placed = true;
            print_row(rows_[i], 0);
        }
    }

  private:
    bool is_child(const WaterfallRow& row, std::uint64_t parent) const noexcept {
        if (parent != 0) return row.parent_id == parent && row.parent_id != row.span_id;
        if (row.parent_id == 0) return true;
        for (std::size_t i = 0; i < count_; ++i)
            if (rows_[i].span_id == row.parent_id && &rows_[i] != &row) return false;
        return true;  // its parent is elsewhere (another process, or not recorded)
    }

    void print_row(const WaterfallRow& row, std::size_t depth) noexcept {
        char line[64 + 128 + 48];
        char* out = line;
        std::size_t column = 0;
        const std::size_t indent = depth < 16 ? 2 * depth : 32;
        for (; column < indent && column < name_width_; ++column) *out++ = ' ';
        for (std::size_t i = 0; i < row.name_size && column < name_width_; ++i, ++column) {
            const char c = row.name[i];
            *out++ = c >= 0x20 && c < 0x7F ? c : '?';
        }
        for (; column < name_width_; ++column) *out++ = ' ';
        *out++ = ' ';
        *out++ = '|';
        const std::uint64_t from = row.start_ns - begin_;
        const std::uint64_t to = from + row.duration_ns;
        std::uint64_t first = from * bar_width_ / total_;
        std::uint64_t last = (to * bar_width_ + total_ - 1) / total_;  // one past, rounded up
        if (first >= bar_width_) first = bar_width_ - 1;
        if (last <= first) last = first + 1;
        if (last > bar_width_) last = bar_width_;
        for (std::size_t i = 0; i < bar_width_; ++i) *out++ = i >= first && i < last ? '=' : '.';
        *out++ = '|';
        char ms[32];
        const std::size_t size = static_cast<std::size_t>(write_waterfall_ms(row.duration_ns, ms) - ms);
        for (std::size_t i = size; i < 11; ++i) *out++ = ' ';
        for (std::size_t i = 0; i < size; ++i) *out++ = ms[i];
        *out++ = ' ';
        *out++ = 'm';
        *out++ = 's';
        if (row.error) {
            for (char c : std::string_view(" ERROR")) *out++ = c;
        }
        *out++ = '\n';
        sink_.write(line, static_cast<std::size_t>(out - line));
    }

    Sink sink_;
    WaterfallRow* rows_;
    std::size_t count_;
    std::size_t name_width_;
    std::size_t bar_width_;
    std::uint64_t begin_;
    std::uint64_t total_;
};

}  // namespace detail

// Writes the spans of `trace` that `recorder` holds as a waterfall (at most MaxSpans of
// them, taken in dump order; the rest are counted on a last line). Non-destructive.
// Returns how many spans it printed; 0, and nothing written, when it holds none (or when
// tracing is compiled out). Needs about 100 * MaxSpans bytes of stack.
template <std::size_t MaxSpans = 64>
std::size_t write_waterfall(const RecorderCore& recorder, TraceId trace, Sink sink,
                            WaterfallOptions options = {}) noexcept {
    if constexpr (!config::enabled) return 0;
    detail::WaterfallRow rows[MaxSpans];
    std::size_t count = 0;
    std::size_t more = 0;
    recorder.snapshot([&](const SpanData& span, std::string_view) {
        if (!(span.trace_id == trace)) return;
        if (count == MaxSpans) {
            ++more;
            return;
        }
        detail::WaterfallRow& row = rows[count++];
        row.start_ns = span.start_epoch_ns;
        row.duration_ns = span.duration_ns;
        row.span_id = span.span_id.value;
        row.parent_id = span.parent_id.value;
        const std::string_view name = span.view(span.name);
        row.name_size = static_cast<std::uint8_t>(name.size() < sizeof row.name ? name.size() : sizeof row.name);
        for (std::size_t i = 0; i < row.name_size; ++i) row.name[i] = name[i];
        row.error = span.status == StatusCode::error;
        row.placed = false;
    });
    if (count == 0) return 0;
    detail::WaterfallPrinter printer(sink, rows, count, options);
    char line[128];
    char* out = line;
    for (char c : std::string_view("trace ")) *out++ = c;
    out = trace.write_hex(out);
    *out++ = ':';
    *out++ = ' ';
    out = detail::write_decimal(count + more, out);
    for (char c : std::string_view(count + more == 1 ? " span, " : " spans, ")) *out++ = c;
    out = detail::write_waterfall_ms(printer.total_ns(), out);
    for (char c : std::string_view(" ms\n")) *out++ = c;
    sink.write(line, static_cast<std::size_t>(out - line));
    printer.print_children(0, 0);
    printer.print_rest();
    if (more != 0) {
        out = line;
        for (char c : std::string_view("... ")) *out++ = c;
        out = detail::write_decimal(more, out);
        for (char c : std::string_view(" more spans not shown\n")) *out++ = c;
        sink.write(line, static_cast<std::size_t>(out - line));
    }
    return count;
}

// Writes the waterfall into `buffer` (NUL-terminated, cut to fit). Returns the length of
// the text, as strlen would.
template <std::size_t MaxSpans = 64>
std::size_t write_waterfall(const RecorderCore& recorder, TraceId trace, char* buffer, std::size_t size,
                            WaterfallOptions options = {}) noexcept {
    if (size == 0) return 0;
    std::size_t used = 0;
    auto append = [&](std::string_view text) noexcept {
        for (char c : text)
            if (used + 1 < size) buffer[used++] = c;
    };
    write_waterfall<MaxSpans>(recorder, trace, Sink(append), options);
    buffer[used] = '\0';
    return used;
}

MICROTRACE_END_NAMESPACE
