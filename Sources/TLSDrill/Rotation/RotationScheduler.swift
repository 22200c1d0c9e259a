import Foundation
import Synchronization

/// Runs rotation steps at their offsets from the start of the load, each on its own thread so a slow or
/// hanging step delays neither the load nor the next step. Records every outcome.
public final class RotationScheduler: Sendable {
    private let steps: [RotationStepSpec]
    private let before: [RotationStepSpec]
    private let target: TargetSpec?
    private let workingDirectory: String?
    private let records = Mutex<[StepRecord]>([])
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "tlsdrill.rotation", attributes: .concurrent)
    private let startNanos = Mutex<UInt64>(0)
    /// Set when the load ends: steps that fire later are recorded as not run.
    private let loadEnded = Mutex<Double?>(nil)
    /// Set on interruption: running `exec` steps are killed with their process group.
    private let cancelled = StopFlag()

    init(steps: [RotationStepSpec], before: [RotationStepSpec] = [], target: TargetSpec?, workingDirectory: String?) {
        self.steps = steps
        self.before = before
        self.target = target
        self.workingDirectory = workingDirectory
    }

    /// Schedules every step relative to `runStart` (a MonotonicClock reading).
    public func start(at runStart: UInt64) {
        startNanos.withLock { $0 = runStart }
        for step in steps {
            group.enter()
            let delay = max(0, Double(runStart) / 1e9 + step.at - Double(MonotonicClock.now()) / 1e9)
            queue.asyncAfter(deadline: .now() + delay) { [self] in
                defer { group.leave() }
                if let ended = loadEnded.withLock({ $0 }) {
                    records.withLock { $0.append(notRun(step, ended: ended)) }
                    return
                }
                let record = execute(step)
                records.withLock { $0.append(record) }
            }
        }
    }

    /// Waits for steps still running (each bounded by its own timeout) and returns every record; steps
    /// not reached because the load ended first are recorded as failed with that reason.
    public func finish(loadEnded elapsed: TimeInterval, interrupted: Bool = false) -> [StepRecord] {
        loadEnded.withLock { $0 = elapsed }
        if interrupted { cancelled.set() }
        _ = group.wait(timeout: .now() + steps.map(timeoutOf).reduce(5, max))
        var done = records.withLock { $0 }
        // Steps whose timers have not fired yet (the wait above gave up on them).
        for step in steps where !done.contains(where: { $0.name == step.name && $0.atS == step.at }) {
            done.append(notRun(step, ended: elapsed))
        }
        return done.sorted { $0.atS < $1.atS || ($0.atS == $1.atS && $0.name < $1.name) }
    }

    /// The steps that have run so far (for live metrics).
    public var recordsSoFar: [StepRecord] { records.withLock { $0 } }

    /// Runs the `before` steps in order, now; the first that fails stops the run before the load.
    public func runBefore(log: (StepRecord) -> Void) throws {
        for step in before {
            let record = execute(step)
            log(record)
            guard record.outcome == .ok else {
                throw TLSDrillError.rotationStep(name: step.name, line: step.line, reason: "\(record.outcome.rawValue) before the load: \(record.detail)")
            }
        }
    }

    /// Checks every gateway-side step that can be checked now: each `reload` control socket answers and
    /// each `signal` target is a live process other than this one. Throws the first problem.
    public func preflight() throws {
        for step in before + steps {
            switch step.action {
            case .reload(let control, _):
                do { _ = try ControlEndpoint.send("stats", to: control, timeout: 3) } catch let error as TLSDrillError {
                    throw TLSDrillError.rotationStep(name: step.name, line: step.line, reason: error.description)
                }
            case .signal(_, let pid, let pidFile):
                switch SignalTarget.resolve(pid: pid, pidFile: pidFile) {
                case .failure(let problem): throw TLSDrillError.rotationStep(name: step.name, line: step.line, reason: problem.text)
                case .success(let target):
                    if kill(target, 0) != 0 && errno != EPERM {
                        throw TLSDrillError.rotationStep(name: step.name, line: step.line, reason: "no process \(target) (\(ErrnoName.name(errno)))")
                    }
                }
            case .exec, .verifyCANames, .clients, .clientTrust:
                continue
            }
        }
    }

    private func notRun(_ step: RotationStepSpec, ended: Double) -> StepRecord {
        StepRecord(name: step.name, kind: step.action.kind, atS: step.at, startedS: step.at, durationS: 0, outcome: .failed,
                   exitCode: nil, detail: "not run: the load ended at \(String(format: "%.1f", ended))s", allowFailure: step.allowFailure)
    }

    private func timeoutOf(_ step: RotationStepSpec) -> TimeInterval {
        if case .exec(_, let timeout) = step.action { return timeout + 2 }
        return 15
    }

    private func elapsed() -> Double { Double(MonotonicClock.now() - startNanos.withLock { $0 }) / 1e9 }

    private func execute(_ step: RotationStepSpec) -> StepRecord {
        let started = elapsed()
        var record = StepRecord(name: step.name, kind: step.action.kind, atS: step.at, startedS: (started * 1000).rounded() / 1000,
                                durationS: 0, outcome: .ok, exitCode: nil, detail: "", allowFailure: step.allowFailure)
        switch step.action {
        case .exec(let command, let timeout):
            let outcome = CommandRunner.run(command, timeout: timeout, workingDirectory: workingDirectory, cancel: cancelled)
            record.exitCode = outcome.exitCode
            record.outcome = outcome.timedOut ? .timeout : (outcome.exitCode == 0 ? .ok : .failed)
            record.detail = outcome.timedOut ? "killed after \(timeout)s; \(outcome.output)" : outcome.output
        case .signal(let name, let pid, let pidFile):
            record = signal(record, name: name, pid: pid, pidFile: pidFile)
        case .reload(let control, let overrides):
            let request = "reload " + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            do {
                let reply = try ControlEndpoint.send(request, to: control)
                record.outcome = reply.hasPrefix("ok") ? .ok : .failed
                record.detail = reply
            } catch {
                record.outcome = .failed
                record.detail = (error as? TLSDrillError)?.description ?? "\(error)"
            }
        case .verifyCANames(let files):
            record = verify(record, files: files)
        case .clients(let weights, let over):
            record.startedS = step.at  // the client plan switches exactly at `at`, whatever this thread's delay
            record.detail = "weights " + weights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                + (over > 0 ? " over \(over)s" : " at once")
        case .clientTrust(let file):
            record.startedS = step.at
            record.detail = "clients now verify the gateway with \(file)"
        }
        record.durationS = ((elapsed() - started) * 1000).rounded() / 1000
        return record
    }

    private func signal(_ base: StepRecord, name: String, pid: Int32?, pidFile: String?) -> StepRecord {
        var record = base
        let numbers: [String: Int32] = ["HUP": SIGHUP, "TERM": SIGTERM, "INT": SIGINT, "USR1": SIGUSR1, "USR2": SIGUSR2, "QUIT": SIGQUIT]
        guard let number = numbers[name.uppercased().replacingOccurrences(of: "SIG", with: "")] else {
            record.outcome = .failed
            record.detail = "unknown signal \(name); use HUP, TERM, INT, USR1, USR2 or QUIT"
            return record
        }
        let target: pid_t
        switch SignalTarget.resolve(pid: pid, pidFile: pidFile) {
        case .failure(let problem):
            record.outcome = .failed
            record.detail = problem.text
            return record
        case .success(let resolved): target = resolved
        }
        guard kill(target, number) == 0 else {
            record.outcome = .failed
            record.detail = "cannot signal \(target): \(ErrnoName.name(errno))"
            return record
        }
        record.detail = "sent SIG\(name.uppercased().replacingOccurrences(of: "SIG", with: "")) to \(target)"
        return record
    }

    private func verify(_ base: StepRecord, files: [String]) -> StepRecord {
        var record = base
        guard let target, let address = try? TargetAddress.resolve(target.address) else {
            record.outcome = .failed
            record.detail = "no target to verify"
            return record
        }
        do {
            let tls = Profile.tlsSettings(target, version: .auto, address: address)
            let inspection = try GatewayInspector.inspect(target: address, tls: tls, probeNoCertificate: false)
            let wanted = files.flatMap { (try? Certificate.loadPEMFile($0).map(\.subject)) ?? [] }
            let missing = wanted.filter { !inspection.acceptableClientCANames.contains($0) }
            record.outcome = missing.isEmpty ? .ok : .failed
            record.detail = missing.isEmpty ? "the gateway asks for \(wanted.joined(separator: " | "))" : "the gateway does not ask for \(missing.joined(separator: " | ")) yet"
        } catch {
            record.outcome = .failed
            record.detail = (error as? TLSDrillError)?.description ?? "\(error)"
        }
        return record
    }
}
