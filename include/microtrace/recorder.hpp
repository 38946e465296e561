// microtrace/recorder.hpp — the fixed-size span ring: many writers, a concurrent dump,
// exact counters, no heap after construction and no lock on the writing path.
//
// Storage is split into lanes; a thread always writes to the same lane (its ordinal
// modulo the lane count), so writers on different lanes share no cache line. Each slot
// is a seqlock: a writer claims it (odd sequence), copies the span in, and publishes it
// (even sequence naming the span's position). A reader copies a slot out and keeps the
// copy only if the sequence did not move, so a dump only ever sees whole spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "clock.hpp"
#include "config.hpp"
#include "detail/atomic.hpp"
#include "json.hpp"
#include "span_data.hpp"
#include "zipkin.hpp"

MICROTRACE_BEGIN_NAMESPACE

// What happens to a span that ends while its lane is full.
enum class OverflowPolicy : std::uint8_t {
    overwrite_oldest,  // flight recorder: the oldest span not yet drained is lost (counted)
    drop_newest,       // the ending span is lost (counted)
};

// Recorder counters. At rest, `recorded + dropped` equals the sampled spans ended, and
// `recorded == dumped + overwritten + held`.
struct RecorderStats {
    std::uint64_t started = 0;      // sampled spans started
    std::uint64_t recorded = 0;     // sampled spans written to the ring
    std::uint64_t dropped = 0;      // sampled spans lost because the ring was full (drop_newest)
    std::uint64_t overwritten = 0;  // recorded spans lost to newer ones before a drain took them
    std::uint64_t dumped = 0;       // spans drained (consumed) by drain/drain_zipkin
    std::uint64_t held = 0;         // spans in the ring now
};

// One ring entry. Public so storage can be supplied by the caller (a static array in a
// chosen memory section, say); its contents are the recorder's business.
struct RecorderSlot {
    // One word when tracing is compiled out, so caller-supplied storage costs nothing.
    static constexpr std::size_t word_count = config::enabled ? sizeof(SpanData) / sizeof(std::uint64_t) : 1;
    // 0: never written; 2p+1: span at position p being written; 2p+2: holds position p.
    detail::Atomic<std::uint64_t> sequence{0};
    detail::Atomic<std::uint64_t> words[word_count]{};
};

// One lane's positions and counters; writer-side and reader-side fields sit on separate
// cache lines so a dump does not slow the writers down.
struct RecorderLane {
    alignas(64) detail::Atomic<std::uint64_t> head{0};     // positions handed out (= recorded)
    detail::Atomic<std::uint64_t> started{0};
    detail::Atomic<std::uint64_t> dropped{0};
    alignas(64) detail::Atomic<std::uint64_t> tail{0};     // first position not yet drained
    detail::Atomic<std::uint64_t> dumped{0};
    detail::Atomic<std::uint64_t> overwritten{0};          // counted by drains
};

