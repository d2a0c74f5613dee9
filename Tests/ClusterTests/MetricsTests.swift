import Foundation
import Testing
@testable import Cluster

#if canImport(Glibc)
import Glibc
#endif

@Suite struct MetricsTests {
    /// One HTTP request over a plain socket; returns the whole response.
    func get(_ path: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let request = Array("GET \(path) HTTP/1.0\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func servesPrometheusTextAndRefusesOtherPaths() throws {
        var snapshot = ProgressSnapshot(elapsedSeconds: 1, samples: 12, evaluations: 340, evaluationsPerSecond: 5.5,
                                        activePlayers: 4, workers: 2, leases: 3, queued: 1, quarantined: [7],
                                        finished: false, top: [], statistics: CoordinatorStatistics())
        snapshot.statistics.resultsAccepted = 12
        let frozen = snapshot
        let server = try MetricsServer(host: "127.0.0.1", port: 0, logger: Harness.quietLogger) {
            PrometheusText.render(frozen, run: Harness.run(id: "r\"1"))
        }
        defer { server.stop() }
        let ok = try get("/metrics", port: server.port)
        #expect(ok.hasPrefix("HTTP/1.0 200 OK"))
        #expect(ok.contains("nshap_samples{run=\"r\\\"1\"} 12.0"))
        #expect(ok.contains("# TYPE nshap_results_accepted_total counter"))
        #expect(ok.contains("nshap_quarantined_units{run=\"r\\\"1\"} 1.0"))
        #expect(try get("/other", port: server.port).hasPrefix("HTTP/1.0 404"))
    }

    @Test func busyPortIsAClearError() throws {
        let first = try MetricsServer(host: "127.0.0.1", port: 0, logger: Harness.quietLogger) { "" }
        defer { first.stop() }
        #expect(throws: ClusterError.self) {
            _ = try MetricsServer(host: "127.0.0.1", port: first.port, logger: Harness.quietLogger) { "" }
        }
        #expect(throws: ClusterError.self) {
            _ = try MetricsServer(host: "not-an-address", port: 0, logger: Harness.quietLogger) { "" }
        }
    }

    @Test func progressLineNamesTheEssentials() {
        let s = ProgressSnapshot(elapsedSeconds: 2.04, samples: 10, evaluations: 70, evaluationsPerSecond: 35,
                                 activePlayers: 6, workers: 2, leases: 1, queued: 0, quarantined: [],
                                 finished: false, top: [ProgressPlayer(player: 3, value: 0.5, lower: 0.25, upper: 0.75)],
                                 statistics: CoordinatorStatistics())
        #expect(s.line == "[2.0s] samples 10  evals 70 (35/s)  workers 2  leases 1  active 6  top: #3 0.5 [0.25, 0.75]")
        #expect(s.budgetSpent == nil && s.secondsToBudget == nil)
    }

    @Test func progressSaysHowMuchOfTheBudgetIsLeft() {
        var s = ProgressSnapshot(elapsedSeconds: 60, samples: 10, evaluations: 1_000, evaluationsPerSecond: 2,
                                 activePlayers: 6, workers: 2, leases: 1, queued: 0, quarantined: [],
                                 finished: false, top: [], statistics: CoordinatorStatistics(), maxEvaluations: 4_000)
        // Values received ahead of the estimator's count are what the rate and the rest go by.
        s.statistics.valuesAccepted = 1_200
        #expect(s.budgetSpent == 0.3)
        #expect(s.secondsToBudget == 1_400)
        #expect(s.line.hasSuffix("active 6  budget 30% spent (the rest: at most 23 min at this rate)"))
        // A sample cap: samples so far cost 100 evaluations each; the nearer cap decides.
        s.maxSamples = 12
        #expect(s.secondsToBudget == 100)
        #expect(abs((s.budgetSpent ?? 0) - 10.0 / 12) < 1e-12)
        s.maxSamples = 20
        #expect(s.budgetSpent == 0.5)
        // No rate yet: how much is spent, but no projection.
        s.evaluationsPerSecond = 0
        #expect(s.secondsToBudget == nil && s.line.hasSuffix("budget 50% spent"))
        #expect(ProgressSnapshot.duration(90) == "90 s" && ProgressSnapshot.duration(3 * 3600) == "3.0 h")
        #expect(ProgressSnapshot.duration(27 * 86_400) == "27 d" && ProgressSnapshot.percent(0.0004) == "<0.1%")
        let text = PrometheusText.render(s, run: nil)
        #expect(text.contains("nshap_budget_spent_ratio 0.5") && !text.contains("budget_seconds_left"))
    }
}
