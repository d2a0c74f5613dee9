import Logging

/// The coordinator's way out: it writes what the state machine accepted to the journal, asks for
/// a sync at most once per group-commit interval, holds acknowledgements until the journal has
/// made their results durable, encodes what is to be sent as one batch per turn, and feeds the
/// failures of a batch back to the state machine.
///
/// Acknowledgements wait for the next turn after their sync: a message or a tick (a quarter of a
/// heartbeat interval) comes soon enough, and no turn is spent on them alone.
struct Outbound {
    let writer: JournalWriter?
    let codec: MessageCodec
    let logger: Logger
    let syncInterval: Duration
    /// Acknowledgements waiting for the journal batch they depend on.
    private var pendingAcks: [(sequence: UInt64, messages: [Outgoing])] = []
    private var lastSyncRequest: ContinuousClock.Instant?
    /// What the last batch was made of, to interpret its failures.
    private var sources: [Outgoing] = []

    init(writer: JournalWriter?, codec: MessageCodec, syncInterval: Duration, logger: Logger) {
        self.writer = writer
        self.codec = codec
        self.syncInterval = syncInterval
        self.logger = logger
    }

    /// Copies the journal writer's counters into `statistics`.
    func updateJournalStatistics(_ statistics: inout CoordinatorStatistics) {
        guard let counts = writer?.counts else { return }
        statistics.journalSyncs = counts.syncs
        statistics.journalNanos = counts.nanos
    }

    /// Journals what `core` accepted and returns the batch to send: its messages and the
    /// acknowledgements whose results are durable. With `syncing`, everything is made durable first
    /// (on this thread), so that every acknowledgement goes out. Throws when the journal cannot be
    /// written or synced.
    mutating func prepare(_ core: inout CoordinatorCore, now: ContinuousClock.Instant, syncing: Bool = false) throws -> [OutboundMessage] {
        var outgoing = core.takeOutbox()
        let records = core.takeJournalRecords()
        let acks = core.takeAcks()
        if let writer {
            if let failure = writer.failure { throw failure }
            let sequence = try writer.write(records)
            if !acks.isEmpty { pendingAcks.append((sequence, acks)) }
            if syncing && !pendingAcks.isEmpty {
                try writer.syncNow()
            } else if writer.needsSync, lastSyncRequest.map({ now - $0 >= syncInterval }) ?? true {
                writer.requestSync()
                lastSyncRequest = now
            }
            let durable = writer.durable
            while let first = pendingAcks.first, first.sequence <= durable {
                outgoing += first.messages
                pendingAcks.removeFirst()
            }
        } else {
            outgoing += acks
        }
        var batch: [OutboundMessage] = []
        sources = []
        batch.reserveCapacity(outgoing.count)
        sources.reserveCapacity(outgoing.count)
        for o in outgoing {
            do {
                batch.append(OutboundMessage(peer: o.peer, frames: try codec.encode(o.message)))
                sources.append(o)
            } catch {
                logger.error("cannot encode a message", metadata: ["peer": "\(o.peer)", "error": "\(error)"])
                if case .assign(let a) = o.message {
                    core.endLease(a.lease)
                    core.strike(a.unit.id, reason: "its assignment cannot be sent: \(error)")
                }
            }
        }
        return batch
    }

    /// Feeds back the failures of the last batch: a peer found gone is declared dead at the next
    /// turn; an assignment known not to be delivered is issued again at once. Throws when the
    /// transport is closed.
    mutating func sent(_ failures: [Int: any Error], core: inout CoordinatorCore) throws {
        for (index, error) in failures.sorted(by: { $0.key < $1.key }) where index < sources.count {
            let o = sources[index]
            core.statistics.sendFailures += 1
            switch error {
            case ClusterError.peerUnreachable:
                core.peerUnreachable(o.peer)
            case ClusterError.transportClosed(let endpoint):
                throw ClusterError.transportClosed(endpoint)
            default:
                logger.debug("a message was not sent", metadata: ["peer": "\(o.peer)", "error": "\(error)"])
                if case .assign(let a) = o.message {
                    // Known not to be delivered (the peer's queue is full): issue it again at once.
                    core.endLease(a.lease)
                    core.requeue(a.unit.id)
                }
            }
        }
        sources = []
    }
}
