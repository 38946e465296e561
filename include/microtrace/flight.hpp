// microtrace/flight.hpp — record everything cheaply, keep the traces that turned out to
// matter (tail keeping).
//
// A FlightRecorder is a Recorder (its ring is the export set: what dump_zipkin and drain
// write) with a second ring, `recent()`, that holds the spans the head sampler did not
// select. Tracers pointed at it record every span; when one that was not sampled ends, the
// keep rules look at it (error status, a duration over a global or per-name threshold, a
// user predicate). A rule that fires, or a manual keep(trace_id), keeps the span's trace:
//   - its spans already in the recent ring are copied ("promoted") into the export ring,
//   - its spans that end within `window_ns` after the decision go to the export ring too,
// all marked SpanOptions::kept and written without the unsampled mark, so the Zipkin dump
// shows them as any sampled span. Spans of traces nobody kept stay in the recent ring, the
// last N spans of the process, overwritten oldest first.
//
// Costs: an unsampled span is recorded like a sampled one (two clock reads, its SpanData
// filled, one ring write) plus a probe of the kept-trace table (at most 4 slots) and the
// rules (a few compares). Promotion walks the recent ring once per kept trace: the span that
// triggers it pays that. No heap, no lock anywhere (the promotion's walk does not take the
// dump flag: it reads slots under their sequence numbers, as dumps do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"
#include "detail/atomic.hpp"
#include "ids.hpp"
#include "json.hpp"
#include "recorder.hpp"
#include "span_data.hpp"
#include "zipkin.hpp"

MICROTRACE_BEGIN_NAMESPACE

// A latency threshold for the spans of one name.
struct NamedLatency {
    std::string_view name;  // must outlive the recorder (a literal)
    std::uint64_t threshold_ns;
};

// When a span the head sampler did not select keeps its trace. Evaluated when the span
// ends, in this order; the first rule that matches keeps it.
struct KeepRules {
    bool errors = true;                    // status error (set_status or record_error)
    std::uint64_t latency_ns = 0;          // duration at least this long (0: off)
    const NamedLatency* named = nullptr;   // per-name thresholds, checked before latency_ns
    std::size_t named_count = 0;
    // A user rule: keeps the trace when it returns true. Runs on the ending thread.
    bool (*predicate)(const SpanData& span, void* context) noexcept = nullptr;
    void* predicate_context = nullptr;
    // How long after a keep decision (measured on span end times) spans of the kept trace
    // still go to the export ring. 0: only the spans already recorded.
    std::uint64_t window_ns = 1'000'000'000;
};

// Flight-recorder counters (beyond the two rings' own RecorderStats).
struct FlightStats {
    std::uint64_t kept_traces = 0;    // keep decisions (rules and manual), one per trace and window
    std::uint64_t kept_spans = 0;     // unsampled spans written to the export ring: promoted or in window
    std::uint64_t table_evicted = 0;  // kept traces forgotten before their window ended (table full)
};

namespace detail {

// One kept trace. A writer claims the slot (odd sequence), fills it, publishes it (even);
// readers keep what they read only if the sequence did not move.
struct KeptTrace {
    Atomic<std::uint64_t> sequence{0};
    Atomic<std::uint64_t> high{0};
    Atomic<std::uint64_t> low{0};
    Atomic<std::uint64_t> until_ns{0};  // end of the window (epoch ns)
};

inline std::uint64_t span_end_ns(const SpanData& span) noexcept { return span.start_epoch_ns + span.duration_ns; }

}  // namespace detail

// The flight machinery over caller-supplied storage; FlightRecorder<> below owns it.
// `kept` is the kept-trace table (a power of two, at least 4).
class FlightCore : public RecorderCore {
  public:
    FlightCore(const FlightCore&) = delete;
    FlightCore& operator=(const FlightCore&) = delete;

    // The ring of spans the head sampler did not select (and nobody kept): the last
    // spans of the process. Dump it like any recorder (dump_zipkin, dump_chrome_trace,
    // write_waterfall) to see what happened just before now.
    RecorderCore& recent() noexcept { return *recent_; }
    const RecorderCore& recent() const noexcept { return *recent_; }

