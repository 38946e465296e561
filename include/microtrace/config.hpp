// microtrace/config.hpp — compile-time switches, their defaults and their validation.
//
// Every switch is valued (0/1 or a number), has a default, and is checked here:
// a bad value is an #error, never a silent fallback. docs/configuration.md has
// one section per switch.
#pragma once

#define MICROTRACE_VERSION_MAJOR 0
#define MICROTRACE_VERSION_MINOR 1
#define MICROTRACE_VERSION_PATCH 0

// MICROTRACE_ENABLED: 1 traces, 0 strips every operation to an empty inline body.
#ifndef MICROTRACE_ENABLED
#define MICROTRACE_ENABLED 1
#elif (MICROTRACE_ENABLED != 0) && (MICROTRACE_ENABLED != 1)
#error "MICROTRACE_ENABLED must be 0 or 1"
#endif

// MICROTRACE_MAX_ATTRIBUTES: attributes one span holds; more are counted as dropped.
#ifndef MICROTRACE_MAX_ATTRIBUTES
#define MICROTRACE_MAX_ATTRIBUTES 8
#elif (MICROTRACE_MAX_ATTRIBUTES < 0) || (MICROTRACE_MAX_ATTRIBUTES > 64)
#error "MICROTRACE_MAX_ATTRIBUTES must be between 0 and 64"
#endif

// MICROTRACE_MAX_EVENTS: events (Zipkin annotations) one span holds; more are counted as dropped.
#ifndef MICROTRACE_MAX_EVENTS
#define MICROTRACE_MAX_EVENTS 4
#elif (MICROTRACE_MAX_EVENTS < 0) || (MICROTRACE_MAX_EVENTS > 64)
#error "MICROTRACE_MAX_EVENTS must be between 0 and 64"
#endif

// MICROTRACE_SPAN_STRING_BYTES: bytes one span keeps for its name, attribute keys and
// string values, event names and status message; what does not fit is truncated and counted.
#ifndef MICROTRACE_SPAN_STRING_BYTES
#define MICROTRACE_SPAN_STRING_BYTES 256
#elif (MICROTRACE_SPAN_STRING_BYTES < 16) || (MICROTRACE_SPAN_STRING_BYTES > 65535)
#error "MICROTRACE_SPAN_STRING_BYTES must be between 16 and 65535"
#endif

// MICROTRACE_MAX_SERVICES: distinct tracer service names one recorder can name in a dump.
#ifndef MICROTRACE_MAX_SERVICES
#define MICROTRACE_MAX_SERVICES 8
#elif (MICROTRACE_MAX_SERVICES < 1) || (MICROTRACE_MAX_SERVICES > 255)
#error "MICROTRACE_MAX_SERVICES must be between 1 and 255"
#endif

// MICROTRACE_TRACESTATE_MAX_MEMBERS: W3C tracestate members kept per context. W3C allows 32;
// a smaller limit drops members from the right, as the spec's truncation does.
#ifndef MICROTRACE_TRACESTATE_MAX_MEMBERS
#define MICROTRACE_TRACESTATE_MAX_MEMBERS 32
#elif (MICROTRACE_TRACESTATE_MAX_MEMBERS < 1) || (MICROTRACE_TRACESTATE_MAX_MEMBERS > 32)
#error "MICROTRACE_TRACESTATE_MAX_MEMBERS must be between 1 and 32"
#endif

// MICROTRACE_TRACESTATE_BYTES: characters of tracestate kept and sent (W3C: propagate at least
// 512). A longer header is cut by whole members: those over 128 characters first, then from
// the right.
#ifndef MICROTRACE_TRACESTATE_BYTES
#define MICROTRACE_TRACESTATE_BYTES 512
#elif (MICROTRACE_TRACESTATE_BYTES < 64) || (MICROTRACE_TRACESTATE_BYTES > 65535)
#error "MICROTRACE_TRACESTATE_BYTES must be between 64 and 65535"
#endif

// MICROTRACE_BAGGAGE_MAX_MEMBERS: W3C baggage members kept per context (W3C: at least 64).
// Members beyond it are dropped whole and counted.
#ifndef MICROTRACE_BAGGAGE_MAX_MEMBERS
#define MICROTRACE_BAGGAGE_MAX_MEMBERS 64
#elif (MICROTRACE_BAGGAGE_MAX_MEMBERS < 1) || (MICROTRACE_BAGGAGE_MAX_MEMBERS > 1024)
#error "MICROTRACE_BAGGAGE_MAX_MEMBERS must be between 1 and 1024"
#endif

