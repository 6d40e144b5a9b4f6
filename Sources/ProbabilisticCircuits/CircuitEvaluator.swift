import Foundation

/// Upward and downward passes of a circuit in log space over a chunk of rows.
///
/// Values are stored node-major (`values[n * width + b]`), so every node's work is a loop over
/// the chunk's rows with no allocation. The upward pass computes `log value(n)`; the downward
/// pass computes `log ∂Z/∂value(n)` (Darwiche's differential semantics), accumulated with
/// log-add-exp where a node has several parents. Products pass each child the sum of its
/// siblings' logs through prefix and suffix sums, so zero-valued siblings (`-∞`) never meet
/// an `∞ − ∞`.
struct CircuitEvaluator {
    let circuit: ProbabilisticCircuit
    /// Rows per chunk.
    let width: Int
    var values: [Double]
    var derivatives: [Double]
    private var touched: [Bool]
    private var prefix: [Double]
    private var suffix: [Double]

    static let defaultWidth = 256

    init(_ circuit: ProbabilisticCircuit, width: Int = CircuitEvaluator.defaultWidth) {
        self.circuit = circuit
        self.width = width
        values = [Double](repeating: 0, count: circuit.nodes.count * width)
        derivatives = [Double](repeating: -.infinity, count: circuit.nodes.count * width)
        touched = [Bool](repeating: false, count: circuit.nodes.count)
        let widest = zip(circuit.childStart.dropFirst(), circuit.childStart).map { Int($0 - $1) }.max() ?? 1
        prefix = [Double](repeating: 0, count: (widest + 1) * width)
        suffix = [Double](repeating: 0, count: (widest + 1) * width)
    }

    /// Sets the log-values of the leaves for `count ≤ width` rows: `fill(variable, positive, out)`
    /// writes `count` values to `out`.
    mutating func setLeaves(count: Int, _ fill: (Int, Bool, UnsafeMutablePointer<Double>) -> Void) {
        let width = self.width
        values.withUnsafeMutableBufferPointer { val in
            for n in circuit.nodes.indices where circuit.kind[n] == .literal {
                fill(Int(circuit.leafVariable[n]), circuit.leafPositive[n], val.baseAddress! + n * width)
                _ = count
            }
        }
    }

    /// The upward pass over the first `count` rows.
    mutating func upward(count: Int) {
        let width = self.width
        let c = circuit
        c.childStart.withUnsafeBufferPointer { start in
        c.children.withUnsafeBufferPointer { kids in
        c.edgeLogWeight.withUnsafeBufferPointer { weight in
        values.withUnsafeMutableBufferPointer { val in
            let v = val.baseAddress!
            for n in c.nodes.indices {
                let kind = c.kind[n]
                if kind == .literal { continue }
                let s = Int(start[n]), e = Int(start[n + 1])
                let out = v + n * width
                if kind == .product {
                    let first = v + Int(kids[s]) * width
                    for b in 0..<count { out[b] = first[b] }
                    for k in (s + 1)..<max(s + 1, e) {
                        let x = v + Int(kids[k]) * width
                        for b in 0..<count { out[b] += x[b] }
                    }
                } else if e - s == 1 {
                    let x = v + Int(kids[s]) * width, w = weight[s]
                    for b in 0..<count { out[b] = x[b] + w }
                } else if e - s == 2 {
                    let x = v + Int(kids[s]) * width, y = v + Int(kids[s + 1]) * width
                    let wx = weight[s], wy = weight[s + 1]
                    for b in 0..<count { out[b] = logAddExp(x[b] + wx, y[b] + wy) }
                } else {
                    for b in 0..<count {
                        var m = -Double.infinity
                        for k in s..<e { m = Swift.max(m, v[Int(kids[k]) * width + b] + weight[k]) }
                        if m == -.infinity { out[b] = m; continue }
                        var total = 0.0
                        for k in s..<e { total += exp(v[Int(kids[k]) * width + b] + weight[k] - m) }
                        out[b] = m + log(total)
                    }
                }
            }
        }}}}
    }

