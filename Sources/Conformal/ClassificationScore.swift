/// A non-conformity score for classification: how unusual label `y` is for a sample with
/// predicted class probabilities `π`. Larger is less conforming.
///
/// Labels are ranked by decreasing probability, ties broken by the lower index first (the
/// convention of the `arc` package that COLEP uses).
public enum ClassificationScore: Sendable, Hashable {
    /// Least ambiguous set-valued classifier (Sadinle, Lei & Wasserman 2019): `1 − π_y`.
    case lac
    /// Adaptive prediction sets (Romano, Sesia & Candès 2020): the probability mass of the
    /// labels ranked above `y`, plus `π_y` — or, randomized, plus `(1 − u)·π_y` with
    /// `u ~ U(0, 1)`, which makes marginal coverage exact rather than conservative as long
    /// as the true label's probability is positive (with `π_y = 0` the score is the mass
    /// above `y` whatever `u`: an atom, and coverage only conservative).
    case aps(randomized: Bool)
    /// Regularized APS (Angelopoulos, Bates, Malik & Jordan 2021): APS plus
    /// `λ·max(0, rank(y) − kReg)`, with `rank` 1-based.
    case raps(lambda: Double, kReg: Int, randomized: Bool)

    /// Whether the score uses a uniform draw per sample.
    public var isRandomized: Bool {
        switch self {
        case .lac: return false
        case let .aps(r), let .raps(_, _, r): return r
        }
    }

    /// The scores of every label of one sample, written into `out` (length K).
    ///
    /// - Parameters:
    ///   - probabilities: the K class probabilities of the sample.
    ///   - u: the sample's uniform draw (ignored by non-randomized scores).
    ///   - order: scratch space of length K.
    func scores(_ probabilities: UnsafeBufferPointer<Double>, u: Double, order: UnsafeMutableBufferPointer<Int>, into out: UnsafeMutableBufferPointer<Double>) {
        let count = probabilities.count
        switch self {
        case .lac:
            for y in 0..<count { out[y] = 1 - probabilities[y] }
        case let .aps(randomized), let .raps(_, _, randomized):
            let rapsPenalty: (lambda: Double, kReg: Int)? = {
                if case let .raps(lambda, kReg, _) = self { return (lambda, kReg) } else { return nil }
            }()
            if count <= Self.pairwiseClassLimit {
                // Pairwise, in label-index order: the same sums as the batch kernels.
                for y in 0..<count {
                    let own = probabilities[y]
                    var above = 0.0, rank = 0.0
                    for j in 0..<count where j != y {
                        let x = probabilities[j]
                        let before = j < y ? x >= own : x > own
                        above += before ? x : 0
                        rank += before ? 1 : 0
                    }
                    // The same expression as the batch kernels' `finish`.
                    var s = above + (randomized ? (1 - u) * own : own)
                    if let (lambda, kReg) = rapsPenalty { s += lambda * max(0, rank + 1 - Double(kReg)) }
                    out[y] = s
                }
                return
            }
            // Sort by (probability descending, index ascending), then accumulate in rank order.
            for y in 0..<count { order[y] = y }
            var sortable = order  // the buffer value is a let; its elements are mutable
            sortable.sort { (a: Int, b: Int) -> Bool in
                let pa = probabilities[a], pb = probabilities[b]
                return pa > pb || (pa == pb && a < b)
            }
            var above = 0.0
            for position in 0..<count {
                let y = order[position]
                let p = probabilities[y]
                var s = above + (randomized ? (1 - u) * p : p)
                if let (lambda, kReg) = rapsPenalty { s += lambda * max(0, Double(position) + 1 - Double(kReg)) }
                out[y] = s
                above += p
            }
        }
    }

    /// Computes the scores of every label of each sample of a column-major `rows × classes`
    /// probability matrix and hands them to `body(sample, scores)`; `uniforms` holds one draw
    /// per sample for randomized scores (empty otherwise).
    func forEachSample(of p: UnsafeBufferPointer<Double>, rows: Int, classes: Int, uniforms: [Double],
                       _ body: (Int, UnsafeMutableBufferPointer<Double>) -> Void) {
        var row = [Double](repeating: 0, count: classes), out = row
        var order = [Int](repeating: 0, count: classes)
        row.withUnsafeMutableBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                order.withUnsafeMutableBufferPointer { ord in
                    for i in 0..<rows {
                        for y in 0..<classes { r[y] = p[i + y * rows] }
                        scores(UnsafeBufferPointer(r), u: uniforms.isEmpty ? 0 : uniforms[i], order: ord, into: o)
                        body(i, o)
                    }
                }
            }
        }
    }

    /// The score of label `y` alone.
    public func score(probabilities: [Double], label y: Int, u: Double = 0) -> Double {
        var order = [Int](repeating: 0, count: probabilities.count)
        var out = [Double](repeating: 0, count: probabilities.count)
        probabilities.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                order.withUnsafeMutableBufferPointer { ord in scores(p, u: u, order: ord, into: o) }
            }
        }
        return out[y]
    }
}
