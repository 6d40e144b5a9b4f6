import SuretyNumerics

/// Volume sampling of a subset of size `s ≥ m` from a finite design (Dereziński and Warmuth,
/// NeurIPS 2017): `P(S) = det(X_SᵀX_S)/(C(N−m, s−m)·det(XᵀX))`. By Cauchy–Binet this is a
/// projection DPP of size `m` followed by `s − m` items drawn uniformly without replacement from
/// the rest — which is how it is sampled here.
public enum FiniteVolumeSampling {
    /// - Precondition: `m ≤ s ≤ N` (checked by the callers that take user input).
    public static func sample(_ space: DiscreteSpace, size s: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
        precondition(s >= space.count && s <= space.items, "volume sampling needs m ≤ s ≤ N")
        var chosen = ProjectionDPP.sample(space, using: &rng)
        var rest = Array(Set(0..<space.items).subtracting(chosen)).sorted()
        rest.shuffle(using: &rng)
        chosen += rest.prefix(s - space.count)
        return chosen
    }
}
