import Foundation
import Testing
import ShapleyCore
@testable import Cluster

@Suite struct JournalTests {
    func path() throws -> String {
        let dir = Harness.temporaryPath("journal")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/journal.log"
    }

    let results = (0..<5).map { WorkResult(id: UInt64($0) * 3, values: (0...$0).map { Double($0) * 0.25 - 1 }) }

    @Test func appendedResultsAreReadBackAfterReopening() throws {
        let p = try path()
        do {
            let j = try Journal(path: p)
            #expect(j.recovered.isEmpty)
            try j.append(Array(results[0..<2]))
            try j.append([WorkResult]())
            try j.append(Array(results[2...]))
        }
        let again = try Journal(path: p)
        #expect(again.recovered == results)
        #expect(again.truncatedBytes == 0)
        try again.append([WorkResult(id: 99, values: [])])
        again.close()
        #expect(throws: ClusterError.self) { try again.append(results) }
        #expect(try Journal(path: p).recovered == results + [WorkResult(id: 99, values: [])])
    }

    @Test func abandonedUnitsAreReadBackBetweenResults() throws {
        let p = try path()
        let records: [JournalRecord] = [.result(results[0]), .abandoned(unitID: 7, reason: "worker w2 was lost é"),
                                        .result(results[1]), .abandoned(unitID: 8, reason: String(repeating: "x", count: 5000))]
        try Journal(path: p).append(records)
        let j = try Journal(path: p)
        #expect(j.records.prefix(3) == records.prefix(3))
        #expect(j.records.last == .abandoned(unitID: 8, reason: String(repeating: "x", count: 1000)))
        #expect(j.recovered == [results[0], results[1]])
    }

    @Test func tornTailIsTruncatedAtEveryCutPoint() throws {
        let p = try path()
        try Journal(path: p).append(results)
        let full = try #require(FileManager.default.contents(atPath: p))
        let lastRecord = 8 + 1 + 8 + 4 + 8 * 5  // length and crc, kind, id, count, 5 values
        for cut in 1..<lastRecord {
            try full.prefix(full.count - cut).write(to: URL(fileURLWithPath: p))
            let j = try Journal(path: p)
            #expect(j.recovered == Array(results.prefix(4)))
            #expect(j.truncatedBytes == lastRecord - cut)
            j.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: p)).count == full.count - lastRecord)
        }
    }

    @Test func readingRecordsLeavesATornTailInPlace() throws {
        let p = try path()
        try Journal(path: p).append(results)
        let full = try #require(FileManager.default.contents(atPath: p))
        try full.prefix(full.count - 3).write(to: URL(fileURLWithPath: p))
        let records = try Journal.readRecords(path: p)
        #expect(records.count == 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: p)).count == full.count - 3)  // not truncated
        #expect(try Journal(path: p).recovered == Array(results.prefix(4)))  // what opening for writing recovers
        let other = try path()
        try Data("not a journal".utf8).write(to: URL(fileURLWithPath: other))
        #expect(throws: ClusterError.self) { try Journal.readRecords(path: other) }
    }

    @Test func corruptedRecordEndsTheReadableLog() throws {
        let p = try path()
        try Journal(path: p).append(results)
        var bytes = try #require(FileManager.default.contents(atPath: p))
        bytes[8 + 8 + 3] ^= 0x40  // a byte inside the first record's unit id
        try bytes.write(to: URL(fileURLWithPath: p))
        let j = try Journal(path: p)
        #expect(j.recovered.isEmpty)
        #expect(j.truncatedBytes == bytes.count - 8)
    }

    @Test func foreignFileIsRefused() throws {
        let p = try path()
        try Data("name,value\n1,2\n".utf8).write(to: URL(fileURLWithPath: p))
        #expect(throws: ClusterError.self) { try Journal(path: p) }
        #expect(throws: ClusterError.self) { try Journal(path: "/nonexistent-dir/journal.log") }
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
