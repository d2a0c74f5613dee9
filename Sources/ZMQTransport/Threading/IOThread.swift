#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A dedicated POSIX thread for one socket owner (never a Swift concurrency thread, which must not
/// block in `zmq_poll`), joinable once.
final class IOThread: Sendable {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    private let thread: Mutex<pthread_t?>
    /// What the thread is for (for debugging).
    let name: String

    /// Starts `body` on a new thread; `name` says what it is for (in crash reports and debuggers).
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        let box = Unmanaged.passRetained(Box(body))
        #if canImport(Glibc)
        var tid = pthread_t()
        #else
        var tid: pthread_t?
        #endif
        let rc = pthread_create(&tid, nil, { raw in
            #if canImport(Glibc)
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            #else
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            #endif
            box.body()
            return nil
        }, box.toOpaque())
        precondition(rc == 0, "pthread_create failed with \(rc)")
        #if canImport(Glibc)
        thread = Mutex(tid)
        #else
        thread = Mutex(tid!)
        #endif
    }

    /// Waits for the thread to end (once; later calls return at once). Never call it from the
    /// thread itself.
    func join() {
        guard let tid = thread.withLock({ t -> pthread_t? in defer { t = nil }; return t }) else { return }
        pthread_join(tid, nil)
    }
}
