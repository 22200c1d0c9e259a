import Foundation

extension LoadSpec {
    /// Applies the profile's load fields to `settings`.
    public func apply(to settings: inout RunSettings) {
        if let concurrency { settings.concurrency = concurrency }
        if let rate { settings.rate = rate }
        if let duration { settings.duration = duration }
        if let handshakes { settings.handshakes = handshakes }
        if let confirm { settings.confirm = confirm }
        if let workers { settings.workers = workers }
        if let interval { settings.interval = interval }
        if let hold { settings.hold = hold }
        if let resume { settings.resume = resume }
        if let timeout {
            settings.connectTimeout = timeout
            settings.handshakeTimeout = timeout
            settings.verdictTimeout = timeout
        }
    }
}

extension Profile {
    /// The profile's identities with positive weight, each with a context built from `tls`.
    public func weightedIdentities(tls: ClientTLSSettings) throws -> [WeightedIdentity] {
        try document.identities.filter { $0.weight > 0 }.map { spec in
            WeightedIdentity(context: try ClientTLSContext(identity: try Profile.identity(spec), settings: tls), weight: spec.weight)
        }
    }
}
