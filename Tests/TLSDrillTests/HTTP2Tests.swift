import Foundation
import NIOCore
import NIOHPACK
import Testing
@testable import TLSDrill

/// When ALPN negotiates h2, `--confirm http` speaks HTTP/2 and takes the verdict from `:status`, a
/// GOAWAY or RST_STREAM, or the TLS alert that arrives instead.
@Suite("HTTP/2 verdicts", .serialized)
struct HTTP2Tests {
    static func frames(_ parts: [[UInt8]]) -> [UInt8] { parts.flatMap { $0 } }

    static func parse(_ bytes: [UInt8], complete: Bool = false) -> HTTP2VerdictParser.State {
        bytes.withUnsafeBytes { HTTP2VerdictParser.parse($0, complete: complete) }
    }

    @Test("the parser reads :status (plain or Huffman-coded), nginx pages in DATA, GOAWAY and RST_STREAM")
    func parser() {
        let settings = HTTP2Frames.frame(.settings, flags: 0, stream: 0, payload: [])
        #expect(Self.parse(Array(HTTPResponses.http2OK)) == .decided(status: 200, page: .none))
        #expect(Self.parse(Array(HTTPResponses.http2CertificateError)) == .decided(status: 400, page: .certificateError))
        var encoder = HPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: true)
        var buffer = ByteBuffer()
        try? encoder.encode(headers: HPACKHeaders([(":status", "403"), ("server", "envoy")]), to: &buffer)
        let huffman = HTTP2Frames.frame(.headers, flags: HTTP2Frames.endHeaders | HTTP2Frames.endStream, stream: 1,
                                        payload: buffer.readBytes(length: buffer.readableBytes)!)
        #expect(Self.parse(Self.frames([settings, huffman])) == .decided(status: 403, page: .none))
        #expect(Self.parse(settings) == .incomplete)
        #expect(Self.parse(settings, complete: true) == .malformed)
        let goaway = HTTP2Frames.frame(.goaway, flags: 0, stream: 0, payload: [0, 0, 0, 0, 0, 0, 0, 11])
        #expect(Self.parse(Self.frames([settings, goaway])) == .refused(frame: 7, code: 11))
        let reset = HTTP2Frames.frame(.rstStream, flags: 0, stream: 1, payload: [0, 0, 0, 7])
        #expect(Self.parse(reset) == .refused(frame: 3, code: 7))
    }

    @Test("the built-in gateway answers HTTP/2: each reject mode, TLS 1.2 and 1.3, classes as over HTTP/1.1")
    func builtIn() throws {
        for reject in [RejectMode.alert, .http] {
            var settings = BuiltInGateway.settings(reject: reject)
            settings.alpn = ["h2", "http/1.1"]
            let server = try BuiltInGateway.start(settings)
            defer { server.stop() }
            for tls in [TLSVersionChoice.tls12, .tls13] {
                for (identity, expected) in [("gen1-client", OutcomeClass.accepted), ("gen1-client-expired", .clientCertExpired),
                                             ("gen2-client", .clientCertUnknownCA), (nil, .clientCertRequired)] as [(String?, OutcomeClass)] {
                    let result = try Drill.run(port: server.port, identity: identity, tls: tls) { $0.tls.alpn = ["h2", "http/1.1"] }
                    #expect(result.count(expected) == 3, "\(reject) TLS \(tls.rawValue) \(identity ?? "no-cert"): \(result.classSummary)")
                    if expected == .accepted || reject == .http {
                        #expect(result.evidence(for: expected).first?.0.hasPrefix("HTTP/2 ") == true, "\(result.classSummary)")
                    }
                }
            }
        }
    }

    @Test("nghttpx (--verify-client) in front of a backend: valid → HTTP/2 200, each defect → its class", Tools.needs("nghttpx"))
    func nghttpx() throws {
        let pki = TestPKI.shared
        let directory = TestPKI.scratch("nghttpx")
        let backendPort = LoopbackPort.free()
        let backend = try ServerProcess("python3", ["-m", "http.server", String(backendPort), "--bind", "127.0.0.1", "--directory", directory],
                                        port: backendPort)
        defer { backend.stop() }
        let port = LoopbackPort.free()
        let proxy = try ServerProcess("nghttpx", [
            "--conf=/dev/null", "--frontend=127.0.0.1,\(port)", "--backend=127.0.0.1,\(backendPort)", "--workers=1",
            "--verify-client", "--verify-client-cacert=\(pki.cert("gen1-root"))", "--no-ocsp", "--errorlog-file=\(directory)/error.log",
            "--accesslog-file=/dev/null", pki.key("gen1-server"), pki.cert("gen1-server"),
        ], port: port)
        defer { proxy.stop() }
        for tls in [TLSVersionChoice.tls12, .tls13] {
            for (identity, expected) in [("gen1-client", OutcomeClass.accepted), ("gen1-client-expired", .clientCertExpired),
                                         ("gen1-client-serverauth-only", .clientCertMissingClientAuth), ("gen2-client", .clientCertUnknownCA),
                                         (nil, .clientCertRequired)] as [(String?, OutcomeClass)] {
                let result = try Drill.run(port: port, identity: identity, tls: tls) { $0.tls.alpn = ["h2"] }
                #expect(result.count(expected) == 3, "nghttpx TLS \(tls.rawValue) \(identity ?? "no-cert"): \(result.classSummary)")
                if expected == .accepted { #expect(result.evidence(for: .accepted).first?.0 == "HTTP/2 200", "\(result.classSummary)") }
            }
        }
    }
}
