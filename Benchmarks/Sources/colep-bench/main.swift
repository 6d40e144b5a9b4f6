// The certification step of COLEP at scale: 10⁵ test points × 25 sensors (COLEP's GTSRB
// knowledge), single process.
//
//   OPENBLAS_NUM_THREADS=1 swift run -c release colep-bench [testPoints]
//
// Calibrates on 2000 synthetic points (exact smoothing), draws N = 1000 votes for the test
// points (not timed), then times: smoothing boxes from the votes, certified sets (Thm 2, which
// includes the bounds through the three circuits) and certified coverage (Thm 3, the same
// boxes and bounds again); best and median of 3 runs.
import COLEP
import BenchmarkInputs
import Foundation
import ProbabilisticCircuits
import SuretyNumerics


let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
let knowledge = try ReferenceKnowledge.gtsrb()
let predictor = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge), score: .lac)
let smoothing = try RandomizedSmoothing(sigma: 0.25, radius: 0.1)
var rng = RandomStream(seed: 2024)
let calibration = try SyntheticKnowledgeData(predictor: predictor, count: 2000, classNoise: 0.5, conceptNoise: 0.25, using: &rng)
let model = try predictor.calibrate(estimates: SyntheticKnowledgeData.smoothed(calibration.inputs, sigma: 0.25), labels: calibration.labels, using: &rng)
let test = try SyntheticKnowledgeData(predictor: predictor, count: count, classNoise: 0.5, conceptNoise: 0.25, using: &rng)
let votes = try SyntheticKnowledgeData.votes(test.inputs, sigma: 0.25, draws: 1000, using: &rng)
print("\(count) test points × \(knowledge.variables.count) sensors, N = 1000 votes")

var boxes: (lower: Matrix, upper: Matrix)?
print("smoothing boxes: " + timingSummary(digits: 3, try (0..<3).map { _ in try seconds { boxes = try smoothing.boxes(votes, failureProbability: predictor.smoothingFailure) } }))
let (lower, upper) = boxes!
var size = 0.0
print("certified sets (bounds through the circuits included): " + timingSummary(digits: 3, try (0..<3).map { _ in
    try seconds { size = try model.certifiedPredict(lower: lower, upper: upper, using: &rng).sets.meanSize }
}))
var bound = 0.0
print("certified coverage (boxes and bounds included): " + timingSummary(digits: 3, try (0..<3).map { _ in
    try seconds { bound = try model.certifiedCoverage(clean: votes, labels: test.labels, smoothing: smoothing, using: &rng).bound }
}))
print(String(format: "mean certified set size %.3f, certified coverage %.4f", size, bound))
