// A firmware-style program, as it would run on a Cortex-M: static storage only, a timer
// for a clock, a hardware random source for ids, no heap, no exceptions, no threads, and
// the dump streamed through a callback (a UART). The same file builds and runs on a PC,
// where the "UART" is stdout, so its output is checked like any example's.
//
// Build it with the switches a small single-core device wants, e.g.:
//   arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -Os -fno-exceptions -fno-rtti
//     -DMICROTRACE_THREADS=0 -DMICROTRACE_THREAD_LOCAL=0 -DMICROTRACE_STD_CLOCK=0
//     -DMICROTRACE_POSIX=0 -DMICROTRACE_MAX_ATTRIBUTES=4 -DMICROTRACE_MAX_EVENTS=2
//     -DMICROTRACE_SPAN_STRING_BYTES=64 -DMICROTRACE_FLOAT_TO_CHARS=0
//     -I include examples/embedded/firmware.cpp
#include <microtrace/microtrace.hpp>

#include <cstdint>
#include <string_view>

#if !defined(__arm__)
#include <cstdio>
#endif

namespace board {

// A 1 MHz timer counting since boot; here it advances 250 µs per reading.
volatile std::uint32_t timer_us = 0;
std::uint64_t now_ns() noexcept {
    const std::uint32_t now = timer_us + 250;  // (a compound assignment to volatile is deprecated)
    timer_us = now;
    return std::uint64_t{now} * 1000;
}

// Stands in for a hardware RNG peripheral (xorshift64, seeded per device).
std::uint64_t random_state = 0x2545f4914f6cdd1dULL;
std::uint64_t hardware_random() noexcept {
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

// The console: a UART on the device, stdout on a PC.
void uart_write(std::string_view bytes) noexcept {
#if defined(__arm__)
    for (char c : bytes) *reinterpret_cast<volatile char*>(0x40004400) = c;  // TX data register
#else
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
#endif
}

// The real-time clock said 2026-01-01T00:00:00Z at boot.
constexpr std::int64_t boot_epoch_ns = 1'767'225'600'000'000'000;

}  // namespace board

namespace {

microtrace::RecorderSlot ring[8];
microtrace::RecorderLane lanes[1];
microtrace::RecorderCore recorder(ring, lanes, microtrace::OverflowPolicy::overwrite_oldest);
// constexpr: the probability becomes a threshold at compile time, so the device needs no
// floating-point code for it.
constexpr microtrace::ProbabilitySampler keep_everything(1.0);
microtrace::Tracer tracer("thermostat", recorder, keep_everything,
                          microtrace::Clock{&board::now_ns, board::boot_epoch_ns},
                          microtrace::IdGenerator{&board::hardware_random, true});

int read_temperature_centi() { return 2150; }

// One control cycle; the heater command carries the trace to the next board (W3C
// traceparent, as it would travel in a CAN or UART frame).
void control_cycle(int cycle, char (&frame)[microtrace::traceparent_size]) {
    MICROTRACE_SPAN(span, tracer, "control_cycle", microtrace::SpanKind::producer);
    MICROTRACE_ATTRIBUTE(span, "cycle", cycle);
    int temperature = 0;
    {
        MICROTRACE_SPAN_DETAIL(read, tracer, "read_sensor", span.context());
        temperature = read_temperature_centi();
        MICROTRACE_ATTRIBUTE(read, "temperature_centi", temperature);
    }
    if (temperature < 2200) MICROTRACE_EVENT(span, "heater on");
    microtrace::format_traceparent(span.context(), frame);
}

}  // namespace

int main() {
    char frame[microtrace::traceparent_size] = {};
    for (int cycle = 0; cycle < 3; ++cycle) control_cycle(cycle, frame);
    recorder.drain_zipkin(&board::uart_write);
    board::uart_write("\n");
    microtrace::SpanContext received;  // what the next board reads back out of the frame
    const bool valid = microtrace::parse_traceparent(std::string_view(frame, sizeof frame), received);
    return !microtrace::config::enabled || valid ? 0 : 1;
}
