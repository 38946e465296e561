// benchmarks/ratio_report.hpp — a main() for Google Benchmark programs that, after the
// usual output, prints each operation's time against the floor it is made of, measured
// in the same run: ratios hold on a noisy machine where absolute times do not.
//
//   MICROTRACE_BENCHMARK_MAIN({
//       {"BM_sampled_span", {{"BM_floor_clock_read", 2}, {"BM_floor_copy_128", 1}}},
//   })
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace microtrace_bench {

// An operation and its floor: the sum of count x time of each floor benchmark.
struct Ratio {
    std::string operation;
    std::vector<std::pair<std::string, double>> floor;
};

// Keeps each benchmark's time per iteration (the median when repeated) while the
// console reporter prints as usual.
class RecordingReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (run.run_type == Run::RT_Iteration || median)
                nanoseconds_[run.run_name.function_name] = run.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    const std::map<std::string, double>& nanoseconds() const { return nanoseconds_; }

  private:
    std::map<std::string, double> nanoseconds_;
};

inline int run_with_ratios(int argc, char** argv, const std::vector<Ratio>& ratios) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RecordingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const auto& ns = reporter.nanoseconds();
    std::printf("\n%-40s %10s %10s %8s\n", "operation vs its floor", "ns", "floor ns", "ratio");
    for (const Ratio& ratio : ratios) {
        const auto operation = ns.find(ratio.operation);
        if (operation == ns.end()) continue;  // filtered out of this run
        double floor = 0;
        bool complete = true;
        for (const auto& [name, count] : ratio.floor) {
            const auto part = ns.find(name);
            complete = complete && part != ns.end();
            if (part != ns.end()) floor += count * part->second;
        }
        if (!complete || floor <= 0) continue;
        std::printf("%-40s %10.2f %10.2f %8.2fx\n", ratio.operation.c_str(), operation->second, floor,
                    operation->second / floor);
    }
    benchmark::Shutdown();
    return 0;
}

}  // namespace microtrace_bench

#define MICROTRACE_BENCHMARK_MAIN(...)                                                 \
    int main(int argc, char** argv) {                                                  \
        return microtrace_bench::run_with_ratios(argc, argv, std::vector<microtrace_bench::Ratio> __VA_ARGS__); \
    }
