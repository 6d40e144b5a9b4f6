import Foundation
import Synchronization

/// A progress bar for long work, drawn on standard error only when it is a terminal, so
/// that logs and pipes stay clean. Safe to advance from several tasks at once.
///
/// ```swift
/// let progress = ProgressBar(total: repetitions, label: "simulating")
/// for _ in 0..<repetitions { …; progress.advance() }
/// progress.finish()
/// ```
public final class ProgressBar: Sendable {
    private struct State {
        var done = 0
        var lastDraw: ContinuousClock.Instant?
        var finished = false
    }

    public let total: Int
    public let label: String
    private let enabled: Bool
    private let width: Int
    private let showsCounts: Bool
    private let sink: @Sendable (String) -> Void
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    /// - Parameters:
    ///   - total: the number of steps.
    ///   - label: a short description shown before the bar.
    ///   - enabled: whether to draw at all (default: standard error is a terminal).
    ///   - showsCounts: whether to print `done/total`; `false` when the total is itself private
    ///     (the rows of a private data set), so that only the fraction done is drawn.
    ///   - sink: where the text goes (default: standard error).
    public init(total: Int, label: String, enabled: Bool = StandardError.isTerminal, width: Int = 30, showsCounts: Bool = true,
                sink: @escaping @Sendable (String) -> Void = { StandardError.write($0) }) {
        self.showsCounts = showsCounts
        self.total = max(total, 0)
        self.label = label
        self.enabled = enabled
        self.width = width
        self.sink = sink
    }

    /// Records `steps` more steps done; redraws at most ten times a second.
    public func advance(by steps: Int = 1) {
        let line: String? = state.withLock { s in
            s.done = min(s.done + steps, total)
            guard enabled, !s.finished else { return nil }
            let now = ContinuousClock.now
            if let last = s.lastDraw, now - last < .milliseconds(100), s.done < total { return nil }
            s.lastDraw = now
            return render(done: s.done, elapsed: now - start)
        }
        if let line { sink("\r" + line) }
    }

    /// The number of steps done so far.
    public var completed: Int { state.withLock { $0.done } }

    /// Draws the final state and ends the line.
    public func finish() {
        let line: String? = state.withLock { s in
            guard enabled, !s.finished else { return nil }
            s.finished = true
            return render(done: s.done, elapsed: ContinuousClock.now - start)
        }
        if let line { sink("\r" + line + "\n") }
    }

    /// The bar text for `done` steps after `elapsed` time, e.g.
    /// `simulating [#########.....................]  30% 3/10 ETA 7s`.
    public func render(done: Int, elapsed: Duration) -> String {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = String(Int((fraction * 100).rounded(.down))).leftPadded(to: 3)
        var text = "\(label) [\(bar)] \(percent)%" + (showsCounts ? " \(done)/\(total)" : "")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if done > 0 && done < total {
            let remaining = seconds * Double(total - done) / Double(done)
            text += " ETA \(Self.format(seconds: remaining))"
        } else if done == total {
            text += " in \(Self.format(seconds: seconds))"
        }
        return text
    }

    static func format(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(s % 60).leftPadded(to: 2, with: "0"))s" }
        return "\(s / 3600)h\(String((s % 3600) / 60).leftPadded(to: 2, with: "0"))m"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
