// OpenTelemetry threshold arithmetic: T from p, the `th` and `rv` encodings, R >= T.
//
// Vectors: T = 2^56 - round(p * 2^56) (OpenTelemetry tracestate-probability-sampling and
// SPECS.md), computed independently with exact rational arithmetic (Python fractions,
// halves rounded up) for the exact double value of each p.
#include <microtrace/microtrace.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

using namespace microtrace;

namespace {

std::string th(std::uint64_t threshold) {
    char text[threshold_hex_digits];
    return std::string(text, format_threshold(threshold, text));
}

// Rounds T to `digits` hex digits, half up: how the specification's precision-limited
// encoder (its "Converting floating-point probability to threshold value" table) shortens
// a threshold.
std::uint64_t round_to_digits(std::uint64_t threshold, int digits) {
    const int shift = 4 * (14 - digits);
    return ((threshold + (std::uint64_t{1} << (shift - 1))) >> shift) << shift;
}

struct Vector {
    const char* name;
    double probability;
    std::uint64_t threshold;
    const char* th;  // "" when not encodable (never)
};

// Exact T for each p (see the file comment).
constexpr Vector vectors[] = {
    {"1", 1.0, 0x0, "0"},
    {"0", 0.0, max_threshold, ""},
    {"2^-56", 0x1p-56, 0x00ffffffffffffffULL, "ffffffffffffff"},
    {"0.5", 0.5, 0x0080000000000000ULL, "8"},
    {"0.25", 0.25, 0x00c0000000000000ULL, "c"},
    {"0.125", 0.125, 0x00e0000000000000ULL, "e"},
    {"0.0625", 0.0625, 0x00f0000000000000ULL, "f"},
    {"0.75", 0.75, 0x0040000000000000ULL, "4"},
    {"0.9", 0.9, 0x0019999999999998ULL, "19999999999998"},
    {"0.2", 0.2, 0x00ccccccccccccccULL, "cccccccccccccc"},
    {"0.1", 0.1, 0x00e6666666666666ULL, "e6666666666666"},
    {"0.05", 0.05, 0x00f3333333333333ULL, "f3333333333333"},
    {"0.01", 0.01, 0x00fd70a3d70a3d71ULL, "fd70a3d70a3d71"},
    {"0.001", 0.001, 0x00ffbe76c8b43958ULL, "ffbe76c8b43958"},
    {"1e-6", 1e-6, 0x00ffffef39085f4aULL, "ffffef39085f4a"},
    {"1/3", 1.0 / 3.0, 0x00aaaaaaaaaaaaacULL, "aaaaaaaaaaaaac"},
    {"2^-55", 0x1p-55, 0x00fffffffffffffeULL, "fffffffffffffe"},
    {"1-2^-53", 1.0 - 0x1p-53, 0x8, "00000000000008"},
    // Rounding at the bottom: 2^-57 * 2^56 = 0.5 rounds up to one kept value; 0.25 to none.
    {"2^-57", 0x1p-57, 0x00ffffffffffffffULL, "ffffffffffffff"},
    {"3*2^-58", 3 * 0x1p-58, 0x00ffffffffffffffULL, "ffffffffffffff"},
    {"2^-58", 0x1p-58, max_threshold, ""},
};

}  // namespace

TEST_CASE("threshold_for_probability follows T = 2^56 - round(p * 2^56)") {
    for (const Vector& v : vectors) {
        CAPTURE(v.name);
        CHECK(threshold_for_probability(v.probability) == v.threshold);
        CHECK(th(v.threshold) == v.th);
    }
}

TEST_CASE("out-of-range probabilities clamp: >= 1 always, <= 0 and NaN never") {
    CHECK(threshold_for_probability(1.5) == 0);
    CHECK(threshold_for_probability(std::numeric_limits<double>::infinity()) == 0);
    CHECK(threshold_for_probability(-0.5) == max_threshold);
    CHECK(threshold_for_probability(-0.0) == max_threshold);
    CHECK(threshold_for_probability(std::numeric_limits<double>::quiet_NaN()) == max_threshold);
    CHECK(threshold_for_probability(-std::numeric_limits<double>::infinity()) == max_threshold);
    CHECK(threshold_for_probability(std::numeric_limits<double>::denorm_min()) == max_threshold);
}

