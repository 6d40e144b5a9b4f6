import Conformal
import Foundation
import ProbabilisticCircuits
import SuretyNumerics
import Testing
import COLEP

/// Red-team test of the claim of `CalibratedCOLEP.certifiedPredict(lower:upper:using:)`:
/// the certified class set of a box `[lower, upper]` on the raw sensor estimates contains
/// the standard class set `predict(estimates:using:)` of every input whose estimates lie in
/// the box (coordinate-wise, all sensors), with the same per-sample uniforms `u`.
///
/// Apples-to-apples randomization: both calls get a `RandomStream` with the same seed and a
/// matrix with the same number of rows, and each row is compared with the same row. The
/// generator is first checked to be used identically by the two calls (degenerate boxes
/// `lower == upper == estimates` in general position must give exactly the standard sets).
/// Then every row `i` of a standard batch holds some point of the box and row `i` of the
/// certified batch holds the box itself, so the two sides of every comparison share
/// `u_i` — for every variable — whatever the library's draw layout is. Points that must be
/// compared with a *particular* `u` (the flip points of the standard set along a segment)
/// are found by bisection with the same seed and the same number of rows, so they are the
/// flip points for exactly the `u` of their row.
///
/// Knowledge bases, circuit weights, λ, α, α_cert, calibration data, boxes and points are
/// random from fixed seeds; every violation is recorded with a minimized reproduction
/// (the box shrunk to the point along every coordinate that is not needed). The test also
/// asserts its own coverage: thresholds on both sides of ½ for both scores, boxes whose
/// corrected range straddles ½ (and, for LAC, q or 1 − q), issue-#17-shaped boxes, box ends
/// at ½ / 0.5.nextUp / 0 / 1, and points whose per-variable sets were filled by the
/// never-empty rule (counted with an independent oracle of the standard sets, spec §2.1–2.3,
/// which must agree with the library's `predict` for the count to include a point).
@Suite struct CertifiedSetFalsificationTests {

    // MARK: - Scenario generation

    struct Scenario {
        var index: Int
        var text: String
        var knowledge: KnowledgeBase
        var lambda: Double
        var circuitWeights: [String: Double]?
        var alpha: Double
        var alphaCert: Double
        var calibrationMode: String
        var mixedRules: Bool
        var variables: Int { knowledge.variables.count }
    }

