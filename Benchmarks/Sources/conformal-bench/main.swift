// The Swift side of conformal_peers.py: split-conformal calibrate + predict with LAC,
// deterministic APS and randomized APS on the arrays the Python script wrote, timed, with the
// prediction sets written back as 0/1 indicator matrices for comparison with MAPIE and crepes.
// Randomized APS uses the uniforms MAPIE draws, so both sides score with the same u.
//
//   conformal-bench DIR      (DIR holds cal_probs.npy, cal_labels.npy, test_probs.npy,
//                             cal_uniforms.npy, test_uniforms.npy)
import Conformal
import Foundation
import SuretyData
import SuretyNumerics

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: conformal-bench DIR\n".utf8))
    exit(64)
}
let dir = URL(fileURLWithPath: CommandLine.arguments[1])
do {
    let calP = try NPY.read(url: dir.appendingPathComponent("cal_probs.npy")).matrix()
    let calY = try NPY.read(url: dir.appendingPathComponent("cal_labels.npy")).values.map { Int($0) }
    let testP = try NPY.read(url: dir.appendingPathComponent("test_probs.npy")).matrix()
    // The peer's uniforms, used as given.
    let calU = try NPY.read(url: dir.appendingPathComponent("cal_uniforms.npy")).values
    let testU = try NPY.read(url: dir.appendingPathComponent("test_uniforms.npy")).values
    for (name, score) in [("lac", ClassificationScore.lac), ("aps", .aps(randomized: false)), ("aps-randomized", .aps(randomized: true))] {
        var best = Double.infinity
        var sets: PredictionSets?
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            let model = try SplitConformalClassifier(score: score, alpha: 0.1, allowEmpty: true)
                .calibrate(probabilities: calP, labels: calY, uniforms: score.isRandomized ? calU : [])
            sets = try model.predict(probabilities: testP, uniforms: score.isRandomized ? testU : [])
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        guard let sets else { continue }
        var indicator = [Double](repeating: 0, count: sets.count * testP.columns)
        for i in 0..<sets.count {
            for y in 0..<testP.columns where sets.contains(sample: i, label: y) { indicator[i * testP.columns + y] = 1 }
        }
        try NPY.write(NPYArray(shape: [sets.count, testP.columns], values: indicator), to: dir.appendingPathComponent("surety_\(name)_sets.npy"))
        print("\(name) \(best)")
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(64)
}
