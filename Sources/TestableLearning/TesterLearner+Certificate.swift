import Certificates

extension TesterLearner.Result {
    /// The run as a `halfspace.tester-learner` certificate: `results` hold the verdict, the
    /// weights, the validation error, the distribution-free error bound and every test's
    /// statistic and threshold.
    public func certificate(learner: TesterLearner, inputs: [InputDigest], seed: UInt64, arguments: [String],
                            labels: (positive: String, negative: String)) -> Certificate {
        let guarantee = learner.noise == .massart ? "opt + ε" : "O(opt) + ε"
        var certificate = Certificate(
            kind: "halfspace.tester-learner",
            claim: accepted
                ? "ACCEPT. With probability ≥ 1 − \(learner.delta) over the sample, the halfspace sign(⟨w, x⟩) has error at most "
                    + "error_bound on the data's distribution (any distribution); and, if the labels follow \(learner.noise.rawValue) noise, "
                    + "at most \(guarantee) with ε = \(learner.epsilon) (Gollakota–Klivans–Stavropoulos–Vasilyan, ICLR 2024)."
                : "REJECT. The tests found the x-marginal inconsistent with N(0, I) around the learned halfspace (see results.tests); "
                    + "no near-optimality is certified. The distribution-free error bound still holds for the returned weights.",
            assumptions: [
                "the rows are i.i.d. draws from one distribution",
                "the conditional guarantee needs \(learner.noise == .massart ? "Massart label noise (rate < 1/2)" : "nothing on the labels (agnostic)"); "
                    + "the tests check only the marginal",
                "Cornish–Fisher moment limits are approximate (spec §A.7); the stationarity constant is a practical choice (spec §A.9)",
            ],
            parameters: [
                "epsilon": .number(learner.epsilon), "delta": .number(learner.delta), "noise": .string(learner.noise.rawValue),
                "sigmas": .array(learner.sigmas.map(JSONValue.number)), "massart_bound": .number(learner.massartBound), "holdout_share": .number(learner.holdoutShare),
                "positive_label": .string(labels.positive), "negative_label": .string(labels.negative),
                "arguments": .array(arguments.map(JSONValue.string)),
            ],
            results: [
                "verdict": .string(accepted ? "accept" : "reject"),
                "weights": .array(weights.map(JSONValue.number)),
                "validation_error": .number(validationError),
                "error_bound": .number(errorBound),
                "sigma": .number(sigma),
                "tests": .array(tests.map(\.json)),
            ],
            evidence: [
                "candidates": .integer(candidateCount),
                "split_sizes": .object(["sgd": .integer(splitSizes.sgd), "test": .integer(splitSizes.test), "validation": .integer(splitSizes.validation)]),
                "notes": .array(notes.map(JSONValue.string)),
            ],
            inputs: inputs, seed: seed)
        // Tolerances (Certificates/README.md): the weights come out of stochastic gradient
        // descent (fitted), and the tests' statistics are functions of them; the thresholds are
        // formulas of the parameters (roundoff); the validation error and the bound built on it
        // count misclassified validation points, which a last-bit change of w flips only at a near-tie.
        certificate.tolerate(.fitted, at: "results.weights")
        certificate.tolerate(.roundoff, where: { $0 == "results.tests.threshold" })
        certificate.tolerate(.fitted, where: { $0 == "results.tests.statistic" || $0 == "results.tests.lower" })
        certificate.tolerate(.decisions(flips: 3, outOf: splitSizes.validation), at: "results.validation_error", "results.error_bound")
        return certificate
    }
}
