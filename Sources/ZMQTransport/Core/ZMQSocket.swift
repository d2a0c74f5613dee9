private import CZeroMQ

/// One ZeroMQ socket, owned by exactly one value that closes it in `deinit`.
///
/// ZeroMQ sockets are not thread safe, so this type is neither copyable nor `Sendable`: create it
/// on the thread that will use it (the transports give every socket a dedicated I/O thread) and let
/// it die there. Every operation is non-blocking or bounded by a timeout; none waits forever.
public struct ZMQSocket: ~Copyable {
    /// The ZeroMQ socket patterns this program uses.
    public enum Kind: Sendable, Hashable {
        /// Server side of request routing: every received message starts with the sender's routing
        /// id. Created with `ZMQ_ROUTER_MANDATORY` so that sends to unknown peers fail loudly.
        case router
        /// Client side: asynchronous, no envelope.
        case dealer
        /// Strict request side (one request, then one reply).
        case request
        /// Strict reply side (used by the ZAP handler).
        case reply
        /// Exclusive pair (monitors, wake-ups).
        case pair

        var rawValue: Int32 {
            switch self {
            case .router: return ZMQ_ROUTER
            case .dealer: return ZMQ_DEALER
            case .request: return ZMQ_REQ
            case .reply: return ZMQ_REP
            case .pair: return ZMQ_PAIR
            }
        }
    }

    /// The socket's pattern.
    public let kind: Kind
    /// The context the socket lives in (kept alive by the socket).
    public let context: ZMQContext
    let handle: UnsafeMutableRawPointer
    /// The largest message this socket sends (`Int.max` when unlimited); larger sends throw
    /// ``ZMQError/messageTooLarge(size:limit:)`` before reaching libzmq.
    public let sendLimit: Int

    /// A new socket of `kind` in `context`, with `options` applied before any bind or connect.
    public init(_ context: ZMQContext, kind: Kind, options: SocketOptions = SocketOptions()) throws {
        let handle = try ZMQ.check(zmq_socket(context.handle, kind.rawValue), "zmq_socket")
        do {
            try options.apply(to: handle, kind: kind)
        } catch {
            zmq_close(handle)
            throw error
        }
        self.kind = kind
        self.context = context
        self.handle = handle
        self.sendLimit = options.maxMessageSize ?? Int.max
    }

    deinit {
        zmq_close(handle)
    }

    /// Binds to `endpoint` and returns the address actually bound (with the port filled in when the
    /// endpoint asked for `*` or `0`).
    @discardableResult
    public func bind(_ endpoint: String) throws -> String {
        try ZMQ.check(zmq_bind(handle, endpoint), "bind to '\(endpoint)'")
        return (try? lastEndpoint()) ?? endpoint
    }

    /// Connects to `endpoint`; ZeroMQ connects in the background and reconnects on its own.
    public func connect(_ endpoint: String) throws {
        try ZMQ.check(zmq_connect(handle, endpoint), "connect to '\(endpoint)'")
    }

    /// Stops listening on, or connecting to, `endpoint`.
    public func unbind(_ endpoint: String) throws {
        try ZMQ.check(zmq_unbind(handle, endpoint), "unbind '\(endpoint)'")
    }

