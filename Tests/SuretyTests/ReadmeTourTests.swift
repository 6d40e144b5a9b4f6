import Foundation
import Testing
import Surety

/// The README's quick tour, run as written (with a real data file), so the README cannot
/// drift from the API.
@Test func readmeTourRuns() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surety-tour-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let dataURL = directory.appendingPathComponent("data.csv")
    try Data("x1,x2,y\n1,2,a\n3,4,b\n".utf8).write(to: dataURL)

    // Reproducible randomness: same seed, same stream, on every machine.
    var rng = RandomStream(seed: 42)
    let streams = RandomStream.streams(seed: 42, count: 8)
    #expect(streams.count == 8)

    // Exact finite-sample bounds.
    let ci = try ConcentrationBounds.clopperPearson(successes: 80_000, trials: 100_000, failureProbability: 0.002)
    #expect(abs(ci.lowerBound - 0.796066) < 5e-7 && abs(ci.upperBound - 0.803894) < 5e-7)

    // Linear algebra on OpenBLAS/LAPACK.
    let x = try MultivariateNormal(mean: [0, 0], covariance: Matrix([[2, 1], [1, 2]]))
        .samples(count: 1_000, using: &rng)
    let chol = try x.gram().cholesky()
    #expect(chol.logDeterminant.isFinite)

    // Strict data loading.
    let table = try NumericTable.readCSV(url: dataURL, options: .init(label: .name("y")))
    #expect(table.labels == ["a", "b"])
    try Data("x1,x2,y\n1,n/a,a\n".utf8).write(to: dataURL)
    let error = #expect(throws: DataError.self) { try NumericTable.readCSV(url: dataURL, options: .init(label: .name("y"))) }
    #expect(error?.description == "\(dataURL.path):2:3: found 'n/a' in column 'x2'; expected a decimal number such as 3.25 or -1e-4")

    // Weighted knowledge compiled to a circuit.
    let knowledge = try KnowledgeBase.parse("""
        classes: stop
        concepts: octagon
        stop => octagon  w=1.5  pc=shape
        """)
    let shape = try knowledge.compile(circuit: "shape")
    let corrected = try shape.marginals(probabilities: Matrix([[0.9, 0.0]]))
    #expect(abs(corrected.marginals[0, 0] - 0.667572) < 5e-7)
    let box = try shape.marginalBounds(lower: Matrix([[0.85, 0.0]]), upper: Matrix([[0.95, 0.05]]))
    #expect(abs(box.lower[0, 0] - 0.558383) < 5e-7 && abs(box.upper[0, 0] - 0.832706) < 5e-7)
    #expect(box.kinds[0] == .exactByMonotonicity)

    // Every result ends in a certificate.
    let cert = Certificate(kind: "example.bound", claim: "…", parameters: ["delta": 0.002],
                           results: ["lower": .number(ci.lowerBound), "upper": .number(ci.upperBound)])
    let certURL = directory.appendingPathComponent("bound.json")
    try cert.write(to: certURL)
    #expect(try Certificate.read(from: certURL) == cert)
}