    const KeepRules& rules() const noexcept { return rules_; }
    // Replaces the rules. Not synchronized with spans ending: set them before tracing starts.
    void set_rules(const KeepRules& rules) noexcept { rules_ = rules; }

    // Keeps `trace` as a rule would, at `now_epoch_ns` (its window runs from there):
    // promotes its recorded spans and keeps its later ones within the window. Call it with
    // the time of the decision, e.g. the end of a frame that overran. Returns the number of
    // spans promoted.
    std::size_t keep(TraceId trace, std::uint64_t now_epoch_ns) noexcept {
        if constexpr (!config::enabled) return 0;
        return keep_trace(trace, now_epoch_ns, nullptr);
    }

    // True while `trace` is kept at `when_epoch_ns`.
    bool is_kept(TraceId trace, std::uint64_t when_epoch_ns) const noexcept {
        if constexpr (!config::enabled) return false;
        return find(trace, when_epoch_ns);
    }

    FlightStats flight_stats() const noexcept {
        FlightStats stats;
        if constexpr (!config::enabled) return stats;
        stats.kept_traces = kept_traces_.load(std::memory_order_relaxed);
        stats.kept_spans = kept_spans_.load(std::memory_order_relaxed);
        stats.table_evicted = table_evicted_.load(std::memory_order_relaxed);
        return stats;
    }

    // Writes the spans of kept traces only (not the head-sampled ones) as one Zipkin v2
    // JSON array. Non-destructive. Returns how many spans it wrote.
    std::size_t dump_kept_zipkin(Sink sink) const noexcept {
        if constexpr (!config::enabled) return 0;
        JsonWriter json(sink);
        json.raw('[');
        std::size_t written = 0;
        snapshot([&](const SpanData& span, std::string_view service) {
            if ((span.options & SpanOptions::kept) == 0) return;
            if (written != 0) json.raw(',');
            ++written;
            write_zipkin_span(json, span, service);
        });
        json.raw(']');
        return written;
    }

  protected:
    // Points the export ring at `slots`/`lanes`, the recent ring at `recent`, the table at
    // `kept` (kept_count: a power of two, at least 4).
    FlightCore() noexcept = default;
    void attach_flight(RecorderCore& recent, detail::KeptTrace* kept, std::size_t kept_count,
                       const KeepRules& rules) noexcept {
        recent_ = &recent;
        kept_ = kept;
        kept_mask_ = kept_count - 1;
        rules_ = rules;
        set_end_hook(&FlightCore::on_end);
    }

  private:
    static constexpr std::size_t probe_length = 4;

    // Every span ending on a tracer pointed here comes through this.
    static void on_end(RecorderCore& core, const SpanData& span, RecorderLane& lane) noexcept {
        auto& self = static_cast<FlightCore&>(core);
        if ((span.options & SpanOptions::unsampled) == 0) {  // head-sampled: as any recorder
            self.write(span, lane);
            return;
        }
        // The span's own block (a Span's, about to be discarded): marked in place rather
        // than copied, which would cost as much as the ring write.
        SpanData& data = const_cast<SpanData&>(span);
        const std::uint64_t end_ns = detail::span_end_ns(span);
        if (self.find(span.trace_id, end_ns)) {
            self.export_kept(data, lane);
            return;
        }
        if (self.matches_rules(span)) {
            self.keep_trace(span.trace_id, end_ns, &lane);
            self.export_kept(data, lane);
            return;
        }
        if (span.service_index >= self.recent_services_.load(std::memory_order_acquire)) self.sync_services(span.service_index);
        self.recent_->record(span);
    }