namespace detail {

#if MICROTRACE_THREAD_LOCAL
// Thread ordinals, which pick each thread's lane: a thread takes the smallest number no
// running thread holds and gives it back when it exits, so the threads running at any time
// spread evenly over the lanes even when a pool keeps replacing them. Beyond the 256
// numbers tracked here, ordinals come from a counter.
struct OrdinalPool {
    static constexpr std::uint32_t tracked = 256;
    Atomic<std::uint64_t> taken[tracked / 64]{};
    Atomic<std::uint32_t> next_untracked{tracked};
};
inline OrdinalPool ordinal_pool;

inline std::uint32_t take_ordinal() noexcept {
    for (std::uint32_t word = 0; word < OrdinalPool::tracked / 64; ++word) {
        std::uint64_t bits = ordinal_pool.taken[word].load(std::memory_order_relaxed);
        while (bits != ~std::uint64_t{0}) {
            std::uint32_t bit = 0;
            while ((bits >> bit) & 1) ++bit;
            if (ordinal_pool.taken[word].compare_exchange_weak(bits, bits | (std::uint64_t{1} << bit),
                                                               std::memory_order_relaxed))
                return word * 64 + bit;
        }
    }
    return ordinal_pool.next_untracked.fetch_add(1, std::memory_order_relaxed);
}

inline void give_back_ordinal(std::uint32_t ordinal) noexcept {
    if (ordinal >= OrdinalPool::tracked) return;
    Atomic<std::uint64_t>& word = ordinal_pool.taken[ordinal / 64];
    std::uint64_t bits = word.load(std::memory_order_relaxed);
    while (!word.compare_exchange_weak(bits, bits & ~(std::uint64_t{1} << (ordinal % 64)), std::memory_order_relaxed)) {
    }
}

// Gives the thread's ordinal back when the thread exits.
struct OrdinalLease {
    std::uint32_t ordinal;
    ~OrdinalLease() { give_back_ordinal(ordinal); }
};

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline std::uint32_t lease_ordinal() noexcept {
    thread_local OrdinalLease lease{take_ordinal()};
    return lease.ordinal;
}
#endif

// A small per-process number for the calling thread, used to pick its lane. Without
// thread_local every thread shares lane 0 (still safe: lanes take many writers).
inline std::uint32_t thread_ordinal() noexcept {
#if MICROTRACE_THREAD_LOCAL
    thread_local std::uint32_t ordinal_plus_one = 0;  // constant-initialized: no guard here
    if (ordinal_plus_one == 0) ordinal_plus_one = lease_ordinal() + 1;
    return ordinal_plus_one - 1;
#else
    return 0;
#endif
}

// Byte ranges of a SpanData that hold data (whole 64-bit words: every range starts on
// one), copied as words.
static_assert(offsetof(SpanData, remote) % 8 == 0 && offsetof(SpanData, attributes) % 8 == 0 &&
                  offsetof(SpanData, events) % 8 == 0 && offsetof(SpanData, strings) % 8 == 0,
              "the ranges the recorder copies start on 64-bit words");
template <class Visit>
void for_each_used_range(const SpanData& span, Visit&& visit) noexcept {
    visit(std::size_t{0}, offsetof(SpanData, remote));
    if ((span.options & SpanOptions::remote_endpoint) != 0) visit(offsetof(SpanData, remote), sizeof(EndpointData));
    visit(offsetof(SpanData, attributes), span.used_attribute_bytes());
    visit(offsetof(SpanData, events), span.used_event_bytes());
    visit(offsetof(SpanData, strings), std::size_t{span.string_bytes_used});
}

// Words [first, end) of a span into a slot: plain stores on every 64-bit target, but
// atomic ones, so that a dump reading the slot at the same time is not a data race (the
// seqlock then throws the torn copy away).
inline void store_words(RecorderSlot& slot, const unsigned char* bytes, std::size_t first, std::size_t end) noexcept {
    std::size_t w = first;
#if !defined(__OPTIMIZE_SIZE__)
    for (; w + 2 <= end; w += 2) {  // two at a time: the copy is the bulk of a record
        std::uint64_t low, high;
        std::memcpy(&low, bytes + w * 8, 8);
        std::memcpy(&high, bytes + w * 8 + 8, 8);
        slot.words[w].store(low, std::memory_order_relaxed);
        slot.words[w + 1].store(high, std::memory_order_relaxed);
    }
#endif
    for (; w < end; ++w) {
        std::uint64_t word;
        std::memcpy(&word, bytes + w * 8, 8);
        slot.words[w].store(word, std::memory_order_relaxed);
    }
}

// The whole used part of a span into a slot.
inline void store_words(RecorderSlot& slot, const SpanData& span) noexcept {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&span);
#if defined(__OPTIMIZE_SIZE__)
    for_each_used_range(span, [&](std::size_t offset, std::size_t size) {
        store_words(slot, bytes, offset / 8, (offset + size + 7) / 8);
    });
#else
    // The fixed part has a constant size: straight-line code, and fewer range computations.
    constexpr std::size_t fixed_words = offsetof(SpanData, remote) / 8;
    for (std::size_t w = 0; w < fixed_words; ++w) {
        std::uint64_t word;
        std::memcpy(&word, bytes + w * 8, 8);
        slot.words[w].store(word, std::memory_order_relaxed);
    }
    const auto range = [&](std::size_t offset, std::size_t size) noexcept {
        store_words(slot, bytes, offset / 8, (offset + size + 7) / 8);
    };
    if ((span.options & SpanOptions::remote_endpoint) != 0) range(offsetof(SpanData, remote), sizeof(EndpointData));
    range(offsetof(SpanData, attributes), span.used_attribute_bytes());
    if (span.event_count != 0) range(offsetof(SpanData, events), span.used_event_bytes());
    range(offsetof(SpanData, strings), span.string_bytes_used);
#endif
}

