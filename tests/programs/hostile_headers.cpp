// Hostile input of a given size, each case handled once inside a region callgrind counts on
// its own; tests/check_linear_time.py runs it at two sizes and compares the instruction
// counts (doubling the input may at most roughly double the work).
//
//   hostile_headers SIZE        every case with SIZE-byte headers, one region call each
//   hostile_headers --list      the case names, in the order they run
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=microtrace_hostile_region
//            --dump-after=microtrace_hostile_region hostile_headers 1048576
//
// Inputs are built outside the region; the region extracts (or writes) them and returns a
// summary that is printed, so nothing is optimised away: `case <name> <size> <summary>`.
#include <microtrace/microtrace.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// `piece` repeated to `size` bytes (the last copy cut).
std::string repeat(const std::string& piece, std::size_t size) {
    std::string text;
    text.reserve(size + piece.size());
    while (text.size() < size) text += piece;
    text.resize(size);
    return text;
}

// Bytes that stress every decoder: NULs, controls, non-ASCII, invalid UTF-8, separators.
std::string garbage(std::size_t size) {
    static const char bytes[] = {'\0', '\x01', ',', ';', '=', '%', '\xC3', '\xA9', '\xFF', '\xED', '\xA0',
                                 '\x80', '\xF0', '\x9F', ' ', '\t', 'a', '-', '"', '\\'};
    std::string text(size, '\0');
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (char& c : text) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        c = bytes[(state >> 33) % sizeof bytes];
    }
    return text;
}

struct Case {
    const char* name;
    Headers headers;  // extracted with every format; or, when `json` is set, written as a JSON string
    std::string json;
};

std::vector<Case> cases(std::size_t size) {
    std::string distinct_members;
    for (int i = 0; distinct_members.size() < size; ++i) distinct_members += "k" + std::to_string(i) + "=v,";
    distinct_members.resize(size);
    std::vector<Case> all;
    all.push_back({"traceparent-trailing", {{"traceparent", traceparent + repeat("-", size)}}, {}});
    all.push_back({"traceparent-future", {{"traceparent", "cc" + traceparent.substr(2) + "-" + repeat("x", size)}}, {}});
    all.push_back({"traceparent-ows", {{"traceparent", repeat(" \t", size) + traceparent + repeat(" ", size)}}, {}});
    all.push_back({"traceparent-garbage", {{"traceparent", garbage(size)}}, {}});
    all.push_back({"tracestate-commas", {{"traceparent", traceparent}, {"tracestate", repeat(",", size)}}, {}});
    all.push_back({"tracestate-ows-commas", {{"traceparent", traceparent}, {"tracestate", repeat(" ,\t", size)}}, {}});
    all.push_back({"tracestate-long-value", {{"traceparent", traceparent}, {"tracestate", "a=" + repeat("v", size)}}, {}});
    all.push_back({"tracestate-members", {{"traceparent", traceparent}, {"tracestate", repeat("a=1,", size)}}, {}});
    all.push_back({"tracestate-garbage", {{"traceparent", traceparent}, {"tracestate", garbage(size)}}, {}});
    all.push_back({"baggage-commas", {{"baggage", repeat(",", size)}}, {}});
    all.push_back({"baggage-same-key", {{"baggage", repeat("k=v,", size)}}, {}});
    all.push_back({"baggage-distinct-keys", {{"baggage", distinct_members}}, {}});
    all.push_back({"baggage-percent", {{"baggage", "k=" + repeat("%FF", size)}}, {}});
    all.push_back({"baggage-properties", {{"baggage", "k=v" + repeat(";p=1", size)}}, {}});
    all.push_back({"baggage-garbage", {{"baggage", garbage(size)}}, {}});
    all.push_back({"b3-single", {{"b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1" + repeat("-1", size)}}, {}});
    all.push_back({"b3-multi", {{"X-B3-TraceId", repeat("a", size)}, {"X-B3-SpanId", garbage(size)}, {"X-B3-Sampled", repeat("1", size)}}, {}});
    // Many short lines instead of one long one: each header lookup still reads them once.
    Headers lines;
    for (std::size_t used = 0; used < size; used += 16) {
        lines.emplace_back("tracestate", "a=1");
        lines.emplace_back("baggage", "k=v");
        lines.emplace_back(used % 32 == 0 ? "B3" : "x-b3-traceid", "zz");
    }
    lines.emplace_back("traceparent", traceparent);
    all.push_back({"many-lines", std::move(lines), {}});
    all.push_back({"everything", {{"traceparent", garbage(size)}, {"tracestate", repeat(",", size)}, {"b3", garbage(size)},
                                  {"baggage", garbage(size)}, {"x-b3-flags", garbage(size)}}, {}});
    all.push_back({"json-string", {}, garbage(size)});
    return all;
}

std::size_t summary = 0;

// The measured region. extern "C" and never inlined, so callgrind can name it.
extern "C" __attribute__((noinline)) void microtrace_hostile_region(const Case& input) {
    if (!input.json.empty()) {
        std::size_t written = 0;
        auto count = [&written](std::string_view chunk) { written += chunk.size(); };  // outlives the Sink
        microtrace::JsonWriter json{microtrace::Sink(count)};
        json.string(input.json);
        json.flush();
        summary = written;
        return;
    }
    const microtrace::ExtractedContext extracted = microtrace::extract(input.headers);
    summary = static_cast<std::size_t>(extracted.format()) * 1000000 + extracted.trace_state().size() * 1000 +
              extracted.baggage().size() + extracted.baggage().dropped_members();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SIZE | --list\n", argv[0]);
        return 2;
    }
    const bool list = std::strcmp(argv[1], "--list") == 0;
    const std::size_t size = list ? 16 : std::strtoull(argv[1], nullptr, 10);
    for (const Case& input : cases(size)) {
        if (list) {
            std::printf("%s\n", input.name);
            continue;
        }
        microtrace_hostile_region(input);
        std::printf("case %s %zu %zu\n", input.name, size, summary);
    }
    return 0;
}
