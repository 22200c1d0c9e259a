import Foundation

/// A stretch of the timeline in which attempts were not accepted.
public struct FailureWindow: Codable, Sendable, Equatable {
    public var startS: Double
    public var endS: Double
    public var durationS: Double
    /// Attempts not accepted in the window.
    public var attemptsLost: Int
    public var classes: [String: Int]
    public var identities: [String: Int]
    /// The last step started at or before the window opened.
    public var afterStep: String?
}

/// The rotation's result: failure windows, or none across all steps.
public struct RotationVerdict: Codable, Sendable {
    public var steps: Int
    public var stepsFailed: Int
    public var windows: [FailureWindow]
    /// identity → attempts accepted by resuming a session in an interval where that identity's full
    /// handshakes were rejected: the gateway still honours sessions of a client it no longer trusts.
    public var resumedWhileRejected: [String: Int] = [:]
    public var summary: String

    /// Failing intervals (any attempt not accepted) merged into windows.
    public init(timeline: [TimelineEntry], interval: Double, steps: [StepRecord]) {
        self.steps = steps.count
        stepsFailed = steps.filter { $0.outcome != .ok }.count
        var windows: [FailureWindow] = []
        for entry in timeline {
            let failed = entry.outcomes.filter { $0.key != OutcomeClass.accepted.rawValue }
            let lost = failed.values.reduce(0, +)
            guard lost > 0 else { continue }
            var identities: [String: Int] = [:]
            for (name, counts) in entry.identities {
                let count = counts.filter { $0.key != OutcomeClass.accepted.rawValue }.values.reduce(0, +)
                if count > 0 { identities[name] = count }
            }
            if var last = windows.last, abs(last.endS - entry.tS) < interval / 2 {
                last.endS = entry.tS + interval
                last.attemptsLost += lost
                for (key, value) in failed { last.classes[key, default: 0] += value }
                for (key, value) in identities { last.identities[key, default: 0] += value }
                windows[windows.count - 1] = last
            } else {
                windows.append(FailureWindow(startS: entry.tS, endS: entry.tS + interval, durationS: 0, attemptsLost: lost,
                                             classes: failed, identities: identities,
                                             afterStep: steps.last { $0.startedS <= entry.tS + interval }?.name))
            }
        }
        for index in windows.indices {
            windows[index].durationS = ((windows[index].endS - windows[index].startS) * 1000).rounded() / 1000
            windows[index].endS = (windows[index].endS * 1000).rounded() / 1000
        }
        self.windows = windows
        // An interval where an identity's full handshakes were already being rejected in the interval before
        // (so not the boundary interval of the change, which holds both the last good and first bad attempts).
        var rejectedBefore: Set<String> = []
        for entry in timeline {
            var rejectedNow: Set<String> = []
            for (name, counts) in entry.identities where counts.contains(where: { $0.key != OutcomeClass.accepted.rawValue && $0.value > 0 }) {
                rejectedNow.insert(name)
            }
            for (name, resumed) in entry.resumedAccepted where resumed > 0 && rejectedNow.contains(name) && rejectedBefore.contains(name) {
                resumedWhileRejected[name, default: 0] += resumed
            }
            rejectedBefore = rejectedNow
        }
        let stepText = stepsFailed > 0 ? " (\(stepsFailed) of \(steps.count) steps failed)" : ""
        if windows.isEmpty {
            summary = "no failures across \(steps.count) steps" + stepText
        } else {
            let lost = windows.map(\.attemptsLost).reduce(0, +)
            summary = "\(windows.count) failure window\(windows.count == 1 ? "" : "s"), \(lost) attempts lost" + stepText
        }
        for (name, count) in resumedWhileRejected.sorted(by: { $0.key < $1.key }) {
            summary += "; \(count) session\(count == 1 ? "" : "s") resumed after the gateway stopped trusting \(name)"
        }
    }

    /// Terminal lines for the verdict and the steps.
    public func render(steps records: [StepRecord]) -> String {
        var out = "\n  Rotation: \(summary)\n"
        for step in records {
            let outcome = step.outcome.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)
            out += "    " + TerminalReport.padLeft(String(format: "%.1fs", step.startedS), 7) + "  \(outcome)  \(step.name)"
                + (step.detail.isEmpty ? "" : " — \(step.detail)") + "\n"
        }
        for window in windows {
            let classes = window.classes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let identities = window.identities.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            out += "    window " + String(format: "%.1fs → %.1fs (%.1fs)", window.startS, window.endS, window.durationS)
                + ": \(window.attemptsLost) lost; \(classes); identities: \(identities)"
            out += window.afterStep.map { "; after step '\($0)'" } ?? ""
            out += "\n"
        }
        return out
    }
}
