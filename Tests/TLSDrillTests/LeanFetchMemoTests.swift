import Foundation
import Testing
@testable import TLSDrill

/// The lean contexts' per-thread memo of algorithm fetches hands out the method fetched before, only for those
/// contexts and only without a property query.
@Suite("Fetch memo of the lean library contexts")
struct LeanFetchMemoTests {
    @Test("a lean fetch by name gives the method fetched before; other contexts, property queries and names are fetched")
    func memoAnswersOnlyLeanFetchesWithoutProperties() throws {
        let (results, hits) = LeanProviderTests.onNewThread { () -> ([String: [UInt?]], [String: UInt]) in
            var results: [String: [UInt?]] = [:], hits: [String: UInt] = [:]
            func record(_ label: String, _ body: () -> [UInt?]) {
                let before = LeanFetchMemo.threadHits
                results[label] = body()
                hits[label] = LeanFetchMemo.threadHits - before
            }
            record("lean") { [LeanFetchMemo.digest("SHA2-256", in: .sharingKeyShares), LeanFetchMemo.digest("SHA2-256", in: .sharingKeyShares)] }
            record("other lean context") { [LeanFetchMemo.digest("SHA2-256", in: .freshKeyShares), LeanFetchMemo.digest("SHA2-256", in: .freshKeyShares)] }
            record("other name") { [LeanFetchMemo.digest("SHA2-384", in: .sharingKeyShares)] }
            record("default context") { [LeanFetchMemo.digest("SHA2-256", in: nil), LeanFetchMemo.digest("SHA2-256", in: nil)] }
            record("property query") { [LeanFetchMemo.digest("SHA2-256", in: .sharingKeyShares, properties: "provider=default")] }
            record("unknown") { [LeanFetchMemo.digest("NOT-A-DIGEST", in: .sharingKeyShares), LeanFetchMemo.digest("NOT-A-DIGEST", in: .sharingKeyShares)] }
            return (results, hits)
        }
        let lean = results["lean"] ?? []
        #expect(lean.count == 2 && lean[0] != nil && lean[0] == lean[1], "the same method twice: \(lean)")
        #expect(hits["lean"] == 1, "a fresh thread fetches once, then remembers: \(hits)")
        let other = results["other lean context"] ?? []
        #expect(other.count == 2 && other[0] != nil && other[0] == other[1] && other[0] != lean[0], "each context its own: \(other) vs \(lean)")
        #expect(hits["other lean context"] == 1)
        #expect(results["other name"]?.first != nil && results["other name"]?.first != lean[0] && hits["other name"] == 0)
        #expect(results["default context"]?.allSatisfy { $0 != nil } == true && hits["default context"] == 0, "OpenSSL's default context: never remembered")
        #expect(results["property query"]?.first != nil && hits["property query"] == 0, "a property query: fetched every time")
        #expect(results["unknown"] == [nil, nil] && hits["unknown"] == 0, "a failed fetch: never remembered")
    }

    @Test("a lean handshake answers most of its fetches from the memo, and still completes")
    func handshakesUseTheMemo() throws {
        let client = try CertificateCacheTests.client(.lean, root: "gen1-root")
        let server = try CertificateCacheTests.server("gen1-server", trusting: "gen1-root")
        let (completed, hits) = LeanProviderTests.onNewThread { () -> ([Bool], [UInt]) in
            var completed: [Bool] = [], hits: [UInt] = []
            for _ in 0..<3 {
                let before = LeanFetchMemo.threadHits
                completed.append(InMemoryHandshake.run(client: client, server: server))
                hits.append(LeanFetchMemo.threadHits - before)
            }
            return (completed, hits)
        }
        #expect(completed == [true, true, true])
        #expect(hits.count == 3 && hits[2] >= 10 && hits[1] == hits[2], "fetches remembered per handshake: \(hits)")
    }
}
