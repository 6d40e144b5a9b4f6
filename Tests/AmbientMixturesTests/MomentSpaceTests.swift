import Foundation
import SuretyNumerics
import Testing
@testable import AmbientMixtures

@Suite struct MomentSpaceTests {
    static func moments(_ atoms: [Double], _ weights: [Double], order: Int) -> [Double] {
        (1...order).map { j in zip(atoms, weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(j)) } }
    }

    /// Membership by Wu and Yang's Hankel conditions: a 3-atom law on [−1, 1] is inside for
    /// k = 2; a negative variance, or support beyond R, is outside.
    @Test func membership() {
        let inside = Self.moments([-0.9, 0.1, 0.7], [0.3, 0.3, 0.4], order: 3)
        #expect(MomentSpace.contains(inside, radius: 1))
        #expect(!MomentSpace.contains([0.5, 0.2, 0.1], radius: 1))                   // m₂ < m₁²
        #expect(!MomentSpace.contains(Self.moments([-2, 2], [0.5, 0.5], order: 3), radius: 1))
        #expect(MomentSpace.contains(Self.moments([-2, 2], [0.5, 0.5], order: 3), radius: 2.5))
    }

    /// The projection: an interior point comes back within the grid's error; an outside point
    /// comes back as a valid moment vector (its Gauss quadrature has atoms in [−R, R] and
    /// reproduces it) that is no farther from the estimate, in the scaled coordinates, than
    /// the moments of 200 random distributions on [−R, R] (up to the grid's 10⁻⁶).
    @Test func projection() throws {
        let inside = Self.moments([-0.9, 0.1, 0.7], [0.3, 0.3, 0.4], order: 3)
        let back = try MomentSpace.project(inside, radius: 1)
        #expect(zip(back, inside).allSatisfy { abs($0 - $1) < 1e-5 }, "\(back)")
        let r = 1.5
        var rng = RandomStream(seed: 12)
        for outside in [[0.5, 0.2, 0.1], [0.0, 0.01, 0.9], [1.4, 2.5, 4.0], [0.2, 0.5, -0.3, 0.6, -0.1]] {
            #expect(!MomentSpace.contains(outside, radius: r))
            let p = try MomentSpace.project(outside, radius: r)
            let fit = try MomentEstimator.fit(moments: p)
            #expect(fit.atoms.allSatisfy { abs($0[0]) <= r + 1e-9 }, "\(fit.atoms)")
            let again = Self.moments(fit.atoms.map { $0[0] }, fit.weights, order: 2 * fit.k - 1)
            #expect(zip(again, p).allSatisfy { abs($0 - $1) < 1e-8 }, "\(again) vs \(p)")
            func distance(_ m: [Double]) -> Double {
                zip(m, outside).enumerated().reduce(0) { $0 + pow(($1.1.0 - $1.1.1) / pow(r, Double($1.0 + 1)), 2) }
            }
            for _ in 0..<200 {
                let atoms = (0..<3).map { _ in r * (2 * rng.nextUniform() - 1) }
                let raw = (0..<3).map { _ in rng.nextUniform() }
                let weights = raw.map { $0 / raw.reduce(0, +) }
                #expect(distance(p) <= distance(Self.moments(atoms, weights, order: outside.count)) + 1e-6)
            }
        }
    }

    /// Boundary moments (one atom at 0.5 asked as k = 2) give back the one atom.
    @Test func boundaryMomentsGiveFewerAtoms() throws {
        let fit = try MomentEstimator.fit(moments: [0.5, 0.25, 0.125])
        #expect(fit.k == 1 && abs(fit.atoms[0][0] - 0.5) < 1e-12)
    }

    /// The d-dimensional moment estimator (subspace, directions, ERM). Bands: at d = 10,
    /// k = 2 (±0.8 u, 0.4/0.6, n = 20 000 clean) `ambient simulate --estimator moments --dim 10
    /// --reps 10` measured W1 0.067 with s.d. 0.018 across repetitions; the band 0.16 is 5 s.d.
    /// above (one-sided 3e-7 under a normal approximation). k = 3 in d = 5 (atoms about 2
    /// apart, n = 40 000) exercises the ERM in the plane: over seeds 100–115 its W1 had mean
    /// 0.132 and s.d. 0.032 (largest 0.194); the band 0.30 is again 5 s.d. above the mean.
    @Test func momentEstimatorInDimensions() throws {
        var rng = RandomStream(seed: 21)
        var u = [Double](repeating: 0, count: 10); u[3] = 1
        let truth = try MixingDistribution(atoms: [u.map { -0.8 * $0 }, u.map { 0.8 * $0 }], weights: [0.4, 0.6])
        let sample = try truth.sample(noiseLevels: Array(repeating: 1, count: 20_000), using: &rng)
        let fit = try MomentEstimator.estimate(sample, k: 2)
        #expect(fit.directions == 1)
        #expect(MixtureMetrics.wasserstein1(fit.mixing, truth) < 0.16, "\(fit.mixing.atoms)")

        let truth3 = try MixingDistribution(atoms: [[2, 0, 0, 0, 0], [-1, 1.7, 0, 0, 0], [-1, -1.7, 0, 0, 0]], weights: [0.3, 0.3, 0.4])
        let sample3 = try truth3.sample(noiseLevels: Array(repeating: 1, count: 40_000), using: &rng)
        let fit3 = try MomentEstimator.estimate(sample3, k: 3)
        #expect(fit3.directions == 16 && fit3.objective.isFinite)
        #expect(MixtureMetrics.wasserstein1(fit3.mixing, truth3) < 0.30, "\(fit3.mixing.atoms) \(fit3.mixing.weights)")
    }
}
