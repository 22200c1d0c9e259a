import Foundation

/// Runs `/bin/sh -c COMMAND` in its own process group with a timeout; a command that overruns is killed
/// with its whole group, so nothing is left behind.
enum CommandRunner {
    struct Outcome {
        var exitCode: Int32?
        var timedOut: Bool
        var output: String
    }

    /// `cancel` is polled while the command runs: once set, the command's process group is killed at once.
    /// After SIGKILL to a process group, its other members (the shell's children) die asynchronously:
    /// wait (≤ 1 s) until none is left, so "killed with its group" holds when this returns.
    private static func waitUntilGone(group: pid_t) {
        for _ in 0..<100 where kill(-group, 0) == 0 {
            kill(-group, SIGKILL)
            usleep(10_000)
        }
    }

    static func run(_ command: String, timeout: TimeInterval, workingDirectory: String?, cancel: StopFlag? = nil) -> Outcome {
        let outputPath = NSTemporaryDirectory() + "tlsdrill-exec-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let script = workingDirectory.map { "cd '\($0)' && \(command)" } ?? command
        let arguments = ["/bin/sh", "-c", script]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ) == 0 else {
            return Outcome(exitCode: nil, timedOut: false, output: "cannot start /bin/sh: \(ErrnoName.name(errno))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var timedOut = false
        var cancelled = false
        while waitpid(pid, &status, WNOHANG) == 0 {
            if cancel?.isSet == true {
                cancelled = true
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            if Date() >= deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        if timedOut || cancelled { waitUntilGone(group: pid) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        var tail = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        if cancelled { tail = "killed: the run was interrupted" + (tail.isEmpty ? "" : "; \(tail)") }
        let exited = (status & 0x7f) == 0
        return Outcome(exitCode: timedOut ? nil : (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)), timedOut: timedOut, output: tail)
    }
}
