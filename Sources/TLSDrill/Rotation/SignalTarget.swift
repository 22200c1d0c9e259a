import Foundation

/// Which process a rotation `signal` step may signal: a pid (or the one in a pid file) greater than 1
/// that is neither tlsdrill itself nor its process group — `pid: 0` or `-1` would signal tlsdrill and lose the report.
enum SignalTarget {
    struct Problem: Error { var text: String }

    static func resolve(pid: Int32?, pidFile: String?) -> Result<pid_t, Problem> {
        var candidate = pid
        if candidate == nil, let pidFile {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else {
                return .failure(Problem(text: "cannot read pid_file \(pidFile)"))
            }
            guard let parsed = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                return .failure(Problem(text: "pid_file \(pidFile) does not hold a pid"))
            }
            candidate = parsed
        }
        guard let target = candidate else { return .failure(Problem(text: "no pid given")) }
        return check(target)
    }

    /// A pid must be > 1 and must not be ours or our process group's.
    static func check(_ target: pid_t) -> Result<pid_t, Problem> {
        guard target > 1 else { return .failure(Problem(text: "pid \(target) is not a single process; give a pid greater than 1")) }
        guard target != getpid(), target != getpgrp() else {
            return .failure(Problem(text: "pid \(target) is tlsdrill itself (or its process group); signal the gateway's pid"))
        }
        return .success(target)
    }
}
