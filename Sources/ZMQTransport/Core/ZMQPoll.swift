private import CZeroMQ

/// What to wait for on one socket or file descriptor in ``ZMQPoll/poll(_:timeout:)``.
struct PollEntry {
    /// A socket's handle, or `nil` for a plain file descriptor.
    var socket: UnsafeMutableRawPointer?
    /// The file descriptor polled when `socket` is `nil`.
    var fd: Int32 = -1
    /// Wait until readable.
    var readable: Bool
    /// Wait until writable.
    var writable: Bool = false
}

/// The outcome for one ``PollEntry``.
struct PollResult {
    var readable: Bool
    var writable: Bool
    var failed: Bool
}

/// `zmq_poll` over sockets and file descriptors with a bounded timeout.
enum ZMQPoll {
    /// Waits at most `timeout` (never forever) for any entry to become ready; interrupted polls
    /// report nothing ready.
    static func poll(_ entries: [PollEntry], timeout: Duration) throws -> [PollResult] {
        var items = entries.map { e in
            zmq_pollitem_t(socket: e.socket, fd: e.fd,
                           events: Int16((e.readable ? ZMQ_POLLIN : 0) | (e.writable ? ZMQ_POLLOUT : 0)),
                           revents: 0)
        }
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeout.milliseconds) }
        if rc == -1 {
            let code = zmq_errno()
            if code == EINTR { return entries.map { _ in PollResult(readable: false, writable: false, failed: false) } }
            throw ZMQ.error(code: code, operation: "zmq_poll", peer: "")
        }
        return items.map {
            PollResult(readable: Int32($0.revents) & ZMQ_POLLIN != 0,
                       writable: Int32($0.revents) & ZMQ_POLLOUT != 0,
                       failed: Int32($0.revents) & ZMQ_POLLERR != 0)
        }
    }
}

extension ZMQSocket {
    /// This socket as a poll entry.
    func pollEntry(readable: Bool, writable: Bool = false) -> PollEntry {
        PollEntry(socket: handle, fd: -1, readable: readable, writable: writable)
    }
}
