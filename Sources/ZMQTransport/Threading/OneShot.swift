import Synchronization

/// Reports the outcome of an I/O thread's setup (socket created, bound or connected) to the task
/// that started it, exactly once; later reports are ignored.
final class OneShot: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, any Error>?>

    init(_ continuation: CheckedContinuation<Void, any Error>) {
        self.continuation = Mutex(continuation)
    }

    /// Setup succeeded.
    func succeed() {
        continuation.withLock { c in defer { c = nil }; return c }?.resume()
    }

    /// Setup failed with `error`.
    func fail(_ error: any Error) {
        continuation.withLock { c in defer { c = nil }; return c }?.resume(throwing: error)
    }

    /// Starts an I/O thread named `name` running `body` (which must call ``succeed()`` or
    /// ``fail(_:)`` once its setup is done) and waits for the setup's outcome. On failure the
    /// thread is joined before the error is rethrown.
    static func start(name: String, _ body: @escaping @Sendable (OneShot) -> Void) async throws -> IOThread {
        var thread: IOThread?
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let shot = OneShot(c)
                thread = IOThread(name: name) { body(shot) }
            }
        } catch {
            thread?.join()
            throw error
        }
        guard let thread else { preconditionFailure("the thread was started in the continuation body") }
        return thread
    }
}
