import ArgumentParser
import Foundation
import TLSDrill

/// Load model, verdict and timing flags.
struct LoadOptions: ParsableArguments {
    @Option(help: "Worker threads. Default: active cores.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Attempts in flight (closed loop); with --rate, the cap on in-flight attempts.")
    var concurrency: Int = 50

    @Option(help: "Open loop: attempts started per second, timed from their intended start (coordinated-omission corrected).")
    var rate: Double?

    @Option(help: "Stop after this many attempts.")
    var handshakes: Int?

    @Option(help: "Stop starting attempts after this long (500ms, 8s, 2m).")
    var duration: String?

    @Option(help: "How the gateway's verdict is confirmed after the handshake: http, read or none.")
    var confirm = "http"

    @Option(help: "Request path for --confirm http.")
    var path = "/"

    @Option(help: "--confirm read: silence this long after the handshake counts as accepted.")
    var confirmGrace = "200ms"

    @Option(help: "Timeout for each phase (connect, handshake, verdict) unless set separately.")
    var timeout = "5s"

    @Option(help: "TCP connect timeout.")
    var connectTimeout: String?

    @Option(help: "TLS handshake timeout.")
    var handshakeTimeout: String?

    @Option(help: "Verdict timeout (HTTP reply) after the handshake.")
    var verdictTimeout: String?

    @Option(help: "Keep each accepted connection open this long before closing (capacity tests).")
    var hold = "0s"

    @Option(help: "Timeline resolution (100ms or more).")
    var interval = "1s"

    func apply(to settings: inout RunSettings) throws {
        settings.workers = workers
        settings.concurrency = concurrency
        settings.rate = rate
        settings.handshakes = handshakes
        settings.duration = try duration.map { try DurationText.parse($0, flag: "--duration") }
        guard let mode = ConfirmMode(rawValue: confirm) else {
            throw TLSDrillError.invalidOption(flag: "--confirm", value: confirm, expected: "use http, read or none")
        }
        settings.confirm = mode
        settings.path = path
        settings.confirmGrace = try DurationText.parse(confirmGrace, flag: "--confirm-grace")
        let all = try DurationText.parse(timeout, flag: "--timeout")
        settings.connectTimeout = try connectTimeout.map { try DurationText.parse($0, flag: "--connect-timeout") } ?? all
        settings.handshakeTimeout = try handshakeTimeout.map { try DurationText.parse($0, flag: "--handshake-timeout") } ?? all
        settings.verdictTimeout = try verdictTimeout.map { try DurationText.parse($0, flag: "--verdict-timeout") } ?? all
        settings.hold = try DurationText.parse(hold, flag: "--hold")
        settings.interval = try DurationText.parse(interval, flag: "--interval")
    }
}
