// instrumented.cpp without its instrumentation: what MICROTRACE_ENABLED=0 must compile to.
#include <cstdio>

int side_effects = 0;
int expensive() { return ++side_effects; }

int handle_request(int x) {
    int result = x * 2;
    for (int i = 0; i < x; ++i) result += i;
    return result;
}

int call_downstream(int x) { return x; }

bool tracing_now() { return false; }

void dump(std::FILE*) {}
