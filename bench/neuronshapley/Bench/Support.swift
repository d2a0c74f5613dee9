import Foundation

/// Command-line options as `--name value` pairs (repeatable ones collected in order).
struct Options {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []

    init(_ arguments: ArraySlice<String>) {
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let a = arguments[i]
            guard a.hasPrefix("--") else { i += 1; continue }
            let name = String(a.dropFirst(2))
            if i + 1 < arguments.endIndex, !arguments[i + 1].hasPrefix("--") {
                values[name, default: []].append(arguments[i + 1])
                i += 2
            } else {
                flags.insert(name)
                i += 1
            }
        }
    }

    func string(_ name: String) -> String? { values[name]?.last }
    func strings(_ name: String) -> [String] { values[name] ?? [] }
    func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
    func double(_ name: String) -> Double? { string(name).flatMap { Double($0) } }

    /// The `--set KEY=VALUE` options, in order; exits on one without `=`.
    func settings() -> [(String, String)] {
        strings("set").map { kv in
            let parts = kv.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { fail("--set \(kv): expected KEY=VALUE") }
            return (parts[0], parts[1])
        }
    }

    func require(_ name: String) -> String {
        guard let v = string(name) else { fail("missing --\(name)") }
        return v
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("neuronshapley-bench: \(message)\n".utf8))
    exit(2)
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// The user and system CPU seconds of this process and its ended children.
func cpuSeconds() -> Double {
    var own = rusage(), children = rusage()
    getrusage(RUSAGE_SELF.rawValue, &own)
    getrusage(RUSAGE_CHILDREN.rawValue, &children)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return s(own.ru_utime) + s(own.ru_stime) + s(children.ru_utime) + s(children.ru_stime)
}

func writeJSON<T: Encodable>(_ value: T, to path: String) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
        try encoder.encode(value).write(to: URL(fileURLWithPath: path))
    } catch {
        fail("cannot write \(path): \(error)")
    }
}

func readJSON<T: Decodable>(_ type: T.Type, from path: String) -> T {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
        return try decoder.decode(type, from: data)
    } catch {
        fail("cannot decode \(path): \(error)")
    }
}
