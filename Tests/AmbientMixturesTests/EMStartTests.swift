import Foundation
import SuretyNumerics
import Testing
@testable import AmbientMixtures

/// Issue #19 (ambient part): EM starts in the estimated signal subspace, restarts are chosen by
/// the heteroscedastic likelihood and compared with W1 where the truth is known, and the moment
/// estimator says when it returns fewer atoms than asked.
@Suite struct AmbientEMStartTests {
    /// The spec's d = 100 mixture (atoms ±0.8·u, weights 0.4/0.6).
    static func highDimensionalTruth(seed: UInt64) throws -> MixingDistribution {
        var rng = RandomStream(seed: seed)
        let u = MixingDistribution.unitVector(100, using: &rng)
        return try MixingDistribution(atoms: [u.map { -0.8 * $0 }, u.map { 0.8 * $0 }], weights: [0.4, 0.6])
    }

    /// Every EM start lies in the estimated signal subspace `x̄ + range V` — the subspace the
    /// moment estimator uses (one `SignalSubspace` serves both): its distance from that affine
    /// line is round-off (≤ 10⁻⁹ against a noise norm s√d ≈ 22 of a raw sample point).
    @Test func startsLieInTheSignalSubspace() throws {
        let truth = try Self.highDimensionalTruth(seed: 11)
        var rng = RandomStream(seed: 12)
        let sample = try truth.sample(noiseLevels: Array(repeating: 5.0.squareRoot(), count: 4_000), using: &rng)
        let signal = try SignalSubspace(sample, k: 2)
        #expect(signal.rank == 1)
        let em = try HeteroscedasticEM(k: 2)
        for restart in 0..<4 {
            for atom in try em.initialAtoms(sample, subspace: signal, restart: restart, using: &rng) {
                let centred = zip(atom, signal.mean).map { $0 - $1 }
                let along = zip(centred, signal.basis[0]).reduce(0) { $0 + $1.0 * $1.1 }
                let off = zip(centred, signal.basis[0]).reduce(0) { $0 + pow($1.0 - along * $1.1, 2) }.squareRoot()
                #expect(off < 1e-9, "restart \(restart): \(off) off the subspace")
            }
        }
    }

    /// Falsification (the issue's case: d = 100, σ = 2 so s = √5, all 20 000 samples noisy,
    /// 3 restarts as in `ambient simulate`): EM's end point must be at least as likely as any
    /// point the maximum-likelihood estimator beats — here the truth. For the MLE,
    /// `2n(ℓ(θ̂) − ℓ(θ₀))` is asymptotically χ² with p = kd + k − 1 = 201 degrees of freedom
    /// (Wilks; the atoms are identifiable, 0.72 noise units apart), so requiring it to be at
    /// least the χ²₂₀₁ quantile at 10⁻⁶ has false-alarm rate 10⁻⁶ per repetition (4·10⁻⁶ for
    /// the four), plus EM's stopping shortfall, which the relative tolerance 10⁻⁹ on ℓ ≈ −230
    /// keeps far below the quantile's 1/(2n) scale. A start that leaves EM in a worse optimum
    /// fails it. It does not single out the old start: in a probe (2026-12-07, these four
    /// samples, not kept) EM from two raw sample points reached 2n(ℓ̂ − ℓ₀) = 203–233 too, at W1
    /// 0.59–0.99 — the likelihood is flat over W1 differences of 0.3 here, which is why the
    /// tools report when likelihood and W1 pick different restarts. The start itself is checked
    /// by `startsLieInTheSignalSubspace`. The W1 of each fit and of the moment estimator is
    /// printed, not asserted (W1 has no law to derive a threshold from here).
    @Test func emFromTheSignalSubspaceBeatsTheTruthsLikelihood() throws {
        let truth = try Self.highDimensionalTruth(seed: 1)
        let n = 20_000, p = 2 * 100 + 1
        let quantile = Gamma.chiSquared(degreesOfFreedom: Double(p)).quantile(1e-6)
        let streams = RandomStream.streams(seed: 19, count: 4)
        for (r, stream) in streams.enumerated() {
            var rng = stream
            let sample = try truth.sample(noiseLevels: Array(repeating: 5.0.squareRoot(), count: n), using: &rng)
            var em = try HeteroscedasticEM(k: 2)
            em.restarts = 3
            let fit = try em.fit(sample, using: &rng)
            let statistic = 2 * Double(n) * (MixtureMetrics.meanLogLikelihood(fit.mixing, sample: sample) - MixtureMetrics.meanLogLikelihood(truth, sample: sample))
            let moments = try MomentEstimator.fit(sample, k: 2)
            print(String(format: "[falsify] EM d = 100 σ = 2 rep %d: 2n(ℓ̂ − ℓ₀) = %.1f (threshold %.1f), W1 %.3f (moments %.3f), restarts' ℓ %@",
                         r, statistic, quantile, MixtureMetrics.wasserstein1(fit.mixing, truth), MixtureMetrics.wasserstein1(moments, truth),
                         fit.restarts.map { String(format: "%.6f", $0.logLikelihood) }.joined(separator: ", ")))
            #expect(statistic >= quantile, "repetition \(r): EM's likelihood \(statistic / (2 * Double(n))) per sample short of the truth's")
        }
    }

