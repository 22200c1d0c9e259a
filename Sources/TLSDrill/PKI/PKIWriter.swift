import Foundation

/// Writes one drill PKI's files and collects its manifest entries.
struct PKIWriter {
    struct Authority {
        let root: Certificate
        let intermediate: Certificate
        let intermediateKey: PrivateKey
        let rootPath: String
    }

    let directory: String
    let options: DrillPKI.Options
    private(set) var entries: [PKIEntry] = []
    private let day: TimeInterval = 86_400

    init(directory: String, options: DrillPKI.Options) throws {
        self.directory = directory
        self.options = options
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TLSDrillError.io(path: directory, reason: "cannot create the PKI directory (\(error.localizedDescription))")
        }
    }

    func write(_ text: String, to relative: String, secret: Bool = false) throws {
        let path = (directory as NSString).appendingPathComponent(relative)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if secret {
                try PrivateFile.write(Array(text.utf8), to: path)
            } else {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
        } catch let error as TLSDrillError {
            throw error
        } catch {
            throw TLSDrillError.io(path: path, reason: "cannot write (\(error.localizedDescription))")
        }
    }

    mutating func writeGeneration(_ generation: String) throws -> Authority {
        let now = options.now
        let rootKey = try PrivateKey.generate(options.algorithm)
        var rootSpec = CertificateSpec(commonName: "tlsdrill \(generation) Root CA", notBefore: now - day, notAfter: now + 3650 * day)
        rootSpec.isCA = true
        let root = try CertificateIssuer.issue(rootSpec, key: rootKey, issuer: nil)
        let intermediateKey = try PrivateKey.generate(options.algorithm)
        var intermediateSpec = CertificateSpec(commonName: "tlsdrill \(generation) Intermediate CA", notBefore: now - day,
                                               notAfter: now + options.intermediateValidityDays * day)
        intermediateSpec.isCA = true
        intermediateSpec.pathLength = 0
        let intermediate = try CertificateIssuer.issue(intermediateSpec, key: intermediateKey, issuer: (root, rootKey))
        try write(root.pem, to: "\(generation)/root.pem")
        try write(rootKey.pem, to: "\(generation)/root.key", secret: true)
        try write(intermediate.pem, to: "\(generation)/intermediate.pem")
        try write(intermediateKey.pem, to: "\(generation)/intermediate.key", secret: true)
        entries.append(PKIEntry(name: "\(generation)-root", role: .root, generation: generation, cert: "\(generation)/root.pem",
                                key: "\(generation)/root.key", description: "\(generation) root CA: the trust anchor gateways load"))
        entries.append(PKIEntry(name: "\(generation)-intermediate", role: .intermediate, generation: generation,
                                cert: "\(generation)/intermediate.pem", key: "\(generation)/intermediate.key",
                                description: "\(generation) intermediate CA: issues every \(generation) leaf; trusting only it models a regional bundle"))
        return Authority(root: root, intermediate: intermediate, intermediateKey: intermediateKey, rootPath: "\(generation)/root.pem")
    }

    private struct LeafPlan {
        let suffix: String
        let defect: String?
        let expect: String?
        let notBefore: TimeInterval
        let notAfter: TimeInterval
        let usage: ExtendedKeyUsage
        let wrongSAN: Bool
        let summary: String
    }

    mutating func writeLeaves(generation: String, ca: Authority) throws {
        let valid = (-3600.0, 90 * day)
        let clientPlans = [
            LeafPlan(suffix: "client", defect: nil, expect: "accepted", notBefore: valid.0, notAfter: valid.1, usage: .clientAuth, wrongSAN: false, summary: "valid client"),
            LeafPlan(suffix: "client-expired", defect: "expired", expect: "client-cert-expired", notBefore: -30 * day, notAfter: -day, usage: .clientAuth, wrongSAN: false, summary: "client that expired yesterday"),
            LeafPlan(suffix: "client-not-yet-valid", defect: "not-yet-valid", expect: "client-cert-not-yet-valid", notBefore: day, notAfter: 90 * day, usage: .clientAuth, wrongSAN: false, summary: "client valid from tomorrow"),
            LeafPlan(suffix: "client-serverauth-only", defect: "missing-clientauth", expect: "client-cert-missing-clientauth", notBefore: valid.0, notAfter: valid.1, usage: .serverAuth, wrongSAN: false, summary: "client with serverAuth EKU only"),
            LeafPlan(suffix: "client-wrong-san", defect: "wrong-san", expect: "accepted", notBefore: valid.0, notAfter: valid.1, usage: .clientAuth, wrongSAN: true, summary: "client with an unexpected SAN (rejected only by SAN allow-lists)"),
        ]
        let serverPlans = [
            LeafPlan(suffix: "server", defect: nil, expect: nil, notBefore: valid.0, notAfter: valid.1, usage: .serverAuth, wrongSAN: false, summary: "valid server"),
            LeafPlan(suffix: "server-expired", defect: "expired", expect: nil, notBefore: -30 * day, notAfter: -day, usage: .serverAuth, wrongSAN: false, summary: "server that expired yesterday"),
            LeafPlan(suffix: "server-not-yet-valid", defect: "not-yet-valid", expect: nil, notBefore: day, notAfter: 90 * day, usage: .serverAuth, wrongSAN: false, summary: "server valid from tomorrow"),
            LeafPlan(suffix: "server-clientauth-only", defect: "missing-serverauth", expect: nil, notBefore: valid.0, notAfter: valid.1, usage: .clientAuth, wrongSAN: false, summary: "server with clientAuth EKU only"),
            LeafPlan(suffix: "server-wrong-san", defect: "wrong-san", expect: nil, notBefore: valid.0, notAfter: valid.1, usage: .serverAuth, wrongSAN: true, summary: "server for another name"),
        ]
        for plan in clientPlans { try writeLeaf(plan, role: .client, generation: generation, ca: ca) }
        for plan in serverPlans { try writeLeaf(plan, role: .server, generation: generation, ca: ca) }
    }

    private mutating func writeLeaf(_ plan: LeafPlan, role: PKIEntry.Role, generation: String, ca: Authority) throws {
        let key = try PrivateKey.generate(options.algorithm)
        var spec = CertificateSpec(commonName: "\(generation) \(plan.suffix)", notBefore: options.now + plan.notBefore, notAfter: options.now + plan.notAfter)
        spec.extendedKeyUsage = plan.usage
        spec.subjectAlternativeNames = role == .server ? serverSANs(wrong: plan.wrongSAN) : clientSANs(generation: generation, wrong: plan.wrongSAN)
        let leaf = try CertificateIssuer.issue(spec, key: key, issuer: (ca.intermediate, ca.intermediateKey))
        let name = "\(generation)-\(plan.suffix)"
        try write(leaf.pem + ca.intermediate.pem, to: "\(generation)/\(plan.suffix).pem")
        try write(key.pem, to: "\(generation)/\(plan.suffix).key", secret: true)
        entries.append(PKIEntry(name: name, role: role, generation: generation, defect: plan.defect, cert: "\(generation)/\(plan.suffix).pem",
                                key: "\(generation)/\(plan.suffix).key",
                                description: "\(generation) \(plan.summary) (leaf + intermediate)", expect: plan.expect))
    }

    mutating func writeSelfSigned() throws {
        for role in [PKIEntry.Role.client, .server] {
            let key = try PrivateKey.generate(options.algorithm)
            var spec = CertificateSpec(commonName: "self-signed \(role.rawValue)", notBefore: options.now - 3600, notAfter: options.now + 90 * day)
            spec.extendedKeyUsage = role == .client ? .clientAuth : .serverAuth
            spec.subjectAlternativeNames = role == .server ? serverSANs(wrong: false) : clientSANs(generation: "self", wrong: false)
            let certificate = try CertificateIssuer.issue(spec, key: key, issuer: nil)
            try write(certificate.pem, to: "self-signed/\(role.rawValue).pem")
            try write(key.pem, to: "self-signed/\(role.rawValue).key", secret: true)
            entries.append(PKIEntry(name: "self-signed-\(role.rawValue)", role: role, generation: nil, defect: "self-signed",
                                    cert: "self-signed/\(role.rawValue).pem", key: "self-signed/\(role.rawValue).key",
                                    description: "self-signed \(role.rawValue) that no CA vouches for",
                                    expect: role == .client ? "client-cert-unknown-ca" : nil))
        }
    }

    mutating func writeBundle(name: String, files: [String]) throws {
        var text = ""
        for file in files {
            text += try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
        }
        try write(text, to: "trust/\(name).pem")
        entries.append(PKIEntry(name: "trust-\(name)", role: .trustBundle, generation: nil, cert: "trust/\(name).pem", key: nil,
                                description: "trust bundle with the roots of \(name.replacingOccurrences(of: "+", with: " and "))"))
    }

    private func serverSANs(wrong: Bool) -> [String] {
        if wrong { return ["DNS:wrong.tlsdrill.test"] }
        return options.serverNames.map { IPAddressText.isIPAddress($0) ? "IP:\($0)" : "DNS:\($0)" }
    }

    private func clientSANs(generation: String, wrong: Bool) -> [String] {
        let workload = wrong ? "intruder" : "client"
        var names = ["DNS:\(workload).\(generation).tlsdrill.test"]
        if options.spiffe { names.append("URI:spiffe://\(options.trustDomain)/ns/\(wrong ? "other" : "drill")/sa/\(workload)") }
        return names
    }
}