    // Gives the recent ring the export ring's service names up to `index`, at the same
    // indices (registered in the same order), so its dumps name the services too. Once per
    // service: the first span of a new service waits for the recent ring's dump flag.
    void sync_services(std::uint8_t index) noexcept {
        for (std::uint32_t i = 0; i <= index; ++i) recent_->register_service(service_name(static_cast<std::uint8_t>(i)));
        std::uint32_t synced = recent_services_.load(std::memory_order_relaxed);
        while (synced < std::uint32_t{index} + 1u &&
               !recent_services_.compare_exchange_weak(synced, std::uint32_t{index} + 1u, std::memory_order_release,
                                                       std::memory_order_relaxed)) {
        }
    }

    bool matches_rules(const SpanData& span) const noexcept {
        if (rules_.errors && span.status == StatusCode::error) return true;
        if (rules_.named_count != 0) {
            const std::string_view name = span.view(span.name);
            for (std::size_t i = 0; i < rules_.named_count; ++i)
                if (rules_.named[i].name == name) return span.duration_ns >= rules_.named[i].threshold_ns;
        }
        if (rules_.latency_ns != 0 && span.duration_ns >= rules_.latency_ns) return true;
        return rules_.predicate != nullptr && rules_.predicate(span, rules_.predicate_context);
    }

    void export_kept(SpanData& span, RecorderLane& lane) noexcept {
        span.options = static_cast<std::uint8_t>((span.options & ~SpanOptions::unsampled) | SpanOptions::kept);
        write(span, lane);
        kept_spans_.fetch_add(1, std::memory_order_relaxed);
    }

    // Enters `trace` in the table (or extends its window) and promotes its spans from the
    // recent ring into the export ring.
    std::size_t keep_trace(TraceId trace, std::uint64_t now_ns, RecorderLane* lane) noexcept {
        const std::uint64_t until = now_ns + rules_.window_ns;
        const bool known = find(trace, now_ns);
        insert(trace, until == 0 ? 1 : until);
        if (known) return 0;  // already promoted when it was first kept
        kept_traces_.fetch_add(1, std::memory_order_relaxed);
        RecorderLane& into = lane != nullptr ? *lane : current_lane();
        std::size_t promoted = 0;
        recent_->snapshot_unguarded([&](const SpanData& recorded, std::string_view) {
            if (!(recorded.trace_id == trace) || (recorded.options & SpanOptions::unsampled) == 0) return;
            // `recorded` is the walk's own copy: free to mark.
            export_kept(const_cast<SpanData&>(recorded), into);
            ++promoted;
        });
        return promoted;
    }

    bool find(TraceId trace, std::uint64_t when_ns) const noexcept {
        const std::size_t home = static_cast<std::size_t>(trace.low ^ trace.high);
        for (std::size_t i = 0; i < probe_length; ++i) {
            const detail::KeptTrace& slot = kept_[(home + i) & kept_mask_];
            const std::uint64_t before = slot.sequence.load(std::memory_order_acquire);
            if (before == 0) return false;  // never used: the probe ends here
            if ((before & 1) != 0) continue;
            const std::uint64_t high = slot.high.load(std::memory_order_relaxed);
            const std::uint64_t low = slot.low.load(std::memory_order_relaxed);
            const std::uint64_t until = slot.until_ns.load(std::memory_order_relaxed);
            detail::atomic_fence(std::memory_order_acquire);
            if (slot.sequence.load(std::memory_order_relaxed) != before) continue;
            if (high == trace.high && low == trace.low) return when_ns <= until;
        }
        return false;
    }