    static let weightChoices: [Double] = [0, 0.5, 1, 1.5, 3]
    static let alphaChoices: [Double] = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]

    static func uniform(_ a: Double, _ b: Double, _ rng: inout RandomStream) -> Double { a + (b - a) * rng.nextUniform() }
    static func pick<T>(_ xs: [T], _ rng: inout RandomStream) -> T { xs[rng.nextInt(below: xs.count)] }

    /// A random knowledge base in the rules syntax: classes, concepts, `class => concept`
    /// rules in up to three circuits with random weights (0, ½, 1, 1.5, 3 or uniform on
    /// [0, 4]); one in four with at most 5 sensors also has permissive `concept => class`,
    /// `class => !concept` and class-exclusion rules. λ cycles through 0, ½, 1 (and a random
    /// value every seventh base); β is random for about a third of the bases.
    static func randomScenario(index: Int, _ rng: inout RandomStream) throws -> Scenario {
        let large = index % 10 == 9  // 8 to 10 sensors; the others 1 to 7
        let classCount = large ? 4 + rng.nextInt(below: 2) : 1 + rng.nextInt(below: 4)
        let conceptCount = large ? 4 + rng.nextInt(below: 2) : rng.nextInt(below: 4)
        let circuitNames = Array(["shape", "color", "parts"].prefix(1 + rng.nextInt(below: 3)))
        // Non-monotone knowledge only up to 5 sensors: its bounds are slow (one 7-sensor,
        // 16-rule base took 11 s of the budget in debug).
        let mixed = index % 4 == 3 && !large
        var lines = ["classes: " + (0..<classCount).map { "c\($0)" }.joined(separator: " ")]
        if conceptCount > 0 { lines.append("concepts: " + (0..<conceptCount).map { "k\($0)" }.joined(separator: " ")) }
        func weight(_ rng: inout RandomStream) -> String {
            rng.nextInt(below: 6) == 0 ? String(format: "%.3f", uniform(0, 4, &rng)) : "\(pick(weightChoices, &rng))"
        }
        var seen = Set<String>()
        func add(_ formula: String, _ rng: inout RandomStream) {
            let circuit = pick(circuitNames, &rng)
            guard seen.insert(formula + "@" + circuit).inserted else { return }
            lines.append("\(formula)  w=\(weight(&rng))  pc=\(circuit)")
        }
        for c in 0..<classCount {
            for k in 0..<conceptCount where rng.nextUniform() < 0.55 { add("c\(c) => k\(k)", &rng) }
        }
        if mixed, classCount + conceptCount <= 5 {
            for c in 0..<classCount {
                for k in 0..<conceptCount {
                    let r = rng.nextUniform()
                    if r < 0.15 { add("k\(k) => c\(c)", &rng) } else if r < 0.25 { add("c\(c) => !k\(k)", &rng) }
                }
                if c + 1 < classCount, rng.nextUniform() < 0.3 { add("c\(c) => !c\(c + 1)", &rng) }
            }
        }
        let text = lines.joined(separator: "\n")
        let knowledge = try KnowledgeBase.parse(text)
        let lambdas: [Double] = [0, 0.5, 1, 0, 0.5, 1, uniform(0, 1, &rng)]
        let lambda = lambdas[index % lambdas.count]
        var weights: [String: Double]?
        if !knowledge.circuitNames.isEmpty, rng.nextUniform() < 0.35 {
            weights = Dictionary(uniqueKeysWithValues: knowledge.circuitNames.map { ($0, uniform(0.1, 3, &rng)) })
        }
        let alpha = pick(alphaChoices, &rng)
        let v = Double(knowledge.variables.count)
        let alphaCert = min(pick([1e-4, 5e-4, 1e-3], &rng), alpha / (4 * v))
        let modes = ["informative-0.1", "informative-0.3", "nearHalf", "informative-0.6", "grid", "noisy", "nearHalf", "nearHalf"]
        return Scenario(index: index, text: text, knowledge: knowledge, lambda: lambda, circuitWeights: weights, alpha: alpha,
                        alphaCert: alphaCert, calibrationMode: pick(modes, &rng), mixedRules: mixed && classCount + conceptCount <= 5)
    }

    /// Calibration estimates (samples × variables) and labels for a mode: informative sensors
    /// (truth ± spread), pure noise, estimates within 0.02 of ½ (with exact ½ and 0.5.nextUp),
    /// or a grid with ties.
    static func calibrationData(_ s: Scenario, predictor: COLEPPredictor, count n: Int, _ rng: inout RandomStream) throws -> (Matrix, [Int]) {
        let classCount = predictor.classes.count, v = s.variables
        let labels = (0..<n).map { _ in rng.nextInt(below: classCount) }
        var rows: [[Double]] = []
        let grid = [0, 0.25, 0.5, 0.5.nextUp, 0.75, 1]
        for i in 0..<n {
            rows.append((0..<v).map { j in
                let t = predictor.truth(of: j, forClass: labels[i])
                switch s.calibrationMode {
                case "noisy":
                    return rng.nextUniform()
                case "nearHalf":
                    let r = rng.nextUniform()
                    if r < 0.03 { return 0.5 }
                    if r < 0.06 { return 0.5.nextUp }
                    let e = uniform(0, 0.02, &rng)
                    return t == 1 ? 0.5 + e : 0.5 - e
                case "grid":
                    let g = pick(grid, &rng)
                    return rng.nextUniform() < 0.7 ? (t == 1 ? max(g, 0.5) : min(g, 0.5)) : g
                default:
                    let spread = Double(s.calibrationMode.split(separator: "-")[1])!
                    let e = uniform(0, spread, &rng)
                    return t == 1 ? 1 - e : e
                }
            })
        }
        return (try Matrix(rows), labels)
    }

    // MARK: - Matrices and sets

    static func matrix(_ rows: [[Double]]) throws -> Matrix { try Matrix(rows) }
    static func membership(_ sets: ClassSets, _ i: Int) -> [Bool] { (0..<sets.classes).map { sets.contains(sample: i, class: $0) } }
    static func describe(_ member: [Bool]) -> String {
        "{" + member.indices.filter { member[$0] }.map { "c\($0)" }.joined(separator: ", ") + "}"
    }
    static func describe(_ xs: [Double]) -> String { "[" + xs.map { "\($0)" }.joined(separator: ", ") + "]" }

    // MARK: - Statistics and violations

    struct Stats {
        var scenarios = 0, models = 0, boxes = 0, degenerateBoxes = 0, comparisons = 0, bisected = 0
        var lacBelow = 0, lacAbove = 0, lacAtHalf = 0, apsBelow = 0, apsAbove = 0, apsAtHalf = 0
        var straddleHalf = 0, lacStraddleHalfAndThreshold = 0, apsStraddleHalf = 0, bugClassBoxes = 0
        var endsAtHalf = 0, endsAtHalfNextUp = 0, touching0 = 0, touching1 = 0
        var identityMismatches = 0
        var oracleRows = 0, oracleAgreeing = 0, lacFilledPoints = 0, apsFilledPoints = 0
        var lambdaCounts: [Double: Int] = [:]
    }

    /// A batch of comparisons: row `i` of the certified call holds box `lowers[i]…uppers[i]`,
    /// row `i` of the standard call holds `points[i]` (inside that box); both use `seed`.
    struct Batch {
        var lowers: [[Double]] = [], uppers: [[Double]] = [], points: [[Double]] = []
        mutating func append(lower: [Double], upper: [Double], point: [Double]) {
            lowers.append(lower); uppers.append(upper); points.append(point)
        }
    }

    struct Violation {
        var batch: Batch
        var seed: UInt64, row: Int
        var standard: [Bool], certified: [Bool]
        var source: String
        var lower: [Double] { batch.lowers[row] }
        var upper: [Double] { batch.uppers[row] }
        var point: [Double] { batch.points[row] }
    }

    /// One model under test with everything needed to print a reproduction.
    struct Case {
        var scenario: Scenario
        var model: CalibratedCOLEP
        var scoreName: String
        var pruning: Bool
        var header: String
    }

    /// Every standard set must be a subset of the certified set of its row.
    static func compare(_ c: Case, _ batch: Batch, seed: UInt64, source: String,
                        stats: inout Stats, violations: inout [(Violation, Case)]) throws {
        let n = batch.points.count
        guard n > 0 else { return }
        var g1 = RandomStream(seed: seed), g2 = RandomStream(seed: seed)
        let certified = try c.model.certifiedPredict(lower: matrix(batch.lowers), upper: matrix(batch.uppers), using: &g1).sets
        let standard = try c.model.predict(estimates: matrix(batch.points), using: &g2)
        for i in 0..<n {
            stats.comparisons += 1
            let s = membership(standard, i), t = membership(certified, i)
            if zip(s, t).contains(where: { $0 && !$1 }) {
                violations.append((Violation(batch: batch, seed: seed, row: i, standard: s, certified: t, source: source), c))
            }
        }
    }

    /// Shrinks the violating row's box, coordinate by coordinate, to the point wherever the
    /// violation survives (same seed, same rows, same row: the same `u`).
    static func minimize(_ v: Violation, _ c: Case) throws -> Violation {
        var out = v
        for j in v.point.indices where out.lower[j] != out.upper[j] {
            var trial = out.batch
            trial.lowers[v.row][j] = v.point[j]
            trial.uppers[v.row][j] = v.point[j]
            var g = RandomStream(seed: v.seed)
            let sets = try c.model.certifiedPredict(lower: matrix(trial.lowers), upper: matrix(trial.uppers), using: &g).sets
            let t = membership(sets, v.row)
            if zip(v.standard, t).contains(where: { $0 && !$1 }) { out.batch = trial; out.certified = t }
        }
        return out
    }

    /// LAC only (no `u`): the per-variable standard sets at a point from the spec's formulas
    /// (§2.1/§2.3: keep b when S(π, b) ≤ q̂ with S(π, 1) = 1 − π and S(π, 0) = 1 − (1 − π) as the
    /// library scores the column [1 − π, π]; an empty set gets the top label, 0 on ties at ½),
    /// marking the variables whose set was filled by the never-empty rule.
    static func lacPerVariable(_ c: Case, point: [Double]) -> (text: String, filled: [String]) {
        guard c.model.predictor.score == .lac,
              let pi = try? c.model.predictor.correction.correct(matrix([point])) else { return ("(randomized score: depends on u)", []) }
        let names = c.scenario.knowledge.variables.map(\.name)
        var parts: [String] = [], filled: [String] = []
        for (k, v) in c.model.predictor.usedVariables.enumerated() {
            let p = pi[0, v], q0 = c.model.models[k].threshold(for: 0), q1 = c.model.models[k].threshold(for: 1)
            let q = q0 == q1 ? "\(q1)" : "[\(q0), \(q1)]"
            var set: [Int] = []
            if 1 - (1 - p) <= q0 { set.append(0) }
            if 1 - p <= q1 { set.append(1) }
            var mark = ""
            if set.isEmpty { set = [(1 - p) >= p ? 0 : 1]; mark = " (filled: empty by score)"; filled.append(names[v]) }
            parts.append("\(names[v]): π=\(p) q=\(q) → \(set)\(mark)")
        }
        return (parts.joined(separator: "; "), filled)
    }

    /// The standard class set from the spec's formulas at corrected probabilities `pi` (all
    /// variables) with per-used-variable uniforms `u` (empty for LAC), and whether some
    /// variable's set was filled by the never-empty rule.
    static func oracleStandardSet(_ c: Case, pi: [Double], u: [Double]) -> (classes: [Bool], filled: Bool) {
        let predictor = c.model.predictor
        var member = [Bool](repeating: true, count: predictor.classes.count)
        var anyFilled = false
        for (k, v) in predictor.usedVariables.enumerated() {
            let p1 = pi[v], p0 = 1 - pi[v], q0 = c.model.models[k].threshold(for: 0), q1 = c.model.models[k].threshold(for: 1)
            let s0: Double, s1: Double
            if predictor.score == .lac {
                s0 = 1 - p0; s1 = 1 - p1
            } else {
                s1 = (p0 >= p1 ? p0 : 0) + (1 - u[k]) * p1
                s0 = (p1 > p0 ? p1 : 0) + (1 - u[k]) * p0
            }
            var keep0 = s0 <= q0, keep1 = s1 <= q1
            if !keep0 && !keep1 {
                anyFilled = true
                if p1 > p0 { keep1 = true } else { keep0 = true }
            }
            if k < predictor.classes.count {
                if !keep1 { member[k] = false }
            } else if keep0 != keep1 {
                for cl in member.indices where predictor.truth(of: v, forClass: cl) == (keep0 ? 1 : 0) { member[cl] = false }
            }
        }
        return (member, anyFilled)
    }

    static func report(_ v: Violation, _ c: Case, minimized m: Violation) -> String {
        let pi = (try? c.scenario.knowledgeCorrection().correct(matrix([v.point]))).map { p in (0..<p.columns).map { p[0, $0] } } ?? []
        let names = c.scenario.knowledge.variables.map(\.name)
        let lacNote: String
        if c.model.predictor.score == .lac {
            lacNote = "(LAC: u plays no part; the single-row call certifiedPredict(lower: [\(describe(m.lower))], upper: [\(describe(m.upper))]) reproduces it)"
        } else {
            lacNote = "(randomized APS: u of row \(v.row) of \(v.batch.points.count) rows drawn from RandomStream(seed: \(v.seed)))"
        }
        return """
        CERTIFIED SET MISSES A CLASS OF A STANDARD SET (\(v.source))
        \(c.header)
        knowledge:
        \(c.scenario.text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        variables (sensor order): \(names.joined(separator: " "))
        thresholds (usedVariables \(c.model.predictor.usedVariables.map { names[$0] })): \(c.model.thresholds.map { describe($0) }.joined(separator: " "))
        box lower: \(describe(v.lower))
        box upper: \(describe(v.upper))
        point:     \(describe(v.point))
        corrected π at the point: \(describe(pi))
        RandomStream(seed: \(v.seed)), \(v.batch.points.count) rows, row \(v.row)
        standard set \(describe(v.standard)) ⊄ certified set \(describe(v.certified))
        per-variable standard sets at the point: \(lacPerVariable(c, point: v.point).text)
        minimized box (coordinates shrunk to the point where the failure survives):
            lower \(describe(m.lower))
            upper \(describe(m.upper))
            certified \(describe(m.certified))
        \(lacNote)
        """
    }

    // MARK: - Boxes and points

    /// A per-coordinate interval of one of many kinds: degenerate, narrow, wide, touching 0
    /// or 1, the whole [0, 1], an end at ½ or 0.5.nextUp, degenerate at ½ / 0.5.nextUp, from
    /// below the LAC keep-0 region to above ½ (issue #17's shape), ends at or straddling the
    /// critical values q and 1 − q of the coordinate's threshold.
    static func interval(center x: Double, threshold q: Double, _ rng: inout RandomStream) -> (Double, Double) {
        let half = 0.5, up = 0.5.nextUp
        let crit = [q, 1 - q].filter { $0 > 0 && $0 < 1 }
        var lo = x, hi = x
        switch rng.nextInt(below: 16) {
        case 0: break
        case 1: let w = uniform(0, 0.03, &rng); lo = x - w; hi = x + w
        case 2: let w = uniform(0, 0.2, &rng); lo = x - w; hi = x + w
        case 3: let w = uniform(0.2, 0.6, &rng); lo = x - w; hi = x + w
        case 4: lo = 0
        case 5: hi = 1
        case 6: lo = 0; hi = 1
        case 7: if x < half { hi = half } else { lo = half }
        case 8: if x < up { hi = up } else { lo = up }
        case 9: let d = pick([half, up, half.nextDown], &rng); lo = d; hi = d
        case 10, 11:
            // [below min(q, 1 − q), somewhere in (½, max(q, 1 − q))]: the shape of issue #17.
            let m = min(q, 1 - q), big = max(q, 1 - q)
            lo = m > 0 ? uniform(0, m, &rng) * pick([1, 0.999, 0.5], &rng) : 0
            hi = big > up ? uniform(up, big, &rng) : uniform(up, 1, &rng)
            if rng.nextInt(below: 4) == 0 { hi = up }
            if rng.nextInt(below: 5) == 0, m > 0 { lo = m }
        case 12:
            if let c = crit.isEmpty ? nil : pick(crit, &rng) {
                let e = pick([c, c.nextUp, c.nextDown], &rng)
                if rng.nextUniform() < 0.5 { lo = min(x, e); hi = e } else { lo = e; hi = max(x, e) }
            }
        case 13:
            if let c = crit.isEmpty ? nil : pick(crit, &rng) { lo = c - uniform(0, 0.1, &rng); hi = c + uniform(0, 0.1, &rng) }
        case 14: lo = half.nextDown; hi = up
        default: lo = min(x, half.nextDown); hi = max(x, half)
        }
        lo = min(max(lo, 0), 1); hi = min(max(hi, 0), 1)
        if lo > hi { swap(&lo, &hi) }
        return (lo, hi)
    }

    /// Values of a coordinate where a standard set can change: the ends, ½ and its
    /// neighbours, and the LAC critical values q and 1 − q with neighbours (two ulps either side).
    static func criticalValues(lo: Double, hi: Double, threshold q: Double?) -> [Double] {
        var c = [lo, hi, 0.5, 0.5.nextUp, 0.5.nextDown, 0.5.nextUp.nextUp]
        if let q, q.isFinite {
            for base in [q, 1 - q] { c += [base, base.nextUp, base.nextDown, base.nextUp.nextUp, base.nextDown.nextDown] }
        }
        return Array(Set(c.filter { $0 >= lo && $0 <= hi })).sorted()
    }

    /// The points of one box: vertices (all when at most 10 coordinates are wide, else 128
    /// random ones), each coordinate at each of its critical values (alternately on the
    /// centre and on a random vertex), 8 mixtures of critical values, 8 uniform points.
    static func boxPoints(lower: [Double], upper: [Double], coordinateThreshold: [Double], _ rng: inout RandomStream) -> [[Double]] {
        let v = lower.count
        func randomVertex(_ rng: inout RandomStream) -> [Double] { (0..<v).map { rng.nextUniform() < 0.5 ? lower[$0] : upper[$0] } }
        var points: [[Double]] = []
        let wide = (0..<v).filter { lower[$0] != upper[$0] }
        if wide.count <= 10 {
            for mask in 0..<(1 << wide.count) {
                var p = lower
                for (bit, j) in wide.enumerated() where mask & (1 << bit) != 0 { p[j] = upper[j] }
                points.append(p)
            }
        } else {
            for _ in 0..<128 { points.append(randomVertex(&rng)) }
        }
        let center = (0..<v).map { lower[$0] + (upper[$0] - lower[$0]) / 2 }
        let crit = (0..<v).map { criticalValues(lo: lower[$0], hi: upper[$0], threshold: coordinateThreshold[$0]) }
        let base2 = randomVertex(&rng)
        for j in wide {
            for (k, x) in crit[j].enumerated() {
                var p = k % 2 == 0 ? center : base2
                p[j] = x
                points.append(p)
            }
        }
        for _ in 0..<8 { points.append((0..<v).map { pick(crit[$0], &rng) }) }
        for _ in 0..<8 { points.append((0..<v).map { uniform(lower[$0], upper[$0], &rng) }) }
        return points
    }

    /// All boxes of one model, checked in three batches: the box points; the last point
    /// before and the first point after each flip of the standard set along each wide
    /// coordinate (from the centre and from a random vertex) and along two diagonals, found
    /// by bisection with the same seed and row count as the final comparison (so for each
    /// row's own `u`; coordinates are bisected on their bit patterns down to adjacent doubles).
    static func checkBoxes(_ c: Case, boxes: [([Double], [Double])], coordinateThreshold: [Double],
                           rng: inout RandomStream, stats: inout Stats, violations: inout [(Violation, Case)]) throws {
        let predictor = c.model.predictor
        var pointsBatch = Batch()
        var boxOfRow: [Int] = []
        let copies = 1
        for (b, (lower, upper)) in boxes.enumerated() {
            stats.boxes += 1
            if lower == upper { stats.degenerateBoxes += 1 }
            if lower.contains(0.5) || upper.contains(0.5) { stats.endsAtHalf += 1 }
            if lower.contains(0.5.nextUp) || upper.contains(0.5.nextUp) { stats.endsAtHalfNextUp += 1 }
            if lower.contains(0) { stats.touching0 += 1 }
            if upper.contains(1) { stats.touching1 += 1 }
            let points = boxPoints(lower: lower, upper: upper, coordinateThreshold: coordinateThreshold, &rng)
            for _ in 0..<copies {
                for p in points { pointsBatch.append(lower: lower, upper: upper, point: p); boxOfRow.append(b) }
            }
        }
        let pointsSeed = rng.next()
        try compare(c, pointsBatch, seed: pointsSeed, source: "box point", stats: &stats, violations: &violations)

        // Straddle statistics on the corrected probabilities of the points evaluated.
        let pi = try predictor.correction.correct(matrix(pointsBatch.points))
        let used = predictor.usedVariables, thresholds = c.model.models.map { $0.threshold(for: 1) }

        // Coverage of the never-empty rule: an independent oracle of the standard sets (spec
        // §2.1–2.3, with the uniforms drawn as one block of N per used variable in
        // usedVariables order); where it agrees with the library, count the points at which
        // some variable's set was filled.
        var generator = RandomStream(seed: pointsSeed)
        let uniforms = predictor.score.isRandomized ? used.map { _ in generator.uniforms(count: pi.rows) } : []
        var filledRows = 0, agreeingRows = 0
        var g = RandomStream(seed: pointsSeed)
        let libraryStandard = try c.model.predict(estimates: matrix(pointsBatch.points), using: &g)
        for i in 0..<pi.rows {
            let (classes, filled) = oracleStandardSet(c, pi: (0..<pi.columns).map { pi[i, $0] }, u: uniforms.map { $0[i] })
            if classes == membership(libraryStandard, i) {
                agreeingRows += 1
                if filled { filledRows += 1 }
            }
        }
        stats.oracleRows += pi.rows
        stats.oracleAgreeing += agreeingRows
        if predictor.score == .lac { stats.lacFilledPoints += filledRows } else { stats.apsFilledPoints += filledRows }
        var range = [[(Double, Double)]](repeating: [(Double, Double)](repeating: (.infinity, -.infinity), count: used.count), count: boxes.count)
        for i in 0..<pi.rows {
            for (k, variable) in used.enumerated() {
                let x = pi[i, variable]
                range[boxOfRow[i]][k] = (min(range[boxOfRow[i]][k].0, x), max(range[boxOfRow[i]][k].1, x))
            }
        }
        for b in boxes.indices {
            var straddles = false, both = false, bugShape = false
            for (k, (lo, hi)) in range[b].enumerated() where lo <= 0.5 && hi > 0.5 {
                straddles = true
                let q = thresholds[k]
                guard predictor.score == .lac else { continue }
                if [q, 1 - q].contains(where: { $0 >= lo && $0 <= hi }) { both = true }
                if q < 0.5, k < predictor.classes.count, lo <= q, hi < 1 - q { bugShape = true }
            }
            if straddles {
                stats.straddleHalf += 1
                if predictor.score == .lac { if both { stats.lacStraddleHalfAndThreshold += 1 } } else { stats.apsStraddleHalf += 1 }
            }
            if bugShape { stats.bugClassBoxes += 1 }
        }

        // Flip points of the standard set.
        var segments: [(a: [Double], b: [Double], coordinate: Int?, box: Int)] = []
        for (b, (lower, upper)) in boxes.enumerated() {
            let v = lower.count
            let wide = (0..<v).filter { lower[$0] != upper[$0] }
            let center = (0..<v).map { lower[$0] + (upper[$0] - lower[$0]) / 2 }
            let vertex = (0..<v).map { rng.nextUniform() < 0.5 ? lower[$0] : upper[$0] }
            for j in wide {
                for base in [center, vertex] {
                    var p = base, q = base; p[j] = lower[j]; q[j] = upper[j]
                    segments.append((p, q, j, b))
                }
            }
            if !wide.isEmpty {
                segments.append((lower, upper, nil, b))
                segments.append((vertex, (0..<v).map { vertex[$0] == lower[$0] ? upper[$0] : lower[$0] }, nil, b))
            }
        }
        guard !segments.isEmpty else { return }
        let seed = rng.next()
        let m = segments.count
        func sets(_ pts: [[Double]]) throws -> [[Bool]] {
            var g = RandomStream(seed: seed)
            let s = try c.model.predict(estimates: matrix(pts), using: &g)
            return (0..<m).map { membership(s, $0) }
        }
        var a = segments.map(\.a), b = segments.map(\.b)
        var ta = [Double](repeating: 0, count: m), tb = [Double](repeating: 1, count: m)
        let setA = try sets(a), setB = try sets(b)
        var active = (0..<m).map { setA[$0] != setB[$0] }
        stats.bisected += active.filter { $0 }.count
        for _ in 0..<70 where active.contains(true) {
            var mids = a
            var tm = ta
            for i in 0..<m where active[i] {
                if let j = segments[i].coordinate {
                    let ia = a[i][j].bitPattern, ib = b[i][j].bitPattern
                    if ib - ia <= 1 { active[i] = false; continue }
                    mids[i][j] = Double(bitPattern: ia + (ib - ia) / 2)
                } else {
                    tm[i] = ta[i] + (tb[i] - ta[i]) / 2
                    if tm[i] == ta[i] || tm[i] == tb[i] { active[i] = false; continue }
                    let (lower, upper) = boxes[segments[i].box]
                    let (s, e) = (segments[i].a, segments[i].b)
                    mids[i] = (0..<s.count).map { k in min(max(s[k] + tm[i] * (e[k] - s[k]), lower[k]), upper[k]) }
                }
            }
            let setM = try sets(mids)
            for i in 0..<m where active[i] {
                if setM[i] == setA[i] { a[i] = mids[i]; ta[i] = tm[i] } else { b[i] = mids[i]; tb[i] = tm[i] }
            }
        }
        var before = Batch(), after = Batch()
        for i in 0..<m {
            let (lower, upper) = boxes[segments[i].box]
            before.append(lower: lower, upper: upper, point: a[i])
            after.append(lower: lower, upper: upper, point: b[i])
        }
        try compare(c, before, seed: seed, source: "flip point (before)", stats: &stats, violations: &violations)
        try compare(c, after, seed: seed, source: "flip point (after)", stats: &stats, violations: &violations)
    }

    // MARK: - The falsification test

    @Test func certifiedSetContainsEveryStandardSetInTheBox() throws {
        let start = Date()
        let trace = ProcessInfo.processInfo.environment["FALS_TRACE"] != nil
        var stats = Stats()
        var violations: [(Violation, Case)] = []
        var master = RandomStream(seed: 20_240_317)
        let scenarioCount = 30
        let scores: [(String, ClassificationScore)] = [("lac", .lac), ("aps(randomized)", .aps(randomized: true))]

        for index in 0..<scenarioCount {
            let scenario = try Self.randomScenario(index: index, &master)
            let t0 = Date()
            stats.scenarios += 1
            stats.lambdaCounts[scenario.lambda, default: 0] += 1
            let correction = try scenario.knowledgeCorrection()
            for (scoreName, score) in scores {
                for pruning in [false, true] {
                    if pruning, scenario.knowledge.variables(withRole: .concept).isEmpty, index % 2 == 0 { continue }
                    let predictor = try COLEPPredictor(correction: correction, alpha: scenario.alpha, score: score,
                                                       smoothingFailure: scenario.alphaCert, conceptPruning: pruning,
                                                       calibration: (index + (pruning ? 1 : 0)) % 2 == 0 ? .unionBound : .classConditional)
                    let minimum = (10...).first { ConformalThreshold.rank(count: $0, alpha: predictor.variableAlpha) != nil }!
                    let n = max(minimum, 120 + master.nextInt(below: 180))
                    let (estimates, labels) = try Self.calibrationData(scenario, predictor: predictor, count: n, &master)
                    var calibrationRNG = RandomStream(seed: master.next())
                    let model = try predictor.calibrate(estimates: estimates, labels: labels, using: &calibrationRNG)
                    stats.models += 1
                    let header = "scenario #\(index) score=\(scoreName) conceptPruning=\(pruning) λ=\(scenario.lambda) β=\(String(describing: scenario.circuitWeights)) "
                        + "α=\(scenario.alpha) α_cert=\(scenario.alphaCert) α split=\(predictor.calibration.rawValue) calibration=\(scenario.calibrationMode) n=\(n)"
                    let c = Case(scenario: scenario, model: model, scoreName: scoreName, pruning: pruning, header: header)
                    let used = predictor.usedVariables
                    // Label-1 thresholds per used variable (class-conditional models have one per label).
                    let thresholds = model.models.map { $0.threshold(for: 1) }
                    for q in model.thresholds.flatMap({ $0 }) {
                        if score == .lac {
                            if q < 0.5 { stats.lacBelow += 1 } else if q > 0.5 { stats.lacAbove += 1 } else { stats.lacAtHalf += 1 }
                        } else {
                            if q < 0.5 { stats.apsBelow += 1 } else if q > 0.5 { stats.apsAbove += 1 } else { stats.apsAtHalf += 1 }
                        }
                    }
                    // Threshold per sensor coordinate (unused variables borrow a random one).
                    let v = scenario.variables
                    let coordinateThreshold: [Double] = (0..<v).map { j in
                        if let k = used.firstIndex(of: j) { return thresholds[k] }
                        return thresholds[master.nextInt(below: thresholds.count)]
                    }

                    // 1. The generator is used the same way: degenerate boxes at points in
                    //    general position give exactly the standard sets.
                    let generic = (0..<24).map { _ in (0..<v).map { _ in master.nextUniform() } }
                    let identitySeed = master.next()
                    var g1 = RandomStream(seed: identitySeed), g2 = RandomStream(seed: identitySeed)
                    let degenerate = try model.certifiedPredict(lower: Self.matrix(generic), upper: Self.matrix(generic), using: &g1).sets
                    let standard = try model.predict(estimates: Self.matrix(generic), using: &g2)
                    for i in generic.indices where Self.membership(degenerate, i) != Self.membership(standard, i) {
                        stats.identityMismatches += 1
                        if stats.identityMismatches <= 5 {
                            Issue.record("""
                                lower == upper == estimates does not reproduce the standard set (generator use or tie handling differs): \(header)
                                estimates \(Self.describe(generic[i])), RandomStream(seed: \(identitySeed)), 24 rows, row \(i)
                                standard \(Self.describe(Self.membership(standard, i))) certified \(Self.describe(Self.membership(degenerate, i)))
                                """)
                        }
                    }

                    // 2. Boxes.
                    var boxes: [([Double], [Double])] = []
                    for b in 0..<(scenario.variables >= 8 ? 2 : 6) {
                        let centers = (0..<v).map { j -> Double in
                            switch master.nextInt(below: 4) {
                            case 0: return Self.pick([0, 1, 0.5, 0.5.nextUp, coordinateThreshold[j], 1 - coordinateThreshold[j]], &master)
                            default: return master.nextUniform()
                            }
                        }
                        var lower = centers.map { min(max($0, 0), 1) }, upper = lower
                        if b != 0 || index % 3 != 0 {  // every third scenario's first box is degenerate
                            for j in 0..<v {
                                let q = coordinateThreshold[j].isFinite ? coordinateThreshold[j] : master.nextUniform()
                                (lower[j], upper[j]) = Self.interval(center: lower[j], threshold: q, &master)
                            }
                        }
                        boxes.append((lower, upper))
                    }
                    try Self.checkBoxes(c, boxes: boxes, coordinateThreshold: coordinateThreshold,
                                        rng: &master, stats: &stats, violations: &violations)
                }
            }
            if trace {
                FileHandle.standardError.write(Data("scenario \(index) V=\(scenario.variables) rules=\(scenario.knowledge.rules.count) \(String(format: "%.2f", Date().timeIntervalSince(t0))) s, \(stats.comparisons) comparisons\n".utf8))
            }
        }

        let seconds = Date().timeIntervalSince(start)
        print("""
            [CertifiedSetFalsification] \(stats.scenarios) knowledge bases (λ counts \(stats.lambdaCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })), \
            \(stats.models) calibrated models, \(stats.boxes) boxes (\(stats.degenerateBoxes) degenerate), \(stats.comparisons) point comparisons, \
            \(stats.bisected) bisected flip points
            thresholds: LAC < ½: \(stats.lacBelow), = ½: \(stats.lacAtHalf), > ½: \(stats.lacAbove); APS < ½: \(stats.apsBelow), = ½: \(stats.apsAtHalf), > ½: \(stats.apsAbove)
            boxes: corrected range straddling ½ \(stats.straddleHalf) (LAC and also straddling q or 1 − q: \(stats.lacStraddleHalfAndThreshold); APS: \(stats.apsStraddleHalf)); \
            issue-#17 shape (LAC, q < ½, π from ≤ q to (½, 1 − q)): \(stats.bugClassBoxes)
            box ends: at ½ \(stats.endsAtHalf), at 0.5.nextUp \(stats.endsAtHalfNextUp), touching 0 \(stats.touching0), touching 1 \(stats.touching1)
            identity (degenerate box ≠ standard set) mismatches: \(stats.identityMismatches)
            independent standard-set oracle agrees on \(stats.oracleAgreeing) of \(stats.oracleRows) box points; \
            points with a set filled by the never-empty rule: LAC \(stats.lacFilledPoints), APS \(stats.apsFilledPoints)
            violations: \(violations.count); runtime \(String(format: "%.1f", seconds)) s
            """)

        // Violations: a summary per kind, then the first reproduction of each kind, minimized.
        var byKind: [String: Int] = [:]
        var withFilled = 0
        for (v, c) in violations {
            let filled = Self.lacPerVariable(c, point: v.point).filled
            if !filled.isEmpty { withFilled += 1 }
            let share = c.scenario.lambda == 0 ? "λ=0" : "λ>0"
            byKind["\(c.scoreName) pruning=\(c.pruning) \(share) \(v.source)", default: 0] += 1
        }
        print("  violations whose point has a per-variable LAC set filled by the never-empty rule: \(withFilled) of \(violations.count)")
        for (k, n) in byKind.sorted(by: { $0.key < $1.key }) { print("  violations [\(k)]: \(n)") }
        // Which sensors a violation needs wide: minimize a spread sample of 40 and tally the
        // roles (class sensors only: issue #17 itself; concept sensors only: its mirror through
        // concept pruning); print the first reproduction of each kind.
        var roles: [String: Int] = [:]
        var printed = Set<String>()
        let step = max(1, violations.count / 40)
        for (v, c) in Swift.stride(from: 0, to: violations.count, by: step).map({ violations[$0] }) {
            let m = try Self.minimize(v, c)
            let wide = m.point.indices.filter { m.lower[$0] != m.upper[$0] }
            let kinds = Set(wide.map { c.scenario.knowledge.variables[$0].role == .class ? "class" : "concept" }).sorted().joined(separator: "+")
            roles["\(c.scoreName) pruning=\(c.pruning): wide \(kinds)", default: 0] += 1
            guard printed.insert("\(c.scoreName) \(c.pruning) \(c.scenario.lambda == 0) \(kinds)").inserted else { continue }
            let text = Self.report(v, c, minimized: m)
            print(text)
            Issue.record(Comment(rawValue: text))
        }
        for (k, n) in roles.sorted(by: { $0.key < $1.key }) { print("  minimized sample [\(k)]: \(n)") }
        if !violations.isEmpty {
            Issue.record("\(violations.count) standard sets were not contained in their box's certified set (\(byKind.count) kinds)")
        }

        // The generated cases must cover what they claim to.
        #expect(stats.lacBelow >= 30 && stats.lacAbove >= 30, "LAC thresholds: \(stats.lacBelow) below ½, \(stats.lacAbove) above")
        #expect(stats.apsBelow >= 10 && stats.apsAbove >= 30, "APS thresholds: \(stats.apsBelow) below ½, \(stats.apsAbove) above")
        #expect(stats.straddleHalf >= 200, "boxes straddling ½: \(stats.straddleHalf)")
        #expect(stats.lacStraddleHalfAndThreshold >= 50, "LAC boxes straddling ½ and q or 1 − q: \(stats.lacStraddleHalfAndThreshold)")
        #expect(stats.bugClassBoxes >= 20, "issue-#17-shaped boxes: \(stats.bugClassBoxes)")
        #expect(stats.endsAtHalf >= 20 && stats.endsAtHalfNextUp >= 20 && stats.touching0 >= 20 && stats.touching1 >= 20 && stats.degenerateBoxes >= 10)
        #expect(Set(stats.lambdaCounts.keys).isSuperset(of: [0, 0.5, 1]))
        #expect(stats.lacFilledPoints >= 500 && stats.apsFilledPoints >= 500,
                "filled sets exercised: LAC \(stats.lacFilledPoints), APS \(stats.apsFilledPoints) (oracle agreement \(stats.oracleAgreeing)/\(stats.oracleRows))")
    }

    // MARK: - Issue #17, minimal

    /// Issue #17: LAC, one class variable, λ = 0 (π = the sensor), threshold q ≈ 0.2 < ½.
    /// At p = 0.6 ∈ (½, 1 − q) neither label scores within q (1 − 0.6 > q, 0.6 > q), so the
    /// never-empty rule fills the set with the top-ranked label 1 and the standard class set is
    /// {a}. The box [0.1, 0.6] contains 0.6, so its certified set must contain a.
    @Test func issue17LACThresholdBelowHalfBoxFromBelowThresholdToAboveHalf() throws {
        let knowledge = try KnowledgeBase.parse("classes: a")
        let predictor = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge, circuitShare: 0),
                                           alpha: 0.1, score: .lac, smoothingFailure: 0.001)
        // Every calibration sample is class a with estimate 0.8: every score is 1 − 0.8.
        var rng = RandomStream(seed: 17)
        let model = try predictor.calibrate(estimates: Matrix(rows: 100, columns: 1, repeating: 0.8),
                                            labels: [Int](repeating: 0, count: 100), using: &rng)
        let q = model.thresholds[0][0]
        #expect(q == 1 - 0.8, "threshold \(q)")
        #expect(q < 0.5)

        for point in [0.6, 0.5.nextUp] {
            var g1 = RandomStream(seed: 1), g2 = RandomStream(seed: 1)
            let standard = try model.predict(estimates: Matrix([[point]]), using: &g1)
            #expect(standard.contains(sample: 0, class: 0), "premise: the standard set at \(point) is {a}")
            let certified = try model.certifiedPredict(lower: Matrix([[0.1]]), upper: Matrix([[0.6]]), using: &g2).sets
            #expect(certified.contains(sample: 0, class: 0),
                    "issue #17: LAC q = \(q) < ½, box [0.1, 0.6], standard set at \(point) is {a}, certified set \(Self.describe(Self.membership(certified, 0)))")
        }
    }
}

