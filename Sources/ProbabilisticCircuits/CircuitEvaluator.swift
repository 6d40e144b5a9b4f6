import Foundation

/// The arithmetic a circuit query runs in. Both give the same answers to rounding; they
/// differ in speed.
public enum CircuitArithmetic: Sendable, Hashable {
    /// Plain products and sums, checked: every multiplication whose operands are non-zero
    /// must give a normal number (no underflow, overflow or subnormal loss). A chunk of rows
    /// that fails the check anywhere is recomputed in log space, so no precision is lost;
    /// typical inputs never fail it and run several times faster than log space.
    case automatic
    /// Log space throughout (log-add-exp at sums): the reference arithmetic, slower.
    case logSpace
}

/// Upward and downward passes of a circuit over a chunk of rows.
///
/// Values are stored node-major (`values[n * width + b]`), so every node's work is a loop over
/// the chunk's rows with no allocation. The upward pass computes each node's value; the
/// downward pass computes `∂Z/∂value(n)` (Darwiche's differential semantics), summed over a
/// node's parents. Products pass each child the product of its siblings through prefix and
/// suffix products (no division), so zero-valued siblings are exact.
///
/// With ``CircuitArithmetic/automatic`` the passes run in linear space with an exactness
/// check on every multiplication (see there) and fall back to log space for the chunk.
struct CircuitEvaluator {
    let circuit: ProbabilisticCircuit
    let arithmetic: CircuitArithmetic
    /// Rows per chunk.
    let width: Int
    private var values: [Double]
    private var derivatives: [Double]
    private var touched: [Bool]
    private var prefix: [Double]
    private var suffix: [Double]     // log space only
    private var expWeight: [Double]
    /// Whether the last ``evaluate`` ended in log space (then buffers hold logs).
    private(set) var inLogSpace = false

    static let defaultWidth = 256

    init(_ circuit: ProbabilisticCircuit, arithmetic: CircuitArithmetic = .automatic, width: Int = CircuitEvaluator.defaultWidth) {
        self.circuit = circuit
        self.arithmetic = arithmetic
        self.width = width
        values = [Double](repeating: 0, count: circuit.nodes.count * width)
        derivatives = [Double](repeating: 0, count: circuit.nodes.count * width)
        touched = [Bool](repeating: false, count: circuit.nodes.count)
        let widest = zip(circuit.childStart.dropFirst(), circuit.childStart).map { Int($0 - $1) }.max() ?? 1
        prefix = [Double](repeating: 0, count: (widest + 1) * width)
        suffix = [Double](repeating: 0, count: (widest + 1) * width)
        expWeight = circuit.edgeLogWeight.map { exp($0) }
    }

    /// Runs the passes over `count ≤ width` rows.
    ///
    /// - Parameters:
    ///   - fill: `fill(variable, positive, out)` writes the `count` leaf values (not logs)
    ///     of the literal to `out`.
    ///   - downward: also run the downward pass.
    ///   - seeds: start the downward pass from these nodes (derivative 1 each) instead of the
    ///     root; seeding the factors of the root product gives each component's derivatives
    ///     of its own value, unaffected by the other components.
    mutating func evaluate(count: Int, downward: Bool, seeds: [Int]? = nil,
                           leaves fill: (Int, Bool, UnsafeMutablePointer<Double>) -> Void) {
        let width = self.width
        values.withUnsafeMutableBufferPointer { val in
            for n in circuit.nodes.indices where circuit.kind[n] == .literal {
                fill(Int(circuit.leafVariable[n]), circuit.leafPositive[n], val.baseAddress! + n * width)
            }
        }
        let seeds = seeds ?? [circuit.root]
        if arithmetic == .automatic {
            inLogSpace = false
            var exact = upwardLinear(count: count)
            if exact && downward { exact = downwardLinear(count: count, seeds: seeds) }
            if exact { return }
        }
        inLogSpace = true
        for n in circuit.nodes.indices where circuit.kind[n] == .literal {
            for b in 0..<count { values[n * width + b] = log(values[n * width + b]) }
        }
        upwardLog(count: count)
        if downward { downwardLog(count: count, seeds: seeds) }
    }

    /// `log value(n)` for row `b`.
    func logValue(node n: Int, row b: Int) -> Double {
        inLogSpace ? values[n * width + b] : log(values[n * width + b])
    }

    /// `log ∂Z/∂value(n)` for row `b` (`-∞` where the node does not influence the seeds).
    func logDerivative(node n: Int, row b: Int) -> Double {
        inLogSpace ? derivatives[n * width + b] : log(derivatives[n * width + b])
    }

