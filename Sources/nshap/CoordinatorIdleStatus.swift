#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// What a coordinator does after its run ended when told to stay (`--idle-after-finish`): nothing
/// but answer HTTP on the metrics port with the final status, until SIGTERM. A supervisor that
/// restarts exited processes (a Kubernetes Deployment, systemd with `Restart=always`) then neither
/// restarts a finished run nor sees a dead probe.
final class CoordinatorIdleStatus: Service {
    let host: String
    let port: Int?
    let body: String
    let logger: Logger

    init(host: String, port: Int?, body: String, logger: Logger) {
        self.host = host
        self.port = port
        self.body = body
        self.logger = logger
    }

    func run() async throws {
        let stop = StopFlag()
        var thread: Thread?
        if let port {
            // The run's metrics endpoint releases the port shortly after the run ends.
            var attempt = 0
            var listening: Int32?
            while listening == nil {
                do {
                    listening = try Self.listen(host: host, port: port)
                } catch {
                    attempt += 1
                    if attempt >= 50 { throw error }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            guard let fd = listening else { return }
            let response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let t = Thread { Self.serve(fd, response: response, stop: stop) }
            t.start()
            thread = t
            logger.notice("the run is over; idling until SIGTERM", metadata: ["status": "http://\(host):\(port)/metrics"])
        } else {
            logger.notice("the run is over; idling until SIGTERM")
        }
        try? await gracefulShutdown()
        stop.value.store(true, ordering: .sequentiallyConsistent)
        _ = thread
    }

    private static func listen(host: String, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalError("cannot create a socket for the status endpoint") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            close(fd)
            throw LocalError("--metrics-host \(host): expected an IPv4 address such as 0.0.0.0 or 127.0.0.1")
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, Glibc.listen(fd, 16) == 0 else {
            close(fd)
            throw LocalError("cannot listen on \(host):\(port) for the status endpoint: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    private static func serve(_ fd: Int32, response: String, stop: StopFlag) {
        defer { close(fd) }
        while !stop.value.load(ordering: .sequentiallyConsistent) {
            var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&item, 1, 250) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 1024)
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            _ = response.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            close(client)
        }
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
