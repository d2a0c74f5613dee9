import Foundation
import ShapleyCore
import Synchronization

/// Command line: `EstimatorBench [precision|convergence|coverage] [--sizes 1000,20000]
/// [--seeds 5] [--methods permutation,tmc,bandit,adaptive,adaptive-uniform,adaptive-every,adaptive-undisputed] [--budget-per-player 1000] [--game collapse|voting]`; also
/// `EstimatorBench tune N K SEEDS BUDGET-PER-PLAYER key=value…` and `EstimatorBench debug …` (Debug.swift).
struct Arguments {
    var command = "precision"
    var sizes = [1000, 20000]
    var seeds = 5
    var methods = Method.standard
    var budgetPerPlayer = 1000
    var threads = 2
    var game = "collapse"

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("missing value after \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "precision", "convergence", "coverage": command = args[i]
            case "--sizes": sizes = try value().split(separator: ",").map { guard let v = Int($0) else { throw BenchError("bad size \($0)") }; return v }
            case "--seeds": guard let v = Int(try value()) else { throw BenchError("bad seed count") }; seeds = v
            case "--methods": methods = try value().split(separator: ",").map { guard let m = Method(rawValue: String($0)) else { throw BenchError("unknown method \($0); known: \(Method.allCases.map(\.rawValue))") }; return m }
            case "--budget-per-player": guard let v = Int(try value()) else { throw BenchError("bad budget") }; budgetPerPlayer = v
            case "--game":
                game = try value()
                guard ["collapse", "voting"].contains(game) else { throw BenchError("unknown game \(game); known: collapse, voting") }
            case "--threads": guard let v = Int(try value()) else { throw BenchError("bad thread count") }; threads = v
            default: throw BenchError("unknown argument \(args[i])")
            }
            i += 1
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A lock-protected value that threads share.
final class Shared<T>: Sendable {
    let mutex: Mutex<T>
    init(_ value: sending T) { mutex = Mutex(value) }
}

/// Runs `jobs` on `threads` threads and returns their results in job order.
func parallel<T: Sendable>(_ jobs: [@Sendable () throws -> T], threads: Int) throws -> [T] {
    let results = Shared<[Int: Result<T, any Error>]>([:])
    let next = Shared(0)
    let done = DispatchSemaphore(value: 0)
    let count = max(1, min(threads, jobs.count))
    for _ in 0..<count {
        let thread = Thread {
            while true {
                let index = next.mutex.withLock { n in
                    defer { n += 1 }
                    return n
                }
                if index >= jobs.count { break }
                let r = Result { try jobs[index]() }
                results.mutex.withLock { $0[index] = r }
            }
            done.signal()
        }
        thread.stackSize = 1 << 24
        thread.start()
    }
    for _ in 0..<count { done.wait() }
    return try results.mutex.withLock { r in try (0..<jobs.count).map { try r[$0]!.get() } }
}

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "debug" {
    let a = CommandLine.arguments
    try debugRun(n: Int(a[2])!, k: Int(a[3])!, budget: Int(a[4])!, seed: UInt64(a[5])!, every: Int(a[6])!)
    exit(0)
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "debug-walk" {
    try debugWalk(n: Int(CommandLine.arguments[2])!, seed: UInt64(CommandLine.arguments[3])!)
    exit(0)
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "debug-voting" {
    let a = CommandLine.arguments
    try debugVoting(n: Int(a[2])!, k: Int(a[3])!, seed: UInt64(a[4])!)
    exit(0)
}
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "tune" {
    let a = CommandLine.arguments
    try tuneRun(n: Int(a[2])!, k: Int(a[3])!, seeds: Int(a[4])!, budget: Int(a[5])!, overrides: Array(a.dropFirst(6)))
    exit(0)
}
let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
switch arguments.command {
case "precision": try PrecisionBench(arguments: arguments).run()
case "convergence": try ConvergenceBench(arguments: arguments).runConvergence()
default: try ConvergenceBench(arguments: arguments).runCoverage()
}
