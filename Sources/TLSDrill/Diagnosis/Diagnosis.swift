import Foundation

/// The local fact that explains a rejection the gateway did not explain itself.
public enum LocalCause: String, Codable, Sendable {
    case certificateExpired = "a presented certificate has expired"
    case certificateNotYetValid = "a presented certificate is not valid yet"
    case missingClientAuth = "the leaf has no clientAuth EKU"
    case chainNotRequested = "the gateway's CertificateRequest does not name our CA"
    case selfSigned = "the leaf is self-signed"
    case noCertificateSent = "no certificate was sent in reply to the CertificateRequest"
}

/// The result of diagnosing one attempt.
public struct Diagnosis: Hashable, Sendable {
    /// The class the attempt is counted in.
    public var outcome: OutcomeClass
    /// Set when the class was inferred from local facts rather than stated by the gateway.
    public var inferredFrom: LocalCause?

    public init(_ outcome: OutcomeClass, inferredFrom: LocalCause? = nil) {
        self.outcome = outcome
        self.inferredFrom = inferredFrom
    }

    /// Combines what the attempt observed with what we know about the identity we presented into one
    /// class. Pure: no I/O, no clock.
    public static func classify(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Diagnosis {
        if let serverClass = serverVerification(evidence) { return Diagnosis(serverClass) }
        if evidence.timedOut {
            switch evidence.phase {
            case .connect: return Diagnosis(.connectTimeout)
            case .handshake: return Diagnosis(.handshakeTimeout)
            case .verdict:
                // Silence within the grace period counts as acceptance in --confirm read.
                return evidence.verdictSignal == .graceElapsed ? Diagnosis(.accepted) : Diagnosis(.verdictTimeout)
            }
        }
        if evidence.phase == .connect { return connectFailure(evidence) }
        if evidence.alert >= 0 { return alert(evidence, facts: facts) }
        if evidence.httpStatus > 0 { return httpReply(evidence, facts: facts) }
        if evidence.verdictSignal != .none { return Diagnosis(.accepted) }
        if isProtocolMismatch(evidence) { return Diagnosis(.protocolMismatch) }
        return transportFailure(evidence, facts: facts)
    }

    private static func serverVerification(_ evidence: AttemptEvidence) -> OutcomeClass? {
        guard evidence.serverVerifyError != X509VerifyCode.ok, evidence.phase == .handshake else { return nil }
        return X509VerifyCode.serverClass(evidence.serverVerifyError) ?? .handshakeFailure
    }

    private static func connectFailure(_ evidence: AttemptEvidence) -> Diagnosis {
        switch evidence.socketErrno {
        case EMFILE, ENFILE, EADDRNOTAVAIL, ENOBUFS, ENOMEM, EADDRINUSE: Diagnosis(.localResourceExhausted)
        case ETIMEDOUT: Diagnosis(.connectTimeout)
        case ECONNRESET: Diagnosis(.connectionReset)
        default: Diagnosis(.connectRefused)
        }
    }

    /// What a local defect of the presented identity makes of a rejection that does not say why.
    static func localExplanation(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Diagnosis? {
        guard facts.presentsCertificate else { return nil }
        if facts.expiredCertificate != nil { return Diagnosis(.clientCertExpired, inferredFrom: .certificateExpired) }
        if facts.notYetValidCertificate != nil {
            return Diagnosis(.clientCertNotYetValid, inferredFrom: .certificateNotYetValid)
        }
        if !facts.allowsClientAuth { return Diagnosis(.clientCertMissingClientAuth, inferredFrom: .missingClientAuth) }
        if evidence.requestedCANamesIncludeOurChain == false {
            return Diagnosis(.clientCertUnknownCA, inferredFrom: .chainNotRequested)
        }
        if facts.selfSigned { return Diagnosis(.clientCertUnknownCA, inferredFrom: .selfSigned) }
        return nil
    }

    private static func noCertificateWasSent(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Bool {
        !facts.presentsCertificate || (evidence.certificateRequested && !evidence.certificateSent)
    }

    private static func alert(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Diagnosis {
        let local = localExplanation(evidence, facts: facts)
        // Whatever its number, a fatal alert answering our empty Certificate message refuses "no certificate".
        if evidence.certificateRequested && noCertificateWasSent(evidence, facts: facts) && evidence.alert != TLSAlert.certificateRequired
            && !isProtocolAlert(evidence.alert) {
            return Diagnosis(.clientCertRequired, inferredFrom: .noCertificateSent)
        }
        switch evidence.alert {
        case TLSAlert.certificateRequired:
            return Diagnosis(.clientCertRequired)
        case TLSAlert.certificateExpired:
            // BoringSSL sends 45 for not-yet-valid too.
            return local?.outcome == .clientCertNotYetValid ? local! : Diagnosis(.clientCertExpired)
        case TLSAlert.unknownCA:
            return Diagnosis(.clientCertUnknownCA)
        case TLSAlert.unsupportedCertificate:
            return Diagnosis(.clientCertMissingClientAuth)
        case TLSAlert.certificateRevoked:
            return Diagnosis(.clientCertRevoked)
        case TLSAlert.protocolVersion, TLSAlert.insufficientSecurity, TLSAlert.noApplicationProtocol:
            return Diagnosis(.protocolMismatch)
        case TLSAlert.handshakeFailure:
            if noCertificateWasSent(evidence, facts: facts), evidence.certificateRequested || evidence.alertAfterHandshake {
                return Diagnosis(.clientCertRequired)
            }
            if !evidence.certificateRequested { return Diagnosis(.protocolMismatch) }
            return local ?? Diagnosis(.clientCertRejected)
        case TLSAlert.badCertificate, TLSAlert.accessDenied, TLSAlert.decryptError:
            if noCertificateWasSent(evidence, facts: facts) { return Diagnosis(.clientCertRequired) }
            return local ?? Diagnosis(.clientCertRejected)
        case TLSAlert.certificateUnknown:
            if noCertificateWasSent(evidence, facts: facts) { return Diagnosis(.clientCertRequired) }
            return local ?? Diagnosis(.clientCertSANRejected)
        default:
            if evidence.certificateSent, let local { return local }
            return Diagnosis(.handshakeFailure)
        }
    }

    private static func httpReply(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Diagnosis {
        switch evidence.httpPage {
        case .noCertificate: return Diagnosis(.clientCertRequired)
        case .certificateError:
            if noCertificateWasSent(evidence, facts: facts) { return Diagnosis(.clientCertRequired) }
            return localExplanation(evidence, facts: facts) ?? Diagnosis(.clientCertRejected)
        case .none:
            return evidence.httpStatus == 401 || evidence.httpStatus == 403 ? Diagnosis(.accessDenied) : Diagnosis(.accepted)
        }
    }

    private static func isProtocolAlert(_ alert: Int16) -> Bool {
        alert == TLSAlert.protocolVersion || alert == TLSAlert.insufficientSecurity || alert == TLSAlert.noApplicationProtocol
    }

    private static func isProtocolMismatch(_ evidence: AttemptEvidence) -> Bool {
        if evidence.alertSent == TLSAlert.protocolVersion || evidence.alertSent == TLSAlert.noApplicationProtocol { return true }
        return OpenSSLReason.protocolMismatchReasons.contains(evidence.tlsReason)
    }

    /// A reset or EOF: when we presented a defective certificate, the defect is the likely cause (some
    /// gateways just drop the connection); otherwise say what happened.
    private static func transportFailure(_ evidence: AttemptEvidence, facts: IdentityFacts) -> Diagnosis {
        let reset = evidence.socketErrno == ECONNRESET || evidence.socketErrno == EPIPE
        // A gateway that closes after our handshake (close_notify or EOF, e.g. a TLS-terminating TCP proxy)
        // says nothing: an empty Certificate in reply to its CertificateRequest explains it.
        if evidence.phase == .verdict && evidence.certificateRequested && noCertificateWasSent(evidence, facts: facts) {
            return Diagnosis(.clientCertRequired, inferredFrom: .noCertificateSent)
        }
        if evidence.certificateSent || (evidence.phase == .verdict && facts.presentsCertificate),
           let local = localExplanation(evidence, facts: facts) {
            return local
        }
        if reset { return Diagnosis(.connectionReset) }
        // OpenSSL refused something (an oversized handshake message, say): its reason is the evidence.
        if evidence.tlsReason != 0 && evidence.tlsReason != OpenSSLReason.unexpectedEOF { return Diagnosis(.handshakeFailure) }
        if evidence.tlsReason == OpenSSLReason.unexpectedEOF || evidence.socketErrno == 0 { return Diagnosis(.unexpectedEOF) }
        if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(evidence.socketErrno) { return Diagnosis(.localResourceExhausted) }
        return Diagnosis(.handshakeFailure)
    }
}