TEST_CASE("exact thresholds reproduce the specification's precision-limited table") {
    // tracestate-probability-sampling.md, table for 1-in-N sampling at precision 3, 4, 5
    // (its encoder adds one digit per leading 'f', hence the digit counts).
    struct Row {
        double probability;
        int digits;
        const char* th;
    };
    const Row rows[] = {
        {1.0 / 3, 3, "aab"},     {1.0 / 3, 4, "aaab"},    {1.0 / 3, 5, "aaaab"},
        {0.2, 3, "ccd"},         {0.2, 4, "cccd"},        {0.2, 5, "ccccd"},
        {0.1, 3, "e66"},         {0.1, 4, "e666"},        {0.1, 5, "e6666"},
        {0.01, 4, "fd71"},       {0.01, 5, "fd70a"},      {0.01, 6, "fd70a4"},
        {0.001, 5, "ffbe7"},     {0.001, 6, "ffbe77"},    {0.001, 7, "ffbe76d"},
        {0.0001, 6, "fff972"},   {0.0001, 7, "fff9724"},  {0.0001, 8, "fff97247"},
        {0.00001, 7, "ffff584"}, {0.00001, 8, "ffff583a"}, {0.00001, 9, "ffff583a5"},
        {0.000001, 7, "ffffef4"}, {0.000001, 8, "ffffef39"}, {0.000001, 9, "ffffef391"},
        {0.5, 3, "8"},           {0.25, 3, "c"},          {0.125, 3, "e"},
        {0.0625, 3, "f"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.probability);
        CAPTURE(row.digits);
        CHECK(th(round_to_digits(threshold_for_probability(row.probability), row.digits)) == row.th);
    }
}

TEST_CASE("th encoding: lowercase, leading zeros kept, trailing zeros dropped") {
    CHECK(th(0) == "0");
    CHECK(th(0x0080000000000000ULL) == "8");
    CHECK(th(0x0008000000000000ULL) == "08");  // OTEP 235: 96.875% sampling
    CHECK(th(0x00fd70a400000000ULL) == "fd70a4");  // the specification's 1% example
    CHECK(th(0x1) == "00000000000001");
    CHECK(th(0x00abcdef01234567ULL) == "abcdef01234567");
    CHECK(th(max_threshold - 1) == "ffffffffffffff");
    // Never sampling has no `th`: nothing is written.
    CHECK(th(max_threshold) == "");
    CHECK(th(no_sampling_threshold) == "");
}

TEST_CASE("th parsing right-pads to 14 digits") {
    struct Case {
        std::string_view text;
        std::uint64_t threshold;
    };
    // OTEP 235's examples, then the extremes.
    for (const Case& c : {Case{"4", 0x0040000000000000ULL}, Case{"c", 0x00c0000000000000ULL},
                          Case{"08", 0x0008000000000000ULL}, Case{"0", 0},
                          Case{"00000000000000", 0}, Case{"fd70a4", 0x00fd70a400000000ULL},
                          Case{"ffffffffffffff", 0x00ffffffffffffffULL},
                          Case{"00000000000001", 1}}) {
        CAPTURE(c.text);
        std::uint64_t threshold = 12345;
        REQUIRE(parse_threshold(c.text, threshold));
        CHECK(threshold == c.threshold);
    }
}

TEST_CASE("th parsing rejects anything but 1-14 lowercase hex digits, leaving the target") {
    const std::string_view bad_values[] = {"",   "fffffffffffffff", "C",   "8A",
                                           "g",  "-1",              " 8",  "8 ",
                                           "0x8", std::string_view("8\0", 2), "1.5"};
    for (std::string_view bad : bad_values) {
        CAPTURE(std::string(bad));
        std::uint64_t threshold = 12345;
        CHECK_FALSE(parse_threshold(bad, threshold));
        CHECK(threshold == 12345);
    }
}

TEST_CASE("th round-trips through format and parse") {
    for (const Vector& v : vectors) {
        if (v.threshold >= max_threshold) continue;
        std::uint64_t parsed = 0;
        REQUIRE(parse_threshold(th(v.threshold), parsed));
        CHECK(parsed == v.threshold);
    }
}

