import Cluster
import Synchronization

/// A server run on a pump's thread, and the task waiting for it to be done.
struct InlineServing {
    var server: any InlineServer
    var continuation: CheckedContinuation<Void, any Error>
    /// Messages the pump had queued for receivers before the server came: its first turn gets them.
    var carried: [InboundMessage] = []
}

/// What the task that asks for a server to be served shares with the pump's thread.
struct ServingState {
    /// A server handed over and not yet taken by the thread.
    var pending: InlineServing?
    /// The serving task was cancelled: stop calling the server.
    var cancelled = false
    /// The thread has ended: nothing can be served any more (with this error).
    var ended: (any Error)?
}

extension SocketPump {
    /// Runs `server`'s turns on this pump's thread (a ROUTER's): messages go from the socket to the
    /// server and its answers to the socket without leaving the thread. Returns when the server is
    /// done; throws `CancellationError` when the task is cancelled (the server is not called once
    /// this returns) and ``ZMQError/closed`` when the pump stops first.
    func serve(_ server: any InlineServer) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let refusal = serving.withLock { s -> (any Error)? in
                    if let ended = s.ended { return ended }
                    precondition(s.pending == nil, "one server at a time")
                    s.pending = InlineServing(server: server, continuation: c)
                    return nil
                }
                if let refusal {
                    c.resume(throwing: refusal)
                } else {
                    wake.wake()
                }
            }
        } onCancel: {
            serving.withLock { $0.cancelled = true }
            wake.wake()
        }
    }

    /// On the thread: takes a server handed over, and lets go of the current one when its task was
    /// cancelled.
    func adopt(_ current: inout InlineServing?) {
        let (handed, cancelled) = serving.withLock { s -> (InlineServing?, Bool) in
            defer { s.pending = nil }
            let cancelled = s.cancelled
            if cancelled, current != nil || s.pending != nil { s.cancelled = false }
            return (s.pending, cancelled)
        }
        if var handed {
            handed.carried = inbox.takeAll().compactMap { item in
                guard case .message(let message) = item, let peer = message.frames.first else { return nil }
                return InboundMessage(peer: PeerID(peer), frames: Array(message.frames.dropFirst()))
            }
            current = handed
        }
        if cancelled, let serving = current {
            current = nil
            serving.continuation.resume(throwing: CancellationError())
        }
    }

    /// On the thread: one turn of the server when messages arrived or the turn is due; sends its
    /// answers, reports their failures, and lets go of the server once it is done.
    func turn(_ current: inout InlineServing?, _ socket: borrowing ZMQSocket, readable: Bool) throws {
        guard let server = current?.server else { return }
        var inbound: [InboundMessage] = []
        if let carried = current?.carried, !carried.isEmpty {
            inbound = carried
            current?.carried = []
        }
        if readable {
            try receiveBatch(socket, hasRoom: { true }) { message in
                guard let peer = message.frames.first else { return false }
                inbound.append(InboundMessage(peer: PeerID(peer), frames: Array(message.frames.dropFirst())))
                return true
            }
        }
        let now = ContinuousClock.now
        if inbound.isEmpty, let due = server.nextTurn, due > now + MessageQueue<Int>.slack { return }
        let out = server.turn(inbound, now: now)
        if !out.isEmpty { server.sent(send(out, socket)) }
        if server.nextTurn == nil, let done = current {
            current = nil
            done.continuation.resume()
        }
    }

    /// Sends `batch` on the thread, at once; returns the errors of what was not sent, by index.
    private func send(_ batch: [OutboundMessage], _ socket: borrowing ZMQSocket) -> [Int: any Error] {
        var failures: [Int: any Error] = [:]
        for (i, m) in batch.enumerated() {
            do {
                try socket.send([m.peer.bytes] + m.frames)
            } catch let error as ZMQError {
                failures[i] = error.clusterError(endpoint: endpoint, peer: m.peer)
            } catch {
                failures[i] = error
            }
        }
        statistics.withLock { $0.sent += batch.count - failures.count; $0.sendFailures += failures.count }
        return failures
    }

    /// Ends the current server's wait with `error` (the thread is stopping).
    func release(_ current: inout InlineServing?, _ error: any Error) {
        if let serving = current {
            current = nil
            serving.continuation.resume(throwing: error)
        }
    }

    /// Refuses servers from now on, and ends the wait of one handed over but not taken.
    func refuseServing(_ error: any Error) {
        let pending = serving.withLock { s -> InlineServing? in
            s.ended = error
            defer { s.pending = nil }
            return s.pending
        }
        pending?.continuation.resume(throwing: error)
    }
}
