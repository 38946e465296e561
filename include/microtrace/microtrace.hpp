// microtrace/microtrace.hpp — the umbrella header: include this one.
//
// microtrace: header-only distributed tracing for C++17. Spans, W3C Trace Context /
// W3C Baggage / B3 propagation, samplers, and a fixed-size recorder that dumps Zipkin
// v2 JSON. Define MICROTRACE_ENABLED=0 to strip all of it to nothing.
#pragma once

#include "config.hpp"
#include "ids.hpp"
#include "clock.hpp"
#include "context.hpp"
#include "sampler.hpp"
#include "span_data.hpp"
#include "endpoint.hpp"
#include "json.hpp"
#include "zipkin.hpp"
#include "recorder.hpp"
#include "span.hpp"
#include "tracer.hpp"
#include "macros.hpp"
#include "chrome_trace.hpp"
#include "waterfall.hpp"
#include "flight.hpp"
#include "crash_dump.hpp"
#include "samplers/samplers.hpp"
#include "propagation/propagation.hpp"
