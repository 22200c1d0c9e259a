import Foundation
import TLSDrill

/// The built-in gateway, in-process, with test PKI credentials.
enum BuiltInGateway {
    static func settings(server: String = "gen1-server", trust: [String] = ["gen1-root"], reject: RejectMode = .alert) -> ServerTLSSettings {
        let pki = TestPKI.shared
        var settings = ServerTLSSettings(certFile: pki.cert(server), keyFile: pki.key(server))
        settings.trustFiles = trust.map { pki.cert($0) }
        settings.reject = reject
        return settings
    }

    static func start(_ settings: ServerTLSSettings, workers: Int = 1) throws -> GatewayServer {
        var options = GatewayServer.Options()
        options.workers = workers
        let server = try GatewayServer(settings: settings, options: options)
        server.start()
        return server
    }
}
