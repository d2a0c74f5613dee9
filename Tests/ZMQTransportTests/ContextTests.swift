import Cluster
import Foundation
import Testing
@testable import ZMQTransport

/// A context's termination (which flushes what sockets queued before they closed) as a process
/// waits for it before exiting: it happens when the last reference goes, on whichever thread
/// drops it, and closed transports leave no reference behind.
@Suite struct ContextTests {
    /// Holds a context until told to let it go, on a thread of its own.
    final class Holder: @unchecked Sendable {
        // @unchecked Sendable: `context` and `dropped` are only touched under `lock`.
        private let lock = NSLock()
        private var context: ZMQContext?
        private var dropped = false

        init(_ context: ZMQContext) { self.context = context }

        func drop() {
            lock.lock()
            dropped = true
            context = nil
            lock.unlock()
        }

        var hasDropped: Bool {
            lock.lock()
            defer { lock.unlock() }
            return dropped
        }
    }

    @Test func terminationWaitsForTheLastReferenceOnAnotherThread() throws {
        let holder: Holder
        let termination: ZMQContext.Termination
        do {
            let context = try ZMQContext()
            termination = context.termination
            holder = Holder(context)
        }
        // Still held: the wait gives up after its bound and says so.
        #expect(!termination.wait(upTo: .milliseconds(50)))
        Thread.detachNewThread {
            usleep(100_000)
            holder.drop()
        }
        #expect(termination.wait(upTo: .seconds(30)))
        #expect(holder.hasDropped)
    }

    @Test func closedTransportsLetTheirContextTerminate() async throws {
        let termination: ZMQContext.Termination
        do {
            let context = try ZMQContext()
            termination = context.termination
            let server = try await ZMQServerTransport(bind: "tcp://127.0.0.1:0", context: context)
            let client = try await ZMQClientTransport(connect: server.endpoint, context: context)
            try await client.send([Array("bye".utf8)])
            let got = try await server.receive(timeout: .seconds(30))
            #expect(got?.frames == [Array("bye".utf8)])
            await client.close()
            await server.close()
        }
        #expect(termination.wait(upTo: .seconds(30)))
    }
}