// MICROTRACE_BAGGAGE_BYTES: bytes of the baggage header kept and sent (W3C: at least 8192).
// Members that would not fit are dropped whole and counted.
#ifndef MICROTRACE_BAGGAGE_BYTES
#define MICROTRACE_BAGGAGE_BYTES 8192
#elif (MICROTRACE_BAGGAGE_BYTES < 64) || (MICROTRACE_BAGGAGE_BYTES > 65535)
#error "MICROTRACE_BAGGAGE_BYTES must be between 64 and 65535"
#endif

// MICROTRACE_THREADS: 1 is safe with any number of threads; 0 promises that only one thread
// (and no interrupt handler) ever uses microtrace, and replaces every atomic with a plain variable.
#ifndef MICROTRACE_THREADS
#define MICROTRACE_THREADS 1
#elif (MICROTRACE_THREADS != 0) && (MICROTRACE_THREADS != 1)
#error "MICROTRACE_THREADS must be 0 or 1"
#endif

// MICROTRACE_THREAD_LOCAL: 1 uses thread_local for each thread's current span and id generator;
// 0 is for platforms without TLS: spans nest only through explicit parents, and ids come from
// one shared generator.
#ifndef MICROTRACE_THREAD_LOCAL
#define MICROTRACE_THREAD_LOCAL 1
#elif (MICROTRACE_THREAD_LOCAL != 0) && (MICROTRACE_THREAD_LOCAL != 1)
#error "MICROTRACE_THREAD_LOCAL must be 0 or 1"
#endif

// MICROTRACE_STD_CLOCK: 1 offers Clock::standard() (std::chrono's steady and system clocks) as
// the default clock; 0 is for targets without them: give every tracer a Clock of your own.
#ifndef MICROTRACE_STD_CLOCK
#define MICROTRACE_STD_CLOCK 1
#elif (MICROTRACE_STD_CLOCK != 0) && (MICROTRACE_STD_CLOCK != 1)
#error "MICROTRACE_STD_CLOCK must be 0 or 1"
#endif

// MICROTRACE_POSIX: 1 seeds ids from getrandom()/getpid() and reseeds them in a fork()ed child
// (pthread_atfork); 0 for bare metal, where seeds come from the clock and addresses only (or
// supply an IdGenerator). Defaults to 1 on Unix-like systems.
#ifndef MICROTRACE_POSIX
#if defined(__unix__) || defined(__APPLE__)
#define MICROTRACE_POSIX 1
#else
#define MICROTRACE_POSIX 0
#endif
#elif (MICROTRACE_POSIX != 0) && (MICROTRACE_POSIX != 1)
#error "MICROTRACE_POSIX must be 0 or 1"
#endif

// MICROTRACE_DETAIL_LEVEL: spans started through MICROTRACE_SPAN_AT(level, ...) with a level
// above this one compile to nothing (arguments unevaluated), like log levels: 0 keeps only
// coarse spans, 1 adds MICROTRACE_SPAN_DETAIL spans, 2 adds MICROTRACE_SPAN_VERBOSE spans.
// Affects macros only, so translation units may differ.
#ifndef MICROTRACE_DETAIL_LEVEL
#define MICROTRACE_DETAIL_LEVEL 2
#elif (MICROTRACE_DETAIL_LEVEL < 0) || (MICROTRACE_DETAIL_LEVEL > 2)
#error "MICROTRACE_DETAIL_LEVEL must be 0, 1 or 2"
#endif

// MICROTRACE_FLOAT_TO_CHARS: how floating-point attributes become Zipkin tag text. 1 uses
// std::to_chars: the shortest text that reads back exactly, but on newlib targets it links
// about 100 KiB of tables. 0 uses a compact formatter (9 significant digits, a few hundred
// bytes): the choice for firmware.
#ifndef MICROTRACE_FLOAT_TO_CHARS
#define MICROTRACE_FLOAT_TO_CHARS 1
#elif (MICROTRACE_FLOAT_TO_CHARS != 0) && (MICROTRACE_FLOAT_TO_CHARS != 1)
#error "MICROTRACE_FLOAT_TO_CHARS must be 0 or 1"
#endif

