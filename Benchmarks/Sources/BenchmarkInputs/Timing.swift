import Foundation

/// Wall-clock seconds taken by `body`.
public func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// "best …, median … (n runs)" for a list of timings.
public func timingSummary(digits: Int = 4, _ times: [Double]) -> String {
    let sorted = times.sorted()
    return String(format: "best %.\(digits)f s, median %.\(digits)f s (%d runs)", sorted[0], sorted[sorted.count / 2], times.count)
}
