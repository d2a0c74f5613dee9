import Testing
import ShapleyCore
@testable import Cluster

/// Every message kind, with awkward values (empty arrays, unicode, extreme numbers).
func sampleMessages() -> [Message] {
    let unit = WorkUnit(
        id: 42, seed: 0xDEAD_BEEF_0000_0001, playerCount: 70,
        coalitions: [
            .prefix(sample: 7, removed: 0, toggle: nil),
            .prefix(sample: (1 << 48) - 1, removed: 70, toggle: 69),
            .explicit(Coalition(playerCount: 70, members: [0, 3, 64, 69])),
        ],
        truncation: Truncation(floor: 0.1, tolerance: 0.02, patience: 6, carried: 2))
    return [
        .hello(Hello(instance: .max, name: "gpu-node-7 (pid 123) é", modelFingerprint: "sha256:ab",
                     dataFingerprint: "", metric: "accuracy", playerCount: 21_008, slots: 3)),
        .welcome(Welcome(runID: "run-1", heartbeatMillis: 1000, maxMessageBytes: 1 << 24)),
        .refuse(Refusal(code: .modelMismatch, message: "model differs")),
        .refuse(Refusal(code: .other(999), message: "")),
        .ready(credit: 0),
        .ready(credit: .max),
        .assign(Assignment(lease: 1, deadlineMillis: 60_000, unit: unit)),
        .assign(Assignment(lease: 2, deadlineMillis: 0,
                           unit: WorkUnit(id: 0, seed: 0, playerCount: 0, coalitions: []))),
        .result(ResultReport(lease: 9, evaluationNanos: 123_456,
                             result: WorkResult(id: 42, values: [0.5, -0.0, .infinity, 1e-300]))),
        .result(ResultReport(lease: 9, evaluationNanos: 0, result: WorkResult(id: 1, values: []))),
        .ack(unitIDs: []),
        .ack(unitIDs: [1, 2, .max]),
        .heartbeat(Heartbeat()),
        .heartbeat(Heartbeat(credit: 2, evaluating: [5, 6], lastLease: 7, queued: [7])),
        .shutdown(reason: "run finished"),
        .bye(returnedLeases: [3, 4], reason: "SIGTERM"),
        .failed(lease: 3, unitID: 8, reason: "the game threw"),
        .helloAgain,
    ]
}

@Suite struct MessageCodecTests {
    let codec = MessageCodec()

    @Test func everyMessageRoundTrips() throws {
        for message in sampleMessages() {
            let frames = try codec.encode(message)
            #expect(frames.count == 1)
            #expect(try codec.decode(frames) == message)
        }
    }

    @Test func headerIsMagicVersionType() throws {
        let frame = try codec.encodeFrame(.ready(credit: 0x0102_0304))
        #expect(frame == [0x4E, 0x53, 2, 4, 0x04, 0x03, 0x02, 0x01])
        #expect(try codec.encodeFrame(.helloAgain) == [0x4E, 0x53, 2, 12])
    }

    @Test func everyKindIsCovered() throws {
        let kinds = Set(try sampleMessages().map { try codec.encodeFrame($0)[3] })
        #expect(kinds == Set(MessageCodec.Kind.allCases.map(\.rawValue)))
    }

    @Test func otherVersionsAreRefusedExceptRefusals() throws {
        var hello = try codec.encodeFrame(sampleMessages()[0])
        hello[2] = 1
        #expect(throws: ClusterError.unsupportedVersion(1, kind: 1)) { try codec.decode(frame: hello) }
        // A refusal of a later version, with a field appended, still reads.
        var refuse = try codec.encodeFrame(.refuse(Refusal(code: .protocolVersion, message: "speak 2")))
        refuse[2] = 3
        refuse += [9, 9, 9]
        #expect(try codec.decode(frame: refuse) == .refuse(Refusal(code: .protocolVersion, message: "speak 2")))
    }

