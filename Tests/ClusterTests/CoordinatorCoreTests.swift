import Logging
import Testing
import ShapleyCore
import ShapleyTestKit
@testable import Cluster

/// The coordinator's state machine alone: no network, no clock but the one given.
@Suite struct CoordinatorCoreTests {
    let t0 = ContinuousClock.now
    let evaluator = WorkEvaluator(game: WeightedTestGame(playerCount: Harness.players))

    func core() throws -> CoordinatorCore {
        var s = Harness.coordinatorSettings()
        s.leaseTimeout = .seconds(30)
        s.heartbeatInterval = .seconds(1)
        s.workerTimeoutIntervals = 10
        return CoordinatorCore(settings: s, estimator: try Harness.makeEstimator(s.run), logger: Harness.quietLogger)
    }

    func hello(_ instance: UInt64, slots: UInt32 = 2, model: String = "model-A") -> Message {
        .hello(Hello(instance: instance, name: "w\(instance)", modelFingerprint: model, dataFingerprint: "data-A",
                     metric: "value", playerCount: UInt32(Harness.players), slots: slots))
    }

    func assignments(_ out: [Outgoing], to peer: PeerID? = nil) -> [Assignment] {
        out.compactMap { o in
            if case .assign(let a) = o.message, peer == nil || o.peer == peer { return a }
            return nil
        }
    }

    @Test func creditAndSlotsBoundTheLeases() throws {
        var c = try core()
        let p = PeerID([1])
        c.receive(hello(1, slots: 3), from: p, now: t0)
        c.receive(.ready(credit: 100), from: p, now: t0)
        c.assign(now: t0)
        #expect(assignments(c.takeOutbox()).count == 3)
        c.receive(.ready(credit: 100), from: p, now: t0)  // a duplicate: still no room
        c.assign(now: t0)
        #expect(assignments(c.takeOutbox()).isEmpty)
        let q = PeerID([2])
        c.receive(hello(2, slots: 5), from: q, now: t0)
        c.receive(.ready(credit: 1), from: q, now: t0)
        c.assign(now: t0)
        #expect(assignments(c.takeOutbox(), to: q).count == 1)
    }

    @Test func lateResultAfterReissueIsAcceptedOnce() throws {
        var c = try core()
        let (a, b) = (PeerID([1]), PeerID([2]))
        c.receive(hello(1, slots: 1), from: a, now: t0)
        c.receive(.ready(credit: 1), from: a, now: t0)
        c.assign(now: t0)
        let first = try #require(assignments(c.takeOutbox()).first)
        // The lease runs out; the unit goes to b.
        let later = t0 + .seconds(31)
        c.receive(.heartbeat(Heartbeat(credit: 0, evaluating: [first.lease], lastLease: first.lease)), from: a, now: later)
        c.receive(hello(2, slots: 1), from: b, now: later)
        c.receive(.ready(credit: 1), from: b, now: later)
        c.tick(now: later)
        let second = try #require(assignments(c.takeOutbox(), to: b).first)
        #expect(second.unit == first.unit && second.lease != first.lease)
        #expect(c.statistics.leasesExpired == 1)
        // Both answer; the first answer counts, the second is a duplicate, both are acknowledged.
        let result = try evaluator.evaluate(first.unit)
        c.receive(.result(ResultReport(lease: first.lease, evaluationNanos: 1, result: result)), from: a, now: later)
        c.receive(.result(ResultReport(lease: second.lease, evaluationNanos: 1, result: result)), from: b, now: later)
        #expect(c.takeJournalRecords() == [.result(result)])
        #expect(c.statistics.resultsAccepted == 1 && c.statistics.duplicateResults == 1)
        let acks = c.takeAcks().map(\.peer)
        #expect(Set(acks) == [a, b])
        #expect(c.leases.isEmpty)
    }