    /// The last endpoint bound or connected, as libzmq resolved it.
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        try ZMQ.check(zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size), "read ZMQ_LAST_ENDPOINT")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends `frames` as one multipart message without blocking.
    ///
    /// Throws ``ZMQError/wouldBlock(operation:)`` at the high-water mark and, on a ROUTER (whose
    /// first frame is the peer's routing id), ``ZMQError/peerUnreachable(peer:)`` for an unknown or
    /// disconnected peer. ZeroMQ delivers multipart messages atomically: after the first frame was
    /// accepted the rest cannot fail on the high-water mark.
    public func send(_ frames: [[UInt8]]) throws {
        precondition(!frames.isEmpty, "a message has at least one frame")
        let size = frames.reduce(0) { $0 + $1.count } - (kind == .router ? frames[0].count : 0)
        if size > sendLimit { throw ZMQError.messageTooLarge(size: size, limit: sendLimit) }
        for (i, frame) in frames.enumerated() {
            let more = i < frames.count - 1
            var message = zmq_msg_t()
            try ZMQ.check(zmq_msg_init_size(&message, frame.count), "zmq_msg_init_size")
            if !frame.isEmpty, let data = zmq_msg_data(&message) {
                frame.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            let rc = zmq_msg_send(&message, handle, ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0))
            if rc == -1 {
                let code = zmq_errno()
                zmq_msg_close(&message)
                let peer = kind == .router && i == 0 ? Self.describePeer(frame) : ""
                throw ZMQ.error(code: code, operation: "send", peer: peer)
            }
        }
    }

    /// Receives one multipart message without blocking; `nil` when none is waiting.
    public func receive() throws -> ZMQMessage? {
        var frames: [[UInt8]] = []
        var userID: String?
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            var rc = zmq_msg_recv(&message, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
            // The rest of a multipart message is already queued (delivery is atomic), so a later
            // frame's receive does not block; a signal may still interrupt it: retry.
            while rc == -1 && !frames.isEmpty && zmq_errno() == EINTR {
                rc = zmq_msg_recv(&message, handle, 0)
            }
            if rc == -1 {
                let code = zmq_errno()
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQ.error(code: code, operation: "receive", peer: "")
            }
            let count = zmq_msg_size(&message)
            if count > 0, let data = zmq_msg_data(&message) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: count)))
            } else {
                frames.append([])
            }
            if userID == nil, let id = zmq_msg_gets(&message, "User-Id") {
                userID = String(cString: id)
            }
            if zmq_msg_more(&message) == 0 { break }
        }
        return ZMQMessage(frames: frames, userID: userID)
    }

    /// Receives one message, waiting at most `timeout`; `nil` when none arrived in time.
    public func receive(timeout: Duration) throws -> ZMQMessage? {
        if let message = try receive() { return message }
        guard try wait(for: .readable, timeout: timeout) else { return nil }
        return try receive()
    }

    /// Sends `frames`, waiting at most `timeout` for room below the high-water mark.
    public func send(_ frames: [[UInt8]], timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try send(frames)
                return
            } catch ZMQError.wouldBlock {
                let left = deadline - ContinuousClock.now
                if left <= .zero { throw ZMQError.timedOut(operation: "send", seconds: timeout.seconds) }
                _ = try wait(for: .writable, timeout: min(left, .milliseconds(50)))
            }
        }
    }

    /// What ``wait(for:timeout:)`` waits for.
    public enum Readiness: Sendable { case readable, writable }

    /// Waits at most `timeout` until the socket is readable or writable; `true` when it is.
    public func wait(for readiness: Readiness, timeout: Duration) throws -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: -1,
                                  events: Int16(readiness == .readable ? ZMQ_POLLIN : ZMQ_POLLOUT), revents: 0)
        let n = try ZMQ.check(zmq_poll(&item, 1, timeout.milliseconds), "zmq_poll")
        return n > 0
    }

    /// A printable form of a routing id for error messages.
    static func describePeer(_ id: [UInt8]) -> String {
        if !id.isEmpty, id.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) {
            return String(decoding: id, as: UTF8.self)
        }
        return "0x" + id.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// A received multipart message.
public struct ZMQMessage: Sendable, Hashable {
    /// The frames, in order (on a ROUTER the first one is the sender's routing id).
    public var frames: [[UInt8]]
    /// The user id the ZAP handler assigned to the sender, when there is one.
    public var userID: String?

    /// A message with these frames.
    public init(frames: [[UInt8]], userID: String? = nil) {
        self.frames = frames
        self.userID = userID
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a positive timeout never becomes a zero poll, and
    /// never negative (a negative timeout would make `zmq_poll` wait forever).
    var milliseconds: Int {
        let (s, atto) = components
        let ms = s * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(0, ms))
    }

    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
