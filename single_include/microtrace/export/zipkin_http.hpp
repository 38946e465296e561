// microtrace — single-header edition.
//
// GENERATED FILE — DO NOT EDIT. Generated from include/microtrace/export/zipkin_http.hpp and the parts it
// includes; edit those instead, then regenerate with:
//     python3 tools/amalgamate.py --input include/microtrace/export/zipkin_http.hpp --output <this file>
// A test (`python3 tools/amalgamate.py --check`) fails while this file is out of date.

// microtrace/export/zipkin_http.hpp — an optional add-on: POST the recorder's spans to a
// Zipkin-compatible collector (`/api/v2/spans` on Zipkin, Jaeger's Zipkin port, Grafana
// Tempo, the OpenTelemetry Collector's zipkin receiver). Not part of microtrace.hpp.
//
//   static microtrace::SpanData pending[1024];   // >= the recorder's capacity: nothing lost
//   microtrace::ZipkinHttpExporter exporter(recorder, pending, {"127.0.0.1", 9411});
//   microtrace::ExportResult result = exporter.export_spans();  // from your own thread
//
// POSIX sockets only, no dependency, no thread of its own. Memory is bounded: spans are
// drained from the recorder into the caller's fixed buffer, and the request streams from
// there through a 4 KiB buffer (its Content-Length comes from a first counting pass over
// the same, unchanging buffer). Spans leave the buffer only when the collector answers 2xx;
// after a failure they stay there and the next export_spans() sends them first. Every
// wait is bounded (connect timeout, request deadline, a fixed number of attempts).
// Requests carry `b3: 0` so that a traced collector does not trace the export itself.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string_view>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../microtrace.hpp"

MICROTRACE_BEGIN_NAMESPACE

// Where and how to send. Every time is in milliseconds; all have defaults. `host` and
// `path` are borrowed: they must outlive the exporter (string literals do).
struct ZipkinHttpOptions {
    const char* host = "127.0.0.1";  // numeric IPv4/IPv6 address, or a name (resolved each attempt)
    std::uint16_t port = 9411;
    const char* path = "/api/v2/spans";
    std::uint32_t connect_timeout_ms = 1000;  // per attempt
    std::uint32_t request_timeout_ms = 5000;  // per attempt: sending the body and reading the status
    std::uint32_t max_attempts = 3;           // at least 1
    std::uint32_t backoff_ms = 100;           // wait before the second attempt; doubles after each
    std::uint32_t max_backoff_ms = 2000;      // ... up to this
};

// Why an export failed, or `ok`.
enum class ExportStatus : std::uint8_t {
    ok,                  // the collector answered 2xx (or there was nothing to send)
    bad_target,          // the host does not resolve, or the host/path cannot go in a request
    connection_refused,  // nothing listens there
    connection_failed,   // any other socket error (unreachable, reset, ...): see error_number
    timeout,             // connecting, sending or waiting for the status took too long
    bad_response,        // the peer closed the connection or answered something not HTTP
    http_error,          // the collector answered a status other than 2xx: see http_status
};

// Returns the status's name: "ok", "connection_refused", ...
constexpr const char* to_string(ExportStatus status) noexcept {
    switch (status) {
        case ExportStatus::ok: return "ok";
        case ExportStatus::bad_target: return "bad_target";
        case ExportStatus::connection_refused: return "connection_refused";
        case ExportStatus::connection_failed: return "connection_failed";
        case ExportStatus::timeout: return "timeout";
        case ExportStatus::bad_response: return "bad_response";
        case ExportStatus::http_error: return "http_error";
    }
    return "unknown";
}

// What one export did. On failure, the fields describe the last attempt.
struct ExportResult {
    ExportStatus status = ExportStatus::ok;
    int http_status = 0;         // the last HTTP status received; 0 when none was
    int error_number = 0;        // errno of the last socket error; 0 when none
    std::uint32_t attempts = 0;  // requests tried (0: nothing to send)
    std::size_t spans = 0;       // spans the collector acknowledged
    std::size_t bytes = 0;       // request body bytes of the last request

    bool ok() const noexcept { return status == ExportStatus::ok; }
};

