/// Coverage and size diagnostics of prediction sets against true labels.
public struct CoverageMetrics: Sendable, Hashable {
    /// The fraction of samples whose set contains the true label.
    public let coverage: Double
    /// The mean set size.
    public let meanSetSize: Double
    /// Coverage among the samples of each class (NaN for a class with no samples).
    public let perClassCoverage: [Double]
    /// Coverage among the samples whose set has each size `0…K` (NaN where no set has it).
    public let sizeStratifiedCoverage: [Double]
    /// CovGap: the mean over classes present in the data of `|coverage_y − (1 − α)|`
    /// (TorchCP's definition, as a fraction rather than a percentage).
    public let coverageGap: Double

    /// Computes the metrics.
    ///
    /// - Precondition: one set per label; labels in `0..<classes`.
    public init(sets: [PredictionSet], labels: [Int], classes: Int, alpha: Double) {
        precondition(sets.count == labels.count, "one prediction set per label")
        let n = sets.count
        var covered = 0, sizes = 0
        var classHits = [Int](repeating: 0, count: classes), classCounts = classHits
        var sizeHits = [Int](repeating: 0, count: classes + 1), sizeCounts = sizeHits
        for (set, y) in zip(sets, labels) {
            let hit = set.contains(y)
            if hit { covered += 1; classHits[y] += 1; sizeHits[set.count] += 1 }
            classCounts[y] += 1
            sizeCounts[set.count] += 1
            sizes += set.count
        }
        coverage = n == 0 ? .nan : Double(covered) / Double(n)
        meanSetSize = n == 0 ? .nan : Double(sizes) / Double(n)
        perClassCoverage = zip(classHits, classCounts).map { $1 == 0 ? .nan : Double($0) / Double($1) }
        sizeStratifiedCoverage = zip(sizeHits, sizeCounts).map { $1 == 0 ? .nan : Double($0) / Double($1) }
        let present = perClassCoverage.filter { !$0.isNaN }
        coverageGap = present.isEmpty ? .nan : present.reduce(0) { $0 + abs($1 - (1 - alpha)) } / Double(present.count)
    }
}
