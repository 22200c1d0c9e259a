import ArgumentParser
import Foundation
import TLSDrill

/// Target, TLS and identity flags. With a profile, each flag given overrides the profile's value.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Gateway to drill, HOST:PORT (127.0.0.1:8443, [::1]:8443, localhost:8443). Required without a profile.")
    var target: String?

    @Option(help: "SNI to send and, unless --verify-name, the name the server certificate must match. Default: the target host (no SNI for IP targets).")
    var sni: String?

    @Option(help: "Name (DNS or IP) the server certificate must match. Default: --sni, else the target host.")
    var verifyName: String?

    @Option(help: "PEM CA bundle the server chain must lead to. Default: the system trust store.")
    var ca: String?

    @Flag(help: "Do not verify the server certificate.")
    var insecure = false

    @Flag(help: "Verify every served chain from scratch (default: reuse a worker's verification of a byte-identical chain while all its certificates are valid).")
    var noVerifyCache = false

    @Flag(help: "Parse EC certificate keys through OpenSSL's legacy EC route instead of 3.0's decoder framework (much cheaper per handshake; process-wide, opt-in).")
    var fastEcDecoding = false

    @Option(help: "OpenSSL library context for client handshakes: lean (only what TLS can negotiate; faster certificate parsing) or default. (default: lean)")
    var opensslContext: String?

    @Flag(help: "Generate a new X25519/X448 key share for every ClientHello (default: each worker keeps its key pair for 1,024 handshakes; the server's work is the same either way).")
    var freshKeyShares = false

    @Option(help: "PEM client certificate (leaf, optionally followed by its intermediates).")
    var cert: String?

    @Option(help: "PEM private key of --cert (unencrypted).")
    var key: String?

    @Option(help: "PEM file with extra intermediates to send after --cert.")
    var chain: String?

    @Flag(help: "Present no client certificate.")
    var noCert = false

    @Option(help: "Name for this identity in reports. Default: the certificate file's name.")
    var identityName: String?

    @Option(help: "TLS versions: auto, 1.2 or 1.3. (default: auto)")
    var tls: String?

    @Option(help: "Comma-separated ALPN protocols to offer (e.g. h2,http/1.1).")
    var alpn: String?

    @Option(help: "Key-exchange groups, OpenSSL syntax (X25519:P-256).")
    var groups: String?

    @Option(help: "TLS 1.2 cipher list, OpenSSL syntax.")
    var ciphers: String?

    @Option(help: "TLS 1.3 ciphersuites, OpenSSL syntax.")
    var ciphersuites: String?

    /// The `--tls` flag, parsed.
    func version() throws -> TLSVersionChoice? {
        try tls.map { try choice($0, flag: "--tls") }
    }

    /// Applies the flags that were given on top of `settings`.
    func apply(to settings: inout ClientTLSSettings) throws {
        if fastEcDecoding && !FastKeyDecoding.enable() {
            throw TLSDrillError.openSSL(operation: "--fast-ec-decoding", detail: "OpenSSL refused the EC decoding engine")
        }
        if let version = try version() { settings.version = version }
        if let opensslContext { settings.openSSLContext = try choice(opensslContext, flag: "--openssl-context") }
        if let ca { settings.caFile = ca }
        if insecure { settings.insecure = true }
        if noVerifyCache { settings.verifyCache = false }
        if freshKeyShares { settings.sharedKeyShares = false }
        if let sni {
            settings.serverName = sni
            settings.verifyName = sni
        }
        if let verifyName { settings.verifyName = verifyName }
        if let alpn { settings.alpn = alpn.split(separator: ",").map(String.init) }
        if let groups { settings.groups = groups }
        if let ciphers { settings.ciphers = ciphers }
        if let ciphersuites { settings.ciphersuites = ciphersuites }
    }

    /// Whether an identity was given by flags.
    var namesIdentity: Bool { noCert || cert != nil || key != nil }

    func identity() throws -> ClientIdentity {
        if noCert {
            guard cert == nil, key == nil else {
                throw TLSDrillError.conflictingOptions("--no-cert cannot be combined with --cert/--key; drop one of them")
            }
            return .noCertificate(name: identityName ?? "no-cert")
        }
        guard let cert else {
            throw TLSDrillError.conflictingOptions("no client identity: pass --cert FILE --key FILE, or --no-cert to present none")
        }
        guard let key else { throw TLSDrillError.conflictingOptions("--cert \(cert) needs its --key FILE") }
        let name = identityName ?? ((cert as NSString).lastPathComponent as NSString).deletingPathExtension
        return try ClientIdentity.load(name: name, certPath: cert, keyPath: key, chainPath: chain)
    }
}
