/// Batch scoring on column-major `rows × classes` probability matrices, vectorized across
/// samples (eight at a time) and split over the cores for large batches: the rank of a label is found by comparing it with every other
/// label of its sample (ties ranked by lower index first), so no per-sample sort is needed.
/// Calibration then costs O(n·K) and prediction O(m·K²); above ``pairwiseClassLimit``
/// classes both sort each sample instead (O(K log K) per sample).
///
/// Every path computes a score with the same arithmetic as ``ClassificationScore/scores`` —
/// the mass above a label summed in label-index order for up to ``pairwiseClassLimit``
/// classes, in rank order beyond — so calibration and test points are scored by exactly the
/// same function, to the last bit, as the coverage guarantee requires.
import SuretyNumerics

extension ClassificationScore {
    /// Up to this many classes, scores compare labels pairwise rather than sorting.
    static let pairwiseClassLimit = 32

    /// Samples per block, so that a block's columns stay in cache across the K² passes.
    private static let block = 512

    typealias Lanes = SIMD8<Double>

    /// The APS/RAPS parameters: randomized, and RAPS's (λ, k_reg) when present.
    private var apsParameters: (randomized: Bool, raps: (lambda: Double, kReg: Int)?) {
        switch self {
        case .lac: return (false, nil)
        case .aps(let r): return (r, nil)
        case let .raps(lambda, kReg, r): return (r, (lambda, kReg))
        }
    }

