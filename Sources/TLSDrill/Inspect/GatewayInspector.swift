import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// One blocking probe handshake (bounded by a timeout) that records instead of enforcing verification.
public enum GatewayInspector {
    /// Inspects `target`; `identity` (default none) is presented if asked; `probeNoCertificate` adds a
    /// bounded drill with no certificate to learn whether one is required.
    public static func inspect(target: TargetAddress, tls: ClientTLSSettings, identity: ClientIdentity = .noCertificate(),
                               timeout: TimeInterval = 5, probeNoCertificate: Bool = true, now: Date = Date()) throws -> GatewayInspection {
        var settings = tls
        settings.insecure = false
        let context = try ClientTLSContext(identity: identity, settings: settings)
        tlsdrill_client_record_verification(context.pointer)
        try Preflight.checkReachable(target, timeout: timeout)
        let fd = try BlockingSocket.connect(target, timeout: timeout)
        defer { close(fd) }
        // The timeout bounds the whole probe, not each read: a gateway trickling one byte a second is cut off.
        let deadline = BlockingSocket.deadline(fd, after: timeout)
        defer { deadline.cancel() }
        guard let ssl = SSL_new(context.pointer) else { throw TLSDrillError.openSSL(operation: "SSL_new", detail: OpenSSLErrorQueue.summary()) }
        defer { SSL_free(ssl) }
        let observation = UnsafeMutablePointer<tlsdrill_observation>.allocate(capacity: 1)
        defer { observation.deallocate() }
        tlsdrill_observation_reset(observation)
        _ = tlsdrill_set_observation(ssl, observation)
        SSL_set_fd(ssl, fd)
        if let name = tls.serverName { _ = tlsdrill_set_tlsext_host_name(ssl, name) }
        OpenSSLErrorQueue.clear()
        let connected = SSL_connect(ssl) == 1
        if deadline.fired {
            throw TLSDrillError.unreachableTarget(target: target.description, reason: "the TLS handshake did not finish within \(DurationText.format(timeout))")
        }
        if !connected {
            // Under TLS 1.2 a gateway that requires a certificate aborts this certificate-less handshake,
            // but only after sending its chain and CertificateRequest: report those.
            let alert = observation.pointee.alert_received
            let detail = alert >= 0 ? "alert \(alert) \(TLSAlert.name(Int16(alert)))" : OpenSSLErrorQueue.summary()
            OpenSSLErrorQueue.clear()
            guard observation.pointee.certificate_request_seen != 0, SSL_get_peer_cert_chain(ssl) != nil else {
                throw TLSDrillError.unreachableTarget(target: target.description, reason: "TLS handshake failed: \(detail)")
            }
        }
        var chain: [ServedCertificate] = []
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<tlsdrill_sk_X509_num(stack) {
                guard let x509 = tlsdrill_sk_X509_value(stack, index) else { continue }
                X509_up_ref(x509)
                chain.append(ServedCertificate(Certificate(taking: x509), now: now))
            }
        }
        var names: [String] = []
        if let list = SSL_get_client_CA_list(ssl) {
            for index in 0..<tlsdrill_sk_X509_NAME_num(list) { names.append(x509NameText(tlsdrill_sk_X509_NAME_value(list, index))) }
        }
        var alpn: String?
        var selected: UnsafePointer<UInt8>?
        var selectedLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &selected, &selectedLength)
        if let selected, selectedLength > 0 { alpn = String(decoding: UnsafeBufferPointer(start: selected, count: Int(selectedLength)), as: UTF8.self) }
        let code = observation.pointee.verify_error
        var inspection = GatewayInspection(
            target: target.description, tlsVersion: String(cString: SSL_get_version(ssl)),
            cipher: String(cString: SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))),
            group: tlsdrill_negotiated_group_name(ssl).map { String(cString: $0) }, alpn: alpn, servedChain: chain,
            verification: code == 0 ? "ok" : "\(code) \(String(cString: X509_verify_cert_error_string(Int(code))))",
            verificationCode: code, verifiedName: tls.verifyName,
            certificateRequested: observation.pointee.certificate_request_seen != 0, acceptableClientCANames: names,
            noCertificateOutcome: nil)
        OpenSSLErrorQueue.clear()
        if probeNoCertificate && inspection.certificateRequested {
            inspection.noCertificateOutcome = try noCertificateOutcome(target: target, tls: tls, timeout: timeout)
        } else if probeNoCertificate {
            inspection.noCertificateOutcome = OutcomeClass.accepted.rawValue
        }
        return inspection
    }

    private static func noCertificateOutcome(target: TargetAddress, tls: ClientTLSSettings, timeout: TimeInterval) throws -> String {
        var settings = RunSettings(target: target)
        settings.tls = tls
        settings.tls.insecure = true
        settings.hostHeader = tls.serverName ?? target.host
        settings.handshakes = 1
        settings.concurrency = 1
        settings.workers = 1
        settings.connectTimeout = timeout
        settings.handshakeTimeout = timeout
        settings.verdictTimeout = timeout
        let context = try ClientTLSContext(identity: .noCertificate(), settings: settings.tls)
        let result = try LoadRunner(settings: settings, identities: [WeightedIdentity(context: context)]).run()
        return result.outcomeCounts.first?.0.rawValue ?? OutcomeClass.handshakeFailure.rawValue
    }
}

/// A blocking TCP connection with send/receive timeouts, for one-off probes.
enum BlockingSocket {
    /// Shuts `fd` down after `seconds`, which ends any blocking call on it; cancel it when done.
    static func deadline(_ fd: Int32, after seconds: TimeInterval) -> ProbeDeadline {
        let deadline = ProbeDeadline()
        let work = DispatchWorkItem { [deadline] in
            deadline.markFired()
            shutdown(fd, Int32(SHUT_RDWR))
        }
        deadline.work = work
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: work)
        return deadline
    }

    static func connect(_ target: TargetAddress, timeout: TimeInterval) throws -> Int32 {
        let fd = socket(target.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TLSDrillError.unreachableTarget(target: target.description, reason: ErrnoName.name(errno)) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var storage = target.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, target.length) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw TLSDrillError.unreachableTarget(target: target.description, reason: ErrnoName.name(code))
        }
        return fd
    }
}

/// A probe's whole-attempt deadline (see `BlockingSocket.deadline`).
final class ProbeDeadline: @unchecked Sendable {  // `fired` is an atomic; `work` is set once before scheduling
    fileprivate var work: DispatchWorkItem?
    private let flag = StopFlag()
    var fired: Bool { flag.isSet }
    fileprivate func markFired() { flag.set() }
    func cancel() { work?.cancel() }
}
