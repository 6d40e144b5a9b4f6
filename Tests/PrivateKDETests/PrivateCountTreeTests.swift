import Foundation
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateCountTreeTests {
    /// Sensitivity by brute force on tiny trees: for every dataset of up to three values on a
    /// grid and every neighbour (add/remove one value, or replace one), the vector of all node
    /// counts changes by exactly Δ per level in ℓ1 — so Δ·L is the sensitivity the noise
    /// scale assumes.
    @Test(arguments: [1, 2, 3])
    func sensitivityByBruteForce(levels: Int) throws {
        let domain = try PublicInterval(0, 1)
        let grid = [-0.2, 0, 0.1, 0.3, 0.5, 0.74, 0.99, 1, 1.3]
        func l1(_ a: [[Int64]], _ b: [[Int64]]) -> [Int64] { zip(a, b).map { zip($0, $1).reduce(0) { $0 + abs($1.0 - $1.1) } } }
        var datasets: [[Double]] = [[]]
        for size in 1...3 { datasets += (0..<Int(pow(Double(grid.count), Double(size)))).map { code in (0..<size).map { grid[code / Int(pow(Double(grid.count), Double($0))) % grid.count] } } }
        for data in datasets {
            let base = PrivateCountTree.trueCounts(values: data, domain: domain, levels: levels)
            for extra in grid {
                let added = PrivateCountTree.trueCounts(values: data + [extra], domain: domain, levels: levels)
                #expect(l1(base, added) == [Int64](repeating: 1, count: levels))
                for k in data.indices {
                    var replaced = data
                    replaced[k] = extra
                    let changed = l1(base, PrivateCountTree.trueCounts(values: replaced, domain: domain, levels: levels))
                    #expect(changed.allSatisfy { $0 == 0 || $0 == 2 }, "\(data) → \(replaced)")
                }
            }
        }
        #expect(NeighbourRelation.addRemove.levelSensitivity == 1 && NeighbourRelation.replaceOne.levelSensitivity == 2)
    }

    /// Canonical decompositions tile every leaf range exactly with at most two nodes per level.
    @Test func canonicalDecompositionTiles() {
        let levels = 5
        for a in 0...32 {
            for b in a...32 {
                let nodes = PrivateCountTree.canonicalNodes(a..<b, levels: levels)
                var covered = [Int](repeating: 0, count: 32)
                for node in nodes {
                    let span = 1 << (levels - node.level)
                    for leaf in (node.index * span)..<((node.index + 1) * span) { covered[leaf] += 1 }
                }
                #expect(covered.enumerated().allSatisfy { (a..<b).contains($0.offset) ? $0.element == 1 : $0.element == 0 })
                for level in 1...levels { #expect(nodes.filter { $0.level == level }.count <= 2) }
            }
        }
    }

    /// Interval counts are unbiased: over many independent builds the error of a fixed
    /// interval has mean 0 and the predicted standard deviation (bands at false-alarm 1e-6).
    @Test(arguments: [0.0, 1e-6]) func intervalCountsAreUnbiasedWithThePredictedSpread(delta: Double) throws {
        let domain = try PublicInterval(0, 10), budget = try PrivacyBudget(epsilon: 1, delta: delta)
        var rng = RandomStream(seed: 3)
        let values = (0..<500).map { _ in 10 * rng.nextUniform() }
        let truth = Int64(values.filter { $0 >= 2.5 && $0 < 7.5 }.count)
        var errors: [Double] = []
        var sd = 0.0, range = 0..<0
        for _ in 0..<2000 {
            let tree = try PrivateCountTree.build(values: values, domain: domain, levels: 6, budget: budget, relation: .addRemove, using: &rng)
            range = tree.leafIndex(2.5)..<tree.leafIndex(7.5)
            sd = tree.noiseStandardDeviation(leaves: range)
            errors.append(Double(tree.count(leaves: range) - truth))
        }
        #expect(range == 16..<48)
        let mean = errors.reduce(0, +) / 2000
        let variance = errors.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 1999
        #expect(abs(mean) < 4.89 * sd / (2000.0).squareRoot())
        // Sample variance of a sum of discrete Laplace variables: relative standard error about
        // √(5/n) (fourth moment ≈ 6σ⁴ for a Laplace-like sum, less for sums); z = 4.89.
        #expect(abs(variance / (sd * sd) - 1) < 4.89 * (5.0 / 2000).squareRoot())
    }

    @Test func rejectsBadInput() throws {
        var rng = RandomStream(seed: 1)
        let domain = try PublicInterval(0, 1)
        #expect(throws: NumericsError.self) { try PublicInterval(1, 1) }
        #expect(throws: NumericsError.self) { try PublicInterval(0, .infinity) }
        #expect(throws: NumericsError.self) { try PrivateCountTree.build(values: [0.5], domain: domain, levels: 4, epsilon: 0, using: &rng) }
        #expect(throws: NumericsError.self) { try PrivateCountTree.build(values: [0.5], domain: domain, levels: 0, epsilon: 1, using: &rng) }
        #expect(throws: NumericsError.self) { try PrivateCountTree.build(values: [.nan], domain: domain, levels: 4, epsilon: 1, using: &rng) }
    }
}

/// The secure-generator overloads build (their noise is not reproducible, so only the shapes
/// and public parameters are checked).
@Test func secureGeneratorDefaultsBuild() throws {
    let domain = try PublicInterval(0, 1)
    let tree = try PrivateCountTree.build(values: [0.2, 0.7], domain: domain, levels: 3, epsilon: 1)
    #expect(tree.noisyCounts.map(\.count) == [2, 4, 8])
    let l1 = try PrivateL1Distance.build(points: Matrix([[0.2], [0.7]]), domains: [domain], levels: 3, epsilon: 1)
    #expect(l1.trees.count == 1)
    let kde = try PrivateKernelDensity.build(points: Matrix([[0.2], [0.7]]), bandwidth: 1, features: 8, seed: 1,
                                             budget: PrivacyBudget(epsilon: 1))
    #expect(kde.noisySums.count == 8 && kde.privacy.securelyGenerated)
}
