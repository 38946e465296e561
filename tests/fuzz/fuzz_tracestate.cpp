// Fuzz target: W3C tracestate. Input: the header's lines, separated by '\n'; the last line,
// split at its first '=', is also used as a member to set().
//
// Properties: the header is rejected exactly when the reference reader (written from the
// spec) finds it invalid, and then nothing is kept; otherwise the members kept are exactly
// the reference's (first of each key, cut to the limits as W3C orders), every drop is
// counted, the header stays within MICROTRACE_TRACESTATE_BYTES and _MAX_MEMBERS and reads
// back to the same state. set() accepts exactly the Level 1 keys and valid values, puts the
// member first, keeps the others in order and the limits; the `ot=th` threshold written
// reads back.
#include "propagation_support.hpp"

using namespace microtrace;
namespace mf = microtrace_fuzz;
namespace ref = microtrace_fuzz::reference;

namespace {

std::string joined(const std::vector<ref::TraceStateMember>& members) {
    std::string out;
    for (const ref::TraceStateMember& m : members) out += (out.empty() ? "" : ",") + m.key + "=" + m.value;
    return out;
}

std::vector<ref::TraceStateMember> members_of(const TraceState& state) {
    std::vector<ref::TraceStateMember> out;
    for (std::size_t i = 0; i < state.size(); ++i)
        out.push_back({std::string(state[i].key), std::string(state[i].value)});
    return out;
}

// The invariants every TraceState keeps, whatever was done to it. `where()` describes it.
template <class Where>
void check_state(const TraceState& state, const Where& where) {
    FUZZ_CHECK(state.header().size() <= TraceState::capacity, where());
    FUZZ_CHECK(state.size() <= TraceState::max_members, where());
    FUZZ_CHECK(state.header() == joined(members_of(state)), where());
    for (std::size_t i = 0; i < state.size(); ++i) {
        FUZZ_CHECK(ref::is_tracestate_key(state[i].key) && ref::is_tracestate_value(state[i].value), where());
        for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(state[i].key != state[j].key, "duplicate key: " + where());
        FUZZ_CHECK(state.get(state[i].key) == state[i].value, where());
    }
    TraceState again;
    FUZZ_CHECK(again.parse(state.header()) && again == state && again.dropped_members() == 0,
               "does not read back: " + where());
}

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return hash;
}

}  // namespace

MICROTRACE_FUZZ_TARGET(tracestate)(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string_view> lines = mf::split_lines(input);
    const ref::TraceState expected = ref::tracestate(lines);

    TraceState state;
    const bool accepted = state.parse_lines([&](auto&& visit_line) {
        for (const std::string_view line : lines) visit_line(line);
    });
    const auto where = [&] { return mf::printable(input) + " kept as " + mf::printable(state.header()); };
    FUZZ_CHECK(accepted == expected.valid, where());
    FUZZ_CHECK(state.rejected() == !accepted, where());
    if (!accepted) {
        FUZZ_CHECK(state.empty() && state.header().empty(), where());
        return 0;
    }
    const std::vector<ref::TraceStateMember> kept = ref::tracestate_kept(expected.received, TraceState::max_members,
                                                                       TraceState::capacity);
    FUZZ_CHECK(state.header() == joined(kept), where() + ", expected " + mf::printable(joined(kept)));
    FUZZ_CHECK(state.dropped_members() == expected.received.size() - kept.size(), where());
    check_state(state, where);
    if (lines.size() == 1) {
        TraceState single;
        FUZZ_CHECK(single.parse(input) && single == state, where());
    }

    // The sampling threshold as OpenTelemetry's `ot=th`: what is set reads back.
    TraceState with_threshold = state;
    const std::uint64_t threshold = fnv1a(input) & randomness_mask;
    char digits[threshold_hex_digits];
    const std::uint64_t encodable = [&] {
        std::uint64_t value = 0;
        parse_threshold(std::string_view(digits, format_threshold(threshold, digits)), value);
        return value;
    }();
    if (set_sampling_threshold(with_threshold, threshold)) {
        FUZZ_CHECK(sampling_threshold_of(with_threshold) == encodable, where());
        check_state(with_threshold, [&] { return "with threshold: " + where(); });
    } else {
        FUZZ_CHECK(with_threshold == state, "a failed set_sampling_threshold changed the state: " + where());
    }
    TraceState without = with_threshold;
    FUZZ_CHECK(set_sampling_threshold(without, no_sampling_threshold), where());
    FUZZ_CHECK(sampling_threshold_of(without) == no_sampling_threshold, where());

    // A vendor setting its member.
    const std::string_view last = mf::reference::trim(lines.back());
    const std::size_t equals = last.find('=');
    const std::string_view key = last.substr(0, equals);
    const std::string_view value = equals == std::string_view::npos ? std::string_view() : last.substr(equals + 1);
    TraceState updated = state;
    const bool valid_member = ref::is_written_tracestate_key(key) && ref::is_tracestate_value(value) &&
                              key.size() + 1 + value.size() <= TraceState::capacity;
    const bool set = updated.set(key, value);
    FUZZ_CHECK(set == valid_member, "set " + mf::printable(key) + " = " + mf::printable(value));
    if (!set) {
        FUZZ_CHECK(updated == state, "a failed set changed the state");
        return 0;
    }
    FUZZ_CHECK(updated.size() >= 1 && updated[0].key == key && updated[0].value == value, updated.header());
    check_state(updated, [&] { return "after set: " + std::string(updated.header()); });
    // The others keep their order: a subsequence of what was there, without the key.
    std::size_t next = 0;
    const std::vector<ref::TraceStateMember> before = members_of(state);
    for (std::size_t i = 1; i < updated.size(); ++i) {
        while (next < before.size() && (before[next].key != updated[i].key || before[next].key == key)) ++next;
        FUZZ_CHECK(next < before.size() && before[next].value == updated[i].value, "order changed: " + std::string(updated.header()));
        ++next;
    }
    return 0;
}
