/// The identity of a connected peer as a server transport sees it: opaque bytes (a ZeroMQ routing
/// id, an in-process connection number). Valid only for the lifetime of that connection; a peer that
/// reconnects may come back under a new id.
public struct PeerID: Hashable, Sendable, CustomStringConvertible {
    /// The raw identity.
    public let bytes: [UInt8]

    /// A peer id made of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The id in hexadecimal, for logs.
    public var description: String {
        let hex = bytes.map { byte -> String in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return hex.joined()
    }
}

/// A message received by a server transport: who sent it and its frames.
public struct InboundMessage: Sendable {
    /// The sending peer; pass it to ``ServerTransport/send(_:to:)`` to answer.
    public var peer: PeerID
    /// The frames of the message, in order (the protocol uses exactly one).
    public var frames: [[UInt8]]

    /// A message from `peer`.
    public init(peer: PeerID, frames: [[UInt8]]) {
        self.peer = peer
        self.frames = frames
    }
}