    /// The marginal `P(x = 1) = Z₁ / (Z₁ + Z₀)` of variable `v` for row `b`, with
    /// `Z₁ = λ_x · ∂Z/∂λ_x` and `Z₀ = λ_¬x · ∂Z/∂λ_¬x` (their sum is `Z` in a smooth,
    /// decomposable circuit). This form is exactly 0 or 1 for observed variables and always in
    /// `[0, 1]`. NaN when `Z = 0`.
    func marginal(variable v: Int, row b: Int) -> Double {
        let one = Int(circuit.positiveLeaf[v]) * width + b, zero = Int(circuit.negativeLeaf[v]) * width + b
        if inLogSpace {
            let l1 = values[one] + derivatives[one], l0 = values[zero] + derivatives[zero]
            if l1 == -.infinity { return l0 == -.infinity ? .nan : 0 }
            return 1 / (1 + exp(l0 - l1))
        }
        let z1 = values[one] * derivatives[one], z0 = values[zero] * derivatives[zero]
        return z1 / (z1 + z0)
    }

    // MARK: Linear space, checked

    /// Collects, branch-free, whether any checked product `r = a · b` of non-negative finite
    /// numbers lost precision: `r` below the smallest normal number while both operands are
    /// non-zero (underflow or a subnormal), or `r` infinite (overflow).
    struct ExactnessCheck {
        // Non-negative doubles order like their bit patterns, so the test is integer-only
        // (and vectorizes): `r < leastNormal` ⟺ bits(r) < bits(leastNormal).
        private static let normalBits = Int64(bitPattern: Double.leastNormalMagnitude.bitPattern)
        private static let infinityBits = Int64(bitPattern: Double.infinity.bitPattern)
        private var lost: Int64 = 0
        private var largest: Int64 = 0

        @inline(__always)
        mutating func product(_ a: Double, _ b: Double, _ r: Double) {
            let bits = Int64(bitPattern: r.bitPattern)
            let tiny = (bits &- Self.normalBits) >> 63                                  // all ones when r is 0 or subnormal
            let operands = Int64(bitPattern: Swift.min(a.bitPattern, b.bitPattern))     // 0 when an operand is +0
            lost |= tiny & operands
            largest = Swift.max(largest, bits)
        }

        @inline(__always)
        mutating func value(_ r: Double) { largest = Swift.max(largest, Int64(bitPattern: r.bitPattern)) }

        /// No loss seen, and no infinity or NaN (their bit patterns are the largest).
        var isExact: Bool { lost == 0 && largest < Self.infinityBits }
    }

    private mutating func upwardLinear(count: Int) -> Bool {
        let width = self.width
        let c = circuit
        var exact = true
        c.kind.withUnsafeBufferPointer { kind in
        c.childStart.withUnsafeBufferPointer { start in
        c.children.withUnsafeBufferPointer { kids in
        expWeight.withUnsafeBufferPointer { weight in
        values.withUnsafeMutableBufferPointer { val in
            let v = val.baseAddress!
            var check = ExactnessCheck()
            for n in 0..<kind.count {
                if kind[n] == .literal { continue }
                let s = Int(start[n]), e = Int(start[n + 1])
                let out = v + n * width
                if kind[n] == .product {
                    let first = v + Int(kids[s]) * width
                    for b in 0..<count { out[b] = first[b] }
                    for k in (s + 1)..<Swift.max(s + 1, e) {
                        let x = v + Int(kids[k]) * width
                        for b in 0..<count {
                            let r = out[b] * x[b]
                            check.product(out[b], x[b], r)
                            out[b] = r
                        }
                    }
                } else if e - s == 2 && weight[s] == 1 && weight[s + 1] == 1 {
                    let x = v + Int(kids[s]) * width, y = v + Int(kids[s + 1]) * width
                    for b in 0..<count {
                        out[b] = x[b] + y[b]
                        check.value(out[b])
                    }
                } else {
                    for b in 0..<count { out[b] = 0 }
                    for k in s..<e {
                        let x = v + Int(kids[k]) * width, w = weight[k]
                        for b in 0..<count {
                            let t = w * x[b]
                            check.product(w, x[b], t)
                            out[b] += t
                        }
                    }
                    for b in 0..<count { check.value(out[b]) }
                }
            }
            exact = check.isExact
        }}}}}
        return exact
    }

