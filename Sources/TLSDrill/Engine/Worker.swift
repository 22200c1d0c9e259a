import Foundation
internal import COpenSSL
internal import CTLSDrillShims

/// One event loop on one Dispatch thread. It owns its sockets, `SSL` objects, timers and statistics;
/// nothing it touches per attempt is shared, so the hot path takes no lock.
/// `@unchecked Sendable`: handed to its own Dispatch queue once and read by the runner only after that queue finished.
final class Worker: @unchecked Sendable {
    let index: Int
    private let settings: RunSettings
    private let share: WorkerShare
    /// [trust phase][identity]
    private let contexts: [[ClientTLSContext]]
    private let plan: ClientPlan
    private var trustPhase = 0
    private var nextPlanCheck: UInt64 = 0
    private let facts: [IdentityFacts]
    private let control: RunControl
    private let runStart: UInt64
    private let runEnd: UInt64?
    private let poller: EventPoller
    private var connections: [Connection] = []
    private var freeSlots: [UInt32] = []
    /// Closed loop: slots whose last attempt failed before TLS, each free again at its time (monotonic ns).
    private var pausedSlots: [(slot: UInt32, until: UInt64)] = []
    private var nextResume: UInt64 = .max
    private let retryPauseNanos: UInt64
    /// Per identity: when its attempts resume, and the newest session an accepted attempt got (owned).
    private var resumeSchedules: [ResumeSchedule]
    private var sessions: [OpaquePointer?]
    private var resumesOwed: [Int]
    private let resumes: Bool
    private var picker: IdentityPicker
    private(set) var stats: WorkerStats
    /// The interval being counted; finished ones go to `timeline` (one hand-over per interval).
    private var interval: TimelineBucket
    private var intervalIndex = 0
    private var intervalEnds: UInt64
    private let timeline: TimelineCollector
    /// This worker's `/metrics` board, when the run serves metrics.
    private let metrics: ClientMetricsBoard?

    private var inFlight = 0
    private var started = 0
    private var stoppedStarting = false
    private var nextIntendedStart: UInt64 = 0
    private let openLoopGap: Double
    private var nextDeadline: UInt64 = .max
    private let intervalNanos: UInt64
    private let request: [UInt8]
    /// The same request as HTTP/2, for gateways whose ALPN chooses h2.
    private let http2Request: [UInt8]

    private let connectTimeout: UInt64
    private let handshakeTimeout: UInt64
    private let verdictTimeout: UInt64
    private let graceTimeout: UInt64
    private let holdNanos: UInt64

    init(index: Int, settings: RunSettings, share: WorkerShare, identities: [WeightedIdentity], facts: [IdentityFacts],
         control: RunControl, runStart: UInt64, plan: ClientPlan, trustPhases: [[ClientTLSContext]], timeline: TimelineCollector) throws {
        self.index = index
        self.settings = settings
        self.share = share
        contexts = [identities.map(\.context)] + trustPhases
        self.plan = plan
        self.facts = facts
        self.control = control
        self.runStart = runStart
        runEnd = settings.duration.map { runStart + UInt64($0 * 1e9) }
        poller = try EventPoller(capacity: min(4096, max(64, share.concurrency)))
        picker = IdentityPicker(weights: identities.map(\.weight))
        stats = WorkerStats(identities: identities.count)
        openLoopGap = share.rate.map { 1e9 / $0 } ?? 0
        nextIntendedStart = runStart
        intervalNanos = UInt64(settings.interval * 1e9)
        interval = TimelineBucket(identities: identities.count)
        intervalEnds = runStart + intervalNanos
        self.timeline = timeline
        metrics = control.metrics?[index]
        let connectionHeader = settings.hold > 0 ? "keep-alive" : "close"
        request = Array("GET \(settings.path) HTTP/1.1\r\nHost: \(settings.hostHeader)\r\nUser-Agent: tlsdrill\r\nConnection: \(connectionHeader)\r\n\r\n".utf8)
        http2Request = settings.tls.alpn.contains("h2") ? HTTP2Frames.request(path: settings.path, authority: settings.hostHeader) : []
        connectTimeout = UInt64(settings.connectTimeout * 1e9)
        handshakeTimeout = UInt64(settings.handshakeTimeout * 1e9)
        verdictTimeout = UInt64(settings.verdictTimeout * 1e9)
        graceTimeout = UInt64(settings.confirmGrace * 1e9)
        holdNanos = UInt64(settings.hold * 1e9)
        retryPauseNanos = UInt64(settings.retryPause * 1e9)
        resumeSchedules = identities.map { ResumeSchedule(fraction: $0.resume ?? settings.resume) }
        resumes = resumeSchedules.contains { $0.fraction > 0 }
        sessions = Array(repeating: nil, count: identities.count)
        resumesOwed = Array(repeating: 0, count: identities.count)
        for slot in 0..<share.concurrency {
            connections.append(Connection(slot: UInt32(slot)))
            freeSlots.append(UInt32(share.concurrency - 1 - slot))
        }
    }

