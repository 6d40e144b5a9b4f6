import Foundation
import Certificates
import SuretyData
import SuretyNumerics
import Testing
@testable import PrivateKDE

@Suite struct PrivateKernelDensityTests {
    static func data(_ n: Int, _ d: Int, seed: UInt64) throws -> Matrix {
        var rng = RandomStream(seed: seed)
        return try Matrix(rows: n, columns: d, columnMajor: (0..<(n * d)).map { _ in Normal.standard.sample(using: &rng) })
    }

    static func exactSums(_ kernel: SimilarityKernel, _ points: Matrix, _ queries: Matrix, bandwidth: Double) -> [Double] {
        (0..<queries.rows).map { q in (0..<points.rows).reduce(0) { $0 + kernel.value(points.row($1), queries.row(q), bandwidth: bandwidth) } }
    }

    /// The spec's worked number (§2.10): m = 1000, ε = 1, n = 10 000 — the noise on the
    /// average is at most 2b/√m/n ≈ 0.0089 with b = √2·m/ε (|φ| ≤ √2), about 0.0063 for a
    /// typical query (E φ² = 1).
    @Test func specNoiseLevel() throws {
        let points = try Self.data(10_000, 3, seed: 1)
        var noise = RandomStream(seed: 3)
        let kde = try PrivateKernelDensity.build(points: points, bandwidth: 1, features: 1000, seed: 2, budget: PrivacyBudget(epsilon: 1),
                                                 relation: .replaceOne, noiseGenerator: &noise)
        #expect(kde.fractionBits == 20 && kde.count == 10_000)
        for answer in try kde.sums(at: Self.data(20, 3, seed: 4)) {
            let onAverage = answer.noiseStandardDeviation / 10_000
            // replace-one doubles the sensitivity: twice the add/remove figures.
            #expect(onAverage <= 2 * 0.0089 * 1.001, "\(onAverage)")
            #expect(onAverage > 2 * 0.0045)
        }
    }

    /// Without noise (ε huge) every kernel's estimate is the exact kernel sum up to the random
    /// features' error: per query its standard deviation is at most √2·n/√m (|φ_j(x)φ_j(y)| ≤ 2),
    /// so |error| < 4.89·√2·n/√m has false-alarm rate ≤ 1e-6 per query (normal approximation
    /// over m = 4000 features).
    @Test(arguments: SimilarityKernel.allCases) func randomFeaturesMatchTheKernel(kernel: SimilarityKernel) throws {
        let points = try Self.data(400, 2, seed: 5), queries = try Self.data(5, 2, seed: 6)
        let exact = Self.exactSums(kernel, points, queries, bandwidth: 1.3)
        var noise = RandomStream(seed: 8)
        let quiet = try PrivateKernelDensity.build(points: points, kernel: kernel, bandwidth: 1.3, features: 4000, seed: 7,
                                                   budget: PrivacyBudget(epsilon: 1e9), noiseGenerator: &noise)
        for (answer, truth) in zip(try quiet.sums(at: queries), exact) {
            #expect(abs(answer.value - truth) < 4.89 * 2.0.squareRoot() * 400 / (4000.0).squareRoot(), "\(kernel): \(answer.value) vs \(truth)")
        }
    }