    @Test func silentWorkerIsBuriedAndOnlyItsEvaluatingUnitIsBlamed() throws {
        var c = try core()
        let (a, b) = (PeerID([1]), PeerID([2]))
        c.receive(hello(1, slots: 2), from: a, now: t0)
        c.receive(.ready(credit: 2), from: a, now: t0)
        c.assign(now: t0)
        let held = assignments(c.takeOutbox())
        #expect(held.count == 2)
        c.receive(.heartbeat(Heartbeat(credit: 0, evaluating: [held[0].lease], lastLease: held[1].lease)), from: a, now: t0)
        let later = t0 + .seconds(11)  // past 10 heartbeat intervals of silence
        c.receive(hello(2, slots: 2), from: b, now: later)
        c.receive(.ready(credit: 2), from: b, now: later)
        c.tick(now: later)
        #expect(c.sessions[a] == nil && c.statistics.workersLost == 1)
        #expect(c.open[held[0].unit.id]?.losses == 1 && c.open[held[0].unit.id]?.strikes == 0)
        #expect(c.open[held[1].unit.id]?.losses == 0 && c.open[held[1].unit.id]?.strikes == 0)
        // b is idle, so it gets the suspect alone and nothing else until it is resolved.
        let given = assignments(c.takeOutbox(), to: b)
        #expect(given.map(\.unit.id) == [held[0].unit.id])
    }

    @Test func staleHeartbeatBlamesEverythingHeld() throws {
        var c = try core()
        let a = PeerID([1])
        c.receive(hello(1, slots: 2), from: a, now: t0)
        c.receive(.ready(credit: 2), from: a, now: t0)
        c.assign(now: t0)
        let held = assignments(c.takeOutbox())
        // This heartbeat predates the second assignment, so it cannot vouch for it.
        c.receive(.heartbeat(Heartbeat(credit: 1, evaluating: [held[0].lease], lastLease: held[0].lease)), from: a, now: t0)
        c.peerUnreachable(a)
        #expect(c.sessions[a] != nil)  // buried at the next turn, after what it sent was handled
        c.assign(now: t0)
        #expect(c.sessions[a] == nil)
        #expect(held.allSatisfy { c.open[$0.unit.id]?.losses == 1 && c.open[$0.unit.id]?.strikes == 0 })
    }

