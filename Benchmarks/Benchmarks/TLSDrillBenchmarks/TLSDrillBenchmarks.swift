import Benchmark
import Foundation
import Histogram
import TLSDrill

/// Hot paths of tlsdrill. Thresholds are on deterministic metrics (mallocs, instructions), not time.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .cpuTotal],
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    // Diagnosis runs once per attempt: it must not allocate.
    let facts = IdentityFacts(presentsCertificate: true, expiredCertificate: "CN=leaf", notYetValidCertificate: nil,
                              allowsClientAuth: true, selfSigned: false, subjectAlternativeNames: [])
    var generic = AttemptEvidence()
    generic.phase = .verdict
    generic.alert = TLSAlert.badCertificate
    generic.certificateRequested = true
    generic.certificateSent = true
    Benchmark("Diagnosis.classify (generic alert 42, inferred expiry)",
              configuration: .init(scalingFactor: .kilo, thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Diagnosis.classify(generic, facts: facts)) }
    }

    // One latency sample per phase per attempt.
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    Benchmark("Histogram.record (µs, 3 digits)",
              configuration: .init(scalingFactor: .kilo, thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])) { benchmark in
        for value in benchmark.scaledIterations { blackHole(histogram.record(UInt64(value % 50_000 + 100))) }
    }

    // Full TLS 1.3 mTLS handshake with both sides in memory: OpenSSL's cost without sockets.
    let directory = NSTemporaryDirectory() + "tlsdrill-bench-\(getpid())"
    guard let pki = try? DrillPKI.create(at: directory),
          let identity = try? ClientIdentity.load(name: "client", certPath: pki.cert("gen1-client"), keyPath: pki.key("gen1-client")) else {
        fatalError("cannot build the benchmark PKI in \(directory)")
    }
    var serverSettings = ServerTLSSettings(certFile: pki.cert("gen1-server"), keyFile: pki.key("gen1-server"))
    serverSettings.trustFiles = [pki.cert("gen1-root")]
    serverSettings.version = .tls13
    for (context, cache) in [(OpenSSLContextChoice.lean, true), (.lean, false), (.default, true), (.default, false)] {
        var tls = ClientTLSSettings()
        tls.version = .tls13
        tls.caFile = pki.cert("gen1-root")
        tls.verifyName = "localhost"
        tls.serverName = "localhost"
        tls.verifyCache = cache
        tls.openSSLContext = context
        guard let client = try? ClientTLSContext(identity: identity, settings: tls), let server = try? ServerTLSContext(serverSettings) else {
            fatalError("cannot build the benchmark contexts")
        }
        Benchmark("In-memory mTLS handshake, TLS 1.3, \(context.rawValue) client context, verify cache \(cache ? "on" : "off")") { benchmark in
            for _ in benchmark.scaledIterations {
                guard InMemoryHandshake.run(client: client, server: server) else { fatalError("handshake failed") }
            }
        }
    }

    // Live metrics: what one attempt's publishing costs a worker (atomics only: no allocation), and what a
    // scrape costs at 2,000 identity × class series with 1,000 attempts published since the last scrape.
    let metricsBench = MetricsScrapeBench(identities: 400, classesPerIdentity: 5)
    Benchmark("Metrics: publish one attempt (count + 4 phase samples)",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo,
                                   thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])) { benchmark in
        for attempt in benchmark.scaledIterations { metricsBench.publishOne(attempt) }
    }
    Benchmark("Metrics: 1,000 attempts published, then a scrape of 2,000 identity x class series",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        for _ in benchmark.scaledIterations {
            metricsBench.advance(attempts: 1_000)
            blackHole(metricsBench.scrape())
        }
    }
}
