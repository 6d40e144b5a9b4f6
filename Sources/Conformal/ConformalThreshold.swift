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
        if let k = scores.firstIndex(where: \.isNaN) {
            throw NumericsError.nonFinite(operation: "conformal calibration scores", row: k, column: 0, value: scores[k])
        }
        guard let k = try rank(count: scores.count, alpha: alpha, guarantee: guarantee) else { return .infinity }
        return kthSmallest(scores, k)
    }

    /// The `k`-th smallest element (1-based) by iterative quickselect with median-of-three pivots.
    static func kthSmallest(_ values: [Double], _ k: Int) -> Double {
        var a = values
        var lo = 0, hi = a.count - 1
        let target = k - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three as pivot.
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return a[target] }
        }
        return a[target]
    }
}
