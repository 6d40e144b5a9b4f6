import Foundation
import ProbabilisticCircuits

/// The knowledge of COLEP's GTSRB and CIFAR-10 experiments: the rules files in
/// `Examples/colep-knowledge`, read from the official code (kangmintong/COLEP @ 4bb16d1;
/// spec colep.md §1.5), every rule at the paper's weight w = 1.5.
///
/// The files are the only copy of the tables; this type finds them in the source checkout the
/// module was built from (as the digits example finds its data), so they load in a fresh
/// clone, in the tests and in `Benchmarks/`. Variables keep the code's indices (`label0`…,
/// `attr0`…); the files' comments give the inferred meaning of each.
public enum ReferenceKnowledge {
    /// `Examples/colep-knowledge` of the source checkout this module was built from.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/colep-knowledge")
    }

    /// GTSRB: 12 classes, 13 attributes, 30 `class ⇒ attribute` rules in three circuits
    /// (shape, content, color).
    public static var gtsrbURL: URL { directory.appendingPathComponent("gtsrb.rules") }

    /// CIFAR-10: 10 classes, 9 attributes, 30 `class ⇒ attribute` rules in three circuits
    /// (category, place, wheel-leg).
    public static var cifar10URL: URL { directory.appendingPathComponent("cifar10.rules") }

    /// Reads and parses ``gtsrbURL``.
    ///
    /// - Throws: `DataError` when the file cannot be read (a build moved away from its source
    ///   checkout) or does not parse.
    public static func gtsrb() throws -> KnowledgeBase { try KnowledgeBase(contentsOf: gtsrbURL) }

    /// Reads and parses ``cifar10URL``.
    ///
    /// - Throws: `DataError` when the file cannot be read or does not parse.
    public static func cifar10() throws -> KnowledgeBase { try KnowledgeBase(contentsOf: cifar10URL) }
}