    /// The privacy noise has the predicted spread over 400 builds with fresh noise, for the
    /// Laplace (pure ε) and Gaussian (zCDP) mechanisms. The sample sd of 400 draws has relative
    /// standard error ≈ √((κ−1)/(4n)) with κ ≤ 6 for a Laplace-like sum; z = 4.89 (1e-6).
    @Test(arguments: [0.0, 1e-6]) func noiseSpreadIsPredicted(delta: Double) throws {
        let points = try Self.data(300, 2, seed: 5), queries = try Self.data(1, 2, seed: 6)
        let features = try RandomFeatures(kernel: .gaussian, dimension: 2, bandwidth: 1, features: 50, seed: 9)
        var statistics = KernelFeatureSums(features: features)
        try statistics.add(points)
        var values: [Double] = [], predicted = 0.0
        for k in 0..<400 {
            var z = RandomStream(seed: 100 + UInt64(k))
            let kde = try PrivateKernelDensity.release(statistics, budget: PrivacyBudget(epsilon: 1, delta: delta), noiseGenerator: &z)
            let answer = try kde.sums(at: queries)[0]
            values.append(answer.value)
            predicted = answer.noiseStandardDeviation
        }
        let mean = values.reduce(0, +) / 400
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 399).squareRoot()
        #expect(abs(sd / predicted - 1) < 4.89 * (5.0 / 1600).squareRoot(), "δ = \(delta): sd \(sd) vs predicted \(predicted)")
    }

    /// ρ for (ε, δ) by hand: ε = 1, δ = 1e-6 ⇒ ln(1/δ) = 13.8155…, ρ = (√14.8155 − √13.8155)² = 0.017469…
    /// (the spec's ≈ 0.0175, §2.10); and the conversion gives back exactly ε.
    @Test func zCDPConversion() throws {
        let budget = try PrivacyBudget(epsilon: 1, delta: 1e-6)
        let rho = try #require(budget.rho)
        #expect(abs(rho - 0.0174687) < 1e-6, "\(rho)")
        #expect(abs(rho + 2 * (rho * log(1e6)).squareRoot() - 1) < 1e-12)
        #expect(try PrivacyBudget(epsilon: 1).rho == nil)
        #expect(throws: NumericsError.self) { try PrivacyBudget(epsilon: 1, delta: 1) }
        #expect(throws: NumericsError.self) { try PrivacyBudget(epsilon: 1, delta: -0.1) }
        #expect(throws: NumericsError.self) { try PrivacyBudget(epsilon: 0) }
    }

    /// With a tiny ε and many features the sums are released at fewer fixed-point bits, and the
    /// noise standard deviation still matches the Laplace scale with the inflated sensitivity.
    @Test func coarserDiscretizationForTinyEpsilon() throws {
        let points = try Self.data(50, 2, seed: 1)
        var z = RandomStream(seed: 2)
        let kde = try PrivateKernelDensity.build(points: points, bandwidth: 1, features: 4096, seed: 3,
                                                 budget: PrivacyBudget(epsilon: 0.001), relation: .replaceOne, noiseGenerator: &z)
        #expect(kde.fractionBits < 20)
        let q = kde.fractionBits
        let perCoordinate = (Double(2 * KernelFeatureSums.contributionBound) / Double(1 << (20 - q))).rounded(.up) + 1
        let scale = 4096 * perCoordinate / 0.001 / Double(1 << q)     // real units
        #expect(abs(kde.sumNoiseVariance.squareRoot() / (2.0.squareRoot() * scale) - 1) < 1e-3)
    }

    /// Partial statistics of two shards merge into exactly the statistics of the union.
    @Test func shardsMergeExactly() throws {
        let points = try Self.data(1500, 3, seed: 1)
        let features = try RandomFeatures(kernel: .cauchy, dimension: 3, bandwidth: 0.8, features: 64, projectedDimension: 2, seed: 4)
        var whole = KernelFeatureSums(features: features), first = whole, second = whole
        try whole.add(points)
        try first.add(points.rows(0..<700))
        try second.add(points.rows(700..<1500))
        #expect(try first.merged(with: second) == whole)
        let other = try RandomFeatures(kernel: .cauchy, dimension: 3, bandwidth: 0.8, features: 64, projectedDimension: 2, seed: 5)
        #expect(throws: NumericsError.self) { try whole.merged(with: KernelFeatureSums(features: other)) }
        // The partial file keeps the 64-bit sums exactly.
        let back = try KernelFeatureSums.Shard(fileBytes: whole.fileBytes(), name: "p.dpkde")
        #expect(back.statistics == whole)
        // The union of the shards' files is the union's statistics.
        let shards = try [first, second].map { try KernelFeatureSums.Shard(fileBytes: $0.fileBytes(), name: "s.partial") }
        #expect(try KernelFeatureSums.union(of: shards) == whole)
    }

    /// A shard merged twice would count its records twice: the same file, a byte copy (same
    /// identifier), or the same shard built again (new identifier, same statistics) is
    /// refused; every file gets its own 128-bit identifier; a file whose digest does not match
    /// its statistics, or a partial file from before identifiers, is refused.
    @Test func duplicateShardsAreRefused() throws {
        let features = try RandomFeatures(kernel: .gaussian, dimension: 2, bandwidth: 0.5, features: 16, seed: 3)
        var a = KernelFeatureSums(features: features), b = a
        try a.add(Self.data(40, 2, seed: 1))
        try b.add(Self.data(30, 2, seed: 2))
        let aBytes = try a.fileBytes(), aAgain = try a.fileBytes()
        let shard = { (bytes: [UInt8], name: String) in try KernelFeatureSums.Shard(fileBytes: bytes, name: name) }
        #expect(try shard(aBytes, "a").identifier != shard(aAgain, "a2").identifier)
        #expect(try shard(aBytes, "a").identifier.count == 32)
        for (bytes, name, seen) in [(aBytes, "a.partial", "shard identifier of a.partial"), (aAgain, "rebuilt.partial", "statistics of a.partial")] {
            let error = #expect(throws: DataError.self) {
                try KernelFeatureSums.union(of: [shard(aBytes, "a.partial"), shard(try b.fileBytes(), "b.partial"), shard(bytes, name)])
            }
            #expect(error?.file == name && error?.seen.contains(seen) == true && error?.expected.contains("disjoint") == true,
                    "\(String(describing: error))")
        }
        #expect(try KernelFeatureSums.union(of: [shard(aBytes, "a"), shard(b.fileBytes(), "b")]) == a.merged(with: b))

        // A header whose digest is not the statistics', and a header without an identifier.
        let (header, body) = try PrivateStructureFile.decode(aBytes, name: "a")
        var forged = header
        forged["statistics_sha256"] = .string(b.digest)
        #expect(throws: DataError.self) { try shard(try PrivateStructureFile.encode(header: forged, body: body), "forged") }
        var old = header
        old["shard_id"] = nil
        old["statistics_sha256"] = nil
        let refusal = #expect(throws: DataError.self) { try shard(try PrivateStructureFile.encode(header: old, body: body), "old.partial") }
        #expect(refusal?.expected.contains("rebuild") == true)

        // Merged partials (issue #20's merge tree): the leaves are recorded and read back; a
        // leaves field that is not a list, is empty, holds a malformed identity or lists a leaf
        // twice is refused, the last when merged.
        let (total, lineage) = try KernelFeatureSums.combine([shard(aBytes, "a"), shard(try b.fileBytes(), "b")])
        let mergedBytes = try total.fileBytes(lineage: lineage)
        #expect(try shard(mergedBytes, "ab").leaves == lineage.leaves && lineage.leaves.count == 2)
        #expect(try shard(mergedBytes, "ab").covered == [a.digest, b.digest, total.digest])
        let (mergedHeader, mergedBody) = try PrivateStructureFile.decode(mergedBytes, name: "ab")
        let leaf = mergedHeader["leaves"]!.arrayValue![0]
        for bad: JSONValue in [.string("x"), .array([]), .array([.object(["shard_id": .string("zz"), "statistics_sha256": .string(b.digest)])]),
                               .array([.object(["shard_id": leaf.objectValue!["shard_id"]!])])] {
            var forgedLeaves = mergedHeader
            forgedLeaves["leaves"] = bad
            #expect(throws: DataError.self) { try shard(try PrivateStructureFile.encode(header: forgedLeaves, body: mergedBody), "forged") }
        }
        var twice = mergedHeader
        twice["leaves"] = .array([leaf, leaf])
        #expect(throws: DataError.self) {
            try KernelFeatureSums.combine([shard(try PrivateStructureFile.encode(header: twice, body: mergedBody), "twice")])
        }
    }

    @Test func rejectsBadInput() throws {
        let points = try Self.data(10, 2, seed: 1)
        #expect(throws: NumericsError.self) { try PrivateKernelDensity.build(points: points, bandwidth: 0, features: 10, seed: 1, budget: PrivacyBudget(epsilon: 1)) }
        #expect(throws: NumericsError.self) { try PrivateKernelDensity.build(points: points, bandwidth: 1, features: 0, seed: 1, budget: PrivacyBudget(epsilon: 1)) }
        #expect(throws: NumericsError.self) { try PrivateKernelDensity.build(points: points, kernel: .laplace, bandwidth: 1, features: 4, projectedDimension: 1, seed: 1, budget: PrivacyBudget(epsilon: 1)) }
        #expect(throws: NumericsError.self) { try PrivateKernelDensity.build(points: Matrix([[1, .nan]]), bandwidth: 1, features: 4, seed: 1, budget: PrivacyBudget(epsilon: 1)) }
        let empty = KernelFeatureSums(features: try RandomFeatures(kernel: .gaussian, dimension: 2, bandwidth: 1, features: 4, seed: 1))
        #expect(throws: NumericsError.self) { try PrivateKernelDensity.release(empty, budget: PrivacyBudget(epsilon: 1)) }
        let kde = try PrivateKernelDensity.build(points: points, bandwidth: 1, features: 10, seed: 1, budget: PrivacyBudget(epsilon: 1))
        #expect(throws: NumericsError.self) { try kde.sums(at: Matrix([[1, 2, 3]])) }
    }

    @Test func fileRoundTrip() throws {
        var z = RandomStream(seed: 2)
        let points = try Self.data(30, 3, seed: 3)
        let kde = try PrivateKernelDensity.build(points: points, kernel: .exponential, bandwidth: 0.7, features: 16, projectedDimension: 2,
                                                 seed: 1, budget: PrivacyBudget(epsilon: 2, delta: 1e-5), noiseGenerator: &z)
        let bytes = try kde.fileBytes()
        let back = try PrivateKernelDensity(fileBytes: bytes, name: "k.dpkde")
        let queries = try Self.data(4, 3, seed: 9)
        #expect(try back.sums(at: queries) == kde.sums(at: queries))
        #expect(back.count == kde.count && back.privacy == kde.privacy && !back.privacy.securelyGenerated)
        #expect(throws: DataError.self) { try PrivateKernelDensity(fileBytes: Array(bytes.dropLast(3)), name: "k.dpkde") }
        #expect(throws: DataError.self) { try PrivateL1Distance(fileBytes: bytes, name: "k.dpkde") }
        #expect(throws: DataError.self) { try KernelFeatureSums.Shard(fileBytes: bytes, name: "k.dpkde") }
    }

    /// The vectorized cosine agrees with the C library's within its documented bound
    /// 1e-15·(1 + |x|) (the reduction by turns loses about 2e-16·|x|).
    @Test func fastCosine() {
        var rng = RandomStream(seed: 1)
        let angles = (0..<100_000).map { _ in (rng.nextUniform() - 0.5) * 2000 }
        var values = angles
        values.withUnsafeMutableBufferPointer { FastCosine.apply($0) }
        let worst = zip(values, angles).map { abs($0 - cos($1)) / (1 + abs($1)) }.max() ?? 0
        #expect(worst < 1e-15, "\(worst)")
    }
}
