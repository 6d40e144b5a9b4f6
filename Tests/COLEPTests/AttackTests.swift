import Foundation
import ProbabilisticCircuits
import SuretyNumerics
import Testing
@testable import COLEP

@Suite struct AttackTests {
    /// On a small two-class problem with one concept, PGD stays inside the ℓ2 ball and lowers
    /// the true class's corrected smoothed probability on average.
    @Test func pgdStaysInTheBallAndLowersTheTrueClass() throws {
        let knowledge = try KnowledgeBase.parse("classes: a b\nconcepts: round\na => round  w=1.5  pc=shape")
        let predictor = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge), score: .lac)
        var rng = RandomStream(seed: 12)
        let d = 4, n = 200
        var rows = [[Double]](), labels = [Int]()
        for i in 0..<n {
            let c = i % 2
            rows.append((0..<d).map { j in (j == c ? 1.0 : 0.0) + 0.6 * Normal.standard.sample(using: &rng) })
            labels.append(c)
        }
        let x = try Matrix(rows)
        let sensors = try NoisyLinearSensors.train(features: x, labels: labels, classes: 2, conceptTruth: [[1], [0]], sigma: 0.25,
                                                   epochs: 100, using: &rng)
        let roles: [NoisyLinearSensors.SensorRole] = [.class(0), .class(1), .concept(0)]
        let test = try Matrix(Array(rows.prefix(20)))
        let radius = 0.5
        let attacked = try SmoothedPipelineAttack(radius: radius, steps: 10, gradientDraws: 32)
            .attack(test, labels: Array(labels.prefix(20)), sensors: sensors, predictor: predictor, roles: roles, using: &rng)
        for i in 0..<20 {
            let shift = (0..<d).reduce(0.0) { $0 + pow(attacked[i, $1] - test[i, $1], 2) }.squareRoot()
            #expect(shift <= radius + 1e-12)
        }
        // The attack's objective, with exact (closed-form) soft smoothing replaced by many votes.
        func truePi(_ m: Matrix) throws -> Double {
            let votes = try sensors.votes(m, draws: 2000, variables: roles, using: &rng)
            let pi = try predictor.correction.correct(Matrix(votes.map { $0.map(\.estimate) }))
            return (0..<20).reduce(0.0) { $0 + pi[$1, labels[$1]] } / 20
        }
        #expect(try truePi(attacked) < truePi(test) - 0.01)
    }
}
