import ShapleyCore

extension CoordinatorCore {
    // MARK: Issuing work

    /// Periodic duties: declare silent workers dead, expire leases, send heartbeats, issue work.
    mutating func tick(now: ContinuousClock.Instant) {
        buryUnreachable()
        let timeout = settings.workerTimeout
        for (peer, s) in sessions where now - s.lastHeard > timeout {
            bury(peer, reason: "silent for \(timeout)")
        }
        for (l, record) in leases where record.deadline <= now {
            statistics.leasesExpired += 1
            logger.info("lease expired; the unit is issued again", metadata: ["lease": "\(l)", "unit": "\(record.unitID)"])
            endLease(l)
            requeue(record.unitID)
        }
        for (peer, s) in sessions where now - s.lastSent >= settings.heartbeatInterval {
            sessions[peer]?.lastSent = now
            outbox.append(Outgoing(peer: peer, message: .heartbeat(Heartbeat())))
        }
        assign(now: now)
    }

    /// Takes units from the estimator (up to the open-unit limit) and leases queued units to
    /// workers with room: never more than a worker's slots or credit, and a suspect unit only to an
    /// idle worker that then gets nothing else until it is resolved.
    mutating func assign(now: ContinuousClock.Instant) {
        buryUnreachable()
        guard !shuttingDown else { return }
        refill()
        for peer in sessions.keys {
            guard let s = sessions[peer] else { continue }
            if s.leases.contains(where: { leases[$0].flatMap { open[$0.unitID]?.isSuspect } ?? false }) { continue }
            var room = min(s.credit, Int(s.hello.slots) - s.occupied)
            guard room > 0 else { continue }
            if s.occupied == 0, let unit = pop(from: \.suspects) {
                grant(unit, to: peer, now: now)
                continue
            }
            while room > 0, let unit = pop(from: \.retry) ?? pop(from: \.fresh) {
                grant(unit, to: peer, now: now)
                room -= 1
            }
        }
    }

    /// Pulls new units from the estimator while there is room, answering them at once from results
    /// that arrived early.
    mutating func refill() {
        while open.count < maxOpenUnits && !estimator.isFinished {
            let units = estimator.nextWork(limit: maxOpenUnits - open.count)
            if units.isEmpty { return }
            for unit in units {
                open[unit.id] = OpenUnit(unit: unit)
                if let (peer, report) = early.removeValue(forKey: unit.id) {
                    receiveResult(report, from: peer, now: nil)
                } else {
                    requeue(unit.id, isNew: true)
                }
            }
        }
    }

    private mutating func pop(from queue: WritableKeyPath<CoordinatorCore, UnitQueue>) -> UInt64? {
        while let id = self[keyPath: queue].popFirst() {
            guard open[id] != nil else { continue }
            open[id]?.queued = false
            if quarantined[id] != nil || !(open[id]?.leases.isEmpty ?? true) { continue }
            return id
        }
        return nil
    }

    private mutating func grant(_ unitID: UInt64, to peer: PeerID, now: ContinuousClock.Instant) {
        guard let unit = open[unitID]?.unit else { return }
        let lease = nextLease
        nextLease += 1
        let duration = settings.leaseTimeout
            ?? settings.adaptiveLease.deadline(worker: sessions[peer]?.turnarounds, run: runTurnarounds)
        leases[lease] = LeaseRecord(unitID: unitID, peer: peer, granted: now, deadline: now + duration)
        open[unitID]?.leases.insert(lease)
        sessions[peer]?.leases.insert(lease)
        sessions[peer]?.credit -= 1
        if sessions[peer]?.firstLeaseSent == 0 { sessions[peer]?.firstLeaseSent = lease }
        sessions[peer]?.lastLeaseSent = lease
        sessions[peer]?.lastSent = now
        statistics.leasesGranted += 1
        outbox.append(Outgoing(peer: peer, message: .assign(Assignment(
            lease: lease, deadlineMillis: UInt32(clamping: duration.milliseconds), unit: unit))))
    }

