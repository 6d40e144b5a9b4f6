import Foundation
import Testing
@testable import SuretyNumerics

@Suite struct ExactBinomialTestTests {
    /// Tail sums against direct summation of the binomial probabilities (exact arithmetic on
    /// small n, so agreement to 1e-12 tests GSL's incomplete-beta route).
    @Test(arguments: [(1, 0.5), (7, 0.1), (20, 0.93), (50, 0.5), (50, 1e-3)])
    func pValuesAreBinomialTails(n: Int, p: Double) throws {
        func pmf(_ k: Int) -> Double {
            exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
                + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
        for k in 0...n {
            let upper = (k...n).map(pmf).reduce(0, +), lower = (0...k).map(pmf).reduce(0, +)
            #expect(abs(try ExactBinomialTest.pValueAtMost(rate: p, events: k, trials: n) - upper) <= 1e-12)
            #expect(abs(try ExactBinomialTest.pValueAtLeast(rate: p, events: k, trials: n) - lower) <= 1e-12)
        }
    }

    @Test func edgesOfTheRate() throws {
        #expect(try ExactBinomialTest.pValueAtMost(rate: 0, events: 1, trials: 10) == 0)
        #expect(try ExactBinomialTest.pValueAtMost(rate: 0, events: 0, trials: 10) == 1)
        #expect(try ExactBinomialTest.pValueAtLeast(rate: 1, events: 9, trials: 10) == 0)
        #expect(try ExactBinomialTest.pValueAtLeast(rate: 1, events: 10, trials: 10) == 1)
        #expect(try ExactBinomialTest.pValueAtMost(rate: 0.3, events: 0, trials: 0) == 1)
        #expect(throws: NumericsError.self) { try ExactBinomialTest.pValueAtMost(rate: 1.5, events: 1, trials: 2) }
        #expect(throws: NumericsError.self) { try ExactBinomialTest.refutesAtMost(rate: 0.5, events: 1, trials: 2, falseAlarm: 0) }
    }

    /// The critical counts are the boundary of the rejection region: one count inside it
    /// refutes, one count outside does not, and the test's size is at most the false-alarm rate.
    @Test(arguments: [(1, 0.1), (30, 0.05), (1000, 0.1), (5000, 0.9)])
    func criticalCountsBoundTheRejectionRegion(n: Int, p: Double) throws {
        let a = 1e-3
        let c = try ExactBinomialTest.criticalCountAtMost(rate: p, trials: n, falseAlarm: a)
        if c <= n {
            #expect(try ExactBinomialTest.refutesAtMost(rate: p, events: c, trials: n, falseAlarm: a))
            #expect(try ExactBinomialTest.pValueAtMost(rate: p, events: c, trials: n) <= a)
        }
        #expect(try !ExactBinomialTest.refutesAtMost(rate: p, events: c - 1, trials: n, falseAlarm: a))
        let d = try ExactBinomialTest.criticalCountAtLeast(rate: p, trials: n, falseAlarm: a)
        if d >= 0 { #expect(try ExactBinomialTest.refutesAtLeast(rate: p, events: d, trials: n, falseAlarm: a)) }
        #expect(try !ExactBinomialTest.refutesAtLeast(rate: p, events: d + 1, trials: n, falseAlarm: a))
    }

    /// With one trial nothing can refute a rate of 0.5 at a false-alarm rate below 0.5.
    @Test func smallSamplesCannotRefute() throws {
        #expect(try ExactBinomialTest.criticalCountAtMost(rate: 0.5, trials: 1, falseAlarm: 0.01) == 2)
        #expect(try ExactBinomialTest.criticalCountAtLeast(rate: 0.5, trials: 1, falseAlarm: 0.01) == -1)
    }
}