// The exporter's counters. At rest, the spans it drained from the recorder (the recorder's
// `dumped`) equal `spans_exported + spans_rejected + spans_lost + spans_pending`.
struct ZipkinHttpExporterStats {
    std::uint64_t requests = 0;        // HTTP requests attempted, retries included
    std::uint64_t batches_ok = 0;      // batches the collector acknowledged (2xx)
    std::uint64_t batches_failed = 0;  // export_spans() calls that gave up, the batch kept
    std::uint64_t spans_exported = 0;  // spans acknowledged with 2xx
    std::uint64_t spans_rejected = 0;  // spans discarded because the collector refused them (4xx)
    std::uint64_t spans_lost = 0;      // spans drained that did not fit the buffer (too small)
    std::uint64_t spans_pending = 0;   // spans in the buffer, sent first by the next export
};

namespace detail {
namespace zipkin_http {

inline std::uint64_t monotonic_ms() noexcept {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000000u;
}

inline void sleep_ms(std::uint32_t ms) noexcept {
    timespec wait{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {
    }
}

// Milliseconds left before `deadline`, as poll() takes them.
inline int remaining_ms(std::uint64_t deadline) noexcept {
    const std::uint64_t now = monotonic_ms();
    if (now >= deadline) return 0;
    const std::uint64_t left = deadline - now;
    return left > 0x7fffffff ? 0x7fffffff : static_cast<int>(left);
}

// Waits until `fd` is ready for `events` or `deadline` passes. False on timeout or error.
inline bool wait_for(int fd, short events, std::uint64_t deadline) noexcept {
    for (;;) {
        const int left = remaining_ms(deadline);
        if (left == 0) return false;
        pollfd entry{fd, events, 0};
        const int ready = poll(&entry, 1, left);
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) return false;
    }
}

// One attempt's outcome.
struct Attempt {
    ExportStatus status = ExportStatus::ok;
    int http_status = 0;
    int error_number = 0;
};

inline bool attempt_ok(const Attempt& attempt) noexcept { return attempt.status == ExportStatus::ok; }

// Owns a socket descriptor.
class Socket {
  public:
    Socket() noexcept = default;
    explicit Socket(int fd) noexcept : fd_(fd) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { reset(-1); }
    void reset(int fd) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    int get() const noexcept { return fd_; }

