import Foundation
import SuretyNumerics

/// Public random Fourier features for a ``SimilarityKernel``: `φ_j(x) = √2·cos(ω_jᵀ(Gx) + β_j)`,
/// `j = 1…m`, with `E[φ(x)ᵀφ(y)]/m = k(x, y)` (Rahimi and Recht 2007).
///
/// Everything here is drawn from a public seed and never looks at the data, so it is stored in
/// the released file and costs no privacy; shards of a partial build share it by using the same
/// seed.
///
/// `G` is an optional Johnson–Lindenstrauss projection `ℝ^d → ℝ^k` (entries `N(0, 1/k)`),
/// the paper's KDE-preserving dimension reduction (Backurs et al. 2024 §7; spec §2.7): a
/// query then costs `O(d·k + k·m)` instead of `O(d·m)`. It preserves Euclidean distances, so
/// it is offered for every kernel except the ℓ1 `laplace` kernel. Without `G` the features
/// are exact in expectation; with it the kernel is preserved up to the JL distortion.
public struct RandomFeatures: Sendable, Equatable {
    public let kernel: SimilarityKernel
    public let bandwidth: Double
    /// The data's dimension `d`.
    public let dimension: Int
    /// The public seed the features were drawn from.
    public let seed: UInt64
    /// `G`, `d × k`, or `nil`.
    public let projection: Matrix?
    /// `ω_j` as the columns of a `k × m` matrix (`k = d` without projection).
    public let frequencies: Matrix
    /// `β_j ∈ [0, 2π)`.
    public let phases: [Double]
    /// An optional public box: each coordinate is clamped to its interval and rescaled to
    /// `[0, 1]` before the features (the bandwidth is then in those units). Data-independent,
    /// so it costs no privacy; values outside the box are clamped, which only costs accuracy.
    public let domain: [PublicInterval]?

    /// `m`.
    public var count: Int { phases.count }

    /// Draws `m` features for `kernel` at bandwidth `h` in dimension `d` from `seed`.
    ///
    /// - Throws: `NumericsError.domain` for `d < 1`, `m < 1`, a bandwidth that is not finite and
    ///   positive, or a projection with the `laplace` kernel or `k < 1`.
    public init(kernel: SimilarityKernel, dimension d: Int, bandwidth h: Double, features m: Int,
                projectedDimension k: Int? = nil, domain: [PublicInterval]? = nil, seed: UInt64) throws {
        guard d >= 1 else { throw NumericsError.domain(function: "random features", value: "dimension \(d)", expected: "at least 1") }
        guard m >= 1 else { throw NumericsError.domain(function: "random features", value: "\(m) features", expected: "at least 1") }
        guard h > 0, h.isFinite else {
            throw NumericsError.domain(function: "random features", value: "bandwidth \(h)", expected: "a finite bandwidth > 0")
        }
        if let k {
            guard k >= 1 else { throw NumericsError.domain(function: "random features", value: "projection to \(k)", expected: "at least 1 dimension") }
            guard kernel != .laplace else {
                throw NumericsError.domain(function: "random features", value: "a projection with the ℓ1 laplace kernel",
                                           expected: "no projection (JL preserves Euclidean, not ℓ1, distances)")
            }
        }
        if let domain, domain.count != d {
            throw NumericsError.dimensionMismatch(operation: "random features", seen: "\(domain.count) domain intervals",
                                                  expected: "one per coordinate (\(d))")
        }
        self.domain = domain
        var generator = RandomStream(seed: seed)
        self.kernel = kernel
        bandwidth = h
        dimension = d
        self.seed = seed
        projection = try k.map { k in
            try Matrix(rows: d, columns: k, columnMajor: (0..<(d * k)).map { _ in
                Normal.standard.sample(using: &generator) / Double(k).squareRoot()
            })
        }
        let inner = k ?? d
        frequencies = try Matrix(rows: inner, columns: m, columnMajor: (0..<m).flatMap { _ in
            kernel.frequency(dimension: inner, bandwidth: h, using: &generator)
        })
        phases = (0..<m).map { _ in 2 * Double.pi * generator.nextUniform() }
    }

    /// Rebuilds features read from a file.
    init(kernel: SimilarityKernel, bandwidth: Double, dimension: Int, seed: UInt64, projection: Matrix?, frequencies: Matrix,
         phases: [Double], domain: [PublicInterval]?) {
        self.domain = domain
        self.kernel = kernel
        self.bandwidth = bandwidth
        self.dimension = dimension
        self.seed = seed
        self.projection = projection
        self.frequencies = frequencies
        self.phases = phases
    }

    /// `cos(ω_jᵀ(Gx_i) + β_j)` for the rows `x_i` of `points`: a `rows × m` matrix in
    /// column-major order (the features divided by `√2`).
    ///
    /// - Throws: `NumericsError.dimensionMismatch` unless `points` has `d` columns.
    public func cosines(of points: Matrix) throws -> [Double] {
        guard points.columns == dimension else {
            throw NumericsError.dimensionMismatch(operation: "random features", seen: "points with \(points.columns) coordinates",
                                                  expected: "\(dimension), as the structure")
        }
        let scaled = try domain.map { try PublicInterval.unitScaled(points, by: $0) } ?? points
        let reduced = try projection.map { try scaled.multiplied(by: $0) } ?? scaled
        var angles = try reduced.multiplied(by: frequencies).storage
        let rows = points.rows
        angles.withUnsafeMutableBufferPointer { buffer in
            for j in 0..<count {
                let beta = phases[j]
                for i in 0..<rows { buffer[j * rows + i] += beta }
            }
            FastCosine.apply(buffer)
        }
        return angles
    }

    /// The metadata and matrices as they go into a file.
    var bodyCount: Int { (projection?.storage.count ?? 0) + frequencies.storage.count + count }
    var body: [Double] { (projection?.storage ?? []) + frequencies.storage + phases }
}
