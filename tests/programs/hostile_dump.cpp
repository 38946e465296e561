// Records spans whose name, attribute key and value, and event name are random bytes,
// dumps them as Zipkin JSON, then prints what went in, so check_hostile_json.py can
// verify that the JSON is valid and every string survived (invalid UTF-8 as U+FFFD).
//
// Output: the JSON array on one line, then one line per span in dump order:
//   expect <name hex> <key hex> <value hex> <event hex>      ("-" for an empty string)
#include <microtrace/microtrace.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

microtrace::Recorder<256> recorder;

struct Inputs {
    std::string name, key, value, event;
};

// Mostly bytes that stress JSON: controls, quotes, backslashes, UTF-8 lead and
// continuation bytes, and plain ASCII between them.
std::string random_bytes(microtrace::detail::Xoshiro256& random, std::size_t max_length) {
    static const unsigned char interesting[] = {0x00, 0x01, 0x1f, '"', '\\', '/', 0x7f, 0x80, 0xbf, 0xc0, 0xc2,
                                                0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a', ' ', '\n'};
    std::string bytes(random.next() % (max_length + 1), '\0');
    for (char& byte : bytes) {
        const std::uint64_t pick = random.next();
        byte = static_cast<char>(pick % 3 == 0 ? interesting[(pick >> 8) % sizeof interesting] : (pick >> 8) & 0xFF);
    }
    return bytes;
}

void print_hex(const std::string& bytes) {
    std::printf(" ");
    if (bytes.empty()) std::printf("-");
    for (unsigned char byte : bytes) std::printf("%02x", byte);
}

}  // namespace

int main(int argc, char** argv) {
    microtrace::detail::Xoshiro256 random;
    random.seed(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1);
    microtrace::Tracer tracer("hostile", recorder);
    std::vector<Inputs> inputs;
    for (int i = 0; i < 200; ++i) {
        Inputs in{random_bytes(random, 40), random_bytes(random, 20), random_bytes(random, 60), random_bytes(random, 40)};
        auto span = tracer.start_span(in.name);
        span.set_attribute(in.key, in.value);
        span.add_event(in.event);
        inputs.push_back(in);
    }
    recorder.dump_zipkin(stdout);
    std::printf("\n");
    for (const Inputs& in : inputs) {
        std::printf("expect");
        print_hex(in.name);
        print_hex(in.key);
        print_hex(in.value);
        print_hex(in.event);
        std::printf("\n");
    }
    return 0;
}