    deinit {
        for session in sessions { if let session { SSL_SESSION_free(session) } }
    }

    // MARK: - Loop

    /// Runs until the share is done, the deadline passes and in-flight attempts end, or a stop request.
    func run() {
        while true {
            let now = MonotonicClock.now()
            if control.stopRequested {
                abandonAll()
                break
            }
            if !stoppedStarting { startDueAttempts(now) }
            if stoppedStarting && inFlight == 0 { break }
            poller.poll(timeoutMilliseconds: pollTimeout(now)) { token, events in
                handle(token: token, events: events)
            }
            let after = MonotonicClock.now()
            if after >= nextDeadline { expireTimers(after) }
            if after >= intervalEnds { advanceInterval(to: after) }
        }
        timeline.deliver(interval.isEmpty ? nil : interval, interval: intervalIndex)
    }

    /// Hands every finished interval to the collector (empty ones as nil) and starts counting `now`'s.
    private func advanceInterval(to now: UInt64) {
        let current = Int((now - runStart) / intervalNanos)
        while intervalIndex < current {
            timeline.deliver(interval.isEmpty ? nil : interval, interval: intervalIndex)
            interval.reset()
            intervalIndex += 1
        }
        intervalEnds = runStart + UInt64(intervalIndex + 1) * intervalNanos
    }

    private func pollTimeout(_ now: UInt64) -> Int32 {
        var wake = min(nextDeadline, now + 50_000_000)
        if !stoppedStarting {
            wake = min(wake, nextResume)
            if share.rate != nil, inFlight < share.concurrency { wake = min(wake, nextIntendedStart) }
            if let runEnd { wake = min(wake, runEnd) }
        }
        guard wake > now else { return 0 }
        return Int32((wake - now + 999_999) / 1_000_000)
    }

    private func budgetLeft() -> Bool {
        guard let attempts = share.attempts else { return true }
        return started < attempts
    }

    private func startDueAttempts(_ now: UInt64) {
        if let runEnd, now >= runEnd {
            stopStarting(now)
            return
        }
        if share.rate == nil {
            if now >= nextResume { resumePausedSlots(now) }
            // At most one start per slot per turn, so a stop request and the poller are always reached.
            var starts = 0
            while inFlight < share.concurrency && !freeSlots.isEmpty && budgetLeft() && starts < share.concurrency {
                startAttempt(intended: now, now: now)
                starts += 1
            }
        } else {
            let lateAfter = UInt64(max(1_000_000, openLoopGap))
            while nextIntendedStart <= now && budgetLeft() && inFlight < share.concurrency {
                if now - nextIntendedStart > lateAfter {
                    stats.missedStarts += 1
                    control.missedStarts[index].add(1)
                }
                startAttempt(intended: nextIntendedStart, now: now)
                nextIntendedStart += UInt64(openLoopGap)
            }
        }
        if !budgetLeft() { stopStarting(now) }
    }

    private func stopStarting(_ now: UInt64) {
        guard !stoppedStarting else { return }
        stoppedStarting = true
        if share.rate != nil, nextIntendedStart <= now, budgetLeft() {
            // Attempts that were due but could not start: the generator fell behind.
            var due = Int(Double(now - nextIntendedStart) / openLoopGap) + 1
            if let attempts = share.attempts { due = min(due, attempts - started) }
            stats.notStarted += due
            stats.missedStarts += due
            control.missedStarts[index].add(due)
        }
    }