  private:
    int fd_ = -1;
};

// Connects `socket` to host:port within the connect timeout. Tries every address the host
// resolves to; the result describes the last failure.
inline Attempt connect_to(const ZipkinHttpOptions& options, Socket& socket) noexcept {
    Attempt attempt;
    char port[8];
    std::snprintf(port, sizeof port, "%u", static_cast<unsigned>(options.port));
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* addresses = nullptr;
    if (getaddrinfo(options.host, port, &hints, &addresses) != 0 || addresses == nullptr) {
        attempt.status = ExportStatus::bad_target;
        return attempt;
    }
    attempt.status = ExportStatus::connection_failed;
    for (const addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
        socket.reset(::socket(address->ai_family, address->ai_socktype, address->ai_protocol));
        const int fd = socket.get();
        if (fd < 0) {
            attempt.error_number = errno;
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // we write whole chunks
#if defined(SO_NOSIGPIPE)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);  // BSDs: no MSG_NOSIGNAL
#endif
        int error = 0;
        if (::connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
            error = errno;
            if (error == EINPROGRESS || error == EINTR) {
                if (!wait_for(fd, POLLOUT, monotonic_ms() + options.connect_timeout_ms)) {
                    attempt.status = ExportStatus::timeout;
                    attempt.error_number = ETIMEDOUT;
                    continue;
                }
                socklen_t size = sizeof error;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
            }
        }
        if (error == 0) {
            attempt = Attempt{};
            break;
        }
        attempt.status = error == ECONNREFUSED ? ExportStatus::connection_refused : ExportStatus::connection_failed;
        attempt.error_number = error;
    }
    freeaddrinfo(addresses);
    if (!attempt_ok(attempt)) socket.reset(-1);
    return attempt;
}

// Buffers writes into 4 KiB chunks and sends them before `deadline`. After the first
// failure it keeps the error and ignores further writes.
class SocketWriter {
  public:
    SocketWriter(int fd, std::uint64_t deadline) noexcept : fd_(fd), deadline_(deadline) {}

    void write(const char* data, std::size_t size) noexcept {
        while (size > 0 && failed_.status == ExportStatus::ok) {
            const std::size_t room = sizeof buffer_ - used_;
            const std::size_t take = size < room ? size : room;
            std::memcpy(buffer_ + used_, data, take);
            used_ += take;
            data += take;
            size -= take;
            if (used_ == sizeof buffer_) flush();
        }
    }
    void write(std::string_view text) noexcept { write(text.data(), text.size()); }

    // Sends what is buffered. Returns the first failure, or ok.
    Attempt flush() noexcept {
        std::size_t sent = 0;
        while (sent < used_ && failed_.status == ExportStatus::ok) {
#if defined(MSG_NOSIGNAL)
            const ssize_t n = ::send(fd_, buffer_ + sent, used_ - sent, MSG_NOSIGNAL);
#else
            const ssize_t n = ::send(fd_, buffer_ + sent, used_ - sent, 0);
#endif
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (!wait_for(fd_, POLLOUT, deadline_)) failed_ = {ExportStatus::timeout, 0, ETIMEDOUT};
            } else {
                failed_ = {ExportStatus::connection_failed, 0, n < 0 ? errno : EPIPE};
            }
        }
        used_ = 0;
        return failed_;
    }

  private:
    int fd_;
    std::uint64_t deadline_;
    Attempt failed_;
    std::size_t used_ = 0;
    char buffer_[4096];
};

// ASCII case-insensitive prefix test for header names.
inline bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && header_name_equals(text.substr(0, prefix.size()), prefix);
}

// Reads the response up to the end of its headers (skipping 1xx interim responses) and
// returns its status; then reads and discards a short body so the collector sees a clean
// close. Everything before `deadline`.
inline Attempt read_status(int fd, std::uint64_t deadline) noexcept {
    char buffer[2048];
    std::size_t used = 0;
    for (;;) {
        // Headers end at the first empty line.
        const std::string_view received(buffer, used);
        const std::size_t end = received.find("\r\n\r\n");
        if (end != std::string_view::npos) {
            const std::string_view head = received.substr(0, end + 2);
            // "HTTP/1.1 202 Accepted": a version, a space, three digits.
            if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head.find(' ') == std::string_view::npos)
                return {ExportStatus::bad_response, 0, 0};
            const std::size_t space = head.find(' ');
            int status = 0;
            for (std::size_t i = space + 1; i < space + 4 && i < head.size(); ++i) {
                if (head[i] < '0' || head[i] > '9') return {ExportStatus::bad_response, 0, 0};
                status = status * 10 + (head[i] - '0');
            }
            if (status < 100) return {ExportStatus::bad_response, 0, 0};
            const std::size_t rest = used - (end + 4);
            if (status < 200) {  // 100 Continue and friends: the real answer follows
                std::memmove(buffer, buffer + end + 4, rest);
                used = rest;
                continue;
            }
            // Discard a body of known, small length; otherwise just close.
            std::size_t body = 0;
            for (std::size_t line = head.find("\r\n") + 2; line < head.size();) {
                const std::size_t line_end = head.find("\r\n", line);
                const std::string_view header = head.substr(line, line_end - line);
                if (starts_with_ignoring_case(header, "content-length:")) {
                    for (const char c : header.substr(15))
                        if (c >= '0' && c <= '9' && body < 65536) body = body * 10 + static_cast<std::size_t>(c - '0');
                }
                line = line_end + 2;
            }
            std::size_t discarded = rest;
            while (discarded < body && body <= 65536 && wait_for(fd, POLLIN, deadline)) {
                const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
                if (n <= 0 && !(n < 0 && errno == EINTR)) break;
                if (n > 0) discarded += static_cast<std::size_t>(n);
            }
            Attempt attempt;
            attempt.http_status = status;
            if (status >= 300) attempt.status = ExportStatus::http_error;
            return attempt;
        }
        if (used == sizeof buffer) return {ExportStatus::bad_response, 0, 0};  // headers too long
        if (!wait_for(fd, POLLIN, deadline)) return {ExportStatus::timeout, 0, ETIMEDOUT};
        const ssize_t n = ::recv(fd, buffer + used, sizeof buffer - used, 0);
        if (n > 0) {
            used += static_cast<std::size_t>(n);
        } else if (n == 0) {
            return {ExportStatus::bad_response, 0, 0};  // closed before a full status
        } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            return {ExportStatus::connection_failed, 0, errno};
        }
    }
}

