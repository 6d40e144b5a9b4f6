import SuretyNumerics

/// A prediction set: the labels a conformal classifier keeps for one sample.
public struct PredictionSet: Sendable, Hashable {
    /// The labels, in increasing order.
    public var labels: [Int]
    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }
    public func contains(_ label: Int) -> Bool { labels.contains(label) }
}

/// The prediction sets of a batch of samples, stored as one membership table so that
/// predicting for 10⁵ samples allocates once, not once per sample.
public struct PredictionSets: RandomAccessCollection, Sendable, Hashable {
    /// The number of classes K.
    public let classes: Int
    /// Column-major membership: `membership[y * count + i]` says whether sample `i` keeps label `y`.
    var membership: [Bool]
    public let count: Int

    init(count: Int, classes: Int) {
        self.count = count
        self.classes = classes
        membership = [Bool](repeating: false, count: count * classes)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// The set of sample `i`.
    public subscript(i: Int) -> PredictionSet {
        PredictionSet(labels: (0..<classes).filter { membership[$0 * count + i] })
    }

    /// Whether sample `i`'s set contains `label`.
    public func contains(sample i: Int, label: Int) -> Bool { membership[label * count + i] }

    /// The size of sample `i`'s set.
    public func size(ofSample i: Int) -> Int {
        var size = 0
        for y in 0..<classes where membership[y * count + i] { size += 1 }
        return size
    }
}

/// Split conformal classification (Vovk et al. 2005; Papadopoulos et al. 2002), configured
/// like MAPIE's or crepes' classifiers: choose a score and a level, `calibrate` on held-out
/// data, then `predict` sets.
///
/// Guarantee (marginal mode): if calibration and test samples are exchangeable, then
/// `P(Y ∈ C(X)) ≥ 1 − α`, and, for continuous scores (randomized APS when the true label's
/// probability is never exactly 0, or LAC with continuous probabilities) and
/// `allowEmpty: true`, `P(Y ∈ C(X)) ≤ 1 − α + 1/(n + 1)` (filling empty sets adds labels
/// and can raise coverage above that; a label of probability 0 has the randomized APS
/// score 1 whatever the uniform, an atom that can raise it too). In class-conditional
/// (Mondrian) mode the same holds given `Y = y` for every class `y`, with `n` the number of
/// calibration samples of that class. Forbidding empty sets only adds labels, so the lower
/// bound still holds.
public struct SplitConformalClassifier: Sendable {
    /// Marginal calibration, or one threshold per class.
    public enum Mode: Sendable, Hashable {
        case marginal
        case classConditional
    }

    public let score: ClassificationScore
    public let alpha: Double
    public let mode: Mode
    public let guarantee: CalibrationGuarantee
    /// When `false` (the default, as in COLEP and `arc`), an empty set gets the top-ranked label.
    public let allowEmpty: Bool

    /// - Precondition: `0 < alpha < 1`.
    public init(score: ClassificationScore, alpha: Double, mode: Mode = .marginal,
                guarantee: CalibrationGuarantee = .marginal, allowEmpty: Bool = false) {
        precondition(alpha > 0 && alpha < 1, "alpha must lie in (0, 1)")
        self.score = score
        self.alpha = alpha
        self.mode = mode
        self.guarantee = guarantee
        self.allowEmpty = allowEmpty
    }

    /// Calibrates on held-out samples.
    ///
    /// - Parameters:
    ///   - probabilities: `n × K` predicted class probabilities (rows sum to 1).
    ///   - labels: the true labels, in `0..<K`.
    ///   - generator: the source of the per-sample uniforms of randomized scores.
    /// - Throws: `NumericsError` for mismatched sizes, labels out of range, or probabilities
    ///   that are not finite numbers in [0, 1] among those the score reads (LAC reads only
    ///   each sample's probability of its own label; APS and RAPS read every entry).
    /// - Complexity: O(n·K), vectorized across samples and spread over the available cores
    ///   for large batches (results do not depend on the number of cores); O(n·K log K)
    ///   above 32 classes. The threshold is selected in O(n).
    @inlinable
    public func calibrate(probabilities: Matrix, labels: [Int], using generator: inout some RandomNumberGenerator) throws -> CalibratedConformalClassifier {
        try calibrate(probabilities: probabilities, labels: labels,
                      uniforms: score.isRandomized ? generator.uniforms(count: probabilities.rows) : [])
    }

