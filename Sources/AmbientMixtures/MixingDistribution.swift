import Foundation
import SuretyNumerics

/// A k-atomic mixing distribution `Γ = Σ_j π_j δ_{μ_j}` on `ℝ^d` (spec ambient-gmm.md §C.2).
public struct MixingDistribution: Sendable, Equatable {
    /// `atoms[j]` is `μ_j`.
    public let atoms: [[Double]]
    public let weights: [Double]

    /// - Throws: `NumericsError.domain` for `k < 1`, atoms of different dimensions, non-finite
    ///   values, or weights that are not positive and summing to 1 (within 1e-9; renormalized).
    public init(atoms: [[Double]], weights: [Double]) throws {
        guard !atoms.isEmpty else { throw NumericsError.domain(function: "mixing distribution", value: "k = 0", expected: "k ≥ 1 atoms") }
        let d = atoms[0].count
        guard d >= 1, atoms.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
            throw NumericsError.domain(function: "mixing distribution", value: "atoms", expected: "k finite atoms of one dimension d ≥ 1")
        }
        guard weights.count == atoms.count, weights.allSatisfy({ $0 > 0 && $0.isFinite }),
              abs(weights.reduce(0, +) - 1) < 1e-9 else {
            throw NumericsError.domain(function: "mixing distribution", value: "weights \(weights)", expected: "k positive weights summing to 1")
        }
        self.atoms = atoms
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
    }

    public var k: Int { atoms.count }
    public var dimension: Int { atoms[0].count }

    /// `k` atoms on a line through the origin along a random unit direction, spaced by
    /// `separation` and centred; equal weights.
    public static func collinear(k: Int, dimension d: Int, separation: Double, using rng: inout some RandomNumberGenerator) throws -> MixingDistribution {
        let u = unitVector(d, using: &rng)
        let atoms = (0..<k).map { j in u.map { $0 * separation * (Double(j) - Double(k - 1) / 2) } }
        return try MixingDistribution(atoms: atoms, weights: Array(repeating: 1 / Double(k), count: k))
    }

    /// `k` atoms uniform on the sphere of radius `radius`; equal weights.
    public static func sphere(k: Int, dimension d: Int, radius: Double, using rng: inout some RandomNumberGenerator) throws -> MixingDistribution {
        try MixingDistribution(atoms: (0..<k).map { _ in unitVector(d, using: &rng).map { $0 * radius } },
                               weights: Array(repeating: 1 / Double(k), count: k))
    }

    static func unitVector(_ d: Int, using rng: inout some RandomNumberGenerator) -> [Double] {
        let g = (0..<d).map { _ in Normal.standard.sample(using: &rng) }
        let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return g.map { $0 / norm }
    }

    /// `n` draws `X_i = U_i + s_i Z_i`, `U_i ~ Γ`, `Z_i ~ N(0, I)`, with the given noise levels.
    public func sample(noiseLevels s: [Double], using rng: inout some RandomNumberGenerator) throws -> NoisySample {
        let d = dimension
        var cumulative = [Double](), running = 0.0
        for w in weights { running += w; cumulative.append(running) }
        var values = [Double](repeating: 0, count: s.count * d)
        for (i, level) in s.enumerated() {
            let u = rng.nextUniform()
            let j = cumulative.firstIndex { u < $0 } ?? (k - 1)
            for c in 0..<d { values[i * d + c] = atoms[j][c] + level * Normal.standard.sample(using: &rng) }
        }
        return try NoisySample(dimension: d, values: values, noiseLevels: s)
    }
}

/// Samples with their known per-sample noise standard deviations `s_i`.
public struct NoisySample: Sendable, Equatable {
    public let count: Int
    public let dimension: Int
    /// Row-major `n × d`.
    public let values: [Double]
    public let noiseLevels: [Double]

    /// - Throws: `NumericsError` for non-finite values, negative or non-finite levels, or sizes that disagree.
    public init(dimension d: Int, values: [Double], noiseLevels: [Double]) throws {
        guard d >= 1, values.count == noiseLevels.count * d else {
            throw NumericsError.dimensionMismatch(operation: "noisy sample", seen: "\(values.count) values for \(noiseLevels.count) levels", expected: "n·d with d ≥ 1")
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw NumericsError.nonFinite(operation: "noisy sample", row: k / d, column: k % d, value: values[k])
        }
        if let i = noiseLevels.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw NumericsError.domain(function: "noisy sample", value: "noise level \(noiseLevels[i]) in row \(i + 1)", expected: "a finite level > 0")
        }
        count = noiseLevels.count
        dimension = d
        self.values = values
        self.noiseLevels = noiseLevels
    }

    /// `Σ_i w_i X_i / Σ_i w_i`.
    public func weightedMean(_ w: [Double]) -> [Double] {
        precondition(w.count == count, "one weight per sample")
        let d = dimension, total = w.reduce(0, +)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<count { for c in 0..<d { mean[c] += w[i] * values[i * d + c] / total } }
        return mean
    }

    /// The top `count` eigenvectors (decreasing eigenvalue) of the weighted second-moment
    /// matrix `Σ_i w_i (X_i − c)(X_i − c)ᵀ / Σ_i w_i` about `centre` (BLAS `dsyrk`). Subtracting
    /// a multiple of the identity — the noise part — leaves them unchanged, so callers need not.
    public func principalDirections(around centre: [Double], weights w: [Double], count top: Int) throws -> [[Double]] {
        precondition(w.count == count && centre.count == dimension, "one weight per sample and a centre in R^d")
        let n = count, d = dimension, total = w.reduce(0, +)
        var scaled = [Double](repeating: 0, count: n * d)                       // column-major, rows · √(w_i/Σw)
        for i in 0..<n {
            let root = (w[i] / total).squareRoot()
            for c in 0..<d { scaled[c * n + i] = (values[i * d + c] - centre[c]) * root }
        }
        let eigen = try Matrix(rows: n, columns: d, columnMajor: scaled).gram().symmetricEigendecomposition()
        let order = eigen.values.indices.sorted { eigen.values[$0] > eigen.values[$1] }
        return order.prefix(min(top, d)).map { eigen.vectors.column($0) }
    }

    /// The union of two samples (rows appended).
    public func appending(_ other: NoisySample) throws -> NoisySample {
        try NoisySample(dimension: dimension, values: values + other.values, noiseLevels: noiseLevels + other.noiseLevels)
    }
}
