import ArgumentParser
import Foundation
import TLSDrill

/// `--shard` and `--start-at`: one machine's part of a run spread over several.
struct ShardOptions: ParsableArguments {
    @Option(help: "Run shard I of N (0-based): 1/N of --rate, --concurrency and --handshakes, the same identity mix; gateway-side rotation steps run on shard 0 only. Also from TLSDRILL_SHARD_INDEX (or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX) with TLSDRILL_SHARD_COUNT.")
    var shard: String?

    @Option(help: "Wait until this wall-clock time to start the load, so shards line up: RFC 3339 (2026-11-23T18:00:00Z) or +DURATION from now (+30s).")
    var startAt: String?

    /// Splits `settings` to this shard's part and sets the start time.
    func apply(to settings: inout RunSettings) throws {
        if let shard = try shard.map({ try ShardSpec.parse($0) }) ?? ShardSpec.fromEnvironment() {
            try shard.apply(to: &settings)
        }
        if let startAt {
            let start = try StartTime.parse(startAt)
            try StartTime.check(start)
            settings.startAt = start
        }
    }
}
