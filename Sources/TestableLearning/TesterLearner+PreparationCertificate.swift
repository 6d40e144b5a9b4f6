import Certificates

extension TesterLearner.Result {
    /// Records the data preparation in a `halfspace.tester-learner` certificate: the parameters,
    /// `results.standardization` (`mean`, `whitening` = `W` row-major, `WᵀW = Σ̂⁻¹`, `fit_rows`) and
    /// `results.intercept` (`value`, `error`, `error_bound`, `candidates`, `rows`), so that `verify`
    /// recomputes them and `predict` applies them; and one assumption line per step saying what
    /// is (and is not) claimed about it. `featureColumns` are the columns `predict` must find (recorded with a
    /// `labelColumn`, i.e. for a data file; without them `predict` expects `x1…xd`).
    public func recordPreparation(_ preparation: DataPreparation, featureColumns: [String], labelColumn: String?, in certificate: inout Certificate) {
        // Recorded only when they say something, so certificates of plain runs keep their form.
        if preparation.standardize { certificate.parameters["standardize"] = .bool(true) }
        if preparation.intercept { certificate.parameters["intercept"] = .bool(true) }
        if let labelColumn {
            certificate.parameters["feature_columns"] = .array(featureColumns.map(JSONValue.string))
            certificate.parameters["label_column"] = .string(labelColumn)
        }
        if let standardization {
            certificate.parameters["fit_share"] = .number(preparation.fitShare)
            certificate.results["standardization"] = .object([
                "mean": .array(standardization.mean.map(JSONValue.number)),
                "whitening": .array(standardization.whitening.map(JSONValue.number)),
                "fit_rows": .integer(standardization.fitRows),
            ])
            certificate.assumptions.append(
                "standardized: the tests and the learner see z = W(x − m̂) (WᵀW = Σ̂⁻¹), fitted on \(standardization.fitRows) rows used for nothing else; "
                    + "the mean and covariance thresholds are widened for the fit's error (Davidson–Szarek, δ/4 charged), fourth moments are tested "
                    + "through the affine-invariant sample kurtosis, full moment matching is skipped; "
                    + "band masses use widened limits and the other local tests are not run on z; "
                    + "no near-optimality is claimed on standardized rows (the bound's integrals are exact only for N(0, I))")
            // The eigendecomposition is a roundoff computation conditioned by κ(Σ̂).
            certificate.tolerate(.conditioned(standardization.conditionNumber ?? .infinity), at: "results.standardization.mean", "results.standardization.whitening")
        }
        if let intercept {
            certificate.parameters["intercept_share"] = .number(preparation.interceptShare)
            certificate.results["intercept"] = .object([
                "value": .number(intercept.value), "error": .number(intercept.error), "error_bound": .number(intercept.errorBound),
                "candidates": .integer(intercept.candidates), "rows": .integer(intercept.rows),
            ])
            certificate.assumptions.append(
                "intercept: for the returned sign(⟨w, x⟩ + b) only results.intercept.error_bound is claimed (distribution-free: Hoeffding with a union "
                    + "over the \(intercept.candidates) candidate b fixed before the \(intercept.rows) intercept rows were read, δ/4 charged); "
                    + "the near-optimality statement (GKSV) is for homogeneous halfspaces under N(0, I) and does not cover b, "
                    + "and results.error_bound is that of the homogeneous sign(⟨w, x⟩)")
            // b is a quantile of ⟨w, x⟩ with w fitted; the error counts decisions.
            certificate.tolerate(.fitted, at: "results.intercept.value")
            certificate.tolerate(.decisions(flips: 3, outOf: intercept.rows), at: "results.intercept.error", "results.intercept.error_bound")
        }
    }
}