    /// Workers lost while evaluating a unit weigh less than failures: the unit is quarantined only
    /// at the larger loss limit, and losses do not add up with strikes.
    @Test func lostWorkersWeighLessThanFailures() throws {
        var settings = try core().settings
        settings.maxStrikes = 3
        settings.maxLosses = 5
        var c = CoordinatorCore(settings: settings, estimator: try Harness.makeEstimator(settings.run), logger: Harness.quietLogger)
        var now = t0
        var instance: UInt64 = 0
        var target: UInt64?
        /// A new worker takes the unit (the suspect goes to it, as it is idle) and then does `fate`.
        func attempt(_ fate: (Assignment, PeerID, inout CoordinatorCore) -> Void) throws {
            instance += 1
            let peer = PeerID([UInt8(instance)])
            c.receive(hello(instance, slots: 1), from: peer, now: now)
            c.receive(.ready(credit: 1), from: peer, now: now)
            c.assign(now: now)
            let a = try #require(assignments(c.takeOutbox(), to: peer).first)
            if let target { #expect(a.unit.id == target) } else { target = a.unit.id }
            c.receive(.heartbeat(Heartbeat(credit: 0, evaluating: [a.lease], lastLease: a.lease)), from: peer, now: now)
            fate(a, peer, &c)
            now += .seconds(11)  // past the worker timeout: whoever is still connected is declared lost
            c.tick(now: now)
        }
        let lost: (Assignment, PeerID, inout CoordinatorCore) -> Void = { _, _, _ in }
        let failed: (Assignment, PeerID, inout CoordinatorCore) -> Void = { a, peer, core in
            core.receive(.failed(lease: a.lease, unitID: a.unit.id, reason: "boom"), from: peer, now: now)
            core.receive(.bye(returnedLeases: [], reason: "done"), from: peer, now: now)
        }
        // As many losses as the strike limit, and one failure less than it: still issued.
        for _ in 0..<settings.maxStrikes { try attempt(lost) }
        for _ in 1..<settings.maxStrikes { try attempt(failed) }
        let unit = try #require(target)
        #expect(c.open[unit]?.losses == settings.maxStrikes && c.open[unit]?.strikes == settings.maxStrikes - 1)
        #expect(c.quarantined.isEmpty && c.statistics.workersLost == settings.maxStrikes)
        // Losses up to their own limit quarantine it (and the estimator goes on without it).
        while (c.open[unit]?.losses ?? settings.maxLosses) < settings.maxLosses { try attempt(lost) }
        #expect(c.open[unit] == nil && c.abandoned == [unit])
        #expect(c.quarantine.first?.reason.contains("was lost") == true)
        #expect(c.statistics.workersLost == settings.maxLosses && c.statistics.failures == settings.maxStrikes - 1)
        #expect(c.takeJournalRecords().contains { if case .abandoned(unit, _) = $0 { true } else { false } })
    }

    @Test func byeRequeuesWithoutBlame() throws {
        var c = try core()
        let a = PeerID([1])
        c.receive(hello(1, slots: 2), from: a, now: t0)
        c.receive(.ready(credit: 2), from: a, now: t0)
        c.assign(now: t0)
        let held = assignments(c.takeOutbox())
        c.receive(.bye(returnedLeases: held.map(\.lease), reason: "stopping"), from: a, now: t0)
        #expect(c.sessions.isEmpty && c.leases.isEmpty && c.statistics.workersLeft == 1)
        #expect(held.allSatisfy { c.open[$0.unit.id]?.strikes == 0 })
        #expect(c.queuedCount >= 2)
    }

    @Test func reconnectionUnderANewPeerKeepsTheLeases() throws {
        var c = try core()
        let (old, new) = (PeerID([1]), PeerID([9]))
        c.receive(hello(1, slots: 2), from: old, now: t0)
        c.receive(.ready(credit: 2), from: old, now: t0)
        c.assign(now: t0)
        let held = assignments(c.takeOutbox())
        c.receive(hello(1, slots: 2), from: new, now: t0)
        #expect(c.sessions[old] == nil && c.sessions[new]?.leases.count == 2)
        #expect(held.allSatisfy { c.leases[$0.lease]?.peer == new })
        #expect(c.statistics.workersLost == 0)
    }

    @Test func mismatchedWorkersAreRefusedWithBothValues() throws {
        var c = try core()
        c.receive(hello(1, model: "model-Z"), from: PeerID([1]), now: t0)
        c.receive(.hello(Hello(instance: 2, name: "n", modelFingerprint: "model-A", dataFingerprint: "data-A",
                               metric: "value", playerCount: 7, slots: 1)), from: PeerID([2]), now: t0)
        let refusals = c.takeOutbox().compactMap { o -> Refusal? in
            if case .refuse(let r) = o.message { return r }
            return nil
        }
        #expect(refusals.map(\.code) == [.modelMismatch, .playerCountMismatch])
        #expect(refusals[0].message.contains("model-Z") && refusals[0].message.contains("model-A"))
        #expect(c.sessions.isEmpty)
    }

    @Test func resultsThatDoNotFitTheirUnitAreRefused() throws {
        var c = try core()
        let a = PeerID([1])
        c.receive(hello(1, slots: 1), from: a, now: t0)
        c.receive(.ready(credit: 1), from: a, now: t0)
        c.assign(now: t0)
        let unit = try #require(assignments(c.takeOutbox()).first)
        for values in [[1.0], Array(repeating: .nan, count: unit.unit.coalitions.count)] {
            c.receive(.result(ResultReport(lease: unit.lease, evaluationNanos: 0, result: WorkResult(id: unit.unit.id, values: values))),
                      from: a, now: t0)
        }
        #expect(c.statistics.invalidResults == 2 && c.takeJournalRecords().isEmpty)
        #expect(c.open[unit.unit.id]?.strikes == 2)
    }

    @Test func replayRebuildsTheSameEstimatorState() throws {
        // Run to completion in memory, journaling as the service does.
        var c = try core()
        let a = PeerID([1])
        c.receive(hello(1, slots: 4), from: a, now: t0)
        var journal: [JournalRecord] = []
        while !c.isFinished {
            c.receive(.ready(credit: 4), from: a, now: t0)
            c.assign(now: t0)
            for x in assignments(c.takeOutbox()).reversed() {  // answered out of order
                c.receive(.result(ResultReport(lease: x.lease, evaluationNanos: 0, result: try evaluator.evaluate(x.unit))), from: a, now: t0)
            }
            journal += c.takeJournalRecords()
        }
        // Replaying any prefix, then finishing, gives the same report; the whole journal finishes.
        var replayed = try core()
        var shuffler = RandomStream(seed: 42, index: 0)
        try replayed.replay(journal.shuffled(using: &shuffler), journalPath: "mem")
        #expect(replayed.isFinished && replayed.report() == c.report())
        var partial = try core()
        try partial.replay(Array(journal.prefix(13)), journalPath: "mem")
        #expect(partial.statistics.resultsReplayed == 13)
        #expect(!partial.isFinished)
        var foreign = try core()
        #expect(throws: ClusterError.self) {
            try foreign.replay([.result(WorkResult(id: 10_000, values: []))], journalPath: "mem")
        }
    }

