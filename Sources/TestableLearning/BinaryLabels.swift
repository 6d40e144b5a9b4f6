import SuretyData

/// Maps a label column with two values to `±1`, saying which is which.
///
/// `±1` and `0/1` (in any numeric spelling) keep their meaning (`1 → +1`); two other strings map in
/// sorted order, the second to `+1`, unless `positive` names the `+1` class.
public struct BinaryLabels: Sendable, Equatable {
    public let labels: [Double]
    public let positive: String
    public let negative: String

    /// - Throws: ``DataError`` (naming `file`, the label column and the first row of a third
    ///   value) unless the column holds exactly two distinct values, or when `positive` is not one.
    public init(_ raw: [String], positive: String? = nil, file: String, column: Int) throws {
        var seen: [String] = []
        for (i, value) in raw.enumerated() where !seen.contains(value) {
            guard seen.count < 2 else {
                throw DataError(file: file, line: i + 2, column: column, seen: "a third label '\(value)' (after '\(seen[0])' and '\(seen[1])')",
                                expected: "two classes: ±1, 0/1 or two names")
            }
            seen.append(value)
        }
        guard seen.count == 2 else {
            throw DataError(file: file, line: 2, column: column, seen: "only the label '\(seen.first ?? "")'", expected: "two classes")
        }
        let set = Set(seen)
        let plus: String
        if let positive {
            guard set.contains(positive) else {
                throw DataError(file: file, line: 1, column: column, seen: "--positive '\(positive)'", expected: "one of '\(seen[0])', '\(seen[1])'")
            }
            plus = positive
        } else if let numbers = Optional(seen.compactMap(Double.init)), numbers.count == 2,
                  Set(numbers) == [-1, 1] || Set(numbers) == [0, 1] {
            plus = seen[numbers.firstIndex(of: 1)!]                    // ±1 or 0/1, in any spelling (1, +1, 1.0)
        } else {
            plus = seen.sorted()[1]
        }
        self.positive = plus
        negative = seen.first { $0 != plus }!
        labels = raw.map { $0 == plus ? 1 : -1 }
    }
}
