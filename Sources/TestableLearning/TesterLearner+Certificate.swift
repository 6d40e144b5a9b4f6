import Certificates
import Foundation

extension TesterLearner.Result {
    /// The run as a `halfspace.tester-learner` certificate: `results` hold the verdict, the
    /// weights, the validation error, the distribution-free error bound, every test's statistic
    /// and threshold, and the near-optimality bound with its per-σ evidence.
    public func certificate(learner: TesterLearner, inputs: [InputDigest], seed: UInt64, arguments: [String],
                            labels: (positive: String, negative: String)) -> Certificate {
        let noiseText = "\(learner.noise)"
        let excess = nearOptimality.excessBound
        let nearText: String
        switch (accepted, excess) {
        case (true, .some(let e)) where e <= learner.epsilon:
            nearText = "and, if the x-marginal is N(0, I) (tested, not proved) and the labels follow \(noiseText), err ≤ opt + \(Self.format(e)) ≤ opt + ε = opt + \(learner.epsilon)."
        case (true, .some(let e)):
            nearText = "NOT certified at ε = \(learner.epsilon): if the x-marginal is N(0, I) (tested, not proved) and the labels follow \(noiseText), "
                + "the data prove only err ≤ opt + \(Self.format(e))" + (nearOptimality.reason.map { " (\($0))." } ?? ".")
        case (true, .none):
            nearText = "NOT certified at ε = \(learner.epsilon): the data prove no near-optimality (\(nearOptimality.reason ?? ""))."
        case (false, _):
            nearText = "no near-optimality is claimed: the tests found the x-marginal inconsistent with N(0, I) around the learned halfspace (see results.tests)."
        }
        var certificate = Certificate(
            kind: "halfspace.tester-learner",
            claim: (certified ? "CERTIFIED. " : accepted ? "ACCEPT, NOT CERTIFIED. " : "REJECT. ")
                + "With probability ≥ 1 − \(learner.delta) over the sample, the halfspace sign(⟨w, x⟩) has error at most error_bound "
                + "on the data's distribution (any distribution); " + nearText,
            assumptions: [
                "the rows are i.i.d. draws from one distribution",
                "near-optimality (results.near_optimality) assumes the x-marginal is N(0, I_d) — the tests check this with false-rejection "
                    + "probability ≤ δ but cannot prove it — and \(noiseText); it is not GKSV's distribution-free soundness, which is not claimed",
                "the near-optimality bound is computed, not quoted: Bernstein on the surrogate gradient along the one direction toward w*, "
                    + "and exact Gaussian integrals of the worst labelling (TestableLearning/NearOptimalityBound.swift)",
                "Cornish–Fisher moment limits are approximate (spec §A.7)",
            ],
            parameters: [
                "epsilon": .number(learner.epsilon), "delta": .number(learner.delta), "noise": Self.noiseJSON(learner.noise),
                "sigmas": .array(learner.sigmas.map(JSONValue.number)), "holdout_share": .number(learner.holdoutShare),
                "positive_label": .string(labels.positive), "negative_label": .string(labels.negative),
                "arguments": .array(arguments.map(JSONValue.string)),
            ],
            results: [
                "verdict": .string(accepted ? "accept" : "reject"),
                "certified": .bool(certified),
                "weights": .array(weights.map(JSONValue.number)),
                "validation_error": .number(validationError),
                "error_bound": .number(errorBound),
                "sigma": .number(sigma),
                "tests": .array(tests.map(\.json)),
                "near_optimality": .object([
                    "excess_bound": excess.map(JSONValue.number) ?? .null,
                    "angle_bound": .number(nearOptimality.angle),
                    "wedge_mass_from_error": .number(nearOptimality.wedgeMassFromError),
                    "reason": nearOptimality.reason.map(JSONValue.string) ?? .null,
                    "widths": .array(nearOptimality.widths.map { w in
                        .object(["sigma": .number(w.sigma), "gradient_norm": .number(w.gradientNorm), "radius": .number(w.radius),
                                 "largest_gamma": .number(w.largestGamma), "angle": .number(w.angle)])
                    }),
                ]),
            ],
            evidence: [
                "candidates": .integer(candidateCount),
                "split_sizes": .object(["sgd": .integer(splitSizes.sgd), "test": .integer(splitSizes.test), "validation": .integer(splitSizes.validation)]),
                "notes": .array(notes.map(JSONValue.string)),
            ],
            inputs: inputs, seed: seed)
        // Tolerances (Certificates/README.md): the weights come out of stochastic gradient
        // descent (fitted), and the tests' statistics and the gradient norms are functions of
        // them; the thresholds, Γ and the radii are formulas of the parameters (roundoff); the
        // validation error and the bound built on it count misclassified validation points,
        // which a last-bit change of w flips only at a near-tie; the angles are bisection
        // results on the fitted gradient norms.
        certificate.tolerate(.fitted, at: "results.weights")
        certificate.tolerate(.roundoff, where: { $0 == "results.tests.threshold" })
        certificate.tolerate(.fitted, where: { $0 == "results.tests.statistic" || $0 == "results.tests.lower" })
        certificate.tolerate(.decisions(flips: 3, outOf: splitSizes.validation), at: "results.validation_error", "results.error_bound")
        certificate.tolerate(.fitted, where: { $0.hasPrefix("results.near_optimality.") })
        return certificate
    }

    static func noiseJSON(_ noise: NearOptimalityBound.NoiseModel) -> JSONValue {
        switch noise {
        case .massart(let eta): .object(["model": .string("massart"), "bound": .number(eta)])
        case .agnostic: .object(["model": .string("agnostic")])
        }
    }

    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
}
