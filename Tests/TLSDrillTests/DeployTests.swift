import Foundation
import Testing
import Yams
@testable import TLSDrill

/// What `deploy/` ships: Kubernetes manifests that validate, a profile and flags tlsdrill accepts, and a
/// Grafana dashboard that queries only metrics tlsdrill exposes.
@Suite struct DeployTests {
    static let deploy = PythonTools.root + "/deploy"

    static func manifests() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: deploy + "/kubernetes").filter { $0.hasSuffix(".yaml") }.sorted()
            .map { deploy + "/kubernetes/" + $0 }
    }

    @Test(Tools.needs("kubernetes-validate")) func manifestsValidateAgainstTheKubernetesSchemas() throws {
        let files = try Self.manifests()
        #expect(files.count >= 4)
        let validator = PythonTools.root + "/.build/test-python/bin/kubernetes-validate"
        let output = try CLI.run(["--strict"] + files, executable: validator)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        // The check can fail: a wrong type in the Job is caught.
        let broken = TestPKI.scratch("deploy") + "/broken-job.yaml"
        let job = try String(contentsOfFile: Self.deploy + "/kubernetes/shards-job.yaml", encoding: .utf8)
        try job.replacingOccurrences(of: "parallelism: 4", with: "parallelism: four").write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["--strict", broken], executable: validator).status != 0)
    }

    @Test func theJobIsAnIndexedJobWhoseArgumentsTlsdrillAccepts() throws {
        let text = try String(contentsOfFile: Self.deploy + "/kubernetes/shards-job.yaml", encoding: .utf8)
        let job = try #require(try Yams.load(yaml: text) as? [String: Any])
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        #expect(spec["parallelism"] as? Int == spec["completions"] as? Int)
        let container = try #require((((spec["template"] as? [String: Any])?["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        let args = try #require(container["args"] as? [String])
        let env = try #require(container["env"] as? [[String: Any]])
        #expect(env.first { $0["name"] as? String == "TLSDRILL_SHARD_COUNT" }?["value"] as? String == "\(spec["parallelism"] as? Int ?? 0)")
        let help = try CLI.run(["run", "--help"]).stdout
        for flag in args.filter({ $0.hasPrefix("--") }).map({ String($0.split(separator: "=")[0]) }) {
            #expect(help.contains(flag), "tlsdrill run has no \(flag)")
        }
        // The ConfigMap's profile parses as a tlsdrill profile.
        let configMap = try #require(try Yams.load(yaml: try String(contentsOfFile: Self.deploy + "/kubernetes/profile-configmap.yaml", encoding: .utf8)) as? [String: Any])
        let profileText = try #require((configMap["data"] as? [String: String])?["profile.yaml"])
        // Its files live in the identities Secret in the cluster; here the test PKI stands in for them.
        var local = profileText.replacingOccurrences(of: "/identities/server-ca.pem", with: "../drill-pki/gen1/root.pem")
        for generation in ["gen1", "gen2"] {
            for suffix in ["pem", "key"] {
                local = local.replacingOccurrences(of: "/identities/\(generation)-client.\(suffix)", with: "../drill-pki/\(generation)/client.\(suffix)")
            }
        }
        #expect(!local.contains("/identities/"))
        let profile = try Profile.load(try ProfileFixtures.write("deploy-configmap", local))
        #expect(profile.document.identities.count == 2 && profile.document.rotation != nil)
    }

    @Test func theDashboardIsValidJSONAndQueriesOnlyExposedMetrics() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.deploy + "/grafana/tlsdrill.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let titles = panels.compactMap { $0["title"] as? String }
        for wanted in ["Attempts/s by class (stacked)", "p99 latency per phase", "Failure ratio (not accepted / all)"] { #expect(titles.contains(wanted)) }
        let annotations = try #require((dashboard["annotations"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(annotations.contains { ($0["expr"] as? String)?.contains("tlsdrill_rotation_step_info") == true })
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
            + annotations.compactMap { $0["expr"] as? String }
        var known = Set<String>()
        for (name, histogram) in MetricNames.all { known.formUnion(histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name]) }
        let regex = try NSRegularExpression(pattern: "tlsdrill_[a-z_]+")
        for expression in expressions {
            for match in regex.matches(in: expression, range: NSRange(expression.startIndex..., in: expression)) {
                let name = String(expression[Range(match.range, in: expression)!])
                #expect(known.contains(name), "\(name) in \(expression)")
            }
        }
        #expect(expressions.count >= 8)
    }
}
