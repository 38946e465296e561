// benchmarks/ratio_report.hpp — a main() for Google Benchmark programs that, after the
// usual output, prints each operation's time against the floor it is made of, measured
// in the same run (ratios hold on a noisy machine where absolute times do not), and the
// heap allocations each benchmark made per operation.
//
//   MICROTRACE_BENCHMARK_MAIN({
//       {"BM_sampled_span", {{"BM_floor_clock_read", 2}, {"BM_floor_copy_128", 1}}},
//       {"BM_record_2threads", {{"BM_record_1thread", 1}}, microtrace_bench::Kind::speedup},
//   })
//
// Times are per iteration: CPU time, so that time the thread spends descheduled on a busy
// machine does not count, except for benchmarks marked UseRealTime(), which use wall time
// (for a multi-threaded benchmark Google Benchmark divides it by the iterations of all
// threads: the inverse of aggregate throughput). With --benchmark_repetitions, the median.
//
// Allocations per operation come from tests/support/alloc_counter.cpp, linked into every
// benchmark program. A benchmark that puts `microtrace_bench::CountAllocations count(state);`
// right before its loop reports the exact count of its loop ("allocs_per_op"). For the others,
// Google Benchmark runs each benchmark once more under a MemoryManager; the operator new calls
// of that pass, less those of the same pass over an empty benchmark (Google Benchmark's own),
// are divided by its iterations. That pass includes the benchmark's setup code, so benchmarks
// keep their setup allocation-free (static storage).
//
// --microtrace_json=FILE also writes every figure as JSON, for tools/bench.py.
#pragma once

#include <benchmark/benchmark.h>

#include "../tests/support/alloc_counter.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace microtrace_bench {

// How an operation compares with its reference.
enum class Kind {
    time,     // ratio = operation time / floor time (lower is better; 1.0 is the floor)
    speedup,  // ratio = reference time / operation time: the aggregate throughput gained
};

// An operation and its floor: the sum of count x time of each floor benchmark.
struct Ratio {
    std::string operation;
    std::vector<std::pair<std::string, double>> floor;
    Kind kind = Kind::time;
};

// Counts the heap allocations of a benchmark's timed loop, on every thread that runs it:
// construct it just before `for (auto _ : state)`, and end its scope before setting other
// counters (their map allocates).
class CountAllocations {
  public:
    explicit CountAllocations(benchmark::State& state) noexcept : state_(state) {}
    CountAllocations(const CountAllocations&) = delete;
    CountAllocations& operator=(const CountAllocations&) = delete;
    ~CountAllocations() {
        const std::uint64_t allocations = probe_.count();  // before the counter map allocates
        const auto iterations = state_.iterations() > 0 ? state_.iterations() : 1;
        state_.counters["allocs_per_op"] = benchmark::Counter(
            static_cast<double>(allocations) / static_cast<double>(iterations), benchmark::Counter::kAvgThreads);
    }

  private:
    benchmark::State& state_;
    microtrace_test::AllocationProbe probe_;
};

// Counts operator new calls on the thread that runs the memory-measurement pass (the
// main thread: Google Benchmark runs that pass single-threaded, in the calling thread).
// Stop(Result*) is what Google Benchmark 1.7 calls, Stop(Result&) what later versions
// call; no `override`, so the class compiles against both.
class AllocationCounter : public benchmark::MemoryManager {
  public:
    void Start() { start_ = microtrace_test::thread_allocations(); }
    void Stop(Result& result) {
        result.num_allocs = static_cast<std::int64_t>(microtrace_test::thread_allocations() - start_);
        result.max_bytes_used = 0;
        allocations_ += static_cast<std::uint64_t>(result.num_allocs);
        ++passes_;
    }
    void Stop(Result* result) { Stop(*result); }

    // Allocations and measurement passes since the last call, then starts over.
    std::pair<std::uint64_t, std::uint64_t> take() {
        const auto taken = std::make_pair(allocations_, passes_);
        allocations_ = passes_ = 0;
        return taken;
    }

  private:
    std::uint64_t start_ = 0;
    std::uint64_t allocations_ = 0;
    std::uint64_t passes_ = 0;
};

struct Figures {
    double nanoseconds = 0;       // per iteration, on the benchmark's time basis (see above)
    double cpu_nanoseconds = 0;   // CPU time per iteration, all threads together
    int threads = 1;
    double allocations = -1;      // per iteration; -1 when not measured
    double pass_allocations = -1;  // allocations of one MemoryManager pass, framework included
    double pass_iterations = 1;    // iterations of that pass
    double bytes_per_second = 0;   // SetBytesProcessed
    double items_per_second = 0;   // SetItemsProcessed: spans per second, say
};

