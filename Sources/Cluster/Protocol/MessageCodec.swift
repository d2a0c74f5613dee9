import ShapleyCore

/// The binary encoding of ``Message`` (protocol version 2; `docs/protocol.md` is the
/// specification): one frame per message, a 4-byte header (`'N' 'S'`, version, type) then the
/// body, little-endian, every variable-length field prefixed by its u32 length or count.
///
/// Decoding checks every read against the frame's bytes and every value against the ranges the
/// rest of the system assumes, so a decoded message can be used without further checks; anything
/// else throws ``ClusterError``, never traps.
public struct MessageCodec: Sendable {
    /// The protocol version this codec speaks.
    public static let version: UInt8 = 2
    /// The first two bytes of every frame.
    public static let magic: (UInt8, UInt8) = (0x4E, 0x53)
    /// The default limit on a message's size: 16 MiB.
    public static let defaultMaxMessageBytes = 16 << 20
    /// The largest game the protocol carries (players).
    public static let maxPlayers = 1 << 26
    /// The largest sample index a prefix coalition may name (the random streams' limit).
    public static let maxSampleIndex: UInt64 = 1 << 48

    /// The largest frame encoded or decoded; larger ones are refused.
    public let maxMessageBytes: Int

    /// A codec refusing messages larger than `maxMessageBytes`.
    public init(maxMessageBytes: Int = MessageCodec.defaultMaxMessageBytes) {
        precondition(maxMessageBytes >= 64, "the message limit must allow at least a header")
        self.maxMessageBytes = maxMessageBytes
    }