    /// Calibrates with given per-sample uniforms for a randomized score (one per sample, in
    /// [0, 1]; empty for deterministic scores) — e.g. to reproduce another library's draws.
    public func calibrate(probabilities: Matrix, labels: [Int], uniforms: [Double]) throws -> CalibratedConformalClassifier {
        let n = probabilities.rows, classes = probabilities.columns
        try Self.validate(probabilities, labels: labels)
        try score.checkUniforms(uniforms, samples: n)
        var calibrationScores = [Double](repeating: 0, count: n)
        let valid = probabilities.storage.withUnsafeBufferPointer { p in
            calibrationScores.withUnsafeMutableBufferPointer { out in
                score.labelScores(p, rows: n, classes: classes, labels: labels, uniforms: uniforms, into: out)
            }
        }
        if !valid { throw Self.rangeError(probabilities) }
        let thresholds: [Double]
        var counts = [Int](repeating: n, count: 1)
        switch mode {
        case .marginal:
            thresholds = [try ConformalThreshold.threshold(scores: calibrationScores, alpha: alpha, guarantee: guarantee)]
        case .classConditional:
            var byClass = [[Double]](repeating: [], count: classes)
            for i in 0..<n { byClass[labels[i]].append(calibrationScores[i]) }
            counts = byClass.map(\.count)
            thresholds = try byClass.map { try ConformalThreshold.threshold(scores: $0, alpha: alpha, guarantee: guarantee) }
        }
        return CalibratedConformalClassifier(configuration: self, classes: classes, thresholds: thresholds, calibrationCounts: counts)
    }

    static func validate(_ probabilities: Matrix, labels: [Int]) throws {
        if labels.count != probabilities.rows {
            throw NumericsError.dimensionMismatch(operation: "conformal calibration", seen: "\(labels.count) labels for \(probabilities.rows) samples",
                                                  expected: "one label per sample")
        }
        if let k = labels.firstIndex(where: { $0 < 0 || $0 >= probabilities.columns }) {
            throw NumericsError.domain(function: "conformal calibration", value: "label \(labels[k]) of sample \(k)",
                                       expected: "a label in 0..<\(probabilities.columns)")
        }
    }

    /// The error for the first probability outside [0, 1] (the scoring kernels detect that
    /// one exists while they compute, so valid data are read once).
    static func rangeError(_ probabilities: Matrix) -> NumericsError {
        let k = probabilities.storage.firstIndex { !($0 >= 0 && $0 <= 1) } ?? 0
        return NumericsError.domain(function: "conformal classifier", value: "probability \(probabilities.storage[k]) of sample \(k % max(probabilities.rows, 1))",
                                    expected: "probabilities in [0, 1]")
    }
}

/// A calibrated split-conformal classifier: the thresholds, and the prediction of sets.
public struct CalibratedConformalClassifier: Sendable {
    public let configuration: SplitConformalClassifier
    /// The number of classes K.
    public let classes: Int
    /// One threshold (marginal) or one per class (class-conditional); `+∞` where the
    /// calibration data were too few for the level, which keeps every label.
    public let thresholds: [Double]
    /// The calibration sample sizes behind each threshold.
    public let calibrationCounts: [Int]

    /// The threshold that applies to label `y`.
    public func threshold(for y: Int) -> Double { thresholds.count == 1 ? thresholds[0] : thresholds[y] }

    /// Prediction sets for new samples (`m × K` probabilities).
    ///
    /// - Throws: `NumericsError` when the number of classes differs from calibration or a
    ///   probability is outside [0, 1].
    /// - Complexity: O(m·K) for LAC; O(m·K²) for APS and RAPS up to 32 classes, vectorized
    ///   across samples and spread over the available cores for large batches (results do
    ///   not depend on the number of cores); O(m·K log K) beyond.
    @inlinable
    public func predict(probabilities: Matrix, using generator: inout some RandomNumberGenerator) throws -> PredictionSets {
        try predict(probabilities: probabilities,
                    uniforms: configuration.score.isRandomized ? generator.uniforms(count: probabilities.rows) : [])
    }

    /// Prediction sets with given per-sample uniforms for a randomized score (one per sample,
    /// in [0, 1]; empty for deterministic scores).
    public func predict(probabilities: Matrix, uniforms: [Double]) throws -> PredictionSets {
        guard probabilities.columns == classes else {
            throw NumericsError.dimensionMismatch(operation: "conformal prediction", seen: "\(probabilities.columns) classes",
                                                  expected: "\(classes) classes, as in calibration")
        }
        let m = probabilities.rows
        let score = configuration.score
        try score.checkUniforms(uniforms, samples: m)
        var sets = PredictionSets(count: m, classes: classes)
        var valid = true
        probabilities.storage.withUnsafeBufferPointer { p in
            sets.membership.withUnsafeMutableBufferPointer { member in
                valid = score.fillMembership(p, rows: m, classes: classes, uniforms: uniforms, threshold: threshold(for:), into: member)
                guard valid else { return }
                guard !configuration.allowEmpty, classes > 0 else { return }
                // Empty sets get the top-ranked label: highest probability, lowest index on ties.
                for i in 0..<m {
                    var any = false
                    for y in 0..<classes where member[y * m + i] { any = true; break }
                    if any { continue }
                    var top = 0
                    for y in 1..<classes where p[i + y * m] > p[i + top * m] { top = y }
                    member[top * m + i] = true
                }
            }
        }
        guard valid else { throw SplitConformalClassifier.rangeError(probabilities) }
        return sets
    }
}