// Whether sending the same request again may succeed.
inline bool worth_retrying(const Attempt& attempt) noexcept {
    switch (attempt.status) {
        case ExportStatus::ok:
        case ExportStatus::bad_target: return false;
        case ExportStatus::http_error:
            // 408 Request Timeout, 429 Too Many Requests and server errors are passing;
            // any other answer would be the same next time.
            return attempt.http_status == 408 || attempt.http_status == 429 || attempt.http_status >= 500;
        default: return true;
    }
}

// True when host and path can go into a request line and a Host header as they are.
inline bool valid_target(const ZipkinHttpOptions& options) noexcept {
    if (options.host == nullptr || options.path == nullptr || options.path[0] != '/' || options.host[0] == '\0')
        return false;
    for (const char* text : {options.host, options.path}) {
        const std::size_t size = std::strlen(text);
        if (size > 1024) return false;
        for (std::size_t i = 0; i < size; ++i)
            if (static_cast<unsigned char>(text[i]) <= ' ' || text[i] == 0x7f) return false;
    }
    return true;
}

// POSTs one JSON body of `length` bytes, which `write_body(Sink)` writes, retrying as
// the options say. `write_body` must write the same `length` bytes every time.
template <class WriteBody>
ExportResult post_json(const ZipkinHttpOptions& options, std::size_t length, WriteBody&& write_body,
                       std::uint64_t* requests = nullptr) noexcept {
    ExportResult result;
    result.bytes = length;
    if (!valid_target(options)) {
        result.status = ExportStatus::bad_target;
        return result;
    }
    const std::uint32_t attempts = options.max_attempts > 0 ? options.max_attempts : 1;
    std::uint32_t backoff = options.backoff_ms;
    const bool ipv6_literal = std::strchr(options.host, ':') != nullptr;
    char head[2304];
    const int head_size = std::snprintf(head, sizeof head,
        "POST %s HTTP/1.1\r\n"
        "Host: %s%s%s:%u\r\n"
        "User-Agent: microtrace/%d.%d.%d\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: %zu\r\n"
        "b3: 0\r\n"
        "Connection: close\r\n"
        "\r\n",
        options.path, ipv6_literal ? "[" : "", options.host, ipv6_literal ? "]" : "",
        static_cast<unsigned>(options.port), MICROTRACE_VERSION_MAJOR, MICROTRACE_VERSION_MINOR,
        MICROTRACE_VERSION_PATCH, length);
    if (head_size <= 0 || static_cast<std::size_t>(head_size) >= sizeof head) {
        result.status = ExportStatus::bad_target;
        return result;
    }
    for (std::uint32_t attempt_number = 1; attempt_number <= attempts; ++attempt_number) {
        if (attempt_number > 1) {
            sleep_ms(backoff);
            backoff = backoff > options.max_backoff_ms / 2 ? options.max_backoff_ms : backoff * 2;
        }
        result.attempts = attempt_number;
        if (requests != nullptr) ++*requests;
        Socket socket;
        Attempt attempt = connect_to(options, socket);
        if (attempt_ok(attempt)) {
            const std::uint64_t deadline = monotonic_ms() + options.request_timeout_ms;
            SocketWriter writer(socket.get(), deadline);
            writer.write(head, static_cast<std::size_t>(head_size));
            write_body(Sink([&writer](std::string_view chunk) { writer.write(chunk); }));
            attempt = writer.flush();
            if (attempt_ok(attempt)) attempt = read_status(socket.get(), deadline);
        }
        result.status = attempt.status;
        result.http_status = attempt.http_status;
        result.error_number = attempt.error_number;
        if (!worth_retrying(attempt)) break;
    }
    return result;
}

}  // namespace zipkin_http
}  // namespace detail

// POSTs a Zipkin v2 JSON document you already have (a dump kept in a string or read from
// a file) to the collector, with the options' timeouts and retries. `spans` in the result
// stays 0: this function does not parse the JSON.
inline ExportResult post_zipkin_json(const ZipkinHttpOptions& options, std::string_view json) noexcept {
    return detail::zipkin_http::post_json(options, json.size(),
                                          [json](Sink sink) { sink.write(json.data(), json.size()); });
}

