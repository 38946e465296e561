// Links either instrumented.o or plain.o into a program, so whole binaries can be compared.
#include <cstdio>

int expensive();
int handle_request(int x);
int call_downstream(int x);
bool tracing_now();
void dump(std::FILE* out);
extern int side_effects;

int main(int argc, char**) {
    int total = handle_request(argc) + call_downstream(argc);
    dump(stdout);
    std::printf("%d %d %d\n", total, side_effects, tracing_now() ? 1 : 0);
    return side_effects == 0 && !tracing_now() ? 0 : 1;
}
