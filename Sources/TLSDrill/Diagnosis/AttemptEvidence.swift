/// The phase an attempt was in when its outcome became known.
public enum AttemptPhase: String, Codable, Sendable {
    /// TCP connect.
    case connect
    /// TLS handshake, client view (until our `SSL_do_handshake` returned 1).
    case handshake
    /// After our handshake: waiting for the gateway's accept/reject (alert, HTTP reply, first record).
    case verdict
}

/// What told us the gateway accepted.
public enum VerdictSignal: String, Codable, Sendable {
    case none
    /// The HTTP status line (`--confirm http`).
    case httpResponse = "http"
    /// Application data arrived (`--confirm read`).
    case applicationData = "data"
    /// A NewSessionTicket arrived, sent only after the server verified us (`--confirm read`).
    case sessionTicket = "ticket"
    /// Nothing arrived within `--confirm-grace` (`--confirm read`).
    case graceElapsed = "grace"
    /// The handshake itself (`--confirm none`, or TLS 1.2 where the server verifies before Finished).
    case handshake
}

/// How an nginx-style certificate error page reads.
public enum HTTPCertificatePage: String, Codable, Sendable {
    case none
    /// "400 The SSL certificate error" / 495.
    case certificateError = "certificate-error"
    /// "400 No required SSL certificate was sent" / 496.
    case noCertificate = "no-certificate"
}

/// Everything one attempt observed, as plain values: the input of `Diagnosis.classify`.
///
/// Evidence is aggregated by value, so it keeps only low-cardinality facts (codes, not timestamps).
public struct AttemptEvidence: Hashable, Sendable {
    /// Where the attempt ended.
    public var phase: AttemptPhase = .connect
    /// Whether the phase's timeout fired.
    public var timedOut = false
    /// errno from the socket (connect, read, write), 0 when none.
    public var socketErrno: Int32 = 0
    /// Our verification of the server chain (`X509_V_ERR_*`), 0 when it passed or was not reached.
    public var serverVerifyError: Int32 = 0
    /// First alert received from the gateway (not close_notify), -1 when none.
    public var alert: Int16 = -1
    /// Whether that alert arrived after our side of the handshake completed (TLS 1.3 late rejection).
    public var alertAfterHandshake = false
    /// First alert we sent, -1 when none.
    public var alertSent: Int16 = -1
    /// The first OpenSSL SSL-library reason code, 0 when none.
    public var tlsReason: Int32 = 0
    /// Whether the gateway sent a CertificateRequest.
    public var certificateRequested = false
    /// Whether we sent a non-empty Certificate message.
    public var certificateSent = false
    /// HTTP status, 0 when no response was read.
    public var httpStatus: Int16 = 0
    /// Whether the HTTP reply was a certificate error page.
    public var httpPage: HTTPCertificatePage = .none
    /// What confirmed acceptance.
    public var verdictSignal: VerdictSignal = .none
    /// Whether the CA names in the gateway's CertificateRequest include our chain; nil when unknown.
    public var requestedCANamesIncludeOurChain: Bool?
    /// The verdict came over HTTP/2 (ALPN h2).
    public var http2 = false
    /// HTTP/2: the frame that ended our stream before any status (7 GOAWAY, 3 RST_STREAM; 0 none) and its code.
    public var http2Refusal: UInt8 = 0
    public var http2ErrorCode: UInt32 = 0

    public init() {}
}