    /// A unit that fails on every worker is abandoned after its last strike; replaying the journal
    /// (results and the abandonment) in any order rebuilds the same state.
    @Test func abandonedUnitIsJournaledAndReplayed() throws {
        var c = try core()
        let a = PeerID([1])
        c.receive(hello(1, slots: 3), from: a, now: t0)
        var journal: [JournalRecord] = []
        var rounds = 0
        while !c.isFinished && rounds < 1000 {
            rounds += 1
            c.receive(.ready(credit: 3), from: a, now: t0)
            c.assign(now: t0)
            for x in assignments(c.takeOutbox()) {
                if x.unit.id == 11 {
                    c.receive(.failed(lease: x.lease, unitID: x.unit.id, reason: "boom"), from: a, now: t0)
                } else {
                    c.receive(.result(ResultReport(lease: x.lease, evaluationNanos: 0, result: try evaluator.evaluate(x.unit))), from: a, now: t0)
                }
            }
            journal += c.takeJournalRecords()
        }
        #expect(c.isFinished && !c.isStalled)
        #expect(c.abandoned == [11] && c.statistics.failures == 3 && c.statistics.unitsAbandoned == 1)
        #expect(journal.contains(.abandoned(unitID: 11, reason: "worker w1 failed on it: boom")))
        #expect(c.report().samples == 47)
        // A late result for the abandoned unit is acknowledged and ignored.
        let late = WorkResult(id: 11, values: Array(repeating: 0, count: Harness.players + 1))
        c.receive(.result(ResultReport(lease: 1, evaluationNanos: 0, result: late)), from: a, now: t0)
        #expect(c.takeJournalRecords().isEmpty && c.statistics.duplicateResults == 1)
        var replayed = try core()
        var shuffler = RandomStream(seed: 3, index: 0)
        try replayed.replay(journal.shuffled(using: &shuffler), journalPath: "mem")
        #expect(replayed.isFinished && replayed.report() == c.report() && replayed.abandoned == [11])
        #expect(replayed.quarantine.map(\.unit) == [11])
        // An estimator that cannot abandon refuses such a journal.
        var strict = CoordinatorCore(settings: Harness.coordinatorSettings(),
                                     estimator: Unabandoning(base: try Harness.makeEstimator(Harness.run())),
                                     logger: Harness.quietLogger)
        #expect(throws: ClusterError.self) { try strict.replay(journal, journalPath: "mem") }
    }
}