    /// Puts an open unit without leases in line: new units last, reissued ones before them,
    /// suspects in a line of their own.
    mutating func requeue(_ unitID: UInt64, isNew: Bool = false) {
        guard let u = open[unitID], !u.queued, u.leases.isEmpty, quarantined[unitID] == nil else { return }
        open[unitID]?.queued = true
        if u.isSuspect {
            suspects.append(unitID)
        } else if isNew {
            fresh.append(unitID)
        } else {
            retry.append(unitID)
        }
    }

    /// Forgets a lease everywhere.
    mutating func endLease(_ lease: UInt64) {
        guard let record = leases.removeValue(forKey: lease) else { return }
        open[record.unitID]?.leases.remove(lease)
        sessions[record.peer]?.leases.remove(lease)
    }

    // MARK: Results and failures

    /// Handles a result from `peer`; `now` (absent for results held since before their unit was
    /// issued) times the lease's turnaround.
    mutating func receiveResult(_ report: ResultReport, from peer: PeerID, now: ContinuousClock.Instant?) {
        let id = report.result.id
        if let record = leases[report.lease], record.unitID == id {
            if let now, record.peer == peer {
                sessions[peer]?.turnarounds.add(now - record.granted)
                runTurnarounds.add(now - record.granted)
            }
            endLease(report.lease)
        }
        sessions[peer]?.evaluating.remove(report.lease)
        sessions[peer]?.held.remove(report.lease)
        if done.contains(id) || abandoned.contains(id) {
            statistics.duplicateResults += 1
            acks[peer, default: []].append(id)
            return
        }
        guard let unit = open[id] else {
            if early.count < settings.maxEarlyResults {
                if early[id] == nil { statistics.earlyResults += 1 }
                early[id] = (peer, report)
            }
            return
        }
        if let problem = report.result.problem(for: unit.unit) {
            statistics.invalidResults += 1
            logger.warning("refused a result", metadata: ["unit": "\(id)", "peer": "\(peer)", "reason": "\(problem)"])
            strike(id, reason: problem)
            return
        }
        let isNew: Bool
        do {
            isNew = try estimator.ingest(report.result)
        } catch {
            statistics.invalidResults += 1
            logger.error("the estimator refused a result", metadata: ["unit": "\(id)", "error": "\(error)"])
            strike(id, reason: "the estimator refused its result: \(error)")
            return
        }
        for l in unit.leases { endLease(l) }
        open[id] = nil
        if quarantined.removeValue(forKey: id) != nil {
            logger.notice("a quarantined unit was finished after all", metadata: ["unit": "\(id)"])
        }
        done.insert(id)
        acks[peer, default: []].append(id)
        if isNew {
            journalRecords.append(.result(report.result))
            statistics.resultsAccepted += 1
            statistics.valuesAccepted += report.result.values.count
            statistics.workerNanos &+= report.evaluationNanos
        } else {
            statistics.duplicateResults += 1
        }
    }


    /// Counts a failure (a strike) against a unit and quarantines it at ``CoordinatorConfiguration/maxStrikes``;
    /// otherwise requeues it. A quarantined unit is abandoned when the estimator can go on without it.
    mutating func strike(_ unitID: UInt64, reason: String) {
        count(\.strikes, limit: settings.maxStrikes, against: unitID, reason: reason)
    }

    /// Counts a worker lost while evaluating a unit and quarantines the unit at
    /// ``CoordinatorConfiguration/maxLosses``; otherwise requeues it. Losses weigh less than
    /// failures (a starved or killed worker is not the unit's fault), so their limit is larger and
    /// they do not add up with strikes.
    mutating func countLoss(_ unitID: UInt64, reason: String) {
        count(\.losses, limit: settings.maxLosses, against: unitID, reason: reason)
    }

    /// Adds one to a unit's `counter`: quarantines the unit once it reaches `limit`, else requeues it.
    private mutating func count(_ counter: WritableKeyPath<OpenUnit, Int>, limit: Int, against unitID: UInt64, reason: String) {
        guard var unit = open[unitID] else { return }
        unit[keyPath: counter] += 1
        open[unitID] = unit
        if unit[keyPath: counter] >= limit { quarantine(unitID, reason: reason) } else { requeue(unitID) }
    }

