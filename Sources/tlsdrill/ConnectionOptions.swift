import ArgumentParser
import Foundation
import TLSDrill

/// Target, TLS and identity flags (shared by commands that open connections).
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Gateway to drill, HOST:PORT (127.0.0.1:8443, [::1]:8443, localhost:8443).")
    var target: String

    @Option(help: "SNI to send and, unless --verify-name, the name the server certificate must match. Default: the target host (no SNI for IP targets).")
    var sni: String?

    @Option(help: "Name (DNS or IP) the server certificate must match. Default: --sni, else the target host.")
    var verifyName: String?

    @Option(help: "PEM CA bundle the server chain must lead to. Default: the system trust store.")
    var ca: String?

    @Flag(help: "Do not verify the server certificate.")
    var insecure = false

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

    @Option(help: "TLS versions: auto, 1.2 or 1.3.")
    var tls = "auto"

    @Option(help: "Comma-separated ALPN protocols to offer (e.g. h2,http/1.1).")
    var alpn: String?

    @Option(help: "Key-exchange groups, OpenSSL syntax (X25519:P-256).")
    var groups: String?

    @Option(help: "TLS 1.2 cipher list, OpenSSL syntax.")
    var ciphers: String?

    @Option(help: "TLS 1.3 ciphersuites, OpenSSL syntax.")
    var ciphersuites: String?

    func tlsSettings(target: TargetAddress) throws -> ClientTLSSettings {
        guard let version = TLSVersionChoice(rawValue: tls) else {
            throw TLSDrillError.invalidOption(flag: "--tls", value: tls, expected: "use auto, 1.2 or 1.3")
        }
        var settings = ClientTLSSettings()
        settings.version = version
        settings.caFile = ca
        settings.insecure = insecure
        let hostIsIP = IPAddressCheck.isIP(target.host)
        settings.serverName = sni ?? (hostIsIP ? nil : target.host)
        settings.verifyName = verifyName ?? sni ?? target.host
        settings.alpn = alpn.map { $0.split(separator: ",").map(String.init) } ?? []
        settings.groups = groups
        settings.ciphers = ciphers
        settings.ciphersuites = ciphersuites
        return settings
    }

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

enum IPAddressCheck {
    static func isIP(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