    private func handle(token: UInt64, events: UInt32) {
        let connection = connections[Int(token & 0xFFFF_FFFF)]
        guard connection.token == token, connection.phase != .idle else { return }
        switch connection.phase {
        case .connecting: finishConnect(connection)
        case .handshaking: stepHandshake(connection)
        case .writingRequest: writeRequest(connection)
        case .readingVerdict: readVerdict(connection)
        case .holding: drainHeld(connection)
        case .idle: break
        }
    }

    // MARK: - Attempt steps

    /// Follows the client plan (weights, trust phase), re-read at most every 10ms.
    private func followPlan(_ now: UInt64) {
        guard now >= nextPlanCheck, !plan.isStatic else { return }
        nextPlanCheck = now + 10_000_000
        let elapsed = Double(now - runStart) / 1e9
        picker.update(weights: plan.weights(at: elapsed))
        trustPhase = min(plan.trustPhase(at: elapsed), contexts.count - 1)
    }

    private func startAttempt(intended: UInt64, now: UInt64) {
        guard let slot = freeSlots.popLast() else { return }
        followPlan(now)
        let connection = connections[Int(slot)]
        connection.prepare(identity: picker.next(), trustPhase: trustPhase, intendedStart: intended, now: now)
        started += 1
        inFlight += 1
        control.inFlight[index].set(inFlight)
        switch NonBlockingSocket.open(family: settings.target.family) {
        case .failure(let error):
            connection.evidence.socketErrno = error.code
            finish(connection, now: now)
            return
        case .success(let fd):
            connection.fd = fd
        }
        switch NonBlockingSocket.connect(connection.fd, to: settings.target) {
        case .connected:
            connection.phase = .connecting
            finishConnect(connection)
        case .inProgress:
            connection.phase = .connecting
            poller.add(connection.fd, token: connection.token, interest: .write)
            connection.interest = .write
            arm(connection, deadline: now + connectTimeout)
        case .failed(let code):
            connection.phase = .connecting
            connection.evidence.socketErrno = code
            finish(connection, now: now)
        }
    }

    private func finishConnect(_ connection: Connection) {
        let now = MonotonicClock.now()
        let error = NonBlockingSocket.pendingError(connection.fd)
        guard error == 0 else {
            connection.evidence.socketErrno = error
            finish(connection, now: now)
            return
        }
        connection.connectedAt = now
        stats.latency.record(.connect, nanoseconds: now - connection.startedAt)
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(contexts[connection.trustPhase][connection.identity].pointer) else {
            connection.evidence.phase = .handshake
            connection.evidence.socketErrno = ENOMEM
            finish(connection, now: now)
            return
        }
        connection.ssl = ssl
        _ = tlsdrill_set_observation(ssl, connection.observation)
        if resumes { offerSession(connection, ssl: ssl) }
        SSL_set_fd(ssl, connection.fd)
        if let serverName = settings.tls.serverName { _ = tlsdrill_set_tlsext_host_name(ssl, serverName) }
        SSL_set_connect_state(ssl)
        connection.phase = .handshaking
        connection.evidence.phase = .handshake
        if connection.interest.isEmpty {
            poller.add(connection.fd, token: connection.token, interest: .write)
            connection.interest = .write
        }
        arm(connection, deadline: now + handshakeTimeout)
        stepHandshake(connection)
    }