extension CertifiedSetFalsificationTests {
    /// The mirror of issue #17 through concept pruning: LAC, λ = 0, classes a (⇒ k) and b,
    /// concept threshold q ≈ 0.1 < ½. At k = 0.3 ∈ (q, ½) neither label of k scores within q,
    /// so k's set is filled with the top label 0: Ĉ_k = {0} removes a (which has k) but not b,
    /// and with b's own sensor at 0.95 the standard set is {b}. The box k ∈ [0.3, 1] (a and b
    /// fixed) contains that input, so its certified set must contain b; dropping the filled
    /// label 0 from k's certified set makes it {1}, which removes b (b lacks k).
    @Test func issue17MirrorThroughConceptPruning() throws {
        let knowledge = try KnowledgeBase.parse("classes: a b\nconcepts: k\na => k  w=1.5")
        let predictor = try COLEPPredictor(correction: KnowledgeCorrection(knowledge: knowledge, circuitShare: 0),
                                           alpha: 0.3, score: .lac, smoothingFailure: 0.001, conceptPruning: true)
        // Every calibration sensor reads its truth at 0.9 / 0.1: every score is 0.1 (to rounding).
        let labels = (0..<100).map { $0 % 2 }
        let rows = labels.map { y in (0..<3).map { v in predictor.truth(of: v, forClass: y) == 1 ? 0.9 : 0.1 } }
        var rng = RandomStream(seed: 17)
        let model = try predictor.calibrate(estimates: Matrix(rows), labels: labels, using: &rng)
        #expect(model.thresholds.flatMap { $0 }.allSatisfy { abs($0 - 0.1) < 1e-12 }, "thresholds \(model.thresholds)")

        let point: [Double] = [0.05, 0.95, 0.3]
        var g1 = RandomStream(seed: 1), g2 = RandomStream(seed: 1)
        let standard = try model.predict(estimates: Matrix([point]), using: &g1)
        #expect(Self.membership(standard, 0) == [false, true], "premise: the standard set at \(point) is {b}")
        let certified = try model.certifiedPredict(lower: Matrix([[0.05, 0.95, 0.3]]), upper: Matrix([[0.05, 0.95, 1.0]]), using: &g2).sets
        #expect(certified.contains(sample: 0, class: 1),
                "LAC q_k ≈ 0.1, box k ∈ [0.3, 1], standard set at k = 0.3 is {b}, certified set \(Self.describe(Self.membership(certified, 0)))")
    }
}

extension CertifiedSetFalsificationTests.Scenario {
    func knowledgeCorrection() throws -> KnowledgeCorrection {
        try KnowledgeCorrection(knowledge: knowledge, circuitShare: lambda, circuitWeights: circuitWeights)
    }
}
