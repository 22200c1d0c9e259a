import Foundation
import Testing
@testable import TLSDrill

/// The diagnosis as a pure function: evidence + local facts → class.
@Suite("Diagnosis")
struct DiagnosisTests {
    static let sound = IdentityFacts(presentsCertificate: true, expiredCertificate: nil, notYetValidCertificate: nil,
                                     allowsClientAuth: true, selfSigned: false, subjectAlternativeNames: ["DNS:client"])
    static var expired: IdentityFacts { var f = sound; f.expiredCertificate = "CN=leaf"; return f }
    static var notYetValid: IdentityFacts { var f = sound; f.notYetValidCertificate = "CN=leaf"; return f }
    static var serverAuthOnly: IdentityFacts { var f = sound; f.allowsClientAuth = false; return f }

    static func evidence(phase: AttemptPhase = .verdict, alert: Int16 = -1, http: Int16 = 0, page: HTTPCertificatePage = .none,
                         errno: Int32 = 0, requested: Bool = true, sent: Bool = true, namesKnow: Bool? = nil,
                         verify: Int32 = 0, timedOut: Bool = false, signal: VerdictSignal = .none, reason: Int32 = 0) -> AttemptEvidence {
        var e = AttemptEvidence()
        e.phase = phase
        e.alert = alert
        e.alertAfterHandshake = phase == .verdict
        e.httpStatus = http
        e.httpPage = page
        e.socketErrno = errno
        e.certificateRequested = requested
        e.certificateSent = sent
        e.requestedCANamesIncludeOurChain = namesKnow
        e.serverVerifyError = verify
        e.timedOut = timedOut
        e.verdictSignal = signal
        e.tlsReason = reason
        return e
    }

    @Test("specific alerts map directly")
    func specificAlerts() {
        #expect(Diagnosis.classify(Self.evidence(alert: 45), facts: Self.sound).outcome == .clientCertExpired)
        #expect(Diagnosis.classify(Self.evidence(alert: 48), facts: Self.sound).outcome == .clientCertUnknownCA)
        #expect(Diagnosis.classify(Self.evidence(alert: 43), facts: Self.sound).outcome == .clientCertMissingClientAuth)
        #expect(Diagnosis.classify(Self.evidence(alert: 44), facts: Self.sound).outcome == .clientCertRevoked)
        #expect(Diagnosis.classify(Self.evidence(alert: 116, sent: false), facts: .noCertificate).outcome == .clientCertRequired)
        #expect(Diagnosis.classify(Self.evidence(phase: .handshake, alert: 70, requested: false, sent: false), facts: Self.sound).outcome == .protocolMismatch)
    }

    @Test("45 for a not-yet-valid leaf (BoringSSL) is not-yet-valid")
    func boringNotYetValid() {
        let d = Diagnosis.classify(Self.evidence(alert: 45), facts: Self.notYetValid)
        #expect(d.outcome == .clientCertNotYetValid)
    }

    @Test("generic alerts are explained by local facts", arguments: [TLSAlert.badCertificate, TLSAlert.accessDenied, TLSAlert.certificateUnknown])
    func genericAlerts(alert: Int16) {
        #expect(Diagnosis.classify(Self.evidence(alert: alert), facts: Self.expired) == Diagnosis(.clientCertExpired, inferredFrom: .certificateExpired))
        #expect(Diagnosis.classify(Self.evidence(alert: alert), facts: Self.notYetValid).outcome == .clientCertNotYetValid)
        #expect(Diagnosis.classify(Self.evidence(alert: alert), facts: Self.serverAuthOnly).outcome == .clientCertMissingClientAuth)
        #expect(Diagnosis.classify(Self.evidence(alert: alert, namesKnow: false), facts: Self.sound).outcome == .clientCertUnknownCA)
        #expect(Diagnosis.classify(Self.evidence(alert: alert, sent: false), facts: .noCertificate).outcome == .clientCertRequired)
    }

    @Test("a generic rejection nothing explains stays honest")
    func unexplained() {
        #expect(Diagnosis.classify(Self.evidence(alert: 42, namesKnow: true), facts: Self.sound).outcome == .clientCertRejected)
        #expect(Diagnosis.classify(Self.evidence(alert: 49), facts: Self.sound).outcome == .clientCertRejected)
        #expect(Diagnosis.classify(Self.evidence(alert: 46), facts: Self.sound).outcome == .clientCertSANRejected)
        #expect(Diagnosis.classify(Self.evidence(http: 400, page: .certificateError), facts: Self.sound).outcome == .clientCertRejected)
    }

