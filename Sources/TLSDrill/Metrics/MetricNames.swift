import Prometheus

/// The metric names and help texts tlsdrill exposes (client and gateway), in one place for the dashboard
/// and the README to follow.
enum MetricNames {
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "tlsdrill", metricName: metric, unitName: unit, helpText: help)
    }

    static var attempts: MetricNameDescriptor { name("attempts", "total", "Attempts that reached an outcome, by class and identity.") }
    static var resumption: MetricNameDescriptor { name("resumption_attempts", "total", "Attempts by session kind: full, resumed, offered-refused (runs that resume).") }
    static var inFlight: MetricNameDescriptor { name("in_flight", "", "Attempts in flight now.") }
    static var missedStarts: MetricNameDescriptor { name("missed_starts", "total", "Attempts started late or never because the generator fell behind (--rate).") }
    static var phase: MetricNameDescriptor { name("phase", "seconds", "Latency of each phase (connect, handshake, verdict, total), full vs resumed sessions.") }
    static var step: MetricNameDescriptor { name("rotation_step", "info", "A rotation step that has run, with its outcome (ok, failed, timeout); value is its start (Unix time, seconds).") }
    static var run: MetricNameDescriptor { name("run", "info", "The run: tlsdrill and OpenSSL versions, target.") }
    static var gatewayVerdicts: MetricNameDescriptor { name("gateway_connections", "total", "Built-in gateway: connections by verdict (accepted, rejected-REASON, handshake-error, timeout).") }
    static var gatewayHandshake: MetricNameDescriptor { name("gateway_handshake", "seconds", "Built-in gateway: accept() until the handshake's verdict.") }
    static var gatewayGeneration: MetricNameDescriptor { name("gateway_reload_generation", "", "Built-in gateway: the TLS context generation in force (1 at start, +1 per successful reload).") }
}

extension MetricNames {
    /// Every metric family tlsdrill exposes, with whether it is a histogram (then `_bucket`, `_sum` and
    /// `_count` series are what a query names).
    static var all: [(name: String, histogram: Bool)] {
        [(attempts.name, false), (resumption.name, false), (inFlight.name, false), (missedStarts.name, false), (phase.name, true),
         (step.name, false), (run.name, false), (gatewayVerdicts.name, false), (gatewayHandshake.name, true), (gatewayGeneration.name, false)]
    }
}
