/// Errors of the cluster: transports, the protocol, the coordinator, the worker and the journal.
/// Messages repeat what was given and say what would work.
public enum ClusterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The transport was closed (named by its endpoint).
    case transportClosed(String)
    /// No peer with this id is connected (it left, or never was).
    case peerUnreachable(PeerID)
    /// The queue towards a peer (named) is at its high-water mark; the message was dropped.
    case peerBackedUp(String)
    /// An endpoint name or address is already bound.
    case addressInUse(String)
    /// A message larger than the limit was refused.
    case messageTooLarge(size: Int, limit: Int)
    /// A frame that is not a well-formed message of this protocol.
    case malformedMessage(String)
    /// A frame of a protocol version this build does not speak (with its message type byte).
    case unsupportedVersion(UInt8, kind: UInt8)
    /// The coordinator refused this worker.
    case refused(Refusal)
    /// The coordinator did not answer for this long.
    case coordinatorSilent(endpoint: String, seconds: Double)
    /// The journal or run directory is unusable.
    case journal(path: String, reason: String)
    /// A run configuration is invalid or does not match what was asked.
    case configuration(String)

    public var description: String {
        switch self {
        case .transportClosed(let endpoint):
            return "the transport for \(endpoint) is closed; create a new one to keep talking"
        case .peerUnreachable(let peer):
            return "peer \(peer) is not connected (it left or never was); wait for it to say hello again"
        case .peerBackedUp(let peer):
            return "the queue to \(peer) is full, so the message was dropped; the peer is not keeping up"
        case .addressInUse(let address):
            return "the address '\(address)' is already bound; stop the other server or choose another address"
        case .messageTooLarge(let size, let limit):
            return "a message of \(size) bytes exceeds the limit of \(limit) bytes; use smaller work units or raise the limit on both sides"
        case .malformedMessage(let reason):
            return "malformed message: \(reason)"
        case .unsupportedVersion(let version, let kind):
            return "message type \(kind) of protocol version \(version) is not understood; this build speaks version \(MessageCodec.version)"
        case .refused(let refusal):
            return "the coordinator refused this worker: \(refusal.message)"
        case .coordinatorSilent(let endpoint, let seconds):
            return "no answer from the coordinator at \(endpoint) for \(Int(seconds.rounded())) s; check that it is running and reachable, or raise the give-up time"
        case .journal(let path, let reason):
            return "journal '\(path)': \(reason)"
        case .configuration(let reason):
            return "run configuration: \(reason)"
        }
    }
}
