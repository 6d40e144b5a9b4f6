import Foundation
import SuretyNumerics

/// Differentially private classification by average similarity (Backurs et al., ICLR 2024,
/// §11; spec dp-kde.md §2.11): one ``PrivateKernelDensity`` per class over that class's
/// points, all with the same public features; a query goes to the class with the largest
/// noisy average similarity `F̂_c(y)/ñ_c`.
///
/// **Privacy.** Under add/remove a row belongs to one class, so it touches one structure:
/// parallel composition, each class may use the whole budget, and the classifier is
/// `(ε, δ)`-DP. Under replace-one a row can move between two classes, so each structure gets
/// half the budget (`ε/2`, `δ/2`). Class sizes are private under both relations (replace-one
/// makes only the total public), so every class structure releases a noisy count with the
/// add/remove accounting — a moved row is one removal and one addition, each paid by its half.
/// The list of classes is public: pass it explicitly if the presence of a rare class is itself
/// sensitive.
public struct PrivateKDEClassifier: Sendable {
    public let classes: [String]
    public let structures: [PrivateKernelDensity]

    /// What each class structure was released with, and the classifier's overall guarantee.
    public let perClassBudget: PrivacyBudget
    public let budget: PrivacyBudget
    public let relation: NeighbourRelation

    /// - Parameters:
    ///   - labels: one per row of `points`; every label must be in `classes`.
    /// A class with no rows is allowed (its structure holds only noise).
    ///
    /// - Throws: `NumericsError` for mismatched lengths, an unknown label or repeated classes.
    public static func build(points: Matrix, labels: [String], classes: [String], features: RandomFeatures, budget: PrivacyBudget,
                             relation: NeighbourRelation = .addRemove, countShare: Double = 0.1,
                             noiseGenerator: inout some RandomNumberGenerator) throws -> PrivateKDEClassifier {
        guard labels.count == points.rows else {
            throw NumericsError.dimensionMismatch(operation: "private classifier", seen: "\(labels.count) labels for \(points.rows) rows",
                                                  expected: "one label per row")
        }
        guard !classes.isEmpty, Set(classes).count == classes.count else {
            throw NumericsError.domain(function: "private classifier", value: "classes \(classes)", expected: "at least one, no repeats")
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var rows = [[Int]](repeating: [], count: classes.count)
        for (i, label) in labels.enumerated() {
            guard let c = index[label] else {
                throw NumericsError.domain(function: "private classifier", value: "label '\(label)' in row \(i + 1)",
                                           expected: "one of the classes \(classes.joined(separator: ", "))")
            }
            rows[c].append(i)
        }
        let perClass = relation == .addRemove ? budget : try PrivacyBudget(epsilon: budget.epsilon / 2, delta: budget.delta / 2)
        let structures = try rows.map { members in
            var statistics = KernelFeatureSums(features: features)
            if !members.isEmpty { try statistics.add(points.selecting(rows: members)) }
            return try PrivateKernelDensity.release(statistics, budget: perClass, relation: .addRemove, countShare: countShare,
                                                    allowEmpty: true, noiseGenerator: &noiseGenerator)
        }
        return PrivateKDEClassifier(classes: classes, structures: structures, perClassBudget: perClass, budget: budget, relation: relation)
    }

    /// The predicted class index per query row, and the noisy average similarities (query × class).
    public func predict(_ queries: Matrix) throws -> (labels: [Int], scores: [[Double]]) {
        let perClass = try structures.map { try $0.averages(at: queries).map(\.value) }
        let scores = (0..<queries.rows).map { i in perClass.map { $0[i] } }
        return (scores.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }, scores)
    }

    /// The non-private reference: exact average similarity per class (O(n) per query), for
    /// the "ε = ∞" column of a comparison.
    public static func exactPredict(points: Matrix, labels: [String], classes: [String], queries: Matrix, kernel: SimilarityKernel,
                                    bandwidth: Double, domain: [PublicInterval]?) throws -> [Int] {
        let scaledPoints = try domain.map { try PublicInterval.unitScaled(points, by: $0) } ?? points
        let scaledQueries = try domain.map { try PublicInterval.unitScaled(queries, by: $0) } ?? queries
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let classOf = try labels.enumerated().map { i, label in
            guard let c = index[label] else {
                throw NumericsError.domain(function: "KDE classifier", value: "label '\(label)' in row \(i + 1)",
                                           expected: "one of the classes \(classes.joined(separator: ", "))")
            }
            return c
        }
        let n = scaledPoints.rows, m = scaledQueries.rows
        // Squared distances from the Gram matrix (BLAS); ℓ1 distances only for the laplace kernel.
        let cross = try scaledQueries.multiplied(by: scaledPoints, transposeOther: .transposed)      // m × n
        let pointNorms = (0..<n).map { i in scaledPoints.row(i).reduce(0) { $0 + $1 * $1 } }
        let pointRows = kernel == .laplace ? (0..<n).map { scaledPoints.row($0) } : []
        return (0..<m).map { q in
            let y = scaledQueries.row(q)
            let queryNorm = y.reduce(0) { $0 + $1 * $1 }
            var sums = [Double](repeating: 0, count: classes.count), counts = [Int](repeating: 0, count: classes.count)
            for i in 0..<n {
                let c = classOf[i]
                let squared = max(0, queryNorm + pointNorms[i] - 2 * cross[q, i])
                var absolute = 0.0
                if kernel == .laplace { for k in y.indices { absolute += abs(y[k] - pointRows[i][k]) } }
                sums[c] += kernel.value(squaredDistance: squared, l1Distance: absolute, bandwidth: bandwidth)
                counts[c] += 1
            }
            let averages = sums.indices.map { counts[$0] == 0 ? -Double.infinity : sums[$0] / Double(counts[$0]) }
            return averages.indices.max { averages[$0] < averages[$1] } ?? 0
        }
    }
}

extension Matrix {
    /// The rows at `indices`, in that order.
    func selecting(rows indices: [Int]) throws -> Matrix {
        var values: [Double] = []
        values.reserveCapacity(indices.count * columns)
        for j in 0..<columns { for i in indices { values.append(storage[j * rows + i]) } }
        return try Matrix(rows: indices.count, columns: columns, columnMajor: values)
    }
}