    private func stepHandshake(_ connection: Connection) {
        guard let ssl = connection.ssl else { return }
        OpenSSLErrorQueue.clear()
        // After our ClientHello, with an HTTP verdict to ask for: hold what this step writes, so a TLS 1.3 (or resumed
        // TLS 1.2) handshake's last flight and the request leave in one segment; a step that must wait releases it.
        if settings.confirm == .http && !connection.corked && SSL_in_before(ssl) == 0 && SSL_version(ssl) != TLS1_2_VERSION {
            NonBlockingSocket.setCork(connection.fd, true)
            connection.corked = true
        }
        let result = tlsdrill_do_handshake(ssl, contexts[connection.trustPhase][connection.identity].leanLibrary)
        guard result == 1 else {
            uncork(connection)
            handleSSLResult(connection, ssl: ssl, result: result)
            return
        }
        let now = MonotonicClock.now()
        connection.handshakeDoneAt = now
        stats.latency.record(.handshake, nanoseconds: now - connection.connectedAt)
        if !http2Request.isEmpty { connection.http2 = tlsdrill_alpn_is_h2(ssl) == 1 }
        if connection.resumption == .offeredRefused {
            if SSL_session_reused(ssl) == 1 { connection.resumption = .resumed } else { resumesOwed[connection.identity] += 1 }
        }
        connection.evidence.phase = .verdict
        let tls12 = SSL_version(ssl) == TLS1_2_VERSION
        switch settings.confirm {
        case .none:
            connection.evidence.verdictSignal = .handshake
            finish(connection, now: now)
        case .read where tls12:
            // TLS 1.2 servers verify our certificate before sending Finished: the handshake is the verdict.
            connection.evidence.verdictSignal = .handshake
            finish(connection, now: now)
        case .read:
            connection.phase = .readingVerdict
            arm(connection, deadline: now + graceTimeout)
            readVerdict(connection)
        case .http:
            connection.phase = .writingRequest
            arm(connection, deadline: now + verdictTimeout)
            writeRequest(connection)
        }
    }

    private func writeRequest(_ connection: Connection) {
        guard let ssl = connection.ssl else { return }
        OpenSSLErrorQueue.clear()
        let bytes = connection.http2 ? http2Request : request
        let remaining = bytes.count - connection.requestWritten
        let result = bytes.withUnsafeBytes {
            SSL_write(ssl, $0.baseAddress! + connection.requestWritten, Int32(remaining))
        }
        if result > 0 {
            connection.requestWritten += Int(result)
            guard connection.requestWritten == bytes.count else { return }
            uncork(connection)
            connection.phase = .readingVerdict
            readVerdict(connection)
            return
        }
        uncork(connection)
        let error: Int32
        switch SSLCallResult(ssl, returned: result) {
        case .wait(let interest):
            want(connection, interest)
            return
        case .failed(let code):
            error = code
        }
        // A TLS 1.3 gateway may have rejected us and closed already: its alert can still be queued.
        recordFailure(connection, ssl: ssl, sslError: error)
        connection.phase = .readingVerdict
        connection.received = 0
        OpenSSLErrorQueue.clear()
        let drained = SSL_read(ssl, connection.buffer.baseAddress, Int32(Connection.bufferSize))
        if drained <= 0, case .failed(let readError) = SSLCallResult(ssl, returned: drained) {
            recordFailure(connection, ssl: ssl, sslError: readError)
        }
        finish(connection, now: MonotonicClock.now())
    }

    private func readVerdict(_ connection: Connection) {
        guard let ssl = connection.ssl else { return }
        while true {
            OpenSSLErrorQueue.clear()
            let space = Connection.bufferSize - connection.received
            let result = SSL_read(ssl, connection.buffer.baseAddress! + connection.received, Int32(space))
            if result > 0 {
                connection.received += Int(result)
                if settings.confirm == .read {
                    connection.evidence.verdictSignal = .applicationData
                    finish(connection, now: MonotonicClock.now())
                    return
                }
                if decideHTTP(connection, complete: connection.received == Connection.bufferSize) { return }
                continue
            }
            let outcome = SSLCallResult(ssl, returned: result)
            if case .wait(let interest) = outcome {
                if settings.confirm == .read, connection.observation.pointee.session_ticket_seen != 0 {
                    connection.evidence.verdictSignal = .sessionTicket
                    finish(connection, now: MonotonicClock.now())
                    return
                }
                want(connection, interest)
                return
            }
            guard case .failed(let error) = outcome else { return }
            if settings.confirm == .http, connection.received > 0, decideHTTP(connection, complete: true) { return }
            recordFailure(connection, ssl: ssl, sslError: error)
            finish(connection, now: MonotonicClock.now())
            return
        }
    }

