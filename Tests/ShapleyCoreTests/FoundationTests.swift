import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShapleyCore

@Suite struct FoundationTests {
    /// Known-answer vectors published with Random123 (`kat_vectors`, philox4x32 with 10 rounds):
    /// counter words c0..c3, key words k0, k1, expected output words.
    @Test func philoxMatchesRandom123KnownAnswers() {
        let vectors: [([UInt32], [UInt32], [UInt32])] = [
            ([0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
            ([~0, ~0, ~0, ~0], [~0, ~0], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
            ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0],
             [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
        ]
        for (ctr, key, expected) in vectors {
            let k = UInt64(key[1]) << 32 | UInt64(key[0])
            let c0 = UInt64(ctr[1]) << 32 | UInt64(ctr[0])
            let c1 = UInt64(ctr[3]) << 32 | UInt64(ctr[2])
            let out = RandomStream.philox(key: k, counter: (c0, c1))
            #expect([out.0, out.1, out.2, out.3] == expected)
        }
    }

    @Test func streamsAreReproducibleAndDistinct() {
        var a = RandomStream(seed: 7, index: 3), b = RandomStream(seed: 7, index: 3), c = RandomStream(seed: 7, index: 4)
        let xa = (0..<10).map { _ in a.next() }, xb = (0..<10).map { _ in b.next() }, xc = (0..<10).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
        var s = RandomStream(seed: 1, index: 0)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<7000 {
            let u = s.uniform(below: 7)
            #expect(u >= 0 && u < 7)
            counts[u] += 1
        }
        #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 })
    }

    @Test func permutationsAndTheirReverses() {
        let o = Permutation.order(seed: 11, index: 5, playerCount: 100)
        #expect(Set(o).count == 100 && o.allSatisfy { $0 >= 0 && $0 < 100 })
        let r = Permutation.order(seed: 11, index: Permutation.antithetic(of: 5), playerCount: 100)
        #expect(r == Array(o.reversed()))
        #expect(Permutation.antithetic(of: Permutation.antithetic(of: 5)) == 5)
        let c = Permutation.coalition(order: o, removed: 30)
        #expect(c.count == 70 && o[0..<30].allSatisfy { !c.contains(Int($0)) })
    }

    /// The four quarter rotations of one order start every player in the first quarter of exactly
    /// one of them; a rotation composes with the reversal.
    @Test func quarterRotationsCoverEveryPlayerOnceInTheirFirstQuarters() {
        let n = 103
        let o = Permutation.order(seed: 11, index: 5, playerCount: n)
        #expect(Permutation.order(seed: 11, index: Permutation.rotated(5, quarters: 0), playerCount: n) == o)
        var firstQuarters: [Int32] = []
        for q in 0...3 {
            let r = Permutation.order(seed: 11, index: Permutation.rotated(5, quarters: q), playerCount: n)
            #expect(r == Array(o[(q * (n / 4))...] + o[..<(q * (n / 4))]))
            firstQuarters += r.prefix(q == 3 ? n - 3 * (n / 4) : n / 4)
        }
        #expect(firstQuarters.sorted() == (0..<Int32(n)).map { $0 })
        let both = Permutation.order(seed: 11, index: Permutation.antithetic(of: Permutation.rotated(5, quarters: 2)), playerCount: n)
        #expect(both == Array(Permutation.order(seed: 11, index: Permutation.rotated(5, quarters: 2), playerCount: n).reversed()))
    }

    /// The order is Fisher-Yates on `RandomStream(seed:index:purpose: 0)`: the fast path draws
    /// exactly what the general stream draws.
    @Test func permutationDrawsAreTheStreamsDraws() {
        for (seed, index, n) in [(UInt64(0), UInt64(0), 1), (1, 2, 2), (3, 4, 3), (7, 99, 1000), (~0, 12345, 257)] {
            var expected = (0..<Int32(n)).map { $0 }
            var stream = RandomStream(seed: seed, index: index, purpose: 0)
            if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { expected.swapAt(i, stream.uniform(below: i + 1)) } }
            #expect(Permutation.order(seed: seed, index: index, playerCount: n) == expected)
        }
        #expect(Permutation.order(seed: 1, index: 0, playerCount: 0).isEmpty)
    }

    @Test func positionsInvertAnOrder() {
        let order = Permutation.order(seed: 5, index: 3, playerCount: 40)
        let position = Permutation.positions(of: order)
        #expect(order.indices.allSatisfy { position[Int(order[$0])] == Int32($0) })
        #expect(CoalitionSpec.toggledMarginal(base: 0.7, toggled: 0.5, wasMember: true) == 0.7 - 0.5)
        #expect(CoalitionSpec.toggledMarginal(base: 0.5, toggled: 0.7, wasMember: false) == 0.7 - 0.5)
        #expect(EstimatorOptions.players(fromList: "3, 17,40") == [3, 17, 40])
        #expect(EstimatorOptions.players(fromList: "1;2") == nil && EstimatorOptions.players(fromList: "1,x") == nil)
    }

    @Test func runningStatisticsMergeMatchesSequential() {
        var stream = RandomStream(seed: 3, index: 0)
        let xs = (0..<1000).map { _ in 1e6 + stream.unit() * 10 - 5 }
        let sequential = RunningStatistics(xs)
        for parts in [2, 3, 7, 50] {
            var merged = RunningStatistics()
            var start = 0
            for p in 0..<parts {
                let end = p == parts - 1 ? xs.count : start + stream.uniform(below: max(1, xs.count - start))
                merged.merge(RunningStatistics(xs[start..<end]))
                start = end
            }
            #expect(merged.count == sequential.count)
            #expect(abs(merged.mean - sequential.mean) < 1e-9)
            #expect(abs(merged.variance - sequential.variance) < 1e-9 * sequential.variance)
            #expect(merged.minimum == sequential.minimum && merged.maximum == sequential.maximum)
        }
        let direct = xs.reduce(0, +) / Double(xs.count)
        #expect(abs(sequential.mean - direct) < 1e-6)
    }

    @Test func maurerPontilRadius() {
        let s = RunningStatistics([0, 1, 0, 1, 1])
        let l = log(2 / 0.2)
        let expected = (2 * s.variance * l / 5).squareRoot() + 7 * 1 * l / (3 * 4)
        #expect(abs(ConfidenceBound.maurerPontil(delta: 0.2, range: 1).halfWidth(s) - expected) < 1e-12)
        #expect(ConfidenceBound.maurerPontil(delta: 0.2, range: 1).halfWidth(RunningStatistics([1])).isInfinite)
    }

    @Test func coalitionBitSetOperations() {
        var c = Coalition(empty: 130)
        for p in [0, 63, 64, 127, 129] { c.insert(p) }
        #expect(c.count == 5 && c.members == [0, 63, 64, 127, 129])
        c.toggle(63)
        c.toggle(5)
        #expect(c.members == [0, 5, 64, 127, 129])
        c.remove(0)
        #expect(!c.contains(0) && c.contains(5))
        #expect(c.complement.count == 126 && c.complement.complement == c)
        var visited: [Int] = []
        c.forEachMember { visited.append($0) }
        #expect(visited == c.members)
        var others: [Int] = []
        c.forEachNonMember { others.append($0) }
        #expect(others == c.removed && others.count == 126 && others.last == 128)
        #expect(Coalition(full: 130).count == 130 && Coalition(full: 130).complement.isEmpty)
        #expect(Coalition(playerCount: 130, words: [~0, ~0, ~0]).count == 130)
        let weights = (0..<130).map { Int64($0 * 3 - 50) }
        let total = weights.reduce(0, +)
        for members in [[1, 2, 3], Array(0..<100), []] {
            let d = Coalition(playerCount: 130, members: members)
            #expect(d.weightedSum(weights, total: total) == members.map { weights[$0] }.reduce(0, +))
        }
    }

    @Test func truncationRuleCountsCarriedStreaks() {
        let t = Truncation(floor: 0.1, tolerance: 0.2, patience: 3)
        #expect(t.stop(in: [0.9, 0.2, 0.25, 0.5, 0.3, 0.3, 0.3, 0.1]) == 7)
        #expect(t.stop(in: [0.9, 0.2, 0.25]) == nil)
        #expect(t.streak(after: [0.9, 0.2, 0.25]) == 2)
        var carried = t
        carried.carried = 2
        #expect(carried.stop(in: [0.3, 0.9]) == 1)
    }
}
