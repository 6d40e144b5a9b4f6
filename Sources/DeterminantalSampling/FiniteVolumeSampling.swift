import SuretyNumerics

/// Volume sampling of a subset of size `s ≥ m` from a finite design (Dereziński and Warmuth,
/// NeurIPS 2017): `P(S) = det(X_SᵀX_S)/(C(N−m, s−m)·det(XᵀX))`. By Cauchy–Binet this is a
/// projection DPP of size `m` followed by `s − m` items drawn uniformly without replacement from
/// the rest — which is how it is sampled here.
///
/// Its guarantees are for **unweighted** least squares on the chosen rows: `E[X_S⁺y_S] = X⁺y`
/// (unbiased for the least-squares solution on all `N` rows) and, for `s = m`,
/// `E[L(ŵ_S)] = (m+1)·L(w*)` (Dereziński–Warmuth 2017). Reweighting the rows breaks both: with the
/// optimal weights `m/‖φ_i‖²` the estimator is biased (`discreteDesignsUnbiasedByEnumeration`
/// measures it). For a weighted design use ``rescaled(_:size:using:)``.
public enum FiniteVolumeSampling {
    /// - Precondition: `m ≤ s ≤ N` and uniform masses (checked by ``DiscreteDesign``, which takes user input).
    public static func sample(_ space: DiscreteSpace, size s: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        precondition(s >= space.count && s <= space.items, "volume sampling needs m ≤ s ≤ N")
        var chosen = ProjectionDPP.sample(space, using: &rng)
        var rest = Array(Set(0..<space.items).subtracting(chosen)).sorted()
        rest.shuffle(using: &rng)
        chosen += rest.prefix(s - space.count)
        return chosen
    }

    /// Volume-rescaled (leveraged volume) sampling of `n ≥ m` items, with replacement: `m` items
    /// from the projection DPP of the space plus `n − m` i.i.d. items from the leverage law
    /// `ρ_i = μ_i‖φ_i‖²/m`, in random order (spec §B.5 with a discrete `μ`; Dereziński, Warmuth
    /// and Hsu, NeurIPS 2018 and JMLR 23, 2022). The ordered sample has probability
    /// `((n−m)!/n!)·det(Σ_t w_{π_t}φ_{π_t}φ_{π_t}ᵀ)·Π_t ρ_{π_t}`, `w_i = μ_i/ρ_i = m/‖φ_i‖²`, and
    /// the **weighted** least squares with those weights is unbiased for the `μ`-weighted
    /// least-squares solution on all `N` items (DWH 2022, volume-rescaled sampling with features `√w·φ` from `ρ`).
    /// An item drawn twice appears twice.
    ///
    /// - Precondition: `n ≥ m` (checked by ``DiscreteDesign``).
    public static func rescaled(_ space: DiscreteSpace, size n: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        precondition(n >= space.count, "volume-rescaled sampling needs n ≥ m")
        var chosen = ProjectionDPP.sample(space, using: &rng)
        let cumulative = space.cumulativeProposal, total = cumulative.last ?? 0
        for _ in 0..<(n - space.count) { chosen.append(space.proposalItem(rng.nextUniform() * total)) }
        chosen.shuffle(using: &rng)
        return chosen
    }
}

/// How rows of a finite ground set are chosen for least squares, and the weight each chosen row
/// gets. The DPP designs and volume-rescaled sampling use the optimal weights
/// `w_i = m/‖φ_i‖²` (`= m/(N·K_ii)` for uniform masses, `K_ii` the leverage), for which
/// `E[G] = I`, `G = (1/n)Σ_t w φφᵀ`; volume sampling uses weight 1, the estimator its
/// guarantees are about (see ``FiniteVolumeSampling``).
public enum DiscreteDesign: Sendable, Hashable {
    /// One projection DPP sample: `m` distinct items (interpolation; every weight gives the same fit).
    case dpp
    /// `r` independent projection DPP samples, `n = r·m` items; an item can be chosen by several
    /// repetitions and then appears once per repetition (spec §B.6 on a finite ground set).
    case dppRepeat(repetitions: Int)
    /// Volume sampling of `s` distinct items, `m ≤ s ≤ N`; unweighted (uniform masses only).
    case volume(size: Int)
    /// Volume-rescaled sampling of `n ≥ m` items with replacement; weighted.
    case volumeRescaled(size: Int)

    /// The item indices, with multiplicity.
    ///
    /// - Throws: `NumericsError.domain` for sizes outside the design's range, `r < 1`, or
    ///   volume sampling with non-uniform masses.
    public func draw(_ space: DiscreteSpace, using rng: inout some RandomNumberGenerator) throws -> [Int] {
        let m = space.count, items = space.items
        switch self {
        case .dpp: return ProjectionDPP.sample(space, using: &rng)
        case .dppRepeat(let r):
            guard r >= 1 else { throw NumericsError.domain(function: "DPP repetitions", value: "\(r) repetitions", expected: "at least 1") }
            return (0..<r).flatMap { _ in ProjectionDPP.sample(space, using: &rng) }
        case .volume(let s):
            guard s >= m, s <= items else {
                throw NumericsError.domain(function: "volume sampling", value: "s = \(s)", expected: "m = \(m) ≤ s ≤ N = \(items) (distinct rows)")
            }
            guard space.masses.allSatisfy({ $0 == space.masses[0] }) else {
                throw NumericsError.domain(function: "volume sampling", value: "non-uniform masses", expected: "uniform masses (use volume-rescaled)")
            }
            return FiniteVolumeSampling.sample(space, size: s, using: &rng)
        case .volumeRescaled(let n):
            guard n >= m else { throw NumericsError.domain(function: "volume-rescaled sampling", value: "n = \(n)", expected: "n ≥ m = \(m)") }
            return FiniteVolumeSampling.rescaled(space, size: n, using: &rng)
        }
    }

    /// The least-squares weight of item `i`: 1 for volume sampling, `m/‖φ_i‖²` otherwise.
    public func weight(_ space: DiscreteSpace, item i: Int) -> Double {
        if case .volume = self { return 1 }
        return Double(space.count) / space.squaredRowNorms[i]
    }
}