    @Test func malformedFramesThrow() throws {
        let valid = try codec.encodeFrame(sampleMessages()[6])
        let cases: [[[UInt8]]] = [
            [], [[]], [valid, valid], [[0x4E]], [[0x00, 0x53, 2, 4, 0, 0, 0, 0]],
            [[0x4E, 0x53, 2, 200]], [Array(valid.dropLast())], [valid + [0]],
            [[0x4E, 0x53, 2, 7, 0xFF, 0xFF, 0xFF, 0xFF]],  // an ack claiming 4 billion ids
            [[0x4E, 0x53, 2, 9, 2, 0, 0, 0, 0xC3, 0x28]],  // a shutdown reason that is not UTF-8
            [[0x4E, 0x53, 2, 12, 0]],  // a hello-again with a body
        ]
        for frames in cases {
            #expect(throws: ClusterError.self) { try codec.decode(frames) }
        }
    }

    @Test func unitsThatWouldTrapTheEvaluatorAreRejected() throws {
        func assign(_ spec: CoalitionSpec, players: Int = 10) throws -> [UInt8] {
            try codec.encodeFrame(.assign(Assignment(
                lease: 1, deadlineMillis: 1, unit: WorkUnit(id: 1, seed: 1, playerCount: players, coalitions: [spec]))))
        }
        for bad in [CoalitionSpec.prefix(sample: 1, removed: 11, toggle: nil),
                    .prefix(sample: 1, removed: -1, toggle: nil),
                    .prefix(sample: 1, removed: 3, toggle: 10),
                    .prefix(sample: 1, removed: 3, toggle: -2),
                    .prefix(sample: 1 << 48, removed: 3, toggle: nil)] {
            let frame = try assign(bad)
            #expect(throws: ClusterError.self) { try codec.decode(frame: frame) }
        }
    }

    @Test func oversizedMessagesAreRefusedBothWays() throws {
        let small = MessageCodec(maxMessageBytes: 100)
        let big = Message.ack(unitIDs: Array(0..<20))
        #expect(throws: ClusterError.messageTooLarge(size: 8 + 20 * 8, limit: 100)) { try small.encode(big) }
        let frame = try codec.encodeFrame(big)
        #expect(throws: ClusterError.messageTooLarge(size: frame.count, limit: 100)) { try small.decode(frame: frame) }
    }

    /// Random bytes, and valid frames with random damage, never trap the decoder; whatever decodes
    /// re-encodes to a frame that decodes and re-encodes to the same bytes.
    @Test func fuzzedFramesNeverTrap() throws {
        var rng = RandomStream(seed: 2024, index: 0)
        let valid = try sampleMessages().map { try codec.encodeFrame($0) }
        var decoded = 0, rejected = 0
        for i in 0..<30_000 {
            var frame: [UInt8]
            if i % 3 == 0 {
                frame = (0..<rng.uniform(below: 80)).map { _ in UInt8(truncatingIfNeeded: rng.next32()) }
                if i % 2 == 0, frame.count >= 4 { frame[0] = 0x4E; frame[1] = 0x53; frame[2] = MessageCodec.version }
            } else {
                frame = valid[rng.uniform(below: valid.count)]
                switch rng.uniform(below: 4) {
                case 0: frame = Array(frame.prefix(rng.uniform(below: frame.count + 1)))
                case 1:
                    for _ in 0..<(1 + rng.uniform(below: 3)) {
                        let at = rng.uniform(below: frame.count)
                        frame[at] ^= UInt8(1) << UInt8(rng.uniform(below: 8))
                    }
                case 2:
                    let at = rng.uniform(below: frame.count)
                    frame[at] = UInt8(truncatingIfNeeded: rng.next32())
                default:
                    frame += (0..<rng.uniform(below: 5)).map { _ in UInt8(truncatingIfNeeded: rng.next32()) }
                }
            }
            do {
                let message = try codec.decode(frame: frame)
                decoded += 1
                // Compared as bytes: a flipped bit may have made a value NaN, which is not == itself.
                let again = try codec.encodeFrame(message)
                #expect(try codec.encodeFrame(codec.decode(frame: again)) == again)
            } catch is ClusterError {
                rejected += 1
            }
        }
        #expect(decoded > 100 && rejected > 10_000)
    }
}