    /// Checks that `uniforms` holds one draw in [0, 1] per sample for a randomized score, and
    /// nothing for a deterministic one.
    func checkUniforms(_ uniforms: [Double], samples: Int) throws {
        guard uniforms.count == (isRandomized ? samples : 0) else {
            throw NumericsError.dimensionMismatch(operation: "conformal scores", seen: "\(uniforms.count) uniforms for \(samples) samples",
                                                  expected: isRandomized ? "one uniform per sample" : "none (the score is deterministic)")
        }
        if let k = uniforms.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw NumericsError.domain(function: "conformal scores", value: "uniform \(uniforms[k]) of sample \(k)", expected: "a number in [0, 1]")
        }
    }

    /// The final score from the mass above the label, its rank and its own probability —
    /// one expression shared by every path.
    @inline(__always)
    private static func finish(above: Lanes, rank: Lanes, own: Lanes, u: Lanes, randomized: Bool,
                               raps: (lambda: Double, kReg: Int)?) -> Lanes {
        var s = above + (randomized ? (1 - u) * own : own)
        if let (lambda, kReg) = raps {
            let excess: Lanes = rank + Lanes(repeating: 1 - Double(kReg))      // exact: small integers
            let penalty: Lanes = excess.replacing(with: 0, where: excess .< 0)
            s += lambda * penalty
        }
        return s
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Double>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    /// Eight lanes from `p` where available (`count < 8` at the end of a block), zeros beyond.
    @inline(__always)
    private static func load(_ p: UnsafePointer<Double>, count: Int) -> Lanes {
        if count >= 8 { return load(p) }
        var v = Lanes.zero
        for k in 0..<count { v[k] = p[k] }
        return v
    }

    /// Whether every lane lies in [0, 1] (NaN fails both comparisons).
    @inline(__always)
    private static func outside(_ x: Lanes) -> SIMDMask<SIMD8<Int64>> { .!((x .>= 0) .& (x .<= 1)) }

    /// Writes the lanes of a mask as `Bool`s: one 8-byte store for a full vector.
    @inline(__always)
    private static func store(_ mask: SIMDMask<SIMD8<Int64>>, to target: UnsafeMutablePointer<Bool>, count: Int) {
        if count == 8 {
            let bytes = SIMD8<UInt8>(truncatingIfNeeded: SIMD8<Int64>.zero.replacing(with: 1, where: mask))
            UnsafeMutableRawPointer(target).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
        } else {
            for k in 0..<count { target[k] = mask[k] }
        }
    }

    /// The score of each sample's own label: `out[i] = S(π_i, labels[i]; u_i)`.
    ///
    /// - Returns: whether every probability the scores read lies in [0, 1] (the check rides
    ///   along with the arithmetic, so the data are read once). LAC reads only `π_{i, y_i}`.
    func labelScores(_ p: UnsafeBufferPointer<Double>, rows n: Int, classes: Int, labels: [Int], uniforms u: [Double],
                     into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard n > 0 else { return true }
        let pp = SharedReadPointer(p), op = SharedPointer(out)
        if self == .lac {
            return labels.withUnsafeBufferPointer { labelBuffer in
                let lp = SharedReadPointer(labelBuffer)
                return allBatches(count: n) { range in
                    var valid = true
                    for i in range {
                        let x = pp.base[i + lp.base[i] * n]
                        valid = valid && x >= 0 && x <= 1
                        op.base[i] = 1 - x
                    }
                    return valid
                }
            }
        }
        if classes > Self.pairwiseClassLimit {
            forEachSample(of: p, rows: n, classes: classes, uniforms: u) { i, scores in out[i] = scores[labels[i]] }
            return !p.contains { !($0 >= 0 && $0 <= 1) }
        }
        let (randomized, raps) = apsParameters
        let label = labels.map(Double.init)
        return label.withUnsafeBufferPointer { labelBuffer in
            u.withUnsafeBufferPointer { uBuffer in
                let lp = SharedReadPointer(labelBuffer), up = uBuffer.isEmpty ? nil : SharedReadPointer(uBuffer)
                return allBatches(count: n) { range in
                    var bad = SIMDMask<SIMD8<Int64>>(repeating: false)
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let lanes = min(8, range.upperBound - i)
                        let l = Self.load(lp.base + i, count: lanes)
                        // Pass 1: each lane's own probability, picked from the columns (no gather).
                        var o = Lanes.zero
                        for j in 0..<classes {
                            let x = Self.load(pp.base + j * n + i, count: lanes)
                            bad .|= Self.outside(x)
                            o = o.replacing(with: x, where: l .== Lanes(repeating: Double(j)))
                        }
                        // Pass 2 (the same cache lines): the mass and count of labels ranked above.
                        var above = Lanes.zero, rank = Lanes.zero
                        for j in 0..<classes {
                            let x = Self.load(pp.base + j * n + i, count: lanes)
                            // Label j ranks above the sample's label: larger, or equal with a lower index.
                            let before = (x .> o) .| ((x .== o) .& (Lanes(repeating: Double(j)) .< l))
                            above += Lanes.zero.replacing(with: x, where: before)
                            rank += Lanes.zero.replacing(with: 1, where: before)
                        }
                        let uniform = randomized ? Self.load(up!.base + i, count: lanes) : .zero
                        let s = Self.finish(above: above, rank: rank, own: o, u: uniform, randomized: randomized, raps: raps)
                        for k in 0..<lanes { op.base[i + k] = s[k] }
                        i += lanes
                    }
                    return !any(bad)
                }
            }
        }
    }

    /// Membership of every label: `member[y * m + i] = S(π_i, y; u_i) ≤ threshold(y)`.
    ///
    /// - Returns: whether every probability lies in [0, 1] (checked while scoring).
    func fillMembership(_ p: UnsafeBufferPointer<Double>, rows m: Int, classes: Int, uniforms u: [Double],
                        threshold: (Int) -> Double, into member: UnsafeMutableBufferPointer<Bool>) -> Bool {
        guard m > 0 else { return true }
        let thresholds = (0..<classes).map(threshold)
        let pp = SharedReadPointer(p), mp = SharedPointer(member)
        if self == .lac {
            return allBatches(count: m) { range in
                var bad = SIMDMask<SIMD8<Int64>>(repeating: false)
                for y in 0..<classes {
                    let q = thresholds[y], column = pp.base + y * m
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let lanes = min(8, range.upperBound - i)
                        let x = Self.load(column + i, count: lanes)
                        bad .|= Self.outside(x)
                        Self.store(1 - x .<= q, to: mp.base + y * m + i, count: lanes)
                        i += lanes
                    }
                }
                return !any(bad)
            }
        }
        if classes > Self.pairwiseClassLimit {
            forEachSample(of: p, rows: m, classes: classes, uniforms: u) { i, scores in
                for y in 0..<classes { member[y * m + i] = scores[y] <= thresholds[y] }
            }
            return !p.contains { !($0 >= 0 && $0 <= 1) }
        }
        let (randomized, raps) = apsParameters
        return u.withUnsafeBufferPointer { uBuffer in
            let up = uBuffer.isEmpty ? nil : SharedReadPointer(uBuffer)
            return allBatches(count: m) { range in
                var bad = SIMDMask<SIMD8<Int64>>(repeating: false)
                var start = range.lowerBound
                while start < range.upperBound {
                    let count = min(Self.block, range.upperBound - start)
                    for y in 0..<classes {
                        let q = thresholds[y]
                        var b = 0
                        while b < count {
                            let lanes = min(8, count - b), i = start + b
                            let o = Self.load(pp.base + y * m + i, count: lanes)
                            bad .|= Self.outside(o)                      // every column is some y's own
                            var above = Lanes.zero, rank = Lanes.zero
                            // Labels j < y rank above y on ties, labels j > y only when strictly larger.
                            // (The rank is counted only for RAPS: APS does not need it.)
                            if raps == nil {
                                for j in 0..<y {
                                    let x = Self.load(pp.base + j * m + i, count: lanes)
                                    above += Lanes.zero.replacing(with: x, where: x .>= o)
                                }
                                for j in (y + 1)..<max(y + 1, classes) {
                                    let x = Self.load(pp.base + j * m + i, count: lanes)
                                    above += Lanes.zero.replacing(with: x, where: x .> o)
                                }
                            } else {
                                for j in 0..<y {
                                    let x = Self.load(pp.base + j * m + i, count: lanes)
                                    above += Lanes.zero.replacing(with: x, where: x .>= o)
                                    rank += Lanes.zero.replacing(with: 1, where: x .>= o)
                                }
                                for j in (y + 1)..<max(y + 1, classes) {
                                    let x = Self.load(pp.base + j * m + i, count: lanes)
                                    above += Lanes.zero.replacing(with: x, where: x .> o)
                                    rank += Lanes.zero.replacing(with: 1, where: x .> o)
                                }
                            }
                            let uniform = randomized ? Self.load(up!.base + i, count: lanes) : .zero
                            let s = Self.finish(above: above, rank: rank, own: o, u: uniform, randomized: randomized, raps: raps)
                            Self.store(s .<= q, to: mp.base + y * m + i, count: lanes)
                            b += lanes
                        }
                    }
                    start += count
                }
                return !any(bad)
            }
        }
    }
}
