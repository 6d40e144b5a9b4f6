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

    /// Computes the metrics of prediction sets.
    ///
    /// - Precondition: one set per label; labels in `0..<sets.classes`.
    public init(sets: PredictionSets, labels: [Int], alpha: Double) {
        self.init(count: sets.count, labels: labels, classes: sets.classes, alpha: alpha,
                  contains: { sets.contains(sample: $0, label: $1) }, size: { sets.size(ofSample: $0) })
    }

    /// Computes the metrics of a list of sets.
    ///
    /// - Precondition: one set per label; labels in `0..<classes`; sets no larger than `classes`.
    public init(sets: [PredictionSet], labels: [Int], classes: Int, alpha: Double) {
        self.init(count: sets.count, labels: labels, classes: classes, alpha: alpha,
                  contains: { sets[$0].contains($1) }, size: { sets[$0].count })
    }

    private init(count n: Int, labels: [Int], classes: Int, alpha: Double, contains: (Int, Int) -> Bool, size: (Int) -> Int) {
        precondition(n == labels.count, "one prediction set per label")
        var covered = 0, sizes = 0
        var classHits = [Int](repeating: 0, count: classes), classCounts = classHits
        var sizeHits = [Int](repeating: 0, count: classes + 1), sizeCounts = sizeHits
        for (i, y) in labels.enumerated() {
            let hit = contains(i, y), setSize = size(i)
            if hit { covered += 1; classHits[y] += 1; sizeHits[setSize] += 1 }
            classCounts[y] += 1
            sizeCounts[setSize] += 1
            sizes += setSize
        }
        coverage = n == 0 ? .nan : Double(covered) / Double(n)
        meanSetSize = n == 0 ? .nan : Double(sizes) / Double(n)
        perClassCoverage = zip(classHits, classCounts).map { $1 == 0 ? .nan : Double($0) / Double($1) }
        sizeStratifiedCoverage = zip(sizeHits, sizeCounts).map { $1 == 0 ? .nan : Double($0) / Double($1) }
        let present = perClassCoverage.filter { !$0.isNaN }
        coverageGap = present.isEmpty ? .nan : present.reduce(0) { $0 + abs($1 - (1 - alpha)) } / Double(present.count)
    }
}