    /// Returns true when the reply (HTTP/1.1, or HTTP/2 when ALPN chose h2) decided the attempt (and it was finished).
    private func decideHTTP(_ connection: Connection, complete: Bool) -> Bool {
        let received = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(connection.buffer)[0..<connection.received])
        connection.evidence.http2 = connection.http2
        let verdict = connection.http2 ? HTTP2VerdictParser.parse(received, complete: complete) : HTTPVerdictParser.parse(received, complete: complete)
        switch verdict {
        case .incomplete:
            return false
        case .decided(let status, let page):
            connection.evidence.httpStatus = status
            connection.evidence.httpPage = page
            connection.evidence.verdictSignal = .httpResponse
        case .refused(let frame, let code):
            connection.evidence.http2Refusal = frame
            connection.evidence.http2ErrorCode = code
        case .malformed:
            connection.evidence.verdictSignal = .applicationData
        }
        finish(connection, now: MonotonicClock.now())
        return true
    }

    private func handleSSLResult(_ connection: Connection, ssl: OpaquePointer, result: Int32) {
        switch SSLCallResult(ssl, returned: result) {
        case .wait(let interest):
            want(connection, interest)
        case .failed(let error):
            recordFailure(connection, ssl: ssl, sslError: error)
            finish(connection, now: MonotonicClock.now())
        }
    }

    /// Puts what a failed SSL call tells into the evidence (keeps the first socket error and reason).
    private func recordFailure(_ connection: Connection, ssl: OpaquePointer, sslError: Int32) {
        let savedErrno = errno
        if sslError == SSL_ERROR_SYSCALL, connection.evidence.socketErrno == 0 { connection.evidence.socketErrno = savedErrno }
        if let (library, reason) = OpenSSLErrorQueue.firstReason(), library == ERR_LIB_SSL, connection.evidence.tlsReason == 0 {
            connection.evidence.tlsReason = reason
            if reason == OpenSSLReason.certificateVerifyFailed {
                connection.evidence.serverVerifyError = Int32(SSL_get_verify_result(ssl))
            }
        }
    }

    private func want(_ connection: Connection, _ interest: EventPoller.Interest) {
        guard connection.interest != interest else { return }
        connection.interest = interest
        poller.modify(connection.fd, token: connection.token, interest: interest)
    }

    /// A held connection became readable: the gateway sent something (a ticket, an alert) or closed. The
    /// attempt was counted already and its TLS state freed, so read raw bytes and close on EOF or error.
    private func drainHeld(_ connection: Connection) {
        while true {
            let count = recv(connection.fd, connection.buffer.baseAddress, Connection.bufferSize, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            return close(connection)
        }
    }

    // MARK: - Outcome

    /// Sends what the cork held (our last flight, the request), if anything is held.
    private func uncork(_ connection: Connection) {
        guard connection.corked else { return }
        NonBlockingSocket.setCork(connection.fd, false)
        connection.corked = false
    }

    private func finish(_ connection: Connection, now: UInt64) {
        uncork(connection)
        connection.absorbObservation()
        if let ssl = connection.ssl, needsRequestedNames(connection.evidence) {
            connection.evidence.requestedCANamesIncludeOurChain =
                contexts[0][connection.identity].identity.chainMatches(requestedNames: SSL_get_client_CA_list(ssl))
        }
        let diagnosis = Diagnosis.classify(connection.evidence, facts: facts[connection.identity])
        record(connection, diagnosis: diagnosis, now: now)
        keepSession(connection, accepted: diagnosis.outcome == .accepted)
        if diagnosis.outcome == .accepted && holdNanos > 0 && connection.fd >= 0 && !control.stopRequested {
            // Holding needs only the open socket: free the TLS state (buffers, session, parsed peer chain).
            if let ssl = connection.ssl {
                if resumes { SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN) }
                SSL_free(ssl)
                connection.ssl = nil
            }
            connection.phase = .holding
            want(connection, .read)
            arm(connection, deadline: now + holdNanos)
            return
        }
        close(connection)
    }

    /// Offers the identity's newest session when its schedule says so; a resumption due before any session
    /// exists (the first attempts of a run), or offered and refused, is owed and made up by the next attempts.
    private func offerSession(_ connection: Connection, ssl: OpaquePointer) {
        let identity = connection.identity
        if resumeSchedules[identity].next() { resumesOwed[identity] += 1 }
        guard resumesOwed[identity] > 0, let session = sessions[identity] else { return }
        resumesOwed[identity] -= 1
        SSL_set_session(ssl, session)
        connection.resumption = .offeredRefused  // until the handshake says it was resumed
    }

    /// The session an accepted attempt got becomes its identity's newest (a rejected one's is dropped).
    private func keepSession(_ connection: Connection, accepted: Bool) {
        guard let session = tlsdrill_observation_take_session(connection.observation) else { return }
        if resumes && accepted {
            if let old = sessions[connection.identity] { SSL_SESSION_free(old) }
            sessions[connection.identity] = session
        } else {
            SSL_SESSION_free(session)
        }
    }

    /// Whether the attempt was refused without a reason, so the CertificateRequest's CA names may explain it
    /// (an alert, an nginx 400 page, a reset, or a close with no verdict at all).
    private func needsRequestedNames(_ evidence: AttemptEvidence) -> Bool {
        evidence.phase != .connect && (evidence.alert >= 0 || evidence.httpPage == .certificateError || evidence.socketErrno != 0
            || evidence.tlsReason == OpenSSLReason.unexpectedEOF || (evidence.httpStatus == 0 && evidence.verdictSignal == .none))
    }

    private func record(_ connection: Connection, diagnosis: Diagnosis, now: UInt64) {
        let outcome = diagnosis.outcome.index
        let identity = connection.identity
        stats.outcomes[outcome] += 1
        stats.outcomesByIdentity[identity][outcome] += 1
        stats.evidence[EvidenceKey(outcome: diagnosis.outcome, evidence: connection.evidence, inferredFrom: diagnosis.inferredFrom,
                                   identity: identity), default: 0] += 1
        if now >= intervalEnds { advanceInterval(to: now) }
        interval.outcomes[outcome] += 1
        interval.outcomesByIdentity[identity][outcome] += 1
        let total = now - connection.intendedStart
        // Connect and handshake of the whole run were recorded as they happened; the rest per attempt here.
        stats.latency.record(.total, nanoseconds: total)
        if connection.verdictSeen { stats.latency.record(.verdict, nanoseconds: now - connection.handshakeDoneAt) }
        Self.recordPhases(connection, now: now, total: total, into: &stats.latencyByIdentity[identity])
        Self.recordPhases(connection, now: now, total: total, into: &interval)
        if resumes { recordResumption(connection, outcome: outcome, now: now, total: total) }
        if let metrics {
            metrics.count(identity: identity, outcome: outcome)
            if resumes { metrics.count(identity: identity, resumption: connection.resumption) }
            var recorder = metrics.recorder(resumed: connection.resumption == .resumed)
            Self.recordPhases(connection, now: now, total: total, into: &recorder)
        }
        control.completed[index].add(1)
        control.outcomes[index][outcome].add(1)
        if diagnosis.outcome == .accepted { control.accepted[index].add(1) }
    }

    /// Counts the attempt as full, resumed or offered-but-refused, and splits its latency accordingly.
    private func recordResumption(_ connection: Connection, outcome: Int, now: UInt64, total: UInt64) {
        stats.resumptionByIdentity[connection.identity][connection.resumption.rawValue] += 1
        if connection.resumption == .resumed && outcome == OutcomeClass.accepted.index { interval.resumedAccepted[connection.identity] += 1 }
        let identity = connection.identity
        if connection.resumption == .resumed {
            Self.recordPhases(connection, now: now, total: total, into: &stats.latencyResumed)
            Self.recordPhases(connection, now: now, total: total, into: &stats.latencyResumedByIdentity[identity])
        } else {
            Self.recordPhases(connection, now: now, total: total, into: &stats.latencyFull)
            Self.recordPhases(connection, now: now, total: total, into: &stats.latencyFullByIdentity[identity])
        }
    }

    /// Every phase this attempt reached: total always, connect once connected, handshake once done, and the
    /// verdict phase when the gateway's verdict was seen.
    private static func recordPhases<Recorder: PhaseRecorder>(_ connection: Connection, now: UInt64, total: UInt64,
                                                             into recorder: inout Recorder) {
        recorder.record(.total, nanoseconds: total)
        if connection.connectedAt > 0 { recorder.record(.connect, nanoseconds: connection.connectedAt - connection.startedAt) }
        guard connection.handshakeDoneAt > 0 else { return }
        recorder.record(.handshake, nanoseconds: connection.handshakeDoneAt - connection.connectedAt)
        if connection.verdictSeen { recorder.record(.verdict, nanoseconds: now - connection.handshakeDoneAt) }
    }

    private func close(_ connection: Connection) {
        if let ssl = connection.ssl {
            // Sockets close abortively (RST) without close_notify; OpenSSL would then mark the connection's
            // session not resumable on SSL_free. With resumption on, the attempt counts as cleanly shut down.
            if resumes { SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN) }
            SSL_free(ssl)
            connection.ssl = nil
        }
        if let leftover = tlsdrill_observation_take_session(connection.observation) { SSL_SESSION_free(leftover) }
        if connection.fd >= 0 {
            NonBlockingSocket.closeAbortively(connection.fd)
            connection.fd = -1
        }
        connection.phase = .idle
        connection.deadline = 0
        connection.generation &+= 1
        inFlight -= 1
        control.inFlight[index].set(inFlight)
        if let pause = pauseBeforeRedial(connection) {
            let until = MonotonicClock.now() + pause
            pausedSlots.append((connection.slot, until))
            nextResume = min(nextResume, until)
            stats.pausedNanos += pause
        } else {
            freeSlots.append(connection.slot)
        }
    }

    /// Closed loop only: an attempt that failed before TLS (refused, unreachable, reset at connect) waits
    /// `--retry-pause` before its slot re-dials, so an outage is a window, not a flood; one that could not
    /// get a socket or a port (EMFILE, EADDRNOTAVAIL, ...) always backs off at least 100ms.
    private func pauseBeforeRedial(_ connection: Connection) -> UInt64? {
        guard share.rate == nil, !stoppedStarting, connection.evidence.phase == .connect, connection.evidence.socketErrno != 0,
              !connection.evidence.timedOut else { return nil }
        let exhausted = Self.resourceErrnos.contains(connection.evidence.socketErrno)
        let pause = exhausted ? max(retryPauseNanos, 100_000_000) : retryPauseNanos
        return pause > 0 ? pause : nil
    }

    /// Errors that mean this machine ran out of sockets, ports or memory (not the gateway's doing).
    private static let resourceErrnos: Set<Int32> = [EMFILE, ENFILE, EADDRNOTAVAIL, ENOBUFS, ENOMEM, EADDRINUSE]

    private func resumePausedSlots(_ now: UInt64) {
        var earliest = UInt64.max
        pausedSlots.removeAll { entry in
            if entry.until <= now {
                freeSlots.append(entry.slot)
                return true
            }
            earliest = min(earliest, entry.until)
            return false
        }
        nextResume = earliest
    }

    // MARK: - Timers

    private func arm(_ connection: Connection, deadline: UInt64) {
        connection.deadline = deadline
        if deadline < nextDeadline { nextDeadline = deadline }
    }

    private func expireTimers(_ now: UInt64) {
        var earliest = UInt64.max
        for connection in connections where connection.phase != .idle && connection.deadline != 0 {
            if connection.deadline <= now {
                timeOut(connection, now: now)
            } else if connection.deadline < earliest {
                earliest = connection.deadline
            }
        }
        nextDeadline = earliest
    }

    private func timeOut(_ connection: Connection, now: UInt64) {
        switch connection.phase {
        case .holding:
            close(connection)
        case .readingVerdict where settings.confirm == .read && connection.evidence.alert < 0:
            connection.evidence.timedOut = true
            connection.evidence.verdictSignal = .graceElapsed
            finish(connection, now: now)
        case .idle:
            break
        default:
            connection.evidence.timedOut = true
            finish(connection, now: now)
        }
    }

    /// On a stop request: close what is in flight without counting it.
    private func abandonAll() {
        for connection in connections where connection.phase != .idle {
            if connection.phase != .holding { stats.abandonedInFlight += 1 }
            close(connection)
        }
    }
}