    /// Log of the root's value for row `b` (after ``upward(count:)``).
    func logValue(node n: Int, row b: Int) -> Double { values[n * width + b] }

    /// Log of `∂Z/∂value(n)` for row `b` (after ``downward(count:)``; `-∞` where the node does
    /// not influence the root).
    func logDerivative(node n: Int, row b: Int) -> Double { derivatives[n * width + b] }

    /// The downward pass over the first `count` rows (needs ``upward(count:)`` first).
    ///
    /// With `seeds`, the pass starts from those nodes (each with derivative 1) instead of the
    /// root: seeding the factors of the root product gives every component's derivatives of
    /// its own value, unaffected by the other components.
    mutating func downward(count: Int, seeds: [Int]? = nil) {
        let width = self.width
        let c = circuit
        for n in touched.indices { touched[n] = false }
        let seeds = seeds ?? [c.root]
        for s in seeds { touched[s] = true }
        c.childStart.withUnsafeBufferPointer { start in
        c.children.withUnsafeBufferPointer { kids in
        c.edgeLogWeight.withUnsafeBufferPointer { weight in
        values.withUnsafeBufferPointer { valBuffer in
        derivatives.withUnsafeMutableBufferPointer { derBuffer in
        touched.withUnsafeMutableBufferPointer { touched in
        prefix.withUnsafeMutableBufferPointer { pre in
        suffix.withUnsafeMutableBufferPointer { suf in
            let v = valBuffer.baseAddress!, d = derBuffer.baseAddress!
            for seed in seeds {
                let out = d + seed * width
                for b in 0..<count { out[b] = 0 }
            }
            func accumulate(_ child: Int, _ contribution: (Int) -> Double) {
                let out = d + child * width
                if touched[child] {
                    for b in 0..<count { out[b] = logAddExp(out[b], contribution(b)) }
                } else {
                    touched[child] = true
                    for b in 0..<count { out[b] = contribution(b) }
                }
            }
            for n in stride(from: c.root, through: 0, by: -1) where touched[n] {
                let kind = c.kind[n]
                if kind == .literal { continue }
                let s = Int(start[n]), e = Int(start[n + 1])
                let dn = d + n * width
                if kind == .sum {
                    for k in s..<e {
                        let w = weight[k]
                        accumulate(Int(kids[k])) { dn[$0] + w }
                    }
                } else if e - s == 1 {
                    accumulate(Int(kids[s])) { dn[$0] }
                } else if e - s == 2 {
                    let x = v + Int(kids[s]) * width, y = v + Int(kids[s + 1]) * width
                    accumulate(Int(kids[s])) { dn[$0] + y[$0] }
                    accumulate(Int(kids[s + 1])) { dn[$0] + x[$0] }
                } else {
                    // prefix[k] = Σ_{i<k} child_i, suffix[k] = Σ_{i≥k} child_i (k counted from s).
                    let p = pre.baseAddress!, q = suf.baseAddress!
                    let k = e - s
                    for b in 0..<count { p[b] = 0; q[k * width + b] = 0 }
                    for i in 0..<k {
                        let x = v + Int(kids[s + i]) * width
                        for b in 0..<count { p[(i + 1) * width + b] = p[i * width + b] + x[b] }
                    }
                    for i in stride(from: k - 1, through: 0, by: -1) {
                        let x = v + Int(kids[s + i]) * width
                        for b in 0..<count { q[i * width + b] = q[(i + 1) * width + b] + x[b] }
                    }
                    for i in 0..<k {
                        accumulate(Int(kids[s + i])) { dn[$0] + p[i * width + $0] + q[(i + 1) * width + $0] }
                    }
                }
            }
        }}}}}}}}
        // Nodes the root does not reach have derivative zero.
        for n in touched.indices where !touched[n] {
            for b in 0..<width { derivatives[n * width + b] = -.infinity }
        }
    }
}

/// `log(e^a + e^b)`, exact at `-∞`.
@inline(__always)
func logAddExp(_ a: Double, _ b: Double) -> Double {
    let m = max(a, b)
    if m == -.infinity { return m }
    return m + log1p(exp(min(a, b) - m))
}