    /// Quarantines an open unit (it is not issued again) and abandons it when the estimator can go
    /// on without it.
    private mutating func quarantine(_ unitID: UInt64, reason: String) {
        if quarantined[unitID] == nil {
            logger.error("unit quarantined: it will not be issued again", metadata: [
                "unit": "\(unitID)", "failures": "\(open[unitID]?.strikes ?? 0)", "workersLost": "\(open[unitID]?.losses ?? 0)",
                "reason": "\(reason)"])
        }
        quarantined[unitID] = reason
        guard estimator.abandon(unitID: unitID) else { return }
        logger.warning("the estimator goes on without the quarantined unit", metadata: ["unit": "\(unitID)"])
        markAbandoned(unitID, reason: reason)
        journalRecords.append(.abandoned(unitID: unitID, reason: reason))
    }

    /// Forgets an abandoned unit: it is never issued again and later results for it are ignored.
    mutating func markAbandoned(_ unitID: UInt64, reason: String) {
        for l in open[unitID]?.leases ?? [] { endLease(l) }
        open[unitID] = nil
        quarantined[unitID] = reason
        abandoned.insert(unitID)
        statistics.unitsAbandoned += 1
    }

    /// Issues again the units of leases granted to `peer` that its heartbeat shows it does not
    /// hold: their assignments were lost on the way. A lease older than the last assignment the
    /// worker says it received must be held (or answered) by now, if one heartbeat interval has
    /// passed; a newer one may still be on its way, so only after the longer grace.
    mutating func reissueLostAssignments(of peer: PeerID, held: Set<UInt64>, lastReceived: UInt64,
                                         now: ContinuousClock.Instant) {
        guard let session = sessions[peer] else { return }
        // Only a lease this coordinator sent this worker says anything (lease numbers of an earlier
        // coordinator process are unrelated).
        let received = (session.firstLeaseSent...max(session.firstLeaseSent, session.lastLeaseSent)).contains(lastReceived)
            ? lastReceived : 0
        for l in session.leases where !held.contains(l) {
            guard let record = leases[l] else { continue }
            let age = now - record.granted
            let overtaken = l <= received && age >= settings.heartbeatInterval
            guard overtaken || age >= settings.lostAssignmentGrace else { continue }
            statistics.assignmentsLost += 1
            logger.info("a worker does not hold a lease it was granted; the unit is issued again", metadata: [
                "worker": "\(session.hello.name)", "lease": "\(l)", "unit": "\(record.unitID)"])
            endLease(l)
            requeue(record.unitID)
        }
    }

    /// Declares a worker dead: its leases go back in line, and the units it was evaluating count a
    /// loss (all it held, when its last report may not have covered everything).
    mutating func bury(_ peer: PeerID, reason: String) {
        guard let s = sessions.removeValue(forKey: peer) else { return }
        if peersByInstance[s.hello.instance] == peer { peersByInstance[s.hello.instance] = nil }
        statistics.workersLost += 1
        logger.warning("worker lost", metadata: ["worker": "\(s.hello.name)", "peer": "\(peer)", "reason": "\(reason)", "leases": "\(s.leases.count)"])
        var blamed = Set<UInt64>()
        for l in s.leases where !s.evaluatingIsCurrent || s.evaluating.contains(l) {
            if let u = leases[l]?.unitID { blamed.insert(u) }
        }
        var units: [UInt64] = []
        for l in s.leases {
            guard let record = leases.removeValue(forKey: l) else { continue }
            open[record.unitID]?.leases.remove(l)
            units.append(record.unitID)
        }
        for u in units {
            if blamed.contains(u) {
                countLoss(u, reason: "worker \(s.hello.name) was lost (\(reason)) while evaluating it")
            } else {
                requeue(u)
            }
        }
    }
}
