import ArgumentParser
import Foundation
import TLSDrill

/// Load model, verdict and timing flags. Each flag given overrides the profile (and the defaults).
struct LoadOptions: ParsableArguments {
    @Option(help: "Worker threads. (default: active cores)")
    var workers: Int?

    @Option(help: "Attempts in flight (closed loop); with --rate, the cap on in-flight attempts. (default: 50)")
    var concurrency: Int?

    @Option(help: "Open loop: attempts started per second, timed from their intended start (coordinated-omission corrected).")
    var rate: Double?

    @Option(help: "Stop after this many attempts.")
    var handshakes: Int?

    @Option(help: "Stop starting attempts after this long (500ms, 8s, 2m).")
    var duration: String?

    @Option(help: "How the gateway's verdict is confirmed after the handshake: http, read or none. (default: http)")
    var confirm: String?

    @Option(help: "Request path for --confirm http. (default: /)")
    var path: String?

    @Option(help: "--confirm read: silence this long after the handshake counts as accepted. (default: 200ms)")
    var confirmGrace: String?

    @Option(help: "Timeout for each phase (connect, handshake, verdict) unless set separately. (default: 5s)")
    var timeout: String?

    @Option(help: "TCP connect timeout.")
    var connectTimeout: String?

    @Option(help: "TLS handshake timeout.")
    var handshakeTimeout: String?

    @Option(help: "Verdict timeout (HTTP reply) after the handshake.")
    var verdictTimeout: String?

    @Option(help: "Keep each accepted connection open this long before closing (capacity tests). (default: 0s)")
    var hold: String?

    @Option(help: "Timeline resolution (100ms or more). (default: 1s)")
    var interval: String?

    @Option(help: "Closed loop: pause before a slot re-dials after a failure before TLS (refused, unreachable), so an outage is a window, not a flood; 0 re-dials at once. (default: 10ms)")
    var retryPause: String?

    @Option(help: "Share of attempts (0 to 1) that resume a session from an earlier accepted attempt of the same identity and worker (TLS 1.3 tickets; TLS 1.2 tickets or IDs). Needs --confirm http or read (tickets arrive after the handshake). (default: 0)")
    var resume: Double?

    @Option(help: "With --resume: offer TLS 1.2 session tickets (on), or use session IDs only (off), for gateways without tickets. (default: on)")
    var tickets: String?

    func apply(to settings: inout RunSettings) throws {
        if let workers { settings.workers = workers }
        if let concurrency { settings.concurrency = concurrency }
        if let rate { settings.rate = rate }
        if let handshakes { settings.handshakes = handshakes }
        if let duration { settings.duration = try DurationText.parse(duration, flag: "--duration", in: OptionRange.runDuration) }
        if let confirm { settings.confirm = try choice(confirm, flag: "--confirm") }
        if let path { settings.path = path }
        if let confirmGrace { settings.confirmGrace = try DurationText.parse(confirmGrace, flag: "--confirm-grace") }
        if let timeout {
            let all = try DurationText.parse(timeout, flag: "--timeout", in: OptionRange.timeout)
            settings.connectTimeout = all
            settings.handshakeTimeout = all
            settings.verdictTimeout = all
        }
        if let connectTimeout { settings.connectTimeout = try DurationText.parse(connectTimeout, flag: "--connect-timeout") }
        if let handshakeTimeout { settings.handshakeTimeout = try DurationText.parse(handshakeTimeout, flag: "--handshake-timeout") }
        if let verdictTimeout { settings.verdictTimeout = try DurationText.parse(verdictTimeout, flag: "--verdict-timeout") }
        if let hold { settings.hold = try DurationText.parse(hold, flag: "--hold") }
        if let interval { settings.interval = try DurationText.parse(interval, flag: "--interval") }
        if let resume { settings.resume = resume }
        if let tickets { settings.tls.tickets = try OnOff.parse(tickets, flag: "--tickets") }
        if let retryPause { settings.retryPause = try DurationText.parse(retryPause, flag: "--retry-pause") }
    }
}