TEST_CASE("rv is exactly 14 lowercase hex digits") {
    std::uint64_t randomness = 7;
    REQUIRE(parse_randomness("6e6d1a75832a2f", randomness));  // the specification's example
    CHECK(randomness == 0x6e6d1a75832a2fULL);
    for (std::string_view bad : {"", "6e6d1a75832a2", "6e6d1a75832a2f0", "6E6D1A75832A2F", "6e6d1a75832a2g"}) {
        CAPTURE(std::string(bad));
        std::uint64_t untouched = 7;
        CHECK_FALSE(parse_randomness(bad, untouched));
        CHECK(untouched == 7);
    }
    char text[threshold_hex_digits];
    REQUIRE(format_randomness(0x7479cfb506891dULL, text) == 14);
    CHECK(std::string_view(text, 14) == "7479cfb506891d");
    REQUIRE(format_randomness(0x5, text) == 14);
    CHECK(std::string_view(text, 14) == "00000000000005");
}

TEST_CASE("R is the trace id's right-most 56 bits and a span is sampled iff R >= T") {
    const TraceId id{0xffffffffffffffffULL, 0xab6e6d1a75832a2fULL};
    CHECK(randomness_of(id) == 0x6e6d1a75832a2fULL);  // the top byte of `low` is not random
    CHECK(threshold_samples(0x6e6d1a75832a2fULL, id));
    CHECK_FALSE(threshold_samples(0x6e6d1a75832a30ULL, id));
    CHECK(threshold_samples(0, TraceId{0, 1}));          // th:0 keeps everything...
    CHECK(threshold_samples(0, TraceId{1, 0}));          // ...even R = 0
    CHECK_FALSE(threshold_samples(max_threshold, TraceId{0, ~std::uint64_t{0}}));  // never
    CHECK_FALSE(threshold_samples(no_sampling_threshold, TraceId{0, ~std::uint64_t{0}}));
}

TEST_CASE("probability_for_threshold inverts the threshold") {
    CHECK(probability_for_threshold(0) == 1.0);
    CHECK(probability_for_threshold(0x0080000000000000ULL) == 0.5);
    CHECK(probability_for_threshold(0x00c0000000000000ULL) == 0.25);
    CHECK(probability_for_threshold(max_threshold - 1) == 0x1p-56);
    CHECK(probability_for_threshold(max_threshold) == 0.0);
    CHECK(probability_for_threshold(no_sampling_threshold) == 0.0);
    for (double p : {0.1, 0.01, 1.0 / 3, 0.999})
        CHECK(std::fabs(probability_for_threshold(threshold_for_probability(p)) - p) <= 0x1p-56);
}

TEST_CASE("the threshold arithmetic is constexpr and noexcept") {
    static_assert(threshold_for_probability(0.5) == 0x0080000000000000ULL);
    static_assert(threshold_samples(threshold_for_probability(1.0), TraceId{0, 1}));
    static_assert([] {
        std::uint64_t threshold = 0;
        return parse_threshold("8", threshold) && threshold == 0x0080000000000000ULL;
    }());
    static_assert(noexcept(format_threshold(0, nullptr)));
    static_assert(noexcept(parse_threshold("", std::declval<std::uint64_t&>())));
    static_assert(noexcept(format_randomness(0, nullptr)));
}

TEST_CASE("description numbers: up to 15 significant digits, no printf") {
    const auto text = [](double value) {
        char out[32];
        return std::string(out, detail::format_decimal(value, out));
    };
    CHECK(text(0.05) == "0.05");
    CHECK(text(1.0) == "1");
    CHECK(text(0.0) == "0");
    CHECK(text(100.0) == "100");
    CHECK(text(2.5) == "2.5");
    CHECK(text(0.0001) == "0.0001");
    CHECK(text(0.00001) == "0.00001");
    CHECK(text(1e-6) == "1e-6");
    CHECK(text(0x1p-56) == "1.38777878078145e-17");
    CHECK(text(1.0 / 3) == "0.333333333333333");
    CHECK(text(0.1 + 0.2) == "0.3");
    CHECK(text(123456.789) == "123456.789");
    CHECK(text(999999999999999.0) == "999999999999999");
    CHECK(text(1e15) == "1e+15");
    CHECK(text(9.9999999999999999e-4) == "0.001");
    CHECK(text(-1.0) == "nan");
    CHECK(text(std::numeric_limits<double>::quiet_NaN()) == "nan");
    CHECK(text(std::numeric_limits<double>::denorm_min()) == "1e-300");
}
