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
        let label = String(name.utf8.prefix(15)) ?? "nshap-io"  // the kernel keeps 15 bytes
        let box = Unmanaged.passRetained(Box {
            IOThread.nameCurrentThread(label)
            body()
        })
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

    /// Names the calling thread (shown by top, ps and debuggers); Swift does not import
    /// `pthread_setname_np`, so the name is written where the kernel keeps it.
    static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = name.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, max(0, $0.count - 1)) }
        close(fd)
        #endif
    }

    /// Waits for the thread to end (once; later calls return at once). Never call it from the
    /// thread itself.
    func join() {
        guard let tid = thread.withLock({ t -> pthread_t? in defer { t = nil }; return t }) else { return }
        pthread_join(tid, nil)
    }
}
