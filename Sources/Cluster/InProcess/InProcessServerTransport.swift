import Synchronization

/// The server side of an ``InProcessNetwork``, bound to a name.
public final class InProcessServerTransport: ServerTransport {
    let name: String
    private let network: InProcessNetwork
    private let inbox: Mailbox<InboundMessage>
    private let peers = Mutex<[PeerID: Mailbox<[[UInt8]]>]>([:])

    init(network: InProcessNetwork, name: String) {
        self.network = network
        self.name = name
        self.inbox = Mailbox(capacity: network.highWaterMark, name: "inproc server '\(name)'")
    }

    var isClosed: Bool { inbox.isClosed }

    /// Called by a client: remembers the peer and queues its message.
    func deliver(_ frames: [[UInt8]], from peer: PeerID, replyTo mailbox: Mailbox<[[UInt8]]>) throws {
        guard InProcessNetwork.size(of: frames) <= network.maxMessageBytes else { return }
        peers.withLock { $0[peer] = mailbox }
        switch inbox.push(InboundMessage(peer: peer, frames: frames)) {
        case .queued, .closed: return
        case .full: throw ClusterError.peerBackedUp(inbox.name)
        }
    }

    public func receive(timeout: Duration) async throws -> InboundMessage? {
        try await inbox.pop(timeout: timeout)
    }

    public func send(_ frames: [[UInt8]], to peer: PeerID) async throws {
        if inbox.isClosed { throw ClusterError.transportClosed(inbox.name) }
        guard let mailbox = peers.withLock({ $0[peer] }) else { throw ClusterError.peerUnreachable(peer) }
        guard InProcessNetwork.size(of: frames) <= network.maxMessageBytes else {
            throw ClusterError.messageTooLarge(size: InProcessNetwork.size(of: frames), limit: network.maxMessageBytes)
        }
        switch mailbox.push(frames) {
        case .queued: return
        case .full: throw ClusterError.peerBackedUp(peer.description)
        case .closed:
            peers.withLock { _ = $0.removeValue(forKey: peer) }
            throw ClusterError.peerUnreachable(peer)
        }
    }

    public func close() async {
        inbox.close()
        peers.withLock { $0 = [:] }
        network.unbind(self)
    }
}
