import Foundation
import Testing
@testable import TLSDrill

/// Gateways that do not say why: a close after the handshake, an unusual alert for "no certificate",
/// a message OpenSSL itself refuses. Each principle as a pure rule, then end to end.
@Suite("Diagnosis without a reason from the gateway", .serialized)
struct DiagnosisGapTests {
    static let sound = DiagnosisTests.sound

    static func closedAfterHandshake(sent: Bool, namesKnow: Bool? = nil) -> AttemptEvidence {
        DiagnosisTests.evidence(phase: .verdict, sent: sent, namesKnow: namesKnow)
    }

    @Test("13. a close after our handshake is explained by what we sent: nothing → required; an unrequested CA → unknown-ca")
    func closeAfterHandshake() {
        #expect(Diagnosis.classify(Self.closedAfterHandshake(sent: false), facts: .noCertificate)
                == Diagnosis(.clientCertRequired, inferredFrom: .noCertificateSent))
        #expect(Diagnosis.classify(Self.closedAfterHandshake(sent: true, namesKnow: false), facts: Self.sound)
                == Diagnosis(.clientCertUnknownCA, inferredFrom: .chainNotRequested))
        #expect(Diagnosis.classify(Self.closedAfterHandshake(sent: true, namesKnow: true), facts: Self.sound).outcome == .unexpectedEOF,
                "nothing local explains it: say what happened")
    }

    @Test("14. any fatal alert answering our empty Certificate means client-cert-required, whatever its number")
    func unusualAlertForNoCertificate() {
        for alert: Int16 in [10, 40, 42, 46, 47, 49, 50, 51, 80, 90] {
            var evidence = Self.closedAfterHandshake(sent: false)
            evidence.alert = alert
            evidence.alertAfterHandshake = true
            #expect(Diagnosis.classify(evidence, facts: .noCertificate) == Diagnosis(.clientCertRequired, inferredFrom: .noCertificateSent), "alert \(alert)")
        }
        var explicit = Self.closedAfterHandshake(sent: false)
        explicit.alert = TLSAlert.certificateRequired
        #expect(Diagnosis.classify(explicit, facts: .noCertificate) == Diagnosis(.clientCertRequired), "116 says so itself")
        let versions = DiagnosisTests.evidence(phase: .handshake, alert: TLSAlert.protocolVersion, requested: false, sent: false)
        #expect(Diagnosis.classify(versions, facts: .noCertificate).outcome == .protocolMismatch, "no CertificateRequest: not about certificates")
    }

    @Test("15. a message OpenSSL refuses is a handshake-failure with its reason, not an EOF")
    func refusedMessage() {
        var evidence = DiagnosisTests.evidence(phase: .handshake, requested: false, sent: false, reason: 152)  // SSL_R_EXCESSIVE_MESSAGE_SIZE
        evidence.alertSent = 47
        #expect(Diagnosis.classify(evidence, facts: Self.sound).outcome == .handshakeFailure)
    }

    @Test("13 end to end: nginx stream with ssl_verify_client closes silently; each defect still gets its class",
          Tools.needs("nginx", "nginx-stream"), arguments: [TLSVersionChoice.tls12, .tls13])
    func nginxStream(tls: TLSVersionChoice) throws {
        let gateway = try NginxStreamGateway.start(directory: TestPKI.scratch("nginx-stream"), clientCA: TestPKI.shared.cert("gen1-root"))
        defer { gateway.stop() }
        for (identity, expected) in [("gen1-client", OutcomeClass.accepted), (nil, .clientCertRequired), ("gen2-client", .clientCertUnknownCA),
                                     ("gen1-client-expired", .clientCertExpired)] as [(String?, OutcomeClass)] {
            let result = try Drill.run(port: gateway.port, identity: identity, tls: tls)
            #expect(result.count(expected) == 3, "\(identity ?? "no-cert") \(tls): \(result.classSummary)")
            if expected != .accepted {
                #expect(result.evidence(for: expected).first?.0.contains("inferred:") == true, "\(result.classSummary)")
            }
        }
    }

    @Test("15 end to end: a 134 KB server certificate is a handshake-failure naming OpenSSL's reason")
    func oversizedCertificate() throws {
        var options = DrillPKI.Options()
        options.generations = ["big"]
        options.serverNames = ["localhost"] + (0..<3200).map { String(format: "host-%05d.oversized.example.internal.test", $0) }
        let pki = try DrillPKI.create(at: TestPKI.scratch("big-pki") + "/pki", options: options)
        let size = try Data(contentsOf: URL(fileURLWithPath: pki.cert("big-server"))).count
        #expect(size > 130_000, "the served chain is \(size) bytes of PEM")
        var settings = ServerTLSSettings(certFile: pki.cert("big-server"), keyFile: pki.key("big-server"))
        settings.trustFiles = [pki.cert("big-root")]
        let server = try BuiltInGateway.start(settings)
        defer { server.stop() }
        var run = try Drill.settings(port: server.port)
        run.tls.caFile = pki.cert("big-root")
        let result = try Drill.run(run, identities: [(nil, 1)])
        #expect(result.count(.handshakeFailure) == 3, "\(result.classSummary)")
        #expect(result.evidence(for: .handshakeFailure).first?.0.contains("excessive message size") == true, "\(result.classSummary)")
    }
}
