import ArgumentParser
import Foundation
import TLSDrill

/// `--metrics-listen`: a live Prometheus endpoint for the run.
struct MetricsOptions: ParsableArguments {
    @Option(help: "Serve live Prometheus metrics at http://HOST:PORT/metrics while running (e.g. 127.0.0.1:9464; port 0 picks one).")
    var metricsListen: String?

    /// Runs `body` with the endpoint serving `runner`'s live metrics (when asked for); says where on stderr.
    func serving<T>(_ runner: LoadRunner, _ body: () throws -> T) throws -> T {
        guard let metricsListen, let live = runner.liveMetrics else { return try body() }
        let server = try MetricsServer.start(listen: metricsListen) { live.scrape() }
        defer { server.stop() }
        FileHandle.standardError.write(Data("tlsdrill: metrics at http://\(server.address)/metrics\n".utf8))
        return try body()
    }
}
