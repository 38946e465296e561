// Fuzz target: W3C Baggage. Input: the header's lines, separated by '\n'; the last line,
// split at its first '=', is also set() as a raw key and value.
//
// Properties: the entries kept (key, decoded value, properties) and the drop count are
// exactly those of the reference reader written from the spec (each bad member dropped
// alone, values percent-decoded with invalid UTF-8 as U+FFFD, whole members dropped beyond
// MICROTRACE_BAGGAGE_MAX_MEMBERS / _BYTES); the header written is within the limits, is
// header_size() long and reads back to the same entries; set() takes any bytes as a value
// and sends them so they read back (up to the U+FFFD replacement).
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;
namespace ref = microtrace_fuzz::reference;

namespace {

std::string written(const Baggage& baggage) {
    std::string header(Baggage::capacity + 1, '\0');
    const std::size_t size = baggage.write(header.data());
    FUZZ_CHECK(size == baggage.header_size(), "write() and header_size() disagree");
    FUZZ_CHECK(size <= Baggage::capacity, "header over capacity");
    header.resize(size);
    return header;
}

// The header reads back to the same entries, values up to the U+FFFD replacement. A value
// set() with invalid UTF-8 grows when a reader replaces it (one byte, %FF, becomes U+FFFD,
// %EF%BF%BD), so near the byte limit such a member may no longer fit: whole members are then
// dropped and counted, never cut.
template <class Where>
void check_round_trip(const Baggage& baggage, const Where& where) {
    FUZZ_CHECK(baggage.size() <= Baggage::max_members, where());
    const std::string header = written(baggage);
    Baggage again;
    again.parse(header);
    bool all_utf8 = true;
    for (std::size_t i = 0; i < baggage.size(); ++i) all_utf8 = all_utf8 && mf::is_valid_utf8(baggage[i].value);
    const auto sent = [&] { return where() + " sent as " + mf::printable(header); };
    FUZZ_CHECK(again.size() + again.dropped_members() == baggage.size(), sent());
    FUZZ_CHECK(!all_utf8 || again.dropped_members() == 0, sent());
    std::size_t next = 0;
    for (std::size_t i = 0; i < again.size(); ++i, ++next) {
        while (next < baggage.size() && baggage[next].key != again[i].key) ++next;
        FUZZ_CHECK(next < baggage.size(), sent());
        FUZZ_CHECK(again[i].value == mf::utf8_lossy(baggage[next].value), sent());
        FUZZ_CHECK(again[i].properties == baggage[next].properties, sent());
        FUZZ_CHECK(ref::is_token(again[i].key), sent());
    }
    // Once values are valid UTF-8 (after one trip at most), the header is a fixed point.
    Baggage third;
    third.parse(written(again));
    FUZZ_CHECK(third == again && written(third) == written(again), "not stable: " + sent());
}

}  // namespace

MICROTRACE_FUZZ_TARGET(baggage)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string_view> lines = mf::split_lines(input);
    const ref::Baggage expected = ref::baggage(lines, Baggage::max_members, Baggage::capacity);

    Baggage baggage;
    baggage.parse_lines([&](auto&& visit_line) {
        for (const std::string_view line : lines) visit_line(line);
    });
    const auto where = [&] { return "from " + mf::printable(input); };
    FUZZ_CHECK(baggage.size() == expected.entries.size(),
               std::to_string(baggage.size()) + " entries, expected " + std::to_string(expected.entries.size()) + " " + where());
    FUZZ_CHECK(baggage.dropped_members() == expected.dropped, std::to_string(baggage.dropped_members()) + " dropped, expected " +
                                                                  std::to_string(expected.dropped) + " " + where());
    for (std::size_t i = 0; i < baggage.size(); ++i) {
        const ref::BaggageEntry& e = expected.entries[i];
        const auto entry = [&] { return mf::printable(baggage[i].key) + "=" + mf::printable(baggage[i].value) + ";" +
                                  mf::printable(baggage[i].properties) + " expected " + mf::printable(e.key) + "=" +
                                  mf::printable(e.value) + ";" + mf::printable(e.properties) + " " + where(); };
        FUZZ_CHECK(baggage[i].key == e.key && baggage[i].value == e.value && baggage[i].properties == e.properties, entry());
        FUZZ_CHECK(baggage.get(e.key) == e.value, entry());
    }
    check_round_trip(baggage, where);
    if (lines.size() == 1) {
        Baggage single;
        single.parse(input);
        FUZZ_CHECK(single == baggage, where());
    }

    // set() with raw bytes.
    const std::string_view last = lines.back();
    const std::size_t equals = last.find('=');
    const std::string_view key = last.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? std::string_view() : last.substr(equals + 1);
    Baggage updated = baggage;
    const std::size_t dropped_before = updated.dropped_members();
    if (updated.set(key, value)) {
        FUZZ_CHECK(ref::is_token(key), "set accepted the key " + mf::printable(key));
        FUZZ_CHECK(updated.get(key) == value, "set " + mf::printable(key));
        check_round_trip(updated, [&] { return "after set " + mf::printable(key) + " = " + mf::printable(value); });
    } else {
        FUZZ_CHECK(updated == baggage && updated.dropped_members() == dropped_before + 1,
                   "a refused set must change nothing but count a drop");
        Baggage empty;
        const bool alone = empty.set(key, value);
        const std::size_t alone_size = key.size() + 1 + ref::encode_baggage_value(value).size();
        FUZZ_CHECK(alone == (ref::is_token(key) && alone_size <= Baggage::capacity),
                   "set " + mf::printable(key) + " on an empty baggage");
    }
    if (updated.erase(key)) FUZZ_CHECK(!updated.contains(key), "erase left the key");
    check_round_trip(updated, [] { return std::string("after erase"); });
    return 0;
}