// Layout-changing configuration is spelled into an inline namespace, so translation
// units built with different settings fail to link instead of sharing a corrupt layout.
#define MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services, ts_members,  \
                                   ts_bytes, bag_members, bag_bytes)                          \
    v##major##_e##enabled##_a##attrs##_ev##events##_s##bytes##_svc##services##_ts##ts_members##_##ts_bytes##_bag##bag_members##_##bag_bytes
#define MICROTRACE_DETAIL_ABI_EXPAND(major, enabled, attrs, events, bytes, services, ts_members, \
                                     ts_bytes, bag_members, bag_bytes)                          \
    MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services, ts_members,       \
                               ts_bytes, bag_members, bag_bytes)
#define MICROTRACE_DETAIL_ABI_PLATFORM(name, threads, tls, clock, posix, floats) \
    name##_t##threads##_tl##tls##_c##clock##_p##posix##_f##floats
#define MICROTRACE_DETAIL_ABI_PLATFORM_EXPAND(name, threads, tls, clock, posix, floats) \
    MICROTRACE_DETAIL_ABI_PLATFORM(name, threads, tls, clock, posix, floats)
#define MICROTRACE_ABI_NAMESPACE                                                              \
    MICROTRACE_DETAIL_ABI_PLATFORM_EXPAND(MICROTRACE_DETAIL_ABI_LAYOUT, MICROTRACE_THREADS,     \
                                          MICROTRACE_THREAD_LOCAL, MICROTRACE_STD_CLOCK,         \
                                          MICROTRACE_POSIX, MICROTRACE_FLOAT_TO_CHARS)
#define MICROTRACE_DETAIL_ABI_LAYOUT                                                          \
    MICROTRACE_DETAIL_ABI_EXPAND(MICROTRACE_VERSION_MAJOR, MICROTRACE_ENABLED,                \
                                 MICROTRACE_MAX_ATTRIBUTES, MICROTRACE_MAX_EVENTS,            \
                                 MICROTRACE_SPAN_STRING_BYTES, MICROTRACE_MAX_SERVICES,       \
                                 MICROTRACE_TRACESTATE_MAX_MEMBERS, MICROTRACE_TRACESTATE_BYTES, \
                                 MICROTRACE_BAGGAGE_MAX_MEMBERS, MICROTRACE_BAGGAGE_BYTES)

#define MICROTRACE_BEGIN_NAMESPACE \
    namespace microtrace {         \
    inline namespace MICROTRACE_ABI_NAMESPACE {
#define MICROTRACE_END_NAMESPACE \
    }                            \
    }

#include <cstddef>

MICROTRACE_BEGIN_NAMESPACE
namespace config {
inline constexpr bool enabled = MICROTRACE_ENABLED == 1;
inline constexpr std::size_t max_attributes = MICROTRACE_MAX_ATTRIBUTES;
inline constexpr std::size_t max_events = MICROTRACE_MAX_EVENTS;
inline constexpr std::size_t span_string_bytes = MICROTRACE_SPAN_STRING_BYTES;
inline constexpr std::size_t max_services = MICROTRACE_MAX_SERVICES;
inline constexpr bool threads = MICROTRACE_THREADS == 1;
inline constexpr bool thread_local_storage = MICROTRACE_THREAD_LOCAL == 1;
inline constexpr bool std_clock = MICROTRACE_STD_CLOCK == 1;
inline constexpr bool posix = MICROTRACE_POSIX == 1;
inline constexpr int detail_level = MICROTRACE_DETAIL_LEVEL;
inline constexpr bool float_to_chars = MICROTRACE_FLOAT_TO_CHARS == 1;
inline constexpr std::size_t tracestate_max_members = MICROTRACE_TRACESTATE_MAX_MEMBERS;
inline constexpr std::size_t tracestate_bytes = MICROTRACE_TRACESTATE_BYTES;
inline constexpr std::size_t baggage_max_members = MICROTRACE_BAGGAGE_MAX_MEMBERS;
inline constexpr std::size_t baggage_bytes = MICROTRACE_BAGGAGE_BYTES;
}  // namespace config
MICROTRACE_END_NAMESPACE
