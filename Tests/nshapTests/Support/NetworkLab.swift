import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Several "hosts" on one machine: a coordinator namespace and worker namespaces, each worker
/// joined to the coordinator by its own veth pair (a star of point-to-point links). Needs root and
/// `ip netns`; ``available`` says whether this machine can do it.
final class NetworkLab: @unchecked Sendable {
    // @unchecked Sendable: the properties are set in init and never change; the methods only run
    // external commands.

    /// Why the lab cannot run here, or `nil` when it can.
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "network namespaces need root" }
        guard run(["ip", "netns", "add", "nshapt-probe"]) == 0 else { return "'ip netns add' failed (no permission or no iproute2)" }
        defer { _ = run(["ip", "netns", "del", "nshapt-probe"]) }
        guard run(["ip", "link", "add", "nshapt-p0", "type", "veth", "peer", "name", "nshapt-p1"]) == 0 else {
            return "veth pairs are not available"
        }
        _ = run(["ip", "link", "del", "nshapt-p0"])
        return nil
    }()

    /// Whether this kernel has `tc netem` (delay and loss emulation); these machines' kernels do not.
    static let hasNetem: Bool = {
        guard unavailableReason == nil else { return false }
        guard run(["ip", "link", "add", "nshapt-q0", "type", "veth", "peer", "name", "nshapt-q1"]) == 0 else { return false }
        defer { _ = run(["ip", "link", "del", "nshapt-q0"]) }
        return run(["tc", "qdisc", "add", "dev", "nshapt-q0", "root", "netem", "delay", "1ms"]) == 0
    }()

    static var available: Bool { unavailableReason == nil }

    let coordinatorNamespace: String
    let workerNamespaces: [String]
    private let subnet: Int
    private let tag: String

    /// A lab with `workers` worker hosts.
    init(workers: Int) throws {
        Self.removeLeftovers()
        tag = String(UInt32.random(in: 0...0xFFFF), radix: 16)
        subnet = Int.random(in: 100...250)
        let t = tag
        coordinatorNamespace = "nshapt-\(t)-c"
        workerNamespaces = (1...workers).map { "nshapt-\(t)-w\($0)" }
        try Self.must(["ip", "netns", "add", coordinatorNamespace])
        try Self.must(["ip", "netns", "exec", coordinatorNamespace, "ip", "link", "set", "lo", "up"])
        for (i, ns) in workerNamespaces.enumerated() {
            let n = i + 1
            try Self.must(["ip", "netns", "add", ns])
            try Self.must(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])
            let c = coordinatorLink(n), w = "nst\(tag)w\(n)"
            try Self.must(["ip", "link", "add", c, "netns", coordinatorNamespace, "type", "veth", "peer", "name", w, "netns", ns])
            try Self.must(["ip", "netns", "exec", coordinatorNamespace, "ip", "addr", "add", "10.\(subnet).\(n).1/24", "dev", c])
            try Self.must(["ip", "netns", "exec", coordinatorNamespace, "ip", "link", "set", c, "up"])
            try Self.must(["ip", "netns", "exec", ns, "ip", "addr", "add", "10.\(subnet).\(n).2/24", "dev", w])
            try Self.must(["ip", "netns", "exec", ns, "ip", "link", "set", w, "up"])
        }
    }

    /// The coordinator's interface towards worker `n` (1-based).
    func coordinatorLink(_ n: Int) -> String { "nst\(tag)c\(n)" }

    /// The coordinator's address as worker `n` reaches it.
    func coordinatorAddress(forWorker n: Int) -> String { "10.\(subnet).\(n).1" }

    /// The command line that runs `arguments` inside `namespace`.
    func inside(_ namespace: String, _ arguments: [String]) -> [String] {
        ["netns", "exec", namespace] + arguments
    }

    /// Cuts worker `n` off: its link goes down on the coordinator's side.
    func cut(worker n: Int) throws {
        try Self.must(["ip", "netns", "exec", coordinatorNamespace, "ip", "link", "set", coordinatorLink(n), "down"])
    }

    /// Kills every process in worker `n`'s namespace (the whole "host" dies).
    func killHost(worker n: Int) {
        for pid in pids(in: workerNamespaces[n - 1]) { kill(pid, SIGKILL) }
    }

    /// Limits the coordinator-to-worker-`n` direction with a token bucket (`tc tbf`).
    func rateLimit(worker n: Int, rate: String) throws {
        try Self.must(["ip", "netns", "exec", coordinatorNamespace, "tc", "qdisc", "add", "dev", coordinatorLink(n),
                       "root", "tbf", "rate", rate, "burst", "32kbit", "latency", "400ms"])
    }

    /// Adds `tc netem` loss and delay to worker `n`'s link (only where ``hasNetem``).
    func degrade(worker n: Int, loss: String, delay: String) throws {
        try Self.must(["ip", "netns", "exec", coordinatorNamespace, "tc", "qdisc", "add", "dev", coordinatorLink(n),
                       "root", "netem", "loss", loss, "delay", delay])
    }

    /// Process ids in `namespace`.
    func pids(in namespace: String) -> [Int32] {
        let (status, output) = Self.capture(["ip", "netns", "pids", namespace])
        guard status == 0 else { return [] }
        return output.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
    }

    /// Kills every process in the lab and deletes its namespaces (and with them the veth pairs).
    func tearDown() {
        for ns in [coordinatorNamespace] + workerNamespaces {
            for pid in pids(in: ns) { kill(pid, SIGCONT); kill(pid, SIGKILL) }
        }
        usleep(100_000)
        for ns in [coordinatorNamespace] + workerNamespaces { _ = Self.run(["ip", "netns", "del", ns]) }
    }

    /// Deletes namespaces left by an earlier test process that was killed.
    static func removeLeftovers() {
        let (_, output) = capture(["ip", "netns", "list"])
        for line in output.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix("nshapt-"), name != "nshapt-probe" else { continue }
            let (_, pids) = capture(["ip", "netns", "pids", name])
            for pid in pids.split(whereSeparator: \.isWhitespace).compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            _ = run(["ip", "netns", "del", name])
        }
    }

    // MARK: - Running commands

    static func ipPath() -> String {
        for p in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        return "/usr/sbin/ip"
    }

    static func tcPath() -> String {
        for p in ["/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return "/usr/sbin/tc"
    }

    @discardableResult
    static func run(_ command: [String]) -> Int32 { capture(command).0 }

    static func capture(_ command: [String]) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: command[0] == "tc" ? tcPath() : (command[0] == "ip" ? ipPath() : command[0]))
        p.arguments = Array(command.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func must(_ command: [String]) throws {
        let status = run(command)
        guard status == 0 else { throw HarnessError("'\(command.joined(separator: " "))' failed with status \(status)") }
    }
}
