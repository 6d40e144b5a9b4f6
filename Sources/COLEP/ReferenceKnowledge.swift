/// The knowledge tables of COLEP's experiments, as rules files (read from the official code,
/// kangmintong/COLEP @ 4bb16d1; spec colep.md §1.5). Class and attribute names are the
/// code's indices; the comments give the inferred meaning.
public enum ReferenceKnowledge {
    /// GTSRB: 12 classes, 13 attributes, 30 `class ⇒ attribute` rules in three circuits
    /// (shape, content, color), all at weight `w` (the paper uses 1.5).
    public static func gtsrb(weight w: Double = 1.5) -> String {
        rules(classes: 12, attributes: 13, weight: w, table: [
            ("shape", [([0], 0), ([1], 1), ([2, 3], 2), ([4, 5, 6, 7, 8, 9, 10, 11], 3)]),
            ("content", [([2, 7], 4), ([8], 8), ([10], 9), ([11], 10), ([4], 11), ([5], 12)]),
            ("color", [([0, 2, 3, 6, 7, 8, 10, 11], 5), ([4, 5], 6), ([9], 7)]),
        ], title: "GTSRB (12-class subset; label 0 = stop, 1 = yield; attribute 5 = red)")
    }

    /// CIFAR-10: 10 classes, 9 attributes (animal, vehicle, sky, water, ground, legs, wings,
    /// wheels, ship-specific), 30 rules in three circuits.
    public static func cifar10(weight w: Double = 1.5) -> String {
        rules(classes: 10, attributes: 9, weight: w, table: [
            ("category", [([2, 3, 4, 5, 6, 7], 0), ([0, 1, 8, 9], 1)]),
            ("place", [([0, 2], 2), ([8], 3), ([1, 3, 4, 5, 6, 7, 9], 4)]),
            ("parts", [([3, 4, 5, 6, 7], 5), ([2], 6), ([0, 1, 9], 7), ([8], 8)]),
        ], title: "CIFAR-10 (0 airplane … 9 truck)")
    }

    static func rules(classes: Int, attributes: Int, weight w: Double, table: [(String, [([Int], Int)])], title: String) -> String {
        var text = "# \(title): COLEP's knowledge, spec colep.md §1.5\n"
        text += "classes: " + (0..<classes).map { "label\($0)" }.joined(separator: " ") + "\n"
        text += "concepts: " + (0..<attributes).map { "attr\($0)" }.joined(separator: " ") + "\n"
        for (circuit, parts) in table {
            for (labels, attribute) in parts {
                for label in labels { text += "label\(label) => attr\(attribute)  w=\(w)  pc=\(circuit)\n" }
            }
        }
        return text
    }
}
