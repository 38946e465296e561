// Instruction counts and heap allocations per operation: the figures that do not move on a
// noisy machine. Runs every operation of operations.hpp inside a region function that
// callgrind counts on its own; tools/bench.py --callgrind runs it as
//
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=microtrace_bench_region
//            --dump-after=microtrace_bench_region ./instructions
//
// Each operation runs twice in the region, n and 2n times, so fixed costs cancel out:
// instructions per operation = (count(2n) - count(n)) / n, less the same figure for an
// empty operation (the loop and the indirect call). Standard output, one line per region
// call in the order of the dumps, then one line per operation:
//
//   region <name> <calls>
//   operation <name> <items per call> <allocations per call>
//
//   instructions [--iterations N] [--list] [NAME...]     (default: every operation, N = 2000)
#include "operations.hpp"

#include "../tests/support/alloc_counter.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void empty_operation() noexcept {}

}  // namespace

// The measured region. extern "C" and never inlined, so callgrind can name it.
extern "C" __attribute__((noinline)) void microtrace_bench_region(void (*run)() noexcept, long calls) {
    for (long i = 0; i < calls; ++i) run();
}

int main(int argc, char** argv) {
    long iterations = 2000;
    bool list = false;
    std::vector<std::string> selected;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
            iterations = std::atol(argv[++i]);
        else if (std::strcmp(argv[i], "--list") == 0)
            list = true;
        else
            selected.emplace_back(argv[i]);
    }
    if (iterations < 1) iterations = 1;

    std::vector<microtrace_bench::Operation> chosen{{"empty", &empty_operation}};
    for (const microtrace_bench::Operation& operation : microtrace_bench::operations) {
        bool wanted = selected.empty();
        for (const std::string& name : selected) wanted = wanted || name == operation.name;
        if (wanted) chosen.push_back(operation);
    }
    if (list) {
        for (std::size_t i = 1; i < chosen.size(); ++i) std::printf("%s\n", chosen[i].name);
        return 0;
    }

    for (const microtrace_bench::Operation& operation : chosen) {
        const long calls = operation.items > 1 ? 1 + iterations / static_cast<long>(operation.items * 64) : iterations;
        if (operation.setup != nullptr) operation.setup();
        for (long i = 0; i < (calls < 64 ? calls : 64); ++i) operation.run();  // warm caches and thread state
        microtrace_test::AllocationProbe probe;
        microtrace_bench_region(operation.run, calls);
        std::printf("region %s %ld\n", operation.name, calls);
        microtrace_bench_region(operation.run, 2 * calls);
        std::printf("region %s %ld\n", operation.name, 2 * calls);
        const double allocations = static_cast<double>(probe.count()) / static_cast<double>(3 * calls);
        if (operation.teardown != nullptr) operation.teardown();
        std::printf("operation %s %g %g\n", operation.name, operation.items, allocations);
        std::fflush(stdout);
    }
    return 0;
}
