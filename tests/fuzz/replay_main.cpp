// The fuzz targets in the normal test suite: runs every target linked into this program
// (tests/fuzz/fuzz_*.cpp, built with -DMICROTRACE_FUZZ_REPLAY) over every file of its
// committed corpus, tests/fuzz/corpus/<target>/: the seeds written from the specs and each
// input a fuzzer once failed on. Any compiler, any sanitizer, valgrind: no libFuzzer needed.
//
//   fuzz_replay CORPUS_DIR [TARGET...]
//
// A broken property aborts with the file:line of the check (the input's path is printed
// first); the exit status is 0 when every input passed.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [TARGET...]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path root = argv[1];
    const std::vector<std::string> selected(argv + 2, argv + argc);
    std::size_t targets = 0, inputs = 0;
    for (const microtrace_fuzz::RegisteredTarget& target : microtrace_fuzz::registered_targets()) {
        if (!selected.empty() && std::find(selected.begin(), selected.end(), target.name) == selected.end()) continue;
        const std::filesystem::path directory = root / target.name;
        std::vector<std::filesystem::path> files;
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(directory, error))
            if (entry.is_regular_file()) files.push_back(entry.path());
        if (error || files.empty()) {
            std::fprintf(stderr, "error: no corpus for target %s in %s\n", target.name, directory.string().c_str());
            return 1;
        }
        std::sort(files.begin(), files.end());
        for (const std::filesystem::path& file : files) {
            std::ifstream in(file, std::ios::binary);
            const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            std::fprintf(stderr, "%s\n", file.string().c_str());  // names the input if a check aborts
            target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++inputs;
        }
        ++targets;
    }
    if (targets == 0) {
        std::fprintf(stderr, "error: no target selected\n");
        return 1;
    }
    std::printf("fuzz corpora: %zu inputs through %zu targets, every property held\n", inputs, targets);
    return 0;
}
