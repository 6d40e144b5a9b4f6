import Conformal

extension ClassificationScore {
    /// `S((1 − p, p), b; u)` for a binary variable, with exactly the arithmetic of
    /// ``ClassificationScore/score(probabilities:label:u:)`` on `[1 − p, p]` (label 0 ranks
    /// first on ties), without allocating. Tested bit-for-bit against it.
    func binaryScore(_ p: Double, label b: Int, u: Double) -> Double {
        let p0 = 1 - p
        let own = b == 1 ? p : p0, other = b == 1 ? p0 : p
        switch self {
        case .lac:
            return 1 - own
        case let .aps(randomized), let .raps(_, _, randomized):
            // Label 0 (index 0) ranks above label 1 on ties; label 1 above label 0 only when larger.
            let before = b == 1 ? other >= own : other > own
            let above = 0 + (before ? other : 0)
            var s = above + (randomized ? (1 - u) * own : own)
            if case let .raps(lambda, kReg, _) = self {
                s += lambda * max(0, (before ? 1 : 0) + 1 - Double(kReg))
            }
            return s
        }
    }

    /// Slack added to both ends of ``binaryRange(label:over:u:)`` to cover rounding in the
    /// score's evaluation, so certified sets err on the large side and certified coverage on
    /// the small side.
    static let rangeSlack = 1e-15

    /// The smallest and largest `S((1 − p, p), b; u)` over `p ∈ interval`.
    ///
    /// The binary LAC, APS and RAPS scores are monotone on `[0, ½]` and on `(½, 1]` (the
    /// ranking flips at `½`), so the extremes over an interval of doubles are at its ends, at
    /// `½`, or at the smallest double above `½`; these are evaluated with the score's own
    /// arithmetic and the range widened by ``rangeSlack``.
    func binaryRange(label b: Int, over interval: ClosedRange<Double>, u: Double) -> ClosedRange<Double> {
        var lo = binaryScore(interval.lowerBound, label: b, u: u), hi = lo
        func visit(_ p: Double) {
            let s = binaryScore(p, label: b, u: u)
            lo = Swift.min(lo, s)
            hi = Swift.max(hi, s)
        }
        visit(interval.upperBound)
        for p in [0.5, 0.5.nextUp] where interval.contains(p) { visit(p) }
        return (lo - Self.rangeSlack)...(hi + Self.rangeSlack)
    }
}
