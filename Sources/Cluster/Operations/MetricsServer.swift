import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.0 responder for Prometheus: `GET /metrics` returns what `render` gives, anything
/// else 404. One request per connection, served one at a time on a thread of its own.
final class MetricsServer: Sendable {
    private let listener: Int32
    private let stopped = Mutex(false)
    /// The port actually bound (useful when 0 was asked for).
    let port: Int

    init(host: String, port: Int, logger: Logger, render: @escaping @Sendable () -> String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError.configuration("cannot create a socket for the metrics endpoint") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw ClusterError.configuration("metrics host '\(host)' is not an IPv4 address; use for example 127.0.0.1 or 0.0.0.0")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ClusterError.configuration("cannot serve metrics on \(host):\(port) (\(reason)); choose a free port")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        logger.info("serving metrics", metadata: ["address": "http://\(host):\(self.port)/metrics"])
        let thread = Thread { [self] in serve(render) }
        thread.name = "metrics"
        thread.start()
    }

    /// Stops serving; the thread exits within a fraction of a second and closes the socket.
    func stop() { stopped.withLock { $0 = true } }

    private func serve(_ render: @Sendable () -> String) {
        defer { Glibc.close(listener) }
        while !stopped.withLock({ $0 }) {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            answer(client, render)
            Glibc.close(client)
        }
    }

    private func answer(_ client: Int32, _ render: @Sendable () -> String) {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16_384 {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            request += buffer[0..<n]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
            if request.count >= 2, request.suffix(2) == [10, 10] { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let response: String
        if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" || parts[1] == "/" {
            let body = render()
            response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        } else {
            let body = "only GET /metrics is served\n"
            response = "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        }
        let bytes = Array(response.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { b -> Int in
                guard let base = b.baseAddress else { return -1 }
                return send(client, base + sent, b.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return }
            sent += n
        }
    }
}