    /// The wire numbers of the message types.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case hello = 1, welcome, refuse, ready, assign, result, ack, heartbeat, shutdown, bye, failed, helloAgain
    }

    /// The frames of `message` (always exactly one). Throws ``ClusterError/messageTooLarge(size:limit:)``.
    public func encode(_ message: Message) throws -> [[UInt8]] {
        [try encodeFrame(message)]
    }

    /// The single frame of `message`.
    public func encodeFrame(_ message: Message) throws -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.u8(Self.magic.0)
        w.u8(Self.magic.1)
        w.u8(Self.version)
        switch message {
        case .hello(let h):
            w.u8(Kind.hello.rawValue)
            w.u64(h.instance)
            w.string(h.name)
            w.string(h.modelFingerprint)
            w.string(h.dataFingerprint)
            w.string(h.metric)
            w.u32(h.playerCount)
            w.u32(h.slots)
        case .welcome(let m):
            w.u8(Kind.welcome.rawValue)
            w.string(m.runID)
            w.u32(m.heartbeatMillis)
            w.u32(m.maxMessageBytes)
        case .refuse(let r):
            w.u8(Kind.refuse.rawValue)
            w.u16(r.code.rawValue)
            w.string(r.message)
        case .ready(let credit):
            w.u8(Kind.ready.rawValue)
            w.u32(credit)
        case .assign(let a):
            w.u8(Kind.assign.rawValue)
            w.u64(a.lease)
            w.u32(a.deadlineMillis)
            Self.write(a.unit, to: &w)
        case .result(let r):
            w.u8(Kind.result.rawValue)
            w.u64(r.lease)
            w.u64(r.evaluationNanos)
            w.u64(r.result.id)
            w.f64Array(r.result.values)
        case .ack(let ids):
            w.u8(Kind.ack.rawValue)
            w.u64Array(ids)
        case .heartbeat(let h):
            w.u8(Kind.heartbeat.rawValue)
            w.u32(h.credit)
            w.u64Array(h.evaluating)
            w.u64(h.lastLease)
            w.u64Array(h.queued)
        case .shutdown(let reason):
            w.u8(Kind.shutdown.rawValue)
            w.string(reason)
        case .bye(let leases, let reason):
            w.u8(Kind.bye.rawValue)
            w.u64Array(leases)
            w.string(reason)
        case .failed(let lease, let unitID, let reason):
            w.u8(Kind.failed.rawValue)
            w.u64(lease)
            w.u64(unitID)
            w.string(reason)
        case .helloAgain:
            w.u8(Kind.helloAgain.rawValue)
        }
        guard w.bytes.count <= maxMessageBytes else {
            throw ClusterError.messageTooLarge(size: w.bytes.count, limit: maxMessageBytes)
        }
        return w.bytes
    }

    private static func write(_ unit: WorkUnit, to w: inout ByteWriter) {
        w.u64(unit.id)
        w.u64(unit.seed)
        w.count(unit.playerCount)
        if let t = unit.truncation {
            w.u8(1)
            w.f64(t.floor)
            w.f64(t.tolerance)
            w.count(t.patience)
            w.count(t.carried)
        } else {
            w.u8(0)
        }
        w.count(unit.coalitions.count)
        for spec in unit.coalitions {
            switch spec {
            case .prefix(let sample, let removed, let toggle):
                w.u8(0)
                w.u64(sample)
                w.i32(removed)
                if let t = toggle {
                    w.u8(1)
                    w.i32(t)
                } else {
                    w.u8(0)
                }
            case .explicit(let c):
                w.u8(1)
                for word in c.words { w.u64(word) }
            }
        }
    }

    /// The message carried by `frames`. Throws ``ClusterError/malformedMessage(_:)`` for anything
    /// that is not exactly one well-formed frame, ``ClusterError/messageTooLarge(size:limit:)``, and
    /// ``ClusterError/unsupportedVersion(_:kind:)`` for a frame of another protocol version (a
    /// coordinator answers a `hello` of another version with a refusal).
    public func decode(_ frames: [[UInt8]]) throws -> Message {
        guard frames.count == 1, let frame = frames.first else {
            throw ClusterError.malformedMessage("expected 1 frame, got \(frames.count)")
        }
        return try decode(frame: frame)
    }

    /// The message in one frame; see ``decode(_:)``.
    public func decode(frame: [UInt8]) throws -> Message {
        guard frame.count <= maxMessageBytes else {
            throw ClusterError.messageTooLarge(size: frame.count, limit: maxMessageBytes)
        }
        var r = ByteReader(frame)
        let m0 = try r.u8("magic"), m1 = try r.u8("magic")
        guard m0 == Self.magic.0, m1 == Self.magic.1 else {
            throw ClusterError.malformedMessage("the frame does not start with the protocol's magic bytes 'NS'")
        }
        let version = try r.u8("version")
        let kindByte = try r.u8("message type")
        // A refusal's body is the same in every version, so a worker of any version can read why.
        if version != Self.version && kindByte != Kind.refuse.rawValue {
            throw ClusterError.unsupportedVersion(version, kind: kindByte)
        }
        guard let kind = Kind(rawValue: kindByte) else {
            throw ClusterError.malformedMessage("unknown message type \(kindByte)")
        }
        let message: Message
        switch kind {
        case .hello:
            message = .hello(Hello(
                instance: try r.u64("instance"), name: try r.string("name"),
                modelFingerprint: try r.string("model fingerprint"),
                dataFingerprint: try r.string("data fingerprint"),
                metric: try r.string("metric"), playerCount: try r.u32("player count"),
                slots: try r.u32("slots")))
        case .welcome:
            message = .welcome(Welcome(
                runID: try r.string("run id"), heartbeatMillis: try r.u32("heartbeat interval"),
                maxMessageBytes: try r.u32("message limit")))
        case .refuse:
            message = .refuse(Refusal(code: .init(rawValue: try r.u16("refusal code")),
                                      message: try r.string("refusal message")))
            if version != Self.version { return message }  // later versions may append fields
        case .ready:
            message = .ready(credit: try r.u32("credit"))
        case .assign:
            message = .assign(Assignment(lease: try r.u64("lease"), deadlineMillis: try r.u32("deadline"),
                                         unit: try Self.readUnit(&r)))
        case .result:
            let lease = try r.u64("lease"), nanos = try r.u64("evaluation time")
            let id = try r.u64("unit id")
            message = .result(ResultReport(lease: lease, evaluationNanos: nanos,
                                           result: WorkResult(id: id, values: try r.f64Array("values"))))
        case .ack:
            message = .ack(unitIDs: try r.u64Array("acknowledged unit ids"))
        case .heartbeat:
            message = .heartbeat(Heartbeat(credit: try r.u32("credit"),
                                           evaluating: try r.u64Array("evaluating leases"),
                                           lastLease: try r.u64("last lease"),
                                           queued: try r.u64Array("queued leases")))
        case .shutdown:
            message = .shutdown(reason: try r.string("shutdown reason"))
        case .bye:
            message = .bye(returnedLeases: try r.u64Array("returned leases"), reason: try r.string("bye reason"))
        case .failed:
            message = .failed(lease: try r.u64("lease"), unitID: try r.u64("unit id"),
                              reason: try r.string("failure reason"))
        case .helloAgain:
            message = .helloAgain
        }
        try r.expectEnd("\(kind) message")
        return message
    }

    private static func readUnit(_ r: inout ByteReader) throws -> WorkUnit {
        let id = try r.u64("unit id"), seed = try r.u64("seed")
        let players = Int(try r.u32("player count"))
        guard players <= maxPlayers else {
            throw ClusterError.malformedMessage("player count \(players) exceeds the limit \(maxPlayers)")
        }
        var truncation: Truncation?
        if try r.bool("truncation flag") {
            let floor = try r.f64("truncation floor"), tolerance = try r.f64("truncation tolerance")
            let patience = Int(try r.u32("truncation patience")), carried = Int(try r.u32("truncation carried"))
            guard floor.isFinite, tolerance.isFinite, patience >= 1 else {
                throw ClusterError.malformedMessage(
                    "truncation needs a finite floor and tolerance and a patience of at least 1")
            }
            truncation = Truncation(floor: floor, tolerance: tolerance, patience: patience, carried: carried)
        }
        let words = (players + 63) / 64
        let n = try r.count("coalitions", elementSize: min(14, 1 + 8 * words))
        var specs: [CoalitionSpec] = []
        specs.reserveCapacity(n)
        for _ in 0..<n {
            switch try r.u8("coalition tag") {
            case 0:
                let sample = try r.u64("sample index"), removed = try r.i32("removed count")
                let toggle: Int32? = try r.bool("toggle flag") ? try r.i32("toggled player") : nil
                guard sample < maxSampleIndex else {
                    throw ClusterError.malformedMessage("sample index \(sample) is not below 2^48")
                }
                guard removed >= 0 && Int(removed) <= players else {
                    throw ClusterError.malformedMessage("removed count \(removed) is outside 0...\(players)")
                }
                if let t = toggle, t < 0 || Int(t) >= players {
                    throw ClusterError.malformedMessage("toggled player \(t) is outside 0..<\(players)")
                }
                specs.append(.prefix(sample: sample, removed: removed, toggle: toggle))
            case 1:
                var ws: [UInt64] = []
                ws.reserveCapacity(words)
                for _ in 0..<words { ws.append(try r.u64("coalition word")) }
                specs.append(.explicit(Coalition(playerCount: players, words: ws)))
            case let tag:
                throw ClusterError.malformedMessage("unknown coalition tag \(tag)")
            }
        }
        return WorkUnit(id: id, seed: seed, playerCount: players, coalitions: specs, truncation: truncation)
    }
}
