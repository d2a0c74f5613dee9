import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where the built `nshap` executable is: next to the test bundle in the build products directory.
enum NShapBinary {
    static let path: String? = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent)
        }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for dir in candidates {
            var d = dir
            // The test bundle may be a directory (.xctest/...) below the products directory.
            for _ in 0..<4 {
                let candidate = d + "/nshap"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                d = (d as NSString).deletingLastPathComponent
            }
        }
        return nil
    }()

    /// The path, or a failure saying how to get it.
    static func require() throws -> String {
        guard let path else {
            throw HarnessError("the nshap executable was not found next to the test bundle; build it first (swift build --build-tests)")
        }
        return path
    }
}

/// A failure of the test harness itself.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child process of a test: output captured to files, bounded waits, and killed when the test
/// ends (by ``ProcessGroup/killAll()``) whatever happened.
final class Spawned: @unchecked Sendable {
    // @unchecked Sendable: `process` is only started in init; Process's own methods used here
    // (isRunning, processIdentifier, terminationStatus, waitUntilExit) are thread safe.
    let name: String
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    init(name: String, executable: String, arguments: [String], directory: String) throws {
        self.name = name
        stdoutPath = directory + "/\(name).out"
        stderrPath = directory + "/\(name).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM...).
    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits at most `timeout` for the process to end; its exit status, or `nil` if still running.
    @discardableResult
    func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Both outputs, for failure messages.
    var transcript: String { "--- \(name) stdout\n\(standardOutput)\n--- \(name) stderr\n\(standardError)" }
}

/// The processes of one test, killed together when it ends.
final class ProcessGroup: Sendable {
    let directory: String
    private let members = Mutex<[Spawned]>([])

    /// A group working in a fresh temporary directory.
    init(_ label: String) throws {
        directory = NSTemporaryDirectory() + "nshap-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Starts `nshap` with `arguments`.
    @discardableResult
    func nshap(_ name: String, _ arguments: [String]) throws -> Spawned {
        try spawn(name, executable: try NShapBinary.require(), arguments)
    }

    /// Starts any executable.
    @discardableResult
    func spawn(_ name: String, executable: String, _ arguments: [String]) throws -> Spawned {
        let p = try Spawned(name: name, executable: executable, arguments: arguments, directory: directory)
        members.withLock { $0.append(p) }
        return p
    }

    /// SIGKILLs every member still running (SIGCONT first, for stopped ones) and reaps them.
    func killAll() {
        for p in members.withLock({ $0 }) where p.isRunning {
            kill(p.pid, SIGCONT)
            kill(p.pid, SIGKILL)
            p.process.waitUntilExit()
        }
    }

    /// Removes the directory (after killAll).
    func cleanUp() {
        killAll()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A path inside the group's directory.
    func path(_ name: String) -> String { directory + "/" + name }

    /// Every member's transcript, for failure messages.
    var transcripts: String { members.withLock { $0 }.map(\.transcript).joined(separator: "\n") }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(_ timeout: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// Processes as /proc shows them.
enum ProcessTable {
    /// Live (not zombie) children of `parent`.
    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let (ppid, state) = stat(pid) else { return false }
            return ppid == parent && state != "Z"
        }
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let (_, state) = stat(pid) else { return false }
        return state != "Z"
    }

    /// The parent and the state letter of `pid`.
    static func stat(_ pid: Int32) -> (Int32, Character)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let ppid = Int32(fields[1]) else { return nil }
        return (ppid, state)
    }
}