// Keeps each benchmark's figures (the median when repeated) while the console reporter
// prints as usual.
class RecordingReporter : public benchmark::ConsoleReporter {
  public:
    explicit RecordingReporter(AllocationCounter& allocations) : allocations_(allocations) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        const auto [allocated, passes] = allocations_.take();
        for (const Run& run : runs) {
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if ((run.run_type != Run::RT_Iteration && !median) || run.error_occurred) continue;
            const std::string name = run.run_name.function_name;
            if (std::find(order_.begin(), order_.end(), name) == order_.end()) order_.push_back(name);
            Figures& figures = figures_[name];
            const double unit = to_nanoseconds(run.time_unit);
            const bool wall = run.run_name.time_type.find("real_time") != std::string::npos;
            figures.threads = static_cast<int>(run.threads);
            figures.cpu_nanoseconds = unit * run.GetAdjustedCPUTime();
            figures.nanoseconds = wall ? unit * run.GetAdjustedRealTime() : figures.cpu_nanoseconds;
            figures.bytes_per_second = counter(run, "bytes_per_second");
            figures.items_per_second = counter(run, "items_per_second");
            const auto exact = run.counters.find("allocs_per_op");
            if (exact != run.counters.end()) figures.allocations = exact->second;
            // The measurement pass runs min(16, iterations) iterations on one thread.
            const auto per_thread = run.iterations / std::max<std::int64_t>(1, run.threads);
            figures.pass_iterations = static_cast<double>(std::min<std::int64_t>(16, std::max<std::int64_t>(1, per_thread)));
            if (passes > 0) figures.pass_allocations = static_cast<double>(allocated) / static_cast<double>(passes);
        }
        ConsoleReporter::ReportRuns(runs);
    }

    const std::map<std::string, Figures>& figures() const { return figures_; }
    const std::vector<std::string>& order() const { return order_; }

  private:
    static double counter(const Run& run, const char* name) {
        const auto found = run.counters.find(name);
        return found != run.counters.end() ? found->second.value : 0;
    }
    static double to_nanoseconds(benchmark::TimeUnit unit) {
        switch (unit) {
            case benchmark::kNanosecond: return 1;
            case benchmark::kMicrosecond: return 1e3;
            case benchmark::kMillisecond: return 1e6;
            default: return 1e9;
        }
    }

    AllocationCounter& allocations_;
    std::map<std::string, Figures> figures_;
    std::vector<std::string> order_;
};

struct Row {
    std::string name;
    Figures figures;
    Kind kind = Kind::time;
    double floor = 0;        // ns per operation of the floor (time) or the reference (speedup); 0: none
    double ratio = 0;
    double cpu_scaling = 0;  // speedup rows: the speedup if every thread had a core of its own
};

// Google Benchmark's own allocations in one MemoryManager pass: those of a pass over an
// empty benchmark, run silently after the others.
inline double framework_pass_allocations(AllocationCounter& allocations) {
    class Silent : public benchmark::BenchmarkReporter {
      public:
        bool ReportContext(const Context&) override { return true; }
        void ReportRuns(const std::vector<Run>&) override {}
    } silent;
    benchmark::RegisterBenchmark("microtrace_bench_empty", [](benchmark::State& state) {
        for (auto _ : state) benchmark::ClobberMemory();
    });
    allocations.take();
    benchmark::RunSpecifiedBenchmarks(&silent, "^microtrace_bench_empty$");
    const auto [allocated, passes] = allocations.take();
    return passes > 0 ? static_cast<double>(allocated) / static_cast<double>(passes) : 0;
}

inline std::vector<Row> make_rows(const RecordingReporter& reporter, const std::vector<Ratio>& ratios,
                                  double framework_allocations) {
    const auto& figures = reporter.figures();
    std::vector<Row> rows;
    for (const std::string& name : reporter.order()) {
        Row row{name, figures.at(name)};
        Figures& own = row.figures;
        if (own.allocations < 0 && own.pass_allocations >= 0) {
            const double allocated = own.pass_allocations - framework_allocations;
            own.allocations = (allocated > 0 ? allocated : 0) / own.pass_iterations;
        }
        for (const Ratio& ratio : ratios) {
            if (ratio.operation != name) continue;
            double floor = 0, floor_cpu = 0, floor_threads = 1;
            bool complete = true;
            for (const auto& [part_name, count] : ratio.floor) {
                const auto part = figures.find(part_name);
                complete = complete && part != figures.end();
                if (part == figures.end()) continue;
                floor += count * part->second.nanoseconds;
                floor_cpu += count * part->second.cpu_nanoseconds;
                floor_threads = part->second.threads;
            }
            if (!complete || floor <= 0 || own.nanoseconds <= 0) continue;
            row.kind = ratio.kind;
            row.floor = floor;
            row.ratio = ratio.kind == Kind::time ? own.nanoseconds / floor : floor / own.nanoseconds;
            if (ratio.kind == Kind::speedup && own.cpu_nanoseconds > 0)
                row.cpu_scaling = floor_cpu / own.cpu_nanoseconds * own.threads / floor_threads;
        }
        rows.push_back(row);
    }
    return rows;
}

