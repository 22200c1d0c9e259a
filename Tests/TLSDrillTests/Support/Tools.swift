import Foundation
import Testing

/// Tests that need a server program (openssl, nginx, haproxy, nginx's stream module) say so with a trait:
/// where it is missing the runner reports them *skipped* with the reason, never passed. With `CI=true`
/// they always run, so a missing install fails loudly instead.
enum Tools {
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static func installed(_ tool: String) -> Bool {
        if tool == "nginx-stream" { return FileManager.default.fileExists(atPath: NginxStreamGateway.module) }
        if tool == "python-hdrhistogram" { return PythonTools.has("hdrh") }
        if tool == "kubernetes-validate" { return PythonTools.has("kubernetes_validate") }
        return ServerProcess.which(tool) != nil
    }

    /// `.enabled(if:)` for every tool in `tools`, with the install command as the reason.
    static func needs(_ tools: String...) -> ConditionTrait {
        let packages = tools.map { ["nginx-stream": "libnginx-mod-stream", "nghttpx": "nghttp2-proxy",
                                   "prometheus": "prometheus", "python-hdrhistogram": "(pip) hdrhistogram", "kubernetes-validate": "(pip) kubernetes-validate"][$0] ?? $0 }.joined(separator: " ")
        return .enabled(if: inCI || tools.allSatisfy(installed),
                        Comment(rawValue: "needs \(tools.joined(separator: ", ")): apt-get install \(packages), or run scripts/test"))
    }
}
