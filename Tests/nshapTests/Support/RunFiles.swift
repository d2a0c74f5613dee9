import Foundation

/// The parts of `nshap coordinator --output FILE` that tests compare.
struct RunResult: Decodable, Equatable {
    struct Estimate: Decodable, Equatable {
        var player: Int
        var value: Double
        var lower: Double
        var upper: Double
        var marginals: Int
    }

    struct Statistics: Decodable, Equatable {
        var resultsAccepted: Int
        var resultsReplayed: Int
        var duplicateResults: Int
        var workersLost: Int
        var workersLeft: Int
        var workersWelcomed: Int
        var leasesExpired: Int
        var malformedMessages: Int
        var workersRefused: Int
    }

    var status: String
    var samples: Int
    var evaluations: Int
    var estimates: [Estimate]
    var statistics: Statistics

    static func load(_ path: String) throws -> RunResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError("no result file at \(path)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RunResult.self, from: data)
    }

    /// What must be identical between two runs of the same seed and sample count.
    var estimatesOnly: [Estimate] { estimates }
}

/// The last progress line of `nshap ... --progress-json FILE`.
struct ProgressLine: Decodable {
    struct Statistics: Decodable {
        var resultsAccepted: Int
    }

    var samples: Int
    var workers: Int
    var finished: Bool
    var statistics: Statistics
    var maxSamples: Int?

    static func last(_ path: String) -> ProgressLine? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").last else { return nil }
        return try? JSONDecoder().decode(ProgressLine.self, from: Data(line.utf8))
    }
}

/// Reads the endpoint a coordinator wrote with `--endpoint-file`, as a client should dial it.
func dialableEndpoint(_ path: String) -> String? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    let endpoint = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !endpoint.isEmpty else { return nil }
    return endpoint.replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
}
