// game_loop: a 60 Hz game-server loop with a flight recorder.
//
// Every tick is a trace: a `tick` span, a child span per system (MICROTRACE_SPAN_DETAIL)
// and, under physics, one per entity (MICROTRACE_SPAN_VERBOSE). Build with
// -DMICROTRACE_DETAIL_LEVEL=1 to keep the systems and drop the entities, or 0 to keep the
// ticks only; the dropped spans then cost nothing at all.
//
// Ticks are few, so every one is recorded: the ring always holds the last ~20 ticks. The
// players' commands are many, and their number swings with the load, so each command is a
// trace of its own sampled by an adaptive sampler with tick windows: about 4 command traces
// a tick, whether 40 or 400 players are online.
//
// When a tick overruns its budget, the tick span is marked as an error and the ring is
// dumped as Zipkin v2 JSON (a flight dump) on standard output, while the loop carries on:
// open it in Zipkin or Jaeger and see which system ate the time, and what came before.
//
// Time here is simulated (each system advances a counter by what it "costs"), and one
// tick is made slow on purpose, so the run, and its one flight dump, is the same on any
// machine. A real server passes its own clock the same way, or keeps the default one.
#include <microtrace/microtrace.hpp>

#include <cstdint>
#include <cstdio>

namespace {

using namespace microtrace;

// ---- the simulation's clock: nanoseconds that only move when the game "works" ----
std::uint64_t simulated_ns = 0;
std::uint64_t simulated_now() noexcept { return simulated_ns; }
void spend_us(std::uint64_t us) { simulated_ns += us * 1000; }
// 2023-11-14 22:13:20 UTC: a fixed start, so every run dumps the same timestamps.
constexpr std::int64_t start_epoch_ns = 1'700'000'000'000'000'000;
constexpr Clock game_clock{&simulated_now, start_epoch_ns};

constexpr std::uint64_t tick_budget_us = 16'667;  // 60 Hz
constexpr int tick_count = 120;
constexpr int entity_count = 12;
constexpr int slow_tick = 90;  // an explosion: physics takes 30 times longer

// ---- tracing: one flight recorder, two tracers feeding it ----
Recorder<512> flight_recorder;  // overwrite_oldest: always the latest spans
// Ticks and systems: all of them.
Tracer<> loop_tracer("game", flight_recorder, AlwaysOnSampler{}, game_clock);
// Player commands: about 4 traces per tick whatever the load; their children follow them.
Tracer<ParentBased<AdaptiveSampler>> command_tracer("game", flight_recorder,
                                                    ParentBased{AdaptiveSampler::per_tick(4)}, game_clock);

int players_online(int tick) { return tick >= 60 && tick < 80 ? 400 : 40; }  // a rush at 60

void handle_command(int player) {
    StartOptions options;
    options.root = true;  // each command is its own trace (a real server would extract the client's)
    options.kind = SpanKind::server;
    auto command = command_tracer.start_span("command", options);
    MICROTRACE_ATTRIBUTE(command, "player", player);
    spend_us(20);
}

void run_input(int players) {
    MICROTRACE_SPAN_DETAIL(system, loop_tracer, "input");
    MICROTRACE_ATTRIBUTE(system, "commands", players);
    for (int player = 0; player < players; ++player) handle_command(player);
}

void run_physics(int tick) {
    MICROTRACE_SPAN_DETAIL(system, loop_tracer, "physics");
    const std::uint64_t cost_us = tick == slow_tick ? 2'400 : 80;
    for (int entity = 0; entity < entity_count; ++entity) {
        MICROTRACE_SPAN_VERBOSE(body, loop_tracer, "integrate");
        MICROTRACE_ATTRIBUTE(body, "entity", entity);
        spend_us(cost_us);
    }
}

void run_ai() {
    MICROTRACE_SPAN_DETAIL(system, loop_tracer, "ai");
    spend_us(1'500);
}

void run_network(int players) {
    MICROTRACE_SPAN_DETAIL(system, loop_tracer, "network");
    MICROTRACE_ATTRIBUTE(system, "snapshots", players);
    spend_us(500 + 2 * static_cast<std::uint64_t>(players));
}

// Runs one tick; returns how long it took, in microseconds.
std::uint64_t run_tick(int tick) {
    const std::uint64_t started = simulated_ns;
    const int players = players_online(tick);
    MICROTRACE_SPAN(span, loop_tracer, "tick");
    MICROTRACE_ATTRIBUTE(span, "tick", tick);
    MICROTRACE_ATTRIBUTE(span, "players", players);
    MICROTRACE_ATTRIBUTE(span, "command.sample_probability", command_tracer.sampler().root().probability());
    run_input(players);
    run_physics(tick);
    run_ai();
    run_network(players);
    command_tracer.sampler().root().advance_window();  // the tick is over: adapt to its load
    const std::uint64_t took_us = (simulated_ns - started) / 1000;
    if (took_us > tick_budget_us) {
        MICROTRACE_ATTRIBUTE(span, "tick.overrun_us", took_us - tick_budget_us);
        MICROTRACE_STATUS(span, StatusCode::error, "tick over budget");
    }
    return took_us;
}

}  // namespace

int main() {
    int dumps = 0;
    for (int tick = 0; tick < tick_count; ++tick) {
        const std::uint64_t took_us = run_tick(tick);  // the tick span has ended: it is in the ring
        if (took_us > tick_budget_us) {
            std::fprintf(stderr, "tick %d took %llu us (budget %llu us): flight dump on stdout\n", tick,
                         static_cast<unsigned long long>(took_us), static_cast<unsigned long long>(tick_budget_us));
            flight_recorder.dump_zipkin(stdout);  // a snapshot: the ring keeps recording
            std::fputc('\n', stdout);
            ++dumps;
        } else {
            spend_us(tick_budget_us - took_us);  // sleep until the next tick
        }
    }
    const RecorderStats stats = flight_recorder.stats();
    std::fprintf(stderr, "%d ticks, %d flight dump(s); %llu spans recorded, %llu overwritten\n", tick_count, dumps,
                 static_cast<unsigned long long>(stats.recorded), static_cast<unsigned long long>(stats.overwritten));
    return 0;
}