inline void print_rows(const std::vector<Row>& rows) {
    std::printf("\n%-36s %12s %12s %9s %10s %10s\n", "benchmark", "ns/op", "floor ns/op", "ratio", "allocs/op",
                "ns/item");
    for (const Row& row : rows) {
        std::printf("%-36s %12.2f ", row.name.c_str(), row.figures.nanoseconds);
        if (row.floor > 0)
            std::printf("%12.2f %8.2fx", row.floor, row.ratio);
        else
            std::printf("%12s %9s", "", "");
        if (row.figures.allocations >= 0)
            std::printf(" %10.2f", row.figures.allocations);
        else
            std::printf(" %10s", "-");
        if (row.figures.items_per_second > 0)
            std::printf(" %10.2f", 1e9 / row.figures.items_per_second);
        else
            std::printf(" %10s", "");
        if (row.kind == Kind::speedup)
            std::printf("  ratio = wall-clock speedup; %.2fx with a core per thread (CPU time)", row.cpu_scaling);
        std::printf("\n");
    }
}

inline std::string json_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

inline bool write_json(const char* path, const std::vector<Row>& rows, const std::vector<Ratio>& ratios) {
    std::FILE* file = std::fopen(path, "w");
    if (file == nullptr) return false;
    std::fprintf(file, "{\"benchmarks\":[");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& row = rows[i];
        const Figures& figures = row.figures;
        std::fprintf(file,
                     "%s\n{\"name\":\"%s\",\"ns\":%.6g,\"cpu_ns\":%.6g,\"threads\":%d,\"allocs_per_op\":%.6g,"
                     "\"bytes_per_second\":%.6g,\"items_per_second\":%.6g,\"kind\":\"%s\",\"floor_ns\":%.6g,"
                     "\"ratio\":%.6g,\"cpu_scaling\":%.6g}",
                     i == 0 ? "" : ",", json_escape(row.name).c_str(), figures.nanoseconds, figures.cpu_nanoseconds,
                     figures.threads, figures.allocations, figures.bytes_per_second, figures.items_per_second,
                     row.kind == Kind::time ? "time" : "speedup", row.floor, row.ratio, row.cpu_scaling);
    }
    std::fprintf(file, "],\n\"floors\":{");
    for (std::size_t i = 0; i < ratios.size(); ++i) {
        std::fprintf(file, "%s\n\"%s\":[", i == 0 ? "" : ",", json_escape(ratios[i].operation).c_str());
        for (std::size_t k = 0; k < ratios[i].floor.size(); ++k)
            std::fprintf(file, "%s[\"%s\",%g]", k == 0 ? "" : ",", json_escape(ratios[i].floor[k].first).c_str(),
                         ratios[i].floor[k].second);
        std::fprintf(file, "]");
    }
    std::fprintf(file, "}}\n");
    return std::fclose(file) == 0;
}

inline int run_with_ratios(int argc, char** argv, const std::vector<Ratio>& ratios) {
    const char* json_path = nullptr;
    bool listing = false;
    constexpr const char json_flag[] = "--microtrace_json=";
    int kept = 0;
    for (int i = 0; i < argc; ++i) {
        listing = listing || std::strncmp(argv[i], "--benchmark_list_tests", 22) == 0;
        if (std::strncmp(argv[i], json_flag, sizeof json_flag - 1) == 0)
            json_path = argv[i] + sizeof json_flag - 1;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    if (listing) {  // names only, nothing else
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        return 0;
    }
    AllocationCounter allocations;
    benchmark::RegisterMemoryManager(&allocations);
    RecordingReporter reporter(allocations);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double framework_allocations = framework_pass_allocations(allocations);
    benchmark::RegisterMemoryManager(nullptr);
    const std::vector<Row> rows = make_rows(reporter, ratios, framework_allocations);
    print_rows(rows);
    benchmark::Shutdown();
    if (json_path != nullptr && !write_json(json_path, rows, ratios)) {
        std::fprintf(stderr, "cannot write %s\n", json_path);
        return 1;
    }
    return 0;
}

}  // namespace microtrace_bench

#define MICROTRACE_BENCHMARK_MAIN(...)                                                 \
    int main(int argc, char** argv) {                                                  \
        return microtrace_bench::run_with_ratios(argc, argv, std::vector<microtrace_bench::Ratio> __VA_ARGS__); \
    }