    private mutating func downwardLinear(count: Int, seeds: [Int]) -> Bool {
        let width = self.width
        let c = circuit
        for n in touched.indices { touched[n] = false }
        var check = ExactnessCheck()
        c.kind.withUnsafeBufferPointer { kind in
        c.childStart.withUnsafeBufferPointer { start in
        c.children.withUnsafeBufferPointer { kids in
        expWeight.withUnsafeBufferPointer { weight in
        values.withUnsafeBufferPointer { valBuffer in
        derivatives.withUnsafeMutableBufferPointer { derBuffer in
        touched.withUnsafeMutableBufferPointer { touched in
        prefix.withUnsafeMutableBufferPointer { pre in
            let v = valBuffer.baseAddress!, d = derBuffer.baseAddress!
            for seed in seeds {
                touched[seed] = true
                for b in 0..<count { d[seed * width + b] = 1 }
            }
            /// d[child] += dn · x, checked.
            @inline(__always)
            func add(_ child: Int, _ dn: UnsafePointer<Double>, _ x: UnsafePointer<Double>) {
                let out = d + child * width
                if touched[child] {
                    for b in 0..<count {
                        let t = dn[b] * x[b]
                        check.product(dn[b], x[b], t)
                        out[b] += t
                    }
                } else {
                    touched[child] = true
                    for b in 0..<count {
                        let t = dn[b] * x[b]
                        check.product(dn[b], x[b], t)
                        out[b] = t
                    }
                }
            }
            /// d[child] += dn · w, checked.
            @inline(__always)
            func add(_ child: Int, _ dn: UnsafePointer<Double>, scale w: Double) {
                let out = d + child * width
                let fresh = !touched[child]
                touched[child] = true
                if fresh { for b in 0..<count { out[b] = 0 } }
                if w == 1 {
                    for b in 0..<count { out[b] += dn[b] }
                } else {
                    for b in 0..<count {
                        let t = dn[b] * w
                        check.product(dn[b], w, t)
                        out[b] += t
                    }
                }
            }
            for n in stride(from: c.root, through: 0, by: -1) where touched[n] {
                if kind[n] == .literal { continue }
                let s = Int(start[n]), e = Int(start[n + 1])
                let dn = UnsafePointer(d + n * width)
                for b in 0..<count { check.value(dn[b]) }
                if kind[n] == .sum {
                    for k in s..<e { add(Int(kids[k]), dn, scale: weight[k]) }
                } else if e - s == 1 {
                    add(Int(kids[s]), dn, scale: 1)
                } else if e - s == 2 {
                    add(Int(kids[s]), dn, v + Int(kids[s + 1]) * width)
                    add(Int(kids[s + 1]), dn, v + Int(kids[s]) * width)
                } else {
                    // Sibling products without division: prefix[i] = Π_{j<i} child_j, then
                    // multiplied from the right by the running suffix product.
                    let p = pre.baseAddress!
                    let k = e - s
                    for b in 0..<count { p[b] = 1 }
                    for i in 0..<(k - 1) {
                        let x = v + Int(kids[s + i]) * width
                        for b in 0..<count {
                            let r = p[i * width + b] * x[b]
                            check.product(p[i * width + b], x[b], r)
                            p[(i + 1) * width + b] = r
                        }
                    }
                    let suffix = p + k * width          // running Π_{j>i} child_j
                    for b in 0..<count { suffix[b] = 1 }
                    for i in stride(from: k - 1, through: 0, by: -1) {
                        let sibling = p + i * width
                        for b in 0..<count {
                            let r = sibling[b] * suffix[b]
                            check.product(sibling[b], suffix[b], r)
                            sibling[b] = r
                        }
                        add(Int(kids[s + i]), dn, sibling)
                        let x = v + Int(kids[s + i]) * width
                        for b in 0..<count {
                            let r = suffix[b] * x[b]
                            check.product(suffix[b], x[b], r)
                            suffix[b] = r
                        }
                    }
                }
            }
        }}}}}}}}
        guard check.isExact else { return false }
        for n in touched.indices where !touched[n] {
            for b in 0..<count { derivatives[n * width + b] = 0 }
        }
        return true
    }

    // MARK: Log space

    private mutating func upwardLog(count: Int) {
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

    private mutating func downwardLog(count: Int, seeds: [Int]) {
        let width = self.width
        let c = circuit
        for n in touched.indices { touched[n] = false }
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
                touched[seed] = true
                for b in 0..<count { d[seed * width + b] = 0 }
            }
            /// d[child] = logAddExp(d[child], dn + w + x).
            func add(_ child: Int, _ dn: UnsafePointer<Double>, _ w: Double, _ x: UnsafePointer<Double>?) {
                let out = d + child * width
                if touched[child] {
                    if let x { for b in 0..<count { out[b] = logAddExp(out[b], dn[b] + w + x[b]) } }
                    else { for b in 0..<count { out[b] = logAddExp(out[b], dn[b] + w) } }
                } else {
                    touched[child] = true
                    if let x { for b in 0..<count { out[b] = dn[b] + w + x[b] } }
                    else { for b in 0..<count { out[b] = dn[b] + w } }
                }
            }
            for n in stride(from: c.root, through: 0, by: -1) where touched[n] {
                let kind = c.kind[n]
                if kind == .literal { continue }
                let s = Int(start[n]), e = Int(start[n + 1])
                let dn = UnsafePointer(d + n * width)
                if kind == .sum {
                    for k in s..<e { add(Int(kids[k]), dn, weight[k], nil) }
                } else if e - s == 1 {
                    add(Int(kids[s]), dn, 0, nil)
                } else if e - s == 2 {
                    add(Int(kids[s]), dn, 0, v + Int(kids[s + 1]) * width)
                    add(Int(kids[s + 1]), dn, 0, v + Int(kids[s]) * width)
                } else {
                    // Sums of logs: prefix[i] = Σ_{j<i}, suffix[i] = Σ_{j≥i}; -∞ siblings stay -∞.
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
                        for b in 0..<count { p[i * width + b] += q[(i + 1) * width + b] }
                        add(Int(kids[s + i]), dn, 0, p + i * width)
                    }
                }
            }
        }}}}}}}}
        for n in touched.indices where !touched[n] {
            for b in 0..<count { derivatives[n * width + b] = -.infinity }
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
