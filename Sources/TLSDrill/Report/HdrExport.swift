import Foundation

extension RunResult {
    /// Writes each phase's full percentile distribution (`PHASE.hgrm`, values in ms) into `directory`.
    public func writeHdrDistributions(to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for phase in LatencyPhase.allCases {
                var text = ""
                histogram(phase).outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
                try text.write(toFile: (directory as NSString).appendingPathComponent("\(phase.rawValue).hgrm"), atomically: true, encoding: .utf8)
            }
        } catch {
            throw TLSDrillError.io(path: directory, reason: "cannot write histograms (\(error.localizedDescription))")
        }
    }
}
