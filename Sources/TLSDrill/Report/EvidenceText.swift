internal import COpenSSL
internal import CTLSDrillShims

/// Renders evidence as the short, stable strings shown in reports ("alert 48 unknown_ca after handshake").
enum EvidenceText {
    static func render(_ key: EvidenceKey) -> String {
        let e = key.evidence
        var parts: [String] = []
        if e.serverVerifyError != 0 {
            parts.append("server verify \(e.serverVerifyError) (\(String(cString: X509_verify_cert_error_string(Int(e.serverVerifyError)))))")
        }
        if e.timedOut && e.verdictSignal != .graceElapsed { parts.append("timeout in \(e.phase.rawValue)") }
        if e.alert >= 0 {
            parts.append("alert \(e.alert) \(TLSAlert.name(e.alert)) \(e.alertAfterHandshake ? "after handshake" : "during handshake")")
        }
        if e.httpStatus > 0 {
            let http = e.http2 ? "HTTP/2" : "HTTP"
            switch e.httpPage {
            case .certificateError: parts.append("\(http) \(e.httpStatus) 'SSL certificate error'")
            case .noCertificate: parts.append("\(http) \(e.httpStatus) 'No required SSL certificate was sent'")
            case .none: parts.append("\(http) \(e.httpStatus)")
            }
        }
        if e.http2Refusal != 0 {
            parts.append("HTTP/2 \(e.http2Refusal == 7 ? "GOAWAY" : "RST_STREAM") before a status, error code \(e.http2ErrorCode) (\(HTTP2ErrorCode.name(e.http2ErrorCode)))")
        }
        switch e.verdictSignal {
        case .applicationData where e.httpStatus == 0: parts.append("data received")
        case .sessionTicket: parts.append("session ticket received")
        case .graceElapsed: parts.append("no rejection within grace")
        case .handshake: parts.append("handshake completed")
        default: break
        }
        if e.socketErrno != 0 { parts.append("\(ErrnoName.name(e.socketErrno)) in \(e.phase.rawValue)") }
        if e.alert < 0 && e.alertSent >= 0 { parts.append("we sent alert \(e.alertSent) \(TLSAlert.name(e.alertSent))") }
        if e.tlsReason != 0 && e.serverVerifyError == 0 && e.alert < 0 {
            let text = tlsdrill_ssl_reason_string(e.tlsReason).map { String(cString: $0) } ?? "reason \(e.tlsReason)"
            parts.append("tls: \(text)")
        }
        if parts.isEmpty, e.phase != .connect, e.socketErrno == 0, !e.timedOut { parts.append("connection closed in \(e.phase.rawValue)") }
        if e.certificateRequested && !e.certificateSent && e.serverVerifyError == 0 { parts.append("no certificate sent") }
        if let cause = key.inferredFrom { parts.append("inferred: \(cause.rawValue)") }
        return parts.joined(separator: "; ")
    }
}