    /// The restart choice is compared with W1 exactly as documented: the chosen (likelihood-best)
    /// restart disagrees when its W1 exceeds the best restart's by more than 10⁻³, not at a tie.
    @Test func restartChoiceAgainstTheTruth() throws {
        let truth = try MixingDistribution(atoms: [[-1], [1]], weights: [0.5, 0.5])
        func restart(_ shift: Double, _ logLikelihood: Double) throws -> HeteroscedasticEM.Restart {
            .init(mixing: try MixingDistribution(atoms: [[-1 + shift], [1 + shift]], weights: [0.5, 0.5]), logLikelihood: logLikelihood, iterations: 1)
        }
        let far = try restart(0.3, -1.0), near = try restart(0.01, -1.1), tie = try restart(0.3005, -1.2)
        func fit(_ runs: [HeteroscedasticEM.Restart]) -> HeteroscedasticEM.Fit {
            let chosen = runs.indices.max { runs[$0].logLikelihood < runs[$1].logLikelihood }!
            return .init(mixing: runs[chosen].mixing, logLikelihood: runs[chosen].logLikelihood, iterations: 1, restarts: runs, chosenRestart: chosen)
        }
        let disagreeing = try #require(fit([far, near]).restartChoice(against: truth))
        #expect(disagreeing.disagrees && abs(disagreeing.bestW1 - 0.01) < 1e-12)
        #expect(fit([far, tie]).restartChoice(against: truth)?.disagrees == false)     // 0.0005 apart: the same optimum
        #expect(fit([far]).restartChoice(against: truth) == nil)
        // Through the simulation: one count per condition with several EM restarts, none otherwise.
        var simulation = try AmbientSimulation(mixing: truth, sigma: 1, total: 400, repetitions: 3)
        simulation.restarts = 3
        let rows = try simulation.run(seed: 2)
        #expect(rows.allSatisfy { ($0.likelihoodW1Disagreements ?? -1) >= 0 && $0.likelihoodW1Disagreements! <= 3 && $0.meanBestRestartW1 <= $0.meanW1 + 1e-12 })
        simulation.restarts = 1
        #expect(try simulation.run(seed: 2).allSatisfy { $0.likelihoodW1Disagreements == nil && $0.meanBestRestartW1.isNaN })
    }

    /// The moment estimator says when it returns fewer atoms than asked, and why: k = 12 on 300
    /// samples cannot resolve 12 atoms (the issue's `ambient fit --estimator moments --k 12`);
    /// k = 2 on 20 000 samples of a 2-atom mixture returns both, with no reason given.
    @Test func fewerAtomsThanAskedAreReported() throws {
        let truth = try MixingDistribution(atoms: [[-0.8], [0.8]], weights: [0.4, 0.6])
        var rng = RandomStream(seed: 300)
        let small = try truth.sample(noiseLevels: Array(repeating: 1, count: 300), using: &rng)
        let fit = try MomentEstimator.estimate(small, k: 12)
        #expect(fit.requestedAtoms == 12 && fit.mixing.k < 12, "\(fit.mixing.k) atoms")
        #expect(fit.fewerAtoms != nil)
        #expect(fit.fewerAtoms == (fit.projections > 0 ? .projectedOntoBoundary : .singularHankel))
        let large = try truth.sample(noiseLevels: Array(repeating: 1, count: 20_000), using: &rng)
        let full = try MomentEstimator.estimate(large, k: 2)
        #expect(full.mixing.k == 2 && full.fewerAtoms == nil && full.requestedAtoms == 2)
        // In d dimensions with a one-dimensional subspace, the single direction's reason.
        let plane = try MixingDistribution(atoms: [[-0.8, 0], [0.8, 0]], weights: [0.4, 0.6]).sample(noiseLevels: Array(repeating: 1, count: 300), using: &rng)
        let lifted = try MomentEstimator.estimate(plane, k: 2)
        #expect((lifted.mixing.k < 2) == (lifted.fewerAtoms != nil))
    }

    /// A red-team review's case: ten points of sd 0.1 in d = 2 with noise level 1 gave k = 3 (and
    /// k = 4) atoms equal to 10⁻⁹ (3·10⁻⁵) with no note. Now coincident atoms are merged and the
    /// fit says so; whatever it returns, no two atoms are within 10⁻⁴ of their scale.
    @Test func coincidentAtomsAreMergedAndReported() throws {
        let points: [Double] = [0.018905338179353307, -0.052274844148074741, -0.041306354339189347, -0.24414673826398559,
                                0.1799707382720902, 0.11441658720372289, -0.032542283686782435, 0.077380658672766153,
                                0.028121066979764926, -0.055382283642405244, 0.097756745112603571, -0.031055654665915255,
                                -0.032882390405796269, -0.079214675535889831, 0.045495807124085547, -0.0099198051717387953,
                                0.05452887139646817, -0.060718569987063709, 0.012682784711186987, -0.089227404342979044]
        let sample = try NoisySample(dimension: 2, values: points, noiseLevels: Array(repeating: 1, count: 10))
        for k in [2, 3, 4] {
            let fit = try MomentEstimator.estimate(sample, k: k)
            let scale = 1 + fit.mixing.atoms.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }.max()!
            for i in 0..<fit.mixing.k { for j in 0..<i {
                let gap = zip(fit.mixing.atoms[i], fit.mixing.atoms[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                #expect(gap > 1e-4 * scale, "k = \(k): atoms \(i), \(j) \(gap) apart")
            } }
            #expect((fit.mixing.k < k) == (fit.fewerAtoms != nil), "k = \(k): \(fit.mixing.k) atoms, reason \(String(describing: fit.fewerAtoms))")
        }
    }
}
