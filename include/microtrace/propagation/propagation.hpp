// microtrace/propagation/propagation.hpp — every propagation header: carriers, W3C
// traceparent/tracestate, W3C Baggage, B3, and the composite extract/inject.
#pragma once

#include "carrier.hpp"
#include "traceparent.hpp"
#include "tracestate.hpp"
#include "trace_context.hpp"
#include "baggage.hpp"
#include "b3.hpp"
#include "composite.hpp"
