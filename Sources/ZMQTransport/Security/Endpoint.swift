/// A ZeroMQ address this program binds or connects to: `tcp://HOST:PORT`, `ipc:///PATH` or
/// `inproc://NAME`, with what the security policy needs to know about it.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// The transport part of an endpoint.
    public enum Scheme: String, Sendable, Hashable {
        /// TCP, possibly across machines.
        case tcp
        /// A Unix domain socket: this machine only.
        case ipc
        /// In-process, within one ZeroMQ context.
        case inproc
    }

    /// The endpoint as given.
    public let text: String
    /// Its scheme.
    public let scheme: Scheme
    /// For tcp: the host, address or interface name (`*` for all interfaces); for ipc and inproc:
    /// the path or name.
    public let host: String
    /// For tcp: the port text (`*` or `0` for an ephemeral port when binding); empty otherwise.
    public let port: String

    /// Parses `text`.
    public init(_ text: String) throws {
        self.text = text
        let pieces = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw ZMQError.invalidEndpoint(endpoint: text, reason: "missing '://'")
        }
        let schemeText = String(pieces[0])
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw ZMQError.invalidEndpoint(endpoint: text, reason: "unsupported scheme '\(schemeText)'")
        }
        self.scheme = scheme
        // A tcp connect may name a source address first ("tcp://SRC;DST"); the destination counts.
        let rest = String(pieces[1].split(separator: ";").last ?? "")
        guard !rest.isEmpty else {
            throw ZMQError.invalidEndpoint(endpoint: text, reason: "nothing after '\(schemeText)://'")
        }
        switch scheme {
        case .ipc, .inproc:
            host = rest
            port = ""
        case .tcp:
            guard let colon = rest.lastIndex(of: ":") else {
                throw ZMQError.invalidEndpoint(endpoint: text, reason: "a tcp endpoint needs ':PORT'")
            }
            var h = String(rest[..<colon])
            let p = String(rest[rest.index(after: colon)...])
            if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            guard !h.isEmpty else { throw ZMQError.invalidEndpoint(endpoint: text, reason: "empty host") }
            guard p == "*" || (UInt16(p) != nil) else {
                throw ZMQError.invalidEndpoint(endpoint: text, reason: "port '\(p)' is not a number in 0...65535 or '*'")
            }
            host = h
            port = p
        }
    }

    /// Whether traffic on this endpoint stays on this machine: ipc, inproc, or tcp on a loopback
    /// address (`127.0.0.0/8`, `::1`, `localhost`, or the `lo` interface). `*` and `0.0.0.0`
    /// listen on every interface and are not local.
    public var isLocal: Bool {
        switch scheme {
        case .ipc, .inproc: return true
        case .tcp:
            let h = host.lowercased()
            if h == "localhost" || h == "::1" || h == "lo" || h == "0:0:0:0:0:0:0:1" { return true }
            let parts = h.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
        }
    }

    /// The endpoint as given.
    public var description: String { text }

    /// Decides whether CURVE is used on this endpoint: always when keys were given; plain when this
    /// endpoint is local, or when `insecure` was asked for explicitly; otherwise refuses with
    /// ``ZMQError/insecureEndpoint(endpoint:)``.
    public func usesCurve(keysGiven: Bool, insecure: Bool) throws -> Bool {
        if keysGiven { return true }
        if isLocal || insecure { return false }
        throw ZMQError.insecureEndpoint(endpoint: text)
    }
}
