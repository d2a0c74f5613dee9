#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Cluster
import Foundation
import Logging
import Synchronization

/// Child processes started by `nshap local`: spawned with default signal handling, reaped, and
/// terminated (SIGTERM, then SIGKILL after a grace period) when the run ends or fails.
final class LocalProcesses: Sendable {
    /// A child and how it ended, once it has.
    struct Child: Sendable {
        var name: String
        var pid: pid_t
        var exitStatus: Int32?
    }

    private let children = Mutex<[Child]>([])

    /// The path of the running executable.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// Starts `path` with `arguments` (stdin from /dev/null, stdout and stderr inherited).
    @discardableResult
    func spawn(name: String, path: String, arguments: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, s) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw LocalError("cannot start \(path): \(String(cString: strerror(rc)))")
        }
        children.withLock { $0.append(Child(name: name, pid: pid, exitStatus: nil)) }
        return pid
    }

    /// Collects children that ended (without waiting) and returns those newly ended.
    func reap() -> [Child] {
        var ended: [Child] = []
        children.withLock { list in
            for i in list.indices where list[i].exitStatus == nil {
                var status: Int32 = 0
                if waitpid(list[i].pid, &status, WNOHANG) == list[i].pid {
                    list[i].exitStatus = status
                    ended.append(list[i])
                }
            }
        }
        return ended
    }

    /// Children still running.
    var running: Int { children.withLock { $0.filter { $0.exitStatus == nil }.count } }

    /// Waits up to `grace` for every child to end, then sends SIGTERM, and SIGKILL after another
    /// `grace`. Returns once all are reaped.
    func terminateAll(grace: Duration) {
        let steps: [Int32?] = [nil, SIGTERM, SIGKILL]
        for signal in steps {
            if let signal {
                children.withLock { list in
                    for c in list where c.exitStatus == nil { kill(c.pid, signal) }
                }
            }
            let deadline = ContinuousClock.now + (signal == SIGKILL ? .seconds(5) : grace)
            while running > 0 && ContinuousClock.now < deadline {
                _ = reap()
                if running > 0 { usleep(20_000) }
            }
            if running == 0 { return }
        }
    }

    /// A description of how a child ended.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "was killed by signal \(signal)"
    }
}

/// A failure of `nshap local` itself.
struct LocalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension LocalProcesses {
    /// Has `watcher` log every worker process that ends and, once none is left, stop `coordinator`
    /// (when given): nobody is left to do the work (refused, crashed), so the run stops instead of
    /// waiting forever, and can be resumed.
    func watch(with watcher: BackgroundTask, logger: Logger, stopping coordinator: Coordinator?) {
        watcher.start {
            while !Task.isCancelled {
                for child in self.reap() {
                    let metadata: Logger.Metadata = ["worker": "\(child.name)", "how": "\(LocalProcesses.describe(child.exitStatus ?? 0))"]
                    // Status 0 is a worker that was asked to stop (the run ended or is stopping);
                    // anything else is worth a warning.
                    if child.exitStatus == 0 {
                        logger.info("a worker process finished", metadata: metadata)
                    } else {
                        logger.warning("a worker process ended", metadata: metadata)
                    }
                }
                if let coordinator, self.running == 0 {
                    logger.error("every worker process ended; stopping the run (resume it with --resume)")
                    coordinator.stop(reason: "every worker process ended")
                    return
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

/// A task started later than its owner is set up (inside a service group), and cancelled when the
/// owner is done with it.
final class BackgroundTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts `body` as the task.
    func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLock { $0 = Task(operation: body) }
    }

    /// Cancels the task, if started.
    func cancel() {
        task.withLock { $0?.cancel() }
    }
}