inline void load_words(const RecorderSlot& slot, SpanData& span, std::size_t offset, std::size_t size) noexcept {
    auto* bytes = reinterpret_cast<unsigned char*>(&span);
    for (std::size_t w = offset / 8; w < (offset + size + 7) / 8; ++w) {
        const std::uint64_t word = slot.words[w].load(std::memory_order_relaxed);
        std::memcpy(bytes + w * 8, &word, sizeof word);
    }
}

// Makes sure a forked child bumps fork_generation even if no id was ever drawn from the
// default generator, which registers the same handler (twice only bumps twice).
inline void watch_forks() noexcept {
#if MICROTRACE_ENABLED && MICROTRACE_POSIX
    static const bool registered = pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
    (void)registered;
#endif
}

// Copies the span at `position` out of `slot`. False when the slot does not hold that
// position whole (overwritten, or being written); `span` is then garbage.
inline bool read_slot(const RecorderSlot& slot, std::uint64_t position, SpanData& span) noexcept {
    const std::uint64_t expected = 2 * position + 2;
    if (slot.sequence.load(std::memory_order_acquire) != expected) return false;
    load_words(slot, span, 0, offsetof(SpanData, remote));
    // A torn header may hold any counts: clamp them so the copy stays in bounds; the
    // sequence check below throws such a copy away.
    if (span.attribute_count > config::max_attributes) span.attribute_count = config::max_attributes;
    if (span.event_count > config::max_events) span.event_count = config::max_events;
    if (span.string_bytes_used > config::span_string_bytes) span.string_bytes_used = config::span_string_bytes;
    for_each_used_range(span, [&](std::size_t offset, std::size_t size) {
        if (offset != 0) load_words(slot, span, offset, size);
    });
    detail::atomic_fence(std::memory_order_acquire);
    return slot.sequence.load(std::memory_order_relaxed) == expected;
}

}  // namespace detail

// A recorder over caller-supplied storage: `slots` (a power of two, split evenly over
// the lanes) and `lanes` (a power of two). Recorder<N> below owns its storage instead.
class RecorderCore {
  public:
    static constexpr std::size_t max_service_name = 64;

