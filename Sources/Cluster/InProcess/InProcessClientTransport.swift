/// The client side of an ``InProcessNetwork``: reaches whichever server is bound under its name.
public final class InProcessClientTransport: ClientTransport {
    /// The id under which servers see this client.
    public let peer: PeerID
    private let name: String
    private let network: InProcessNetwork
    private let inbox: Mailbox<[[UInt8]]>

    init(network: InProcessNetwork, name: String, peer: PeerID) {
        self.network = network
        self.name = name
        self.peer = peer
        self.inbox = Mailbox(capacity: network.highWaterMark, name: "inproc client \(peer) of '\(name)'")
    }

    public func receive(timeout: Duration) async throws -> [[UInt8]]? {
        try await inbox.pop(timeout: timeout)
    }

    /// Delivers to the server bound under the name now; drops the message when none is.
    public func send(_ frames: [[UInt8]]) async throws {
        if inbox.isClosed { throw ClusterError.transportClosed(inbox.name) }
        guard InProcessNetwork.size(of: frames) <= network.maxMessageBytes else {
            throw ClusterError.messageTooLarge(size: InProcessNetwork.size(of: frames), limit: network.maxMessageBytes)
        }
        guard let server = network.server(named: name) else { return }
        try server.deliver(frames, from: peer, replyTo: inbox)
    }

    public func close() async {
        inbox.close()
    }
}
