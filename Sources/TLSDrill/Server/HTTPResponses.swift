/// The built-in gateway's canned HTTP/1.1 replies (nginx-style error pages).
enum HTTPResponses {
    static func ok(keepAlive: Bool) -> [UInt8] {
        response("200 OK", contentType: "text/plain", body: "ok\n", keepAlive: keepAlive)
    }

    static let certificateError = response("400 Bad Request", contentType: "text/html",
                                           body: page("The SSL certificate error"), keepAlive: false)
    static let noCertificate = response("400 Bad Request", contentType: "text/html",
                                        body: page("No required SSL certificate was sent"), keepAlive: false)
    static let okKeepAlive = ok(keepAlive: true)
    static let okClose = ok(keepAlive: false)

    /// The same answers over HTTP/2 (ALPN h2): SETTINGS, `:status`, the body, GOAWAY.
    static let http2OK = HTTP2Frames.response(status: 200, body: "ok\n")
    static let http2CertificateError = HTTP2Frames.response(status: 400, body: page("The SSL certificate error"))
    static let http2NoCertificate = HTTP2Frames.response(status: 400, body: page("No required SSL certificate was sent"))

    private static func page(_ reason: String) -> String {
        "<html>\r\n<head><title>400 \(reason)</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
            + "<center>\(reason)</center>\r\n<hr><center>tlsdrill</center>\r\n</body>\r\n</html>\r\n"
    }

    private static func response(_ status: String, contentType: String, body: String, keepAlive: Bool) -> [UInt8] {
        Array(("HTTP/1.1 \(status)\r\nServer: tlsdrill\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
               + "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n" + body).utf8)
    }
}
