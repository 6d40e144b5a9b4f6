import Foundation
import SuretyNumerics

/// How the calibration level is chosen.
public enum CalibrationGuarantee: Sendable, Hashable {
    /// Marginal coverage: `P(Y ∈ C(X)) ≥ 1 − α` over calibration and test draws together.
    case marginal
    /// Calibration-conditional (PAC) coverage, conservative form: with probability at least
    /// `1 − confidenceFailure` over the calibration set, the coverage given that set is at least
    /// `1 − α`; obtained by calibrating at `α − √(ln(1/ν)/(2n))` (Vovk 2012, DKW/Hoeffding form).
    case pacHoeffding(confidenceFailure: Double)
    /// Calibration-conditional coverage, exact form: the smallest order statistic `k` whose
    /// conditional coverage, distributed `Beta(k, n + 1 − k)` for continuous scores, is below
    /// `1 − α` with probability at most `ν`.
    case pacExact(confidenceFailure: Double)
}

/// The split-conformal threshold of a set of calibration scores.
public enum ConformalThreshold {
    /// The 1-based rank `k = ⌈(n + 1)(1 − α)⌉` of the calibration score used as threshold for
    /// marginal coverage `1 − α`; `nil` when `k > n` (no finite threshold guarantees the level).
    ///
    /// `α` is read as the shortest decimal that rounds to the given double (`0.1` means one
    /// tenth, `0.3` three tenths) and the product is formed in exact decimal arithmetic, so
    /// `n = 19, α = 0.1` gives `k = 18` (coverage exactly 18/20) and never a rank off by one
    /// from binary rounding in either direction.
    ///
    /// - Precondition: `0 < alpha < 1` (the throwing overload checks it and reports it instead).
    public static func rank(count n: Int, alpha: Double) -> Int? {
        precondition(alpha > 0 && alpha < 1, "alpha must lie in (0, 1)")
        // Decimal covers exponents down to 10⁻¹²⁸; a smaller α makes k = n + 1 > n for any
        // representable n, so "no finite threshold" is the exact answer there too.
        guard let a = Decimal(string: "\(alpha)") else { return nil }
        var product = Decimal(n + 1) * (1 - a)
        var k = Decimal()
        NSDecimalRound(&k, &product, 0, .up)
        let rank = max(NSDecimalNumber(decimal: k).intValue, 1)
        return rank <= n ? rank : nil
    }

    /// The rank `k` for the requested guarantee.
    ///
    /// - Throws: `NumericsError.domain` for `α` outside (0, 1), a confidence failure outside
    ///   (0, 1), or a Hoeffding-adjusted level that is not positive.
    public static func rank(count n: Int, alpha: Double, guarantee: CalibrationGuarantee) throws -> Int? {
        guard alpha > 0 && alpha < 1 else {
            throw NumericsError.domain(function: "conformal threshold", value: "α = \(alpha)", expected: "0 < α < 1")
        }
        switch guarantee {
        case .marginal:
            return rank(count: n, alpha: alpha)
        case let .pacHoeffding(nu):
            try checkNu(nu)
            let adjusted = alpha - (log(1 / nu) / (2 * Double(max(n, 1)))).squareRoot()
            guard adjusted > 0 else {
                throw NumericsError.domain(function: "PAC conformal threshold",
                                           value: "α − √(ln(1/ν)/(2n)) = \(adjusted) with n = \(n)",
                                           expected: "a positive adjusted level (more calibration data or a larger α)")
            }
            return rank(count: n, alpha: adjusted)
        case let .pacExact(nu):
            try checkNu(nu)
            guard n >= 1 else { return nil }
            // P(coverage < 1 − α) = BetaCDF_{k, n+1−k}(1 − α), decreasing in k: bisect.
            func failure(_ k: Int) -> Double { Beta(alpha: Double(k), beta: Double(n + 1 - k)).cdf(1 - alpha) }
            if failure(n) > nu { return nil }
            var lo = 0, hi = n  // failure(hi) ≤ ν; lo is a rank known to fail (0 = sentinel)
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if failure(mid) <= nu { hi = mid } else { lo = mid }
            }
            return hi
        }
    }

    static func checkNu(_ nu: Double) throws {
        guard nu > 0 && nu < 1 else {
            throw NumericsError.domain(function: "PAC conformal threshold", value: "ν = \(nu)", expected: "0 < ν < 1")
        }
    }

    /// The threshold: the `k`-th smallest score for the rank `k` of the guarantee, or `+∞`
    /// when `k > n` (then every label is included and the guarantee holds trivially).
    ///
    /// - Throws: `NumericsError.nonFinite` for a NaN score, `.domain` for invalid levels.
    /// - Complexity: O(n) expected (selection, no full sort).
    public static func threshold(scores: [Double], alpha: Double, guarantee: CalibrationGuarantee = .marginal) throws -> Double {
        if let k = scores.firstIndex(where: { $0.isNaN }) {
            throw NumericsError.nonFinite(operation: "conformal calibration scores", row: k, column: 0, value: scores[k])
        }
        guard let k = try rank(count: scores.count, alpha: alpha, guarantee: guarantee) else { return .infinity }
        return kthSmallest(scores, k)
    }

    /// The `k`-th smallest element (1-based) of non-NaN values, by radix selection on the
    /// values' order-preserving bit patterns: 16 bits at a time, a histogram finds the digit
    /// that holds rank `k` and only the values with that digit go on. Exact, O(n), and free of
    /// the data-dependent branches that make quickselect slow on real score distributions.
    static func kthSmallest(_ values: [Double], _ k: Int) -> Double {
        precondition(k >= 1 && k <= values.count, "rank out of range")
        // Non-negative doubles order like their bits; negative ones in reverse. Flipping the sign
        // bit of the former and every bit of the latter gives one unsigned order for all.
        @inline(__always) func key(_ x: Double) -> UInt64 {
            let b = x.bitPattern
            return b >> 63 == 0 ? b | (1 << 63) : ~b
        }
        @inline(__always) func value(_ key: UInt64) -> Double {
            Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
        }
        var rank = k - 1                       // 0-based rank within the candidates
        var counts = [Int](repeating: 0, count: 1 << 16)
        var shift: UInt64 = 48
        // The first digit straight from the values, so only its bucket is ever copied.
        let first = counts.withUnsafeMutableBufferPointer { counts -> UInt64 in
            values.withUnsafeBufferPointer { v in
                for x in v { counts[Int(truncatingIfNeeded: key(x) >> 48)] += 1 }
            }
            var d = 0
            while rank >= counts[d] {
                rank -= counts[d]
                d += 1
            }
            return UInt64(d)
        }
        var candidates = [UInt64]()
        values.withUnsafeBufferPointer { v in
            for x in v where key(x) >> 48 == first { candidates.append(key(x)) }
        }
        shift = 32
        while true {
            if candidates.count <= 32 {
                return value(candidates.sorted()[rank])
            }
            let digit = counts.withUnsafeMutableBufferPointer { counts -> UInt64 in
                for d in counts.indices { counts[d] = 0 }
                candidates.withUnsafeBufferPointer { c in
                    for x in c { counts[Int(truncatingIfNeeded: (x >> shift) & 0xFFFF)] += 1 }
                }
                var d = 0
                while rank >= counts[d] {
                    rank -= counts[d]
                    d += 1
                }
                return UInt64(d)
            }
            if shift == 0 {
                // Every remaining candidate has all 64 bits equal: they are one value.
                return value(candidates.first { $0 & 0xFFFF == digit }!)
            }
            candidates = candidates.filter { ($0 >> shift) & 0xFFFF == digit }
            shift -= 16
        }
    }
}
