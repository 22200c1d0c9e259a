import Foundation
import Synchronization
import Testing
@testable import TLSDrill

/// The parts of the lean library context that compute instead of filter: its TLS 1.3 key schedule must give
/// OpenSSL's answers (and refusals) for every request, and its shared key shares must be kept per thread for
/// exactly their quota. (That whole handshakes keep their verdicts is OpenSSLContextTests' job.)
@Suite("Lean OpenSSL context: its key schedule and shared key shares")
struct LeanProviderTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    static let prefix = Array("tls13 ".utf8), derived = Array("derived".utf8)
    static let emptySHA256 = bytes("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    @Test("RFC 8448's early, derived and handshake secrets, in the lean context and the default one")
    func knownAnswers() {
        let early = Self.bytes("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")
        let derivedSecret = Self.bytes("6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba")
        let ecdhe = Self.bytes("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d")
        let handshake = Self.bytes("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
        for lean in [true, false] {
            let context = lean ? "lean" : "default"
            #expect(LeanKeySchedule.derive(.init(mode: 1, digest: "SHA256"), length: 32, lean: lean) == early, "\(context): early secret")
            let expand = LeanKeySchedule.Request(mode: 2, digest: "SHA256", key: early, prefix: Self.prefix, label: Self.derived, data: Self.emptySHA256)
            #expect(LeanKeySchedule.derive(expand, length: 32, lean: lean) == derivedSecret, "\(context): derived secret")
            let extract = LeanKeySchedule.Request(mode: 1, digest: "SHA2-256", key: ecdhe, salt: early, prefix: Self.prefix, label: Self.derived)
            #expect(LeanKeySchedule.derive(extract, length: 32, lean: lean) == handshake, "\(context): handshake secret")
        }
    }

    @Test("every request gets the default TLS13-KDF's bytes or its refusal: digests, modes, lengths, set-params, sticky parameters")
    func keyScheduleAgreesWithOpenSSL() {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        var requests: [(LeanKeySchedule.Request, Int)] = []
        for digest in ["SHA256", "SHA2-256", "sha-256", "SHA384", "SHA2-384", "SHA2-512", "SHA1"] {
            for keyLength in [0, 1, 32, 48, 64, 65, 128, 129, 200] {
                for outLength in [1, 12, 32, 48, 100] {
                    requests.append((.init(mode: 1, digest: digest, key: random(keyLength)), outLength))
                    requests.append((.init(mode: 1, digest: digest, key: random(keyLength), salt: random(48), prefix: Self.prefix, label: Self.derived), outLength))
                    requests.append((.init(mode: 2, digest: digest, key: random(keyLength), prefix: Self.prefix, label: random(outLength % 13), data: random(keyLength % 49)), outLength))
                }
            }
            requests.append((.init(mode: 1, digest: digest), 32))                                        // early secret: no key, no salt
            requests.append((.init(mode: 1, digest: digest), 48))
            requests.append((.init(mode: 1, digest: digest, salt: random(32), prefix: Self.prefix, label: Self.derived), 32))
            for labelLength in [0, 243, 249, 250, 255] {                                                   // prefix + label over 255 is refused
                requests.append((.init(mode: 2, digest: digest, key: random(32), prefix: Self.prefix, label: random(labelLength)), 32))
            }
            for dataLength in [0, 255, 256] {
                requests.append((.init(mode: 2, digest: digest, key: random(32), prefix: Self.prefix, label: Self.derived, data: random(dataLength)), 32))
            }
            for outLength in [255 * 32, 255 * 32 + 1, 255 * 48, 255 * 48 + 1] {                           // HKDF's 255-block limit
                requests.append((.init(mode: 2, digest: digest, key: random(48), prefix: Self.prefix, label: Self.derived), outLength))
            }
            requests.append((.init(mode: 2, digest: digest, prefix: Self.prefix, label: Self.derived), 32))  // expand without a key
            requests.append((.init(mode: nil, digest: digest, key: random(32)), 32))                        // no mode: OpenSSL refuses
            requests.append((.init(mode: 0, digest: digest, key: random(32)), 32))
            requests.append((.init(mode: 2, digest: digest, key: random(32), prefix: Self.prefix, label: Self.derived, viaSetParams: true), 32))
            requests.append((.init(mode: 1, digest: digest, key: random(32), salt: random(32), prefix: Self.prefix, label: Self.derived,
                                   viaSetParams: true), 32))
            requests.append((.init(mode: 2, digest: digest, key: random(32), prefix: Self.prefix, label: Self.derived, data: random(32),
                                   thenLabel: Array("key".utf8)), 16))                                       // data lasts one call
            requests.append((.init(mode: 1, digest: digest, key: random(32), salt: random(32), prefix: Self.prefix, label: Self.derived,
                                   thenLabel: Array("other".utf8)), 32))
        }
        requests.append((.init(mode: 2, digest: nil, key: random(32), prefix: Self.prefix, label: Self.derived), 32))
        requests.append((.init(mode: 2, digest: "NOT-A-DIGEST", key: random(32), prefix: Self.prefix, label: Self.derived), 32))
        var derived = 0, refused = 0
        for (index, (request, length)) in requests.enumerated() {
            let lean = LeanKeySchedule.derive(request, length: length, lean: true)
            let standard = LeanKeySchedule.derive(request, length: length, lean: false)
            #expect(lean == standard, "request \(index): \(request) length \(length): lean \(lean.map { "\($0.count) bytes" } ?? "refused"), default \(standard.map { "\($0.count) bytes" } ?? "refused")")
            if standard == nil { refused += 1 } else { derived += 1 }
        }
        #expect(derived > 400 && refused > 30, "both answers and refusals were compared (\(derived) derived, \(refused) refused)")
    }

    @Test("kept HMAC keys and the memoised early secrets never answer for another key: reuse, eviction, other hash, near misses")
    func keptKeysGiveTheDefaultAnswers() {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let secrets = (0..<20).map { _ in random(48) }   // more than the 8 a thread keeps: later rounds evict and re-prepare
        var requests: [(LeanKeySchedule.Request, Int)] = []
        for round in 0..<3 {
            for index in secrets.indices {
                let secret = secrets[(index * 7 + round) % secrets.count]
                var nearMiss = secret
                nearMiss[47] ^= 1                                                             // differs in the last byte only
                for (digest, key) in [("SHA2-384", secret), ("SHA2-256", Array(secret.prefix(32))), ("SHA2-256", secret),
                                      ("SHA2-384", Array(secret.prefix(32))), ("SHA2-384", nearMiss), ("SHA2-384", Array(secret.prefix(47)))] {
                    for (label, length) in [("key", 32), ("iv", 12), ("finished", 48)] {          // a traffic secret's three uses
                        requests.append((.init(mode: 2, digest: digest, key: key, prefix: Self.prefix, label: Array(label.utf8)), length))
                    }
                    requests.append((.init(mode: 1, digest: digest, key: random(32), salt: key, prefix: Self.prefix, label: Self.derived),
                                     digest == "SHA2-384" ? 48 : 32))
                }
            }
        }
        for (digest, size) in [("SHA2-256", 32), ("SHA2-384", 48)] {
            guard let early = LeanKeySchedule.derive(.init(mode: 1, digest: digest), length: size, lean: false) else {
                Issue.record("the default KDF gave no \(digest) early secret")
                continue
            }
            var nearEarly = early
            nearEarly[0] ^= 0x80
            for (salt, label) in [(early, Self.derived), (early, Array("derivee".utf8)), (nearEarly, Self.derived), (early, Array("derived!".utf8))] {
                requests.append((.init(mode: 1, digest: digest, key: random(size), salt: salt, prefix: Self.prefix, label: label), size))
                requests.append((.init(mode: 1, digest: digest, salt: salt, prefix: Array("tls13_".utf8), label: label), size))
            }
            requests.append((.init(mode: 1, digest: digest, key: [UInt8](repeating: 0, count: size)), size))   // zeros given, not absent
        }
        for (index, (request, length)) in requests.enumerated() {
            let lean = LeanKeySchedule.derive(request, length: length, lean: true)
            let standard = LeanKeySchedule.derive(request, length: length, lean: false)
            #expect(lean != nil && lean == standard, "request \(index): \(request) length \(length)")
        }
    }

    /// Runs `body` on a thread of its own (fresh thread-local key shares) and returns what it gave.
    static func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }

    @Test("the sharing context keeps each thread's X25519 key pair for its quota, then makes a new one; threads and the fresh context never share")
    func keySharesAreKeptPerThreadForTheirQuota() {
        let uses = LeanKeyShares.usesPerKeyPair
        #expect(uses == 1024)
        let shares = Self.onNewThread { (0..<(2 * uses + 1)).map { _ in LeanKeyShares.x25519PublicKey(shared: true) } }
        #expect(shares.allSatisfy { $0 != nil }, "every key share generated")
        let first = shares[0], second = shares[uses]
        #expect(shares[0..<uses].allSatisfy { $0 == first }, "the first \(uses) key shares are one key pair")
        #expect(second != first, "share \(uses + 1) comes from a new key pair")
        #expect(shares[uses..<(2 * uses)].allSatisfy { $0 == second }, "which serves the next \(uses)")
        #expect(shares[2 * uses] != second && shares[2 * uses] != first, "and then another")
        let otherThread = Self.onNewThread { LeanKeyShares.x25519PublicKey(shared: true) }
        #expect(otherThread != nil && otherThread != first && otherThread != second, "another thread has its own key pair")
        let fresh = (0..<64).map { _ in LeanKeyShares.x25519PublicKey(shared: false) }
        #expect(fresh.allSatisfy { $0 != nil } && Set(fresh.compactMap { $0 }).count == 64, "the fresh context makes a key pair per key share")
    }
}
