import Dispatch
import Synchronization
import Foundation
import SuretyNumerics

/// The sufficient statistics of a private kernel-density release, **before noise**: the exact
/// integer feature sums `Σ_x c_j(x)`, `c_j(x) = round(√2·cos(ω_jᵀx + β_j)·2²⁰)`, and the exact
/// number of points.
///
/// These are sensitive — they are the data's summary, not a private release — and additive:
/// shards summed on different machines and ``merged(with:)`` give exactly the statistics of
/// the union, in any order (integer arithmetic). ``PrivateKernelDensity/release(_:budget:relation:countShare:noiseGenerator:)``
/// adds the noise once. This is the "partial build" of the `dpkde` tool: the trust boundary is
/// every machine that sees a shard or a partial file, exactly as for the raw data.
public struct KernelFeatureSums: Sendable, Equatable {
    public let features: RandomFeatures
    /// The integer sums in units of `2^−fractionBits`.
    public private(set) var sums: [Int64]
    /// The exact number of points added.
    public private(set) var count: Int

    /// Fixed-point bits of each point's contribution.
    public static let fractionBits = 20
    /// `K = ⌈√2·2²⁰⌉`, the largest `|c_j(x)|`.
    public static let contributionBound = Int64((2.0.squareRoot() * Double(1 << fractionBits)).rounded(.up))
    /// The most points one set of statistics may hold, about 3·10¹²: `count·K ≤ Int64.max/2`, so
    /// every sum fits in 64 bits with room for the release's rounding and noise. A public
    /// constant: adding, merging or reading statistics beyond it is refused whatever the values.
    public static let maximumCount = Int(Int64.max / (2 * contributionBound))

    /// Empty statistics for `features`.
    public init(features: RandomFeatures) {
        self.features = features
        sums = Array(repeating: 0, count: features.count)
        count = 0
    }

    init(features: RandomFeatures, sums: [Int64], count: Int) {
        self.features = features
        self.sums = sums
        self.count = count
    }

    /// Adds every row of `points` (in blocks of 512 rows, spread over the usable cores; the
    /// result does not depend on the split, integer sums being exact).
    ///
    /// - Parameter progress: called with the number of rows just finished, from any thread.
    /// - Throws: `NumericsError` for non-finite values, a dimension mismatch, or more points
    ///   than ``maximumCount`` in all.
    public mutating func add(_ points: Matrix, progress: (@Sendable (Int) -> Void)? = nil) throws {
        try ReleaseChecks.points(points, "kernel feature sums")
        guard points.columns == features.dimension else {
            throw NumericsError.dimensionMismatch(operation: "kernel feature sums", seen: "points with \(points.columns) coordinates",
                                                  expected: "\(features.dimension), as the features")
        }
        guard points.rows <= Self.maximumCount - count else {
            throw NumericsError.domain(function: "kernel feature sums", value: "more points than the limit",
                                       expected: "at most \(Self.maximumCount) in all (64-bit sums)")
        }
        let n = points.rows, m = features.count, block = 512
        let blocks = (n + block - 1) / block
        let workers = max(1, min(Processors.usable, blocks))
        let partials = Mutex<[[Int64]]>([])
        let features = self.features
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var local = [Int64](repeating: 0, count: m)
            let scale = 2.0.squareRoot() * Double(1 << Self.fractionBits)
            var b = w
            while b < blocks {
                let rows = (b * block)..<min(n, (b + 1) * block)
                do {
                    let chunk = try points.rows(rows)
                    let cosines = try features.cosines(of: chunk)
                    let r = rows.count
                    cosines.withUnsafeBufferPointer { c in
                        for j in 0..<m {
                            var sum: Int64 = 0
                            for i in 0..<r { sum &+= Int64((c[j * r + i] * scale).rounded(.toNearestOrEven)) }
                            local[j] &+= sum
                        }
                    }
                } catch {
                    failure.withLock { $0 = error }
                    return
                }
                progress?(rows.count)
                b += workers
            }
            partials.withLock { $0.append(local) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        for local in partials.withLock({ $0 }) {
            for j in 0..<m { sums[j] += local[j] }
        }
        count += n
    }

    /// The statistics of the union of both datasets.
    ///
    /// - Throws: `NumericsError.domain` when the two were built with different features
    ///   (another kernel, bandwidth, dimension, feature count or seed), or hold more than
    ///   ``maximumCount`` points together. Within that count no sum can overflow (each is at most
    ///   `count·K` in magnitude); the additions are checked all the same.
    public func merged(with other: KernelFeatureSums) throws -> KernelFeatureSums {
        guard features == other.features else {
            throw NumericsError.domain(function: "merge", value: "statistics built with other random features",
                                       expected: "shards built with the same kernel, bandwidth, features, projection and --seed")
        }
        let tooMany = NumericsError.domain(function: "merge", value: "more points than the limit",
                                           expected: "at most \(Self.maximumCount) points in all (64-bit sums)")
        guard other.count <= Self.maximumCount - count else { throw tooMany }
        let merged = try zip(sums, other.sums).map { a, b in
            let (sum, overflow) = a.addingReportingOverflow(b)
            if overflow { throw tooMany }
            return sum
        }
        return KernelFeatureSums(features: features, sums: merged, count: count + other.count)
    }
}

extension Matrix {
    /// The rows in `range` as a new matrix.
    func rows(_ range: Range<Int>) throws -> Matrix {
        var values: [Double] = []
        values.reserveCapacity(range.count * columns)
        for j in 0..<columns {
            values += storage[(j * rows + range.lowerBound)..<(j * rows + range.upperBound)]
        }
        return try Matrix(rows: range.count, columns: columns, columnMajor: values)
    }
}
