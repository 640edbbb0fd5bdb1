/// Reading ticks and Yes/No choices from measured ink: one rule for typed, flattened and scanned forms.
public enum MarkReading {
    public enum Choice: Equatable, Sendable {
        /// No option has ink over the threshold.
        case none
        /// Two options are marked about as much: which one was meant cannot be told.
        case bothMarked
        /// This option, with its ink and the next most-inked option's.
        case chosen(option: String, ink: Double, runnerUp: Double)
    }

    /// Flattened forms draw the unmarked option too (an empty circle), so the choice is
    /// relative: the option with the most ink wins when it is over `threshold` and has at
    /// least twice the ink of the next.
    public static func choose(_ marks: [(option: String, ink: Double)], threshold: Double) -> Choice {
        let sorted = marks.sorted { $0.ink > $1.ink }
        guard let best = sorted.first, best.ink >= threshold else { return .none }
        let runnerUp = sorted.dropFirst().first?.ink ?? 0
        if runnerUp >= threshold && best.ink < 2 * runnerUp { return .bothMarked }
        return .chosen(option: best.option, ink: best.ink, runnerUp: runnerUp)
    }

    /// How sure an ink reading is: far from the threshold either way is sure, near it is not.
    /// `span` is how many thresholds away a reading is fully sure.
    public static func confidence(_ fraction: Double, threshold: Double, span: Double) -> Double {
        let ratio = fraction >= threshold ? fraction / threshold : threshold / max(fraction, threshold / 100)
        return min(0.99, 0.5 + 0.49 * min(1, (ratio - 1) / span))
    }
}
