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

// Layout-changing configuration is spelled into an inline namespace, so translation
// units built with different settings fail to link instead of sharing a corrupt layout.
#define MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services) \
    v##major##_e##enabled##_a##attrs##_ev##events##_s##bytes##_svc##services
#define MICROTRACE_DETAIL_ABI_EXPAND(major, enabled, attrs, events, bytes, services) \
    MICROTRACE_DETAIL_ABI_NAME(major, enabled, attrs, events, bytes, services)
#define MICROTRACE_ABI_NAMESPACE                                                              \
    MICROTRACE_DETAIL_ABI_EXPAND(MICROTRACE_VERSION_MAJOR, MICROTRACE_ENABLED,                \
                                 MICROTRACE_MAX_ATTRIBUTES, MICROTRACE_MAX_EVENTS,            \
                                 MICROTRACE_SPAN_STRING_BYTES, MICROTRACE_MAX_SERVICES)

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
}  // namespace config
MICROTRACE_END_NAMESPACE
