import Foundation

/// Local checks of the identities a profile presents, made before any traffic.
enum IdentityChecks {
    /// Every certificate each identity presents (leaf and each intermediate) must stay valid at least
    /// `min_days_left` days (the identity's own, else `validate.min_days_left`). One check per identity
    /// that has a limit, naming each short certificate and its notAfter.
    static func minDaysLeft(_ profile: Profile, now: Date) throws -> [GatewayCheck] {
        var checks: [GatewayCheck] = []
        for spec in profile.document.identities where !spec.none {
            guard let days = spec.minDaysLeft ?? profile.document.validate.minDaysLeft else { continue }
            let levels = try PresentedChain.load(spec)
            let short = levels.filter { $0.certificate.notAfter.timeIntervalSince(now) / 86_400 < days }
            let detail = short.isEmpty
                ? "every certificate ≥ \(Int(days)) days (" + levels.map { "\($0.role) \(daysLeft($0.certificate, now))d" }.joined(separator: ", ") + ")"
                : short.map { "\($0.role) \($0.certificate.subject) expires \(Timestamp.minute($0.certificate.notAfter)) (\(daysLeft($0.certificate, now)) days left)" }
                    .joined(separator: "; ")
            checks.append(GatewayCheck(id: "identity-min-days-left", target: "identities",
                                       name: "\(spec.name) chain valid ≥ \(Int(days)) days", passed: short.isEmpty, detail: detail))
        }
        return checks
    }

    private static func daysLeft(_ certificate: Certificate, _ now: Date) -> String {
        String(format: "%.1f", certificate.notAfter.timeIntervalSince(now) / 86_400)
    }
}

/// The certificates an identity sends, each with its role ("leaf", "intermediate").
struct PresentedChain {
    var role: String
    var certificate: Certificate

    static func load(_ spec: IdentitySpec) throws -> [PresentedChain] {
        guard let cert = spec.cert else { return [] }
        let certificates = try Certificate.loadPEMFile(cert) + (try spec.chain.map(Certificate.loadPEMFile) ?? [])
        return certificates.enumerated().map { PresentedChain(role: $0.offset == 0 ? "leaf" : "intermediate", certificate: $0.element) }
    }
}