    // Writes `trace` into its slot if present, else into a free or expired slot of its
    // probe, else over the one whose window ends first (counted as evicted if still open).
    void insert(TraceId trace, std::uint64_t until_ns) noexcept {
        const std::size_t home = static_cast<std::size_t>(trace.low ^ trace.high);
        std::size_t chosen = home & kept_mask_;
        std::uint64_t chosen_until = ~std::uint64_t{0};
        const std::uint64_t now_ns = until_ns - rules_.window_ns;
        for (std::size_t i = 0; i < probe_length; ++i) {
            const std::size_t index = (home + i) & kept_mask_;
            detail::KeptTrace& slot = kept_[index];
            const std::uint64_t sequence = slot.sequence.load(std::memory_order_acquire);
            if (sequence == 0) {
                chosen = index;
                chosen_until = 0;
                break;
            }
            if (slot.high.load(std::memory_order_relaxed) == trace.high &&
                slot.low.load(std::memory_order_relaxed) == trace.low) {
                chosen = index;
                chosen_until = 0;
                break;
            }
            const std::uint64_t until = slot.until_ns.load(std::memory_order_relaxed);
            if (until < chosen_until) {
                chosen = index;
                chosen_until = until;
            }
        }
        if (chosen_until != 0 && chosen_until != ~std::uint64_t{0} && chosen_until >= now_ns)
            table_evicted_.fetch_add(1, std::memory_order_relaxed);
        detail::KeptTrace& slot = kept_[chosen];
        std::uint64_t sequence = slot.sequence.load(std::memory_order_relaxed);
        for (;;) {  // claim: another thread writing this slot finishes first
            if ((sequence & 1) != 0) {
                detail::yield_thread();
                sequence = slot.sequence.load(std::memory_order_relaxed);
                continue;
            }
            if (slot.sequence.compare_exchange_weak(sequence, sequence + 1, std::memory_order_acquire,
                                                    std::memory_order_relaxed))
                break;
        }
        detail::atomic_fence(std::memory_order_release);
        slot.high.store(trace.high, std::memory_order_relaxed);
        slot.low.store(trace.low, std::memory_order_relaxed);
        slot.until_ns.store(until_ns, std::memory_order_relaxed);
        slot.sequence.store(sequence + 2, std::memory_order_release);
    }

    RecorderCore* recent_ = nullptr;
    detail::KeptTrace* kept_ = nullptr;
    std::size_t kept_mask_ = 0;
    KeepRules rules_;
    detail::Atomic<std::uint64_t> kept_traces_{0};
    detail::Atomic<std::uint64_t> kept_spans_{0};
    detail::Atomic<std::uint64_t> table_evicted_{0};
    detail::Atomic<std::uint32_t> recent_services_{0};  // service names copied to the recent ring
};

namespace detail {
template <std::size_t Capacity, std::size_t RecentCapacity, std::size_t Lanes, std::size_t Kept>
struct FlightStorage {
    RecorderLane lanes_storage[config::enabled ? Lanes : 1];
    RecorderSlot slots_storage[config::enabled ? Capacity : 1];
    Recorder<config::enabled ? RecentCapacity : Lanes, Lanes> recent_storage;
    KeptTrace kept_storage[config::enabled ? Kept : 1];
};
}  // namespace detail

// A recorder that keeps `Capacity` exported spans (head-sampled, and those of kept traces)
// and the last `RecentCapacity` spans nobody sampled or kept, over `Lanes` lanes each, and
// remembers up to `Kept` kept traces at a time (all powers of two).
template <std::size_t Capacity, std::size_t RecentCapacity, std::size_t Lanes = 1, std::size_t Kept = 64>
class FlightRecorder : private detail::FlightStorage<Capacity, RecentCapacity, Lanes, Kept>, public FlightCore {
    static_assert(Lanes > 0 && (Lanes & (Lanes - 1)) == 0, "Lanes must be a power of two");
    static_assert(Capacity >= Lanes && (Capacity & (Capacity - 1)) == 0,
                  "Capacity must be a power of two, at least one per lane");
    static_assert(RecentCapacity >= Lanes && (RecentCapacity & (RecentCapacity - 1)) == 0,
                  "RecentCapacity must be a power of two, at least one per lane");
    static_assert(Kept >= 4 && (Kept & (Kept - 1)) == 0, "Kept must be a power of two, at least 4");

  public:
    explicit FlightRecorder(const KeepRules& rules = KeepRules{},
                            OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept {
        if constexpr (config::enabled) {
            attach(this->slots_storage, Capacity, this->lanes_storage, Lanes, policy);
            attach_flight(this->recent_storage, this->kept_storage, Kept, rules);
        }
    }
};

MICROTRACE_END_NAMESPACE
