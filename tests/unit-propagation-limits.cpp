// Propagation with small capacities, as firmware configures them. This file builds with its
// own settings: the inline ABI namespace keeps its types apart from the default ones.
#undef MICROTRACE_TRACESTATE_MAX_MEMBERS
#undef MICROTRACE_TRACESTATE_BYTES
#undef MICROTRACE_BAGGAGE_MAX_MEMBERS
#undef MICROTRACE_BAGGAGE_BYTES
#define MICROTRACE_TRACESTATE_MAX_MEMBERS 3
#define MICROTRACE_TRACESTATE_BYTES 64
#define MICROTRACE_BAGGAGE_MAX_MEMBERS 2
#define MICROTRACE_BAGGAGE_BYTES 64
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace microtrace;

TEST_CASE("limits: the capacities are the configured ones") {
    static_assert(TraceState::max_members == 3 && TraceState::capacity == 64);
    static_assert(Baggage::max_members == 2 && Baggage::capacity == 64);
    static_assert(sizeof(Baggage) < 128, "storage shrinks with the settings");
}

TEST_CASE("limits: tracestate keeps up to max_members, dropping from the right") {
    TraceState state;
    REQUIRE(state.parse("a=1,b=2,c=3,d=4,e=5"));  // valid: W3C allows 32
    CHECK(state.header() == "a=1,b=2,c=3");
    CHECK(state.dropped_members() == 2);
    REQUIRE(state.set("f", "6"));
    CHECK(state.header() == "f=6,a=1,b=2");
}

TEST_CASE("limits: tracestate keeps up to its bytes, long members first") {
    TraceState state;
    const std::string long_member = "long=" + std::string(40, 'x');  // 45 characters, not "long" by W3C
    REQUIRE(state.parse("a=1," + long_member + ",b=" + std::string(20, 'y')));
    CHECK(state.header() == "a=1," + long_member);  // 4 + 45 + 23 + 2 commas > 64: from the right
    CHECK_FALSE(state.set("k", std::string(70, 'v')));  // can never fit
}

TEST_CASE("limits: baggage drops whole members beyond its members and bytes") {
    Baggage baggage;
    baggage.parse("a=1,b=2,c=3");
    CHECK(baggage.size() == 2);
    CHECK(baggage.dropped_members() == 1);
    baggage.parse("a=" + std::string(50, 'x') + ",b=" + std::string(70, 'y') + ",c=1");
    CHECK(baggage.header_size() == 52 + 1 + 3);  // b does not fit; c after it still does
    CHECK(baggage.dropped_members() == 1);
}