    @Test("nginx-style HTTP 400 pages")
    func httpPages() {
        #expect(Diagnosis.classify(Self.evidence(http: 400, page: .certificateError), facts: Self.expired).outcome == .clientCertExpired)
        #expect(Diagnosis.classify(Self.evidence(http: 400, page: .certificateError, namesKnow: false), facts: Self.sound).outcome == .clientCertUnknownCA)
        #expect(Diagnosis.classify(Self.evidence(http: 400, page: .noCertificate, sent: false), facts: .noCertificate).outcome == .clientCertRequired)
        #expect(Diagnosis.classify(Self.evidence(http: 403), facts: Self.sound).outcome == .accessDenied)
        #expect(Diagnosis.classify(Self.evidence(http: 200, signal: .httpResponse), facts: Self.sound).outcome == .accepted)
        #expect(Diagnosis.classify(Self.evidence(http: 404, signal: .httpResponse), facts: Self.sound).outcome == .accepted)
    }

    @Test("a reset after presenting a serverAuth-only leaf is the missing EKU; otherwise a reset")
    func resets() {
        let reset = Self.evidence(errno: ECONNRESET)
        #expect(Diagnosis.classify(reset, facts: Self.serverAuthOnly) == Diagnosis(.clientCertMissingClientAuth, inferredFrom: .missingClientAuth))
        #expect(Diagnosis.classify(reset, facts: Self.sound).outcome == .connectionReset)
        #expect(Diagnosis.classify(Self.evidence(reason: 294), facts: Self.sound).outcome == .unexpectedEOF)
    }

    @Test("our verification of the server chain wins", arguments: [
        (Int32(10), OutcomeClass.serverCertExpired), (9, .serverCertNotYetValid), (62, .serverCertSANMismatch),
        (26, .serverCertMissingServerAuth), (20, .serverCertUnknownCA), (18, .serverCertUnknownCA), (21, .serverCertUnknownCA),
    ])
    func serverVerification(code: Int32, expected: OutcomeClass) {
        let e = Self.evidence(phase: .handshake, alert: -1, sent: false, verify: code, reason: 134)
        #expect(Diagnosis.classify(e, facts: Self.expired).outcome == expected)
    }

    @Test("connect failures and timeouts")
    func connectAndTimeouts() {
        #expect(Diagnosis.classify(Self.evidence(phase: .connect, errno: ECONNREFUSED), facts: Self.sound).outcome == .connectRefused)
        #expect(Diagnosis.classify(Self.evidence(phase: .connect, errno: EMFILE), facts: Self.sound).outcome == .localResourceExhausted)
        #expect(Diagnosis.classify(Self.evidence(phase: .connect, errno: EADDRNOTAVAIL), facts: Self.sound).outcome == .localResourceExhausted)
        #expect(Diagnosis.classify(Self.evidence(phase: .connect, timedOut: true), facts: Self.sound).outcome == .connectTimeout)
        #expect(Diagnosis.classify(Self.evidence(phase: .handshake, timedOut: true), facts: Self.sound).outcome == .handshakeTimeout)
        #expect(Diagnosis.classify(Self.evidence(phase: .verdict, timedOut: true), facts: Self.sound).outcome == .verdictTimeout)
        #expect(Diagnosis.classify(Self.evidence(phase: .verdict, timedOut: true, signal: .graceElapsed), facts: Self.sound).outcome == .accepted)
    }

    @Test("class ids are stable")
    func stableIds() {
        #expect(OutcomeClass.allCases.map(\.rawValue) == [
            "accepted", "server-cert-expired", "server-cert-not-yet-valid", "server-cert-unknown-ca", "server-cert-san-mismatch",
            "server-cert-missing-serverauth", "client-cert-expired", "client-cert-not-yet-valid", "client-cert-unknown-ca",
            "client-cert-missing-clientauth", "client-cert-san-rejected", "client-cert-required", "client-cert-revoked",
            "client-cert-rejected", "access-denied", "protocol-mismatch", "handshake-failure", "connect-refused", "connect-timeout",
            "handshake-timeout", "verdict-timeout", "connection-reset", "unexpected-eof", "local-resource-exhausted",
        ])
    }
}