    template <std::size_t SlotCount, std::size_t LaneCount>
    constexpr RecorderCore(RecorderSlot (&slots)[SlotCount], RecorderLane (&lanes)[LaneCount],
                           OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept {
        if constexpr (config::enabled) attach(slots, SlotCount, lanes, LaneCount, policy);
        static_assert(LaneCount > 0 && (LaneCount & (LaneCount - 1)) == 0, "lane count must be a power of two");
        static_assert(SlotCount >= LaneCount && (SlotCount & (SlotCount - 1)) == 0,
                      "slot count must be a power of two, at least one per lane");
    }
    RecorderCore(const RecorderCore&) = delete;
    RecorderCore& operator=(const RecorderCore&) = delete;

    OverflowPolicy policy() const noexcept { return policy_; }
    std::size_t capacity() const noexcept { return config::enabled ? lane_capacity_ * lane_count_ : 0; }
    std::size_t lane_count() const noexcept { return lane_count_; }

    // Registers a service name for the dumps' localEndpoint and returns its index. Names
    // are copied (cut at 64 bytes); the same name gets the same index. When the table
    // is full the last slot is shared (documented limit MICROTRACE_MAX_SERVICES).
    std::uint8_t register_service(std::string_view name) noexcept {
        if constexpr (!config::enabled) return 0;
        name = name.substr(0, SpanData::utf8_prefix_length(name, max_service_name));
        DumpGuard guard(*this);
        for (std::size_t i = 0; i < service_count_; ++i)
            if (service_name(static_cast<std::uint8_t>(i)) == name) return static_cast<std::uint8_t>(i);
        if (service_count_ == config::max_services) return static_cast<std::uint8_t>(service_count_ - 1);
        ServiceName& slot = services_[service_count_];
        std::memcpy(slot.chars, name.data(), name.size());
        slot.size = static_cast<std::uint8_t>(name.size());
        return static_cast<std::uint8_t>(service_count_++);
    }

    std::string_view service_name(std::uint8_t index) const noexcept {
        if constexpr (!config::enabled) return {};
        if (index >= service_count_ || index >= config::max_services) return "unknown_service";
        return {services_[index].chars, services_[index].size};
    }

    // Counts a sampled span that started on this thread; returns the thread's lane, where
    // the span will be written (so it need not be looked up again).
    RecorderLane& note_started() noexcept {
        RecorderLane& lane = this_lane();
        if constexpr (config::enabled) lane.started.fetch_add(1, std::memory_order_relaxed);
        return lane;
    }

    // Writes an ended span into this thread's lane, or counts it as dropped.
    void record(const SpanData& span) noexcept { record(span, this_lane()); }

    // Writes an ended span into `lane` (the one note_started() returned), or counts it as
    // dropped. A flight recorder (flight.hpp) routes it through its keep rules instead.
    void record(const SpanData& span, RecorderLane& lane) noexcept {
        if constexpr (!config::enabled) return;
        if (end_hook_ != nullptr) {
            end_hook_(*this, span, lane);
            return;
        }
        write(span, lane);
    }

    // True when spans the head sampler did not select are recorded too (a FlightRecorder):
    // the tracer then records every span, marked SpanOptions::unsampled.
    bool records_unsampled() const noexcept { return config::enabled && end_hook_ != nullptr; }

    // The calling thread's lane, without counting a start.
    RecorderLane& current_lane() const noexcept { return this_lane(); }

  protected:
    // What a FlightRecorder installs: every span ending (sampled or not) goes through it.
    using EndHook = void (*)(RecorderCore& recorder, const SpanData& span, RecorderLane& lane) noexcept;
    void set_end_hook(EndHook hook) noexcept { end_hook_ = hook; }

    // The ring write itself: into `lane`, or counted as dropped.
    void write(const SpanData& span, RecorderLane& lane) noexcept {
        if constexpr (!config::enabled) return;
        std::uint64_t position = 0;
        if (lane_capacity_ == 0 || !reserve(lane, position)) {
            lane.dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        RecorderSlot& slot = slot_for(lane, position);
        if (!claim(slot, position)) return;  // already superseded: a drain counts it overwritten
        detail::atomic_fence(std::memory_order_release);
        detail::store_words(slot, span);
        slot.sequence.store(2 * position + 2, std::memory_order_release);
    }

  public:
    // The counters, summed over the lanes. Exact when no span is being written.
    RecorderStats stats() const noexcept {
        RecorderStats total;
        if constexpr (!config::enabled) return total;
        total.started = unattached_lane_.started.load(std::memory_order_relaxed);
        total.dropped = unattached_lane_.dropped.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < lane_count_; ++i) {
            const RecorderLane& lane = lanes_[i];
            const std::uint64_t head = lane.head.load(std::memory_order_acquire);
            const std::uint64_t tail = lane.tail.load(std::memory_order_acquire);
            const std::uint64_t pending = head - tail;
            const std::uint64_t held = pending < lane_capacity_ ? pending : lane_capacity_;
            total.started += lane.started.load(std::memory_order_relaxed);
            total.recorded += head;
            total.dropped += lane.dropped.load(std::memory_order_relaxed);
            total.dumped += lane.dumped.load(std::memory_order_relaxed);
            total.overwritten += lane.overwritten.load(std::memory_order_relaxed) + (pending - held);
            total.held += held;
        }
        return total;
    }

    // Calls `visit(const SpanData&, std::string_view service_name)` for every span held,
    // leaving them in place. Returns how many it visited.
    template <class Visit>
    std::size_t snapshot(Visit&& visit) const noexcept {
        return walk(visit, false);
    }

    // Like snapshot, but consumes what it visits: a later drain or snapshot will not see
    // those spans again, and `dumped` counts them.
    template <class Visit>
    std::size_t drain(Visit&& visit) noexcept {
        return walk(visit, true);
    }

    // Like snapshot, but does not wait for a dump in progress: for a fatal-signal handler
    // (crash_dump.hpp), which must not wait on a flag its own thread may hold. Slots being
    // written or overwritten meanwhile are still skipped by the sequence checks.
    template <class Visit>
    std::size_t snapshot_unguarded(Visit&& visit) const noexcept {
        return walk_slots(visit, false);
    }

    // Writes the spans held as one Zipkin v2 JSON array (`[]` when empty).
    std::size_t dump_zipkin(Sink sink) const noexcept { return write_zipkin(sink, false, 0); }
    // Like dump_zipkin, but only the spans that ended at or after `ended_since`: "the last
    // T milliseconds" of a flight recorder is dump_zipkin(sink, now - T).
    std::size_t dump_zipkin(Sink sink, EpochNanos ended_since) const noexcept {
        return write_zipkin(sink, false, ended_since.count());
    }
    // Like dump_zipkin, but consumes the spans written.
    std::size_t drain_zipkin(Sink sink) noexcept { return write_zipkin(sink, true, 0); }

  protected:
    // A recorder is all zeros until attach() points it at its storage, so a static one
    // sits in .bss (not in .data, which would cost its whole size in the binary) and is
    // usable at any point of static initialization: spans recorded before attach() are
    // counted as dropped.
    constexpr RecorderCore() noexcept = default;

    // Points the recorder at fresh storage (sequences and counters at zero, as constructed).
    void attach(RecorderSlot* slots, std::size_t slot_count, RecorderLane* lanes, std::size_t lane_count,
                OverflowPolicy policy) noexcept {
        slots_ = slots;
        lanes_ = lanes;
        lane_capacity_ = slot_count / lane_count;
        policy_ = policy;
        lane_count_ = lane_count;
    }

  private:
    struct ServiceName {
        char chars[max_service_name]{};
        std::uint8_t size = 0;
    };

    // Serialises dumps (and service registration) with each other; writers never take it.
    // The lock holds the fork generation (ids.hpp) of the process that took it: a forked child
    // takes over a lock that a parent thread, which the child does not have, was holding.
    class DumpGuard {
      public:
        explicit DumpGuard(const RecorderCore& recorder) noexcept : flag_(recorder.dump_busy_) {
            detail::watch_forks();
            const std::uint32_t generation = detail::fork_generation.load(std::memory_order_relaxed);
            std::uint32_t holder = 0;
            while (!flag_.compare_exchange_weak(holder, generation, std::memory_order_acquire, std::memory_order_relaxed)) {
                if (holder == 0 || holder == generation) {  // free (a spurious failure), or held here: wait
                    holder = 0;
                    detail::yield_thread();
                }  // held before a fork(): the next try takes it over
            }
        }
        ~DumpGuard() { flag_.store(0, std::memory_order_release); }
        DumpGuard(const DumpGuard&) = delete;
        DumpGuard& operator=(const DumpGuard&) = delete;

      private:
        detail::Atomic<std::uint32_t>& flag_;
    };

    RecorderLane& this_lane() const noexcept {
        if (lane_count_ == 0) return unattached_lane_;
        return lanes_[detail::thread_ordinal() & (lane_count_ - 1)];
    }

    RecorderSlot& slot_for(const RecorderLane& lane, std::uint64_t position) const noexcept {
        const std::size_t lane_index = static_cast<std::size_t>(&lane - lanes_);
        return slots_[lane_index * lane_capacity_ + (position & (lane_capacity_ - 1))];
    }

    // Hands out the next position of `lane`; false when drop_newest finds the lane full.
    bool reserve(RecorderLane& lane, std::uint64_t& position) noexcept {
        if (policy_ == OverflowPolicy::overwrite_oldest) {
            position = lane.head.fetch_add(1, std::memory_order_relaxed);
            return true;
        }
        position = lane.head.load(std::memory_order_relaxed);
        do {
            if (position - lane.tail.load(std::memory_order_acquire) >= lane_capacity_) return false;
        } while (!lane.head.compare_exchange_weak(position, position + 1, std::memory_order_relaxed));
        return true;
    }

    // Takes `slot` for writing `position`. False when a newer position already owns it
    // (this span was overwritten before it was written). Waits only in the rare case
    // where the ring lapped a writer that is still copying an older span into this slot.
    static bool claim(RecorderSlot& slot, std::uint64_t position) noexcept {
        const std::uint64_t writing = 2 * position + 1;
        std::uint64_t current = slot.sequence.load(std::memory_order_relaxed);
        for (;;) {
            if (current >= writing) return false;
            if ((current & 1) != 0) {  // an older span is mid-copy here
                detail::yield_thread();
                current = slot.sequence.load(std::memory_order_relaxed);
                continue;
            }
            if (slot.sequence.compare_exchange_weak(current, writing, std::memory_order_relaxed)) return true;
        }
    }

    template <class Visit>
    std::size_t walk(Visit& visit, bool consume) const noexcept {
        if constexpr (!config::enabled) return 0;
        DumpGuard guard(*this);
        return walk_slots(visit, consume);
    }

    template <class Visit>
    std::size_t walk_slots(Visit& visit, bool consume) const noexcept {
        if constexpr (!config::enabled) return 0;
        std::size_t visited = 0;
        SpanData span;
        for (std::size_t i = 0; i < lane_count_; ++i) {
            RecorderLane& lane = lanes_[i];
            const std::uint64_t head = lane.head.load(std::memory_order_acquire);
            const std::uint64_t tail = lane.tail.load(std::memory_order_relaxed);
            // Positions more than one lap behind the head are gone.
            const std::uint64_t oldest = head - tail > lane_capacity_ ? head - lane_capacity_ : tail;
            std::uint64_t overwritten = oldest - tail;
            std::uint64_t visited_here = 0;
            std::uint64_t position = oldest;
            for (; position < head; ++position) {
                const RecorderSlot& slot = slot_for(lane, position);
                if (detail::read_slot(slot, position, span)) {
                    visit(static_cast<const SpanData&>(span), service_name(span.service_index));
                    ++visited_here;
                } else if (slot.sequence.load(std::memory_order_acquire) > 2 * position + 2) {
                    ++overwritten;  // lapped while we looked
                } else if (consume) {
                    break;  // still being written: the next drain takes it
                }
            }
            visited += static_cast<std::size_t>(visited_here);  // at most the capacity
            if (consume) {
                lane.overwritten.fetch_add(overwritten, std::memory_order_relaxed);
                lane.dumped.fetch_add(visited_here, std::memory_order_relaxed);
                lane.tail.store(position, std::memory_order_release);
            }
        }
        return visited;
    }

    std::size_t write_zipkin(Sink sink, bool consume, std::uint64_t ended_since_ns) const noexcept {
        if constexpr (!config::enabled) return 0;  // an empty dump: not even "[]"
        JsonWriter json(sink);
        json.raw('[');
        std::size_t written = 0;
        auto write_span = [&](const SpanData& span, std::string_view service) {
            if (span.start_epoch_ns + span.duration_ns < ended_since_ns) return;
            if (written++ != 0) json.raw(',');
            write_zipkin_span(json, span, service);
        };
        if (consume)
            const_cast<RecorderCore*>(this)->drain(write_span);
        else
            snapshot(write_span);
        json.raw(']');
        return written;
    }

    RecorderSlot* slots_ = nullptr;
    RecorderLane* lanes_ = nullptr;
    std::size_t lane_count_ = 0;
    std::size_t lane_capacity_ = 0;
    OverflowPolicy policy_ = OverflowPolicy::overwrite_oldest;
    mutable RecorderLane unattached_lane_;  // counts what arrives before attach()
    mutable detail::Atomic<std::uint32_t> dump_busy_{0};  // 0, or the fork generation holding it
    EndHook end_hook_ = nullptr;  // set by a FlightRecorder
    std::size_t service_count_ = 0;
    ServiceName services_[config::enabled ? config::max_services : 1]{};
};

namespace detail {
// Recorder<> storage, a base class so it is constructed before RecorderCore points at it.
// Compiled out, it keeps one of each so the types stay usable and nearly empty.
template <std::size_t Capacity, std::size_t Lanes>
struct RecorderStorage {
    RecorderLane lanes_storage[config::enabled ? Lanes : 1];
    RecorderSlot slots_storage[config::enabled ? Capacity : 1];
};
}  // namespace detail

// A recorder that owns room for `Capacity` spans, split over `Lanes` lanes (both powers
// of two). One lane keeps the last `Capacity` spans of all threads together; more lanes
// let writer threads scale (each thread then keeps the last `Capacity / Lanes`).
template <std::size_t Capacity, std::size_t Lanes = 1>
class Recorder : private detail::RecorderStorage<Capacity, Lanes>, public RecorderCore {
    static_assert(Lanes > 0 && (Lanes & (Lanes - 1)) == 0, "Lanes must be a power of two");
    static_assert(Capacity >= Lanes && (Capacity & (Capacity - 1)) == 0,
                  "Capacity must be a power of two, at least one per lane");

  public:
    constexpr explicit Recorder(OverflowPolicy policy = OverflowPolicy::overwrite_oldest) noexcept
        : RecorderCore() {
        if constexpr (config::enabled) attach(this->slots_storage, Capacity, this->lanes_storage, Lanes, policy);
    }
};

MICROTRACE_END_NAMESPACE
