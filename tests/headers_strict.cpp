// Compiled (not run) with warnings far stricter than the suite's — -Wshadow, -Wconversion,
// -Wsign-conversion, -Wold-style-cast, -Wundef — in each configuration the tests name:
// users who build with such flags must get no warning from microtrace's headers.
#include <microtrace/microtrace.hpp>
#include <microtrace/export/zipkin_http.hpp>

int main() { return 0; }