// Sends a recorder's spans to a collector, batch by batch, losing none silently.
//
// Spans move from the recorder into `buffer` (drained: the recorder forgets them and
// counts them `dumped`), and leave the buffer only when the collector acknowledges them.
// A failed batch stays in the buffer and goes first in the next export_spans(); while it
// waits, the recorder keeps recording (and, full, overwrites or drops as its policy says,
// counted there). A batch the collector refuses outright (a 4xx other than 408/429: the
// same bytes would get the same answer) is discarded and counted as `spans_rejected`.
//
// Give the buffer at least `recorder.capacity()` spans: a drain never yields more, so
// nothing is lost here. A smaller buffer works, and counts what did not fit as
// `spans_lost`. Not thread-safe: call export_spans() from one thread at a time (spans
// may be recorded meanwhile, from any thread).
class ZipkinHttpExporter {
  public:
    ZipkinHttpExporter(RecorderCore& recorder, SpanData* buffer, std::size_t capacity,
                       const ZipkinHttpOptions& options = {}) noexcept
        : recorder_(recorder), buffer_(buffer), capacity_(buffer != nullptr ? capacity : 0), options_(options) {}
    template <std::size_t Capacity>
    ZipkinHttpExporter(RecorderCore& recorder, SpanData (&buffer)[Capacity], const ZipkinHttpOptions& options = {}) noexcept
        : ZipkinHttpExporter(recorder, buffer, Capacity, options) {}
    ZipkinHttpExporter(const ZipkinHttpExporter&) = delete;
    ZipkinHttpExporter& operator=(const ZipkinHttpExporter&) = delete;

    // Sends the pending batch, if any, then what the recorder holds now. Returns the first
    // failure, or ok with `spans` = the spans acknowledged (0 and no request when there
    // was nothing to send). Blocks at most about max_attempts x (connect_timeout_ms +
    // request_timeout_ms) + the backoffs, per batch, for at most two batches.
    ExportResult export_spans() noexcept {
        ExportResult total;
        if constexpr (!config::enabled) return total;
        for (int batch = 0; batch < 2; ++batch) {
            const bool retrying = count_ != 0;
            if (!retrying) fill();
            if (count_ == 0) break;
            ExportResult result = send_batch();
            result.spans += total.spans;
            total = result;
            if (!result.ok() || !retrying) break;
        }
        return total;
    }

    // Spans waiting in the buffer for the next export_spans().
    std::size_t pending() const noexcept { return count_; }

    // Forgets the pending batch (counted as rejected): for a collector that will never
    // take it, or at shutdown when it cannot be sent.
    void discard_pending() noexcept {
        stats_.spans_rejected += count_;
        count_ = 0;
    }

    ZipkinHttpExporterStats stats() const noexcept {
        ZipkinHttpExporterStats stats = stats_;
        stats.spans_pending = count_;
        return stats;
    }

    const ZipkinHttpOptions& options() const noexcept { return options_; }

  private:
    // Drains the recorder into the (empty) buffer.
    void fill() noexcept {
        recorder_.drain([this](const SpanData& span, std::string_view) {
            if (count_ < capacity_) {
                buffer_[count_++] = span;
            } else {
                ++stats_.spans_lost;
            }
        });
    }

    // Writes the buffer as one Zipkin v2 JSON array.
    void write_batch(Sink sink) const noexcept {
        JsonWriter json(sink);
        json.raw('[');
        for (std::size_t i = 0; i < count_; ++i) {
            if (i != 0) json.raw(',');
            write_zipkin_span(json, buffer_[i], recorder_.service_name(buffer_[i].service_index));
        }
        json.raw(']');
    }

    ExportResult send_batch() noexcept {
        std::size_t length = 0;
        write_batch(Sink([&length](std::string_view chunk) { length += chunk.size(); }));
        ExportResult result = detail::zipkin_http::post_json(
            options_, length, [this](Sink sink) { write_batch(sink); }, &stats_.requests);
        if (result.ok()) {
            result.spans = count_;
            stats_.spans_exported += count_;
            ++stats_.batches_ok;
            count_ = 0;
        } else if (result.status == ExportStatus::http_error &&
                   !detail::zipkin_http::worth_retrying({result.status, result.http_status, 0})) {
            discard_pending();
        } else {
            ++stats_.batches_failed;
        }
        return result;
    }

    RecorderCore& recorder_;
    SpanData* buffer_;
    std::size_t capacity_;
    std::size_t count_ = 0;
    ZipkinHttpOptions options_;
    ZipkinHttpExporterStats stats_;
};

MICROTRACE_END_NAMESPACE
