import Foundation
import HTTPTypes
import Hummingbird
import Imaging
import HummingbirdAuth
import Logging
import Mustache
import SecorCore
import SecorInbox
import SecorOutput
import SecorRegistry

/// `secor-intake serve`: the staff workstation. Server-rendered pages over the same registry and
/// the same actions as staff's commands (each action is the `StaffDesk` call its command makes,
/// recorded with the signed-in person's name). Nothing is served without sign-in.
public struct Station: Sendable {
    public struct Configuration: Sendable {
        public var out: String
        public var database: String
        public var host = "127.0.0.1"
        public var port = 8080
        /// Where uploads are dropped (the watcher's inbox), when the station runs with one.
        public var inbox: String?
        public var office: Office = .unnamed
        /// The processing date for decisions made here (default: each day's date).
        public var asOf: CalendarDate?
        /// The session cookie is sent only over TLS when the station is behind it.
        public var secureCookie = false

        public init(out: String, database: String) {
            self.out = out
            self.database = database
        }
    }

    public let configuration: Configuration
    let desk: DeskQueue
    let templates: MustacheLibrary
    let throttle = SignInThrottle()
    let logger = Logger(label: "secor.station")

    public init(_ configuration: Configuration) async throws {
        self.configuration = configuration
        desk = DeskQueue(try StaffDesk(out: configuration.out, database: configuration.database, asOf: configuration.asOf,
                                       office: configuration.office))
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Templates") else {
            throw StaffError("the station's page templates are missing from this installation")
        }
        templates = try await MustacheLibrary(directory: folder.path)
    }

    /// The application, ready to run.
    public func application() -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                           serverName: "secor-intake"),
                    logger: logger)
    }

    public func router() -> Router<StationContext> {
        let router = Router(context: StationContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: SessionMiddleware(storage: MemoryPersistDriver(), configuration: .init(
            sessionCookieParameters: .init(name: "secor_session", secure: configuration.secureCookie, sameSite: .strict),
            defaultSessionExpiration: .seconds(10 * 3600))))
        router.add(middleware: RequireSignIn())
        router.get("/assets/station.css") { _, _ in
            guard let url = Bundle.module.url(forResource: "station", withExtension: "css", subdirectory: "Assets"),
                  let data = FileManager.default.contents(atPath: url.path) else { throw HTTPError(.notFound) }
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/signin") { request, context in try self.signInPage(request, context, problem: nil) }
        router.post("/signin") { request, context in try await self.signIn(request, context) }
        router.post("/signout") { request, context in
            _ = try await self.form(request, context)
            context.sessions.clearSession()
            return Response(status: .seeOther, headers: [.location: "/signin"])
        }
        router.get("/") { _, context in try await self.today(context) }
        router.get("/queue") { _, context in try await self.queue(context) }
        router.get("/queue/next") { _, _ in
            let next = try await self.desk.run { try $0.reviewQueue(limit: 1).first?.id }
            return Response(status: .seeOther, headers: [.location: next.map { "/applications/\(Self.path($0))/verify" } ?? "/queue"])
        }
        router.get("/applications/{id}") { _, context in try await self.applicationPage(try context.parameters.require("id"), context) }
        router.get("/applications/{id}/verify") { _, context in try await self.verifyPage(try context.parameters.require("id"), context) }
        router.post("/applications/{id}/preview") { request, context in
            try await self.preview(try context.parameters.require("id"), request, context)
        }
        router.post("/applications/{id}/decide") { request, context in
            try await self.decide(try context.parameters.require("id"), request, context)
        }
        router.post("/applications/{id}/override") { request, context in
            try await self.override(try context.parameters.require("id"), request, context)
        }
        router.get("/applications/{id}/documents/{sha}") { _, context in
            let (id, sha) = (try context.parameters.require("id"), try context.parameters.require("sha"))
            guard let (name, data) = try await self.desk.run({ try $0.document(id, sha256: sha) }) else { throw HTTPError(.notFound) }
            let safe = String(name.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
            return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(safe)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/applications/{id}/documents/{sha}/pages/{page}") { _, context in
            let (id, sha) = (try context.parameters.require("id"), try context.parameters.require("sha"))
            let page = try context.parameters.require("page", as: Int.self)
            guard let png = try await self.desk.run({ try $0.pageImage(id, sha256: sha, page: page, scale: 1.5) }) else { throw HTTPError(.notFound) }
            return Self.png(png)
        }
        router.get("/applications/{id}/crops/{field}") { _, context in
            let (id, field) = (try context.parameters.require("id"), try context.parameters.require("field"))
            guard let png = try await self.desk.run({ try $0.crop(id, field: field) }) else { throw HTTPError(.notFound) }
            return Self.png(png)
        }
        router.get("/applications/{id}/files/{name}") { _, context in
            let (id, name) = (try context.parameters.require("id"), try context.parameters.require("name"))
            guard let data = try await self.desk.run({ try $0.officeFile(id, name: name) }) else { throw HTTPError(.notFound) }
            let type = name.hasSuffix(".pdf") ? "application/pdf" : name.hasSuffix(".html") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8"
            return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "inline; filename=\"\(name)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/program") { request, context in try await self.duePage(request, context) }
        router.get("/companies/{wcb}") { _, context in try await self.companyPage(try context.parameters.require("wcb"), context, problem: nil) }
        router.post("/companies/{wcb}/records") { request, context in
            try await self.recordEvent(try context.parameters.require("wcb"), request, context)
        }
        router.get("/staff") { _, context in try await self.staffPage(context, problem: nil, done: nil) }
        router.post("/staff") { request, context in try await self.addStaff(request, context) }
        router.get("/search") { request, context in try await self.search(request.uri.queryParameters.get("q") ?? "", context) }
        router.get("/export") { request, context in try await self.export(request, context) }
        router.get("/upload") { _, context in try self.page("upload", title: "Upload", context, ["inbox": configuration.inbox ?? ""]) }
        router.put("/upload/{name}") { request, context in try await self.upload(try context.parameters.require("name"), request, context) }
        router.get("/upload/status/{sha}") { _, context in try await self.uploadStatus(try context.parameters.require("sha")) }
        return router
    }

    static func png(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An id as it goes into a URL path (ids are ours, but nothing is taken on trust).
    static func path(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? s }

    // MARK: - Pages

    /// A page in the station's layout: `name`'s template with `values`, plus who is signed in,
    /// the form token and the script nonce.
    func page(_ name: String, title: String, _ context: StationContext, _ values: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        // An empty string opens a mustache section; a value that is not there does not (a blank
        // problem or notice is no paragraph). A variable that is not there prints nothing, as "" would.
        var values = values.filter { !(($0.value as? String)?.isEmpty ?? false) }
        let session = context.sessions.session
        values["csrf"] = session?.csrf ?? ""
        values["nonce"] = context.nonce
        values["staff"] = context.staff?.name ?? ""
        values["signedIn"] = context.staff != nil
        values["supervisor"] = context.staff?.isSupervisor ?? false
        values["office"] = configuration.office.name
        guard let body = templates.render(values, withTemplate: name) else { throw HTTPError(.internalServerError, message: "no page \(name)") }
        var layout = values
        layout["title"] = title
        layout["body"] = body
        guard let html = templates.render(layout, withTemplate: "layout") else { throw HTTPError(.internalServerError) }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func signInPage(_ request: Request, _ context: StationContext, problem: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        // A session before sign-in carries the token the sign-in form must send back.
        if context.sessions.session == nil {
            context.sessions.createSession(StaffSession(name: "", role: "", csrf: Secrets.token(bytes: 24)), expiresIn: .seconds(3600))
        }
        return try page("signin", title: "Sign in", context, ["problem": problem ?? ""], status: status)
    }

    func signIn(_ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        let wait = await throttle.delay(for: name)
        if wait > .zero { try await Task.sleep(for: wait) }
        let account = try await desk.run { try $0.registry.staff(named: name) }
        guard let account, StaffPasswords.verify(password, hash: account.passwordHash) else {
            await throttle.failed(name)
            logger.notice("sign-in refused")
            return try signInPage(request, context, problem: "That name and password do not match.", status: .unauthorized)
        }
        await throttle.succeeded(name)
        // A new session id at sign-in (a session id seen before signing in is never a signed-in one).
        context.sessions.clearSession()
        context.sessions.createSession(StaffSession(name: account.name, role: account.role.rawValue, csrf: Secrets.token(bytes: 24)),
                                    expiresIn: .seconds(10 * 3600))
        return Response(status: .seeOther, headers: [.location: "/"])
    }

    func today(_ context: StationContext) async throws -> Response {
        let view = try await desk.run { desk -> [String: Any] in
            let counts = try desk.registry.applicationCounts()
            let queue = try desk.reviewQueue(limit: 1)
            let queueLength = try desk.reviewCount()
            let day = desk.processingDate
            let decided = try desk.registry.decided(from: day, to: day)
            var tally: [String: Int] = [:]
            var latest: [[String: Any]] = []
            for (app, _) in decided.reversed() {
                guard let json = app.recordJSON, let r = try? JSONDecoder().decode(ApplicationRecord.self, from: Data(json.utf8)) else { continue }
                for reason in r.reasons { tally[reason.label ?? reason.field ?? reason.code, default: 0] += 1 }
                if latest.count < 15 { latest.append(Self.row(app.id, r)) }
            }
            let top = tally.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8)
            let widest = max(1, top.first?.value ?? 1)
            let bars: [[String: Any]] = top.enumerated().map { i, e in
                ["label": e.key, "count": e.value, "y": i * 26, "textY": i * 26 + 15, "width": 20 + e.value * 380 / widest]
            }
            return ["date": day.description,
                    "counts": [ApplicationState.accepted, .rejected, .needsReview, .pending, .superseded].map { ["state": $0.words, "n": counts[$0] ?? 0] },
                    "queueLength": queueLength, "oldest": queue.first.map { String($0.received.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "",
                    "hasOldest": queue.first != nil,
                    "bars": bars, "chartHeight": max(26, bars.count * 26), "hasBars": !bars.isEmpty, "latest": latest]
        }
        return try page("today", title: "Today", context, view)
    }

    static func row(_ id: String, _ r: ApplicationRecord) -> [String: Any] {
        ["id": id, "path": path(id), "state": r.decision.words, "stateClass": r.decision.rawValue,
         "company": r.company, "account": r.account, "submitted": r.submitted ?? ""]
    }

    func queue(_ context: StationContext) async throws -> Response {
        let (rows, count) = try await desk.run { desk in
            (try desk.reviewQueue(limit: 200).map { e -> [String: Any] in
                ["id": e.id, "path": Self.path(e.id), "company": e.company, "account": e.account, "received": String(e.received.prefix(16)),
                 "doubtful": e.doubtful.joined(separator: ", ")]
            }, try desk.reviewCount())
        }
        return try page("queue", title: "Review queue", context, ["rows": rows, "count": count, "empty": rows.isEmpty,
                                                                  "more": count > rows.count, "shown": rows.count])
    }

    func verifyPage(_ id: String, _ context: StationContext) async throws -> Response {
        let view = try await desk.run { desk -> [String: Any] in
            let (state, record, _) = try desk.application(id)
            let doubtful = desk.doubtfulFields(record)
            let corrections = Dictionary(try desk.corrections(id).map { ($0.field, $0) }, uniquingKeysWith: { $1 })
            var fields: [[String: Any]] = []
            for (i, name) in doubtful.enumerated() {
                guard let field = RecordField(name, templates: desk.templates, form: record.mainForm) else { continue }
                let read = record.asWritten[field.slot]?[field.key] ?? ""
                let reading = record.readings[name]
                fields.append(["name": name, "label": desk.label(name, form: record.mainForm) ?? name, "read": read,
                               "value": corrections[name]?.value ?? read,
                               "confidence": reading.map { String(format: "%.0f%%", $0.confidence * 100) } ?? "",
                               "crop": "/applications/\(Self.path(id))/crops/\(Self.path(name))", "hasCrop": reading?.box != nil,
                               "first": i == 0])
            }
            // The first document with a doubtful field, its page with every doubtful box drawn on it.
            var pages: [[String: Any]] = []
            for doc in record.documents {
                let boxes = doubtful.compactMap { name -> (Int, Box)? in
                    guard let r = record.readings[name], r.document == doc.path, let page = r.page, let box = r.box else { return nil }
                    return (page, box)
                }
                for page in Set(boxes.map(\.0)).sorted() {
                    pages.append(["src": "/applications/\(Self.path(id))/documents/\(doc.sha256)/pages/\(page)",
                                  "boxes": boxes.filter { $0.0 == page }.map { ["x": $0.1.x - 2, "y": $0.1.y - 2, "w": $0.1.width + 4, "h": $0.1.height + 4] }])
                }
            }
            return ["id": id, "path": Self.path(id), "state": state.words, "company": record.company,
                    "account": record.account, "fields": fields, "pages": pages, "inReview": state == .needsReview,
                    "reasons": record.reasons.map { ["label": $0.label ?? $0.field ?? $0.code, "message": $0.message, "severity": $0.severity.rawValue] }]
        }
        return try page("verify", title: "Verify", context, view)
    }

    func applicationPage(_ id: String, _ context: StationContext) async throws -> Response {
        let view = try await desk.run { desk -> [String: Any] in
            let (state, record, folder) = try desk.application(id)
            let corrections = Dictionary(try desk.corrections(id).map { ($0.field, $0) }, uniquingKeysWith: { $1 })
                .merging(record.corrections ?? [:]) { a, _ in a }
            var fields: [[String: Any]] = []
            for name in RecordField.names(desk.templates, form: record.mainForm) {
                guard let field = RecordField(name, templates: desk.templates, form: record.mainForm),
                      let written = record.asWritten[field.slot] else { continue }
                let reading = record.readings[name]
                let c = corrections[name]
                fields.append(["name": name, "label": desk.label(name, form: record.mainForm) ?? name, "read": written[field.key] ?? "",
                               "confidence": reading.map { String(format: "%.0f%%", $0.confidence * 100) } ?? "",
                               "source": reading?.source.rawValue ?? "",
                               "staff": c.map { ($0.confirms ? "confirmed" : "set “\($0.value)”") + " by \($0.by)" } ?? ""])
            }
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                .filter { Filer.isOfficeOutput($0) && $0 != "crops" && $0 != "record.json" }
                .map { ["name": $0, "href": "/applications/\(Self.path(id))/files/\(Self.path($0))"] }
            let history = try desk.events(id).map { e -> [String: Any] in
                ["at": String(e.at.prefix(19)).replacingOccurrences(of: "T", with: " "), "who": e.actor ?? "secor-intake", "event": e.event,
                 "detail": e.detail ?? ""]
            }
            var view: [String: Any] = ["id": id, "path": Self.path(id), "state": state.words, "stateClass": state.rawValue,
                    "company": record.company, "account": record.account,
                    "submitted": record.submitted ?? "", "inReview": state == .needsReview,
                    "documents": record.documents.map { ["name": ($0.path as NSString).lastPathComponent, "kind": $0.kind,
                                                         "href": "/applications/\(Self.path(id))/documents/\($0.sha256)"] },
                    "fields": fields, "files": files, "hasFiles": !files.isEmpty, "history": history,
                    "reasons": record.reasons.map { ["label": $0.label ?? $0.field ?? $0.code, "message": $0.message, "severity": $0.severity.rawValue] },
                    "noReasons": record.reasons.isEmpty,
                    "canOverride": [.accepted, .rejected, .needsReview].contains(state)]
            if let o = record.override { view["override"] = ["decision": o.decision.words, "by": o.by, "reason": o.reason] }
            return view
        }
        return try page("application", title: "Application", context, view)
    }

    func search(_ text: String, _ context: StationContext) async throws -> Response {
        let rows: [[String: Any]] = text.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try await desk.run { desk in
            try desk.find(text, limit: 100).map {
                ["id": $0.id, "path": Self.path($0.id), "state": $0.state.words, "stateClass": $0.state.rawValue, "company": $0.company, "account": $0.account]
            }
        }
        return try page("search", title: "Search", context, ["q": text, "rows": rows, "searched": !text.isEmpty, "none": rows.isEmpty])
    }

    func export(_ request: Request, _ context: StationContext) async throws -> Response {
        let q = request.uri.queryParameters
        guard let from = q.get("from").flatMap(CalendarDate.init(iso:)) else {
            return try page("export", title: "Export", context, ["today": (configuration.asOf ?? .today()).description])
        }
        let to = q.get("to").flatMap(CalendarDate.init(iso:)) ?? from
        let format: StaffDesk.ExportFormat = q.get("format") == "jsonl" ? .jsonl : .csv
        let text = try await desk.run { try $0.export(from: from, to: to, format: format) }
        let name = format == .csv ? "accepted-\(from)-\(to).csv" : "results-\(from)-\(to).jsonl"
        return Response(status: .ok, headers: [.contentType: format == .csv ? "text/csv; charset=utf-8" : "application/jsonl",
                                               .contentDisposition: "attachment; filename=\"\(name)\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Actions

    /// The posted form's fields; refused (403) without the session's token.
    func form(_ request: Request, _ context: StationContext) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 1 << 20)
        let fields = Self.decodeForm(String(buffer: body))
        guard let session = context.sessions.session, let token = fields["csrf"], Secrets.same(token, session.csrf) else {
            throw HTTPError(.forbidden, message: "This form has expired or did not come from this station; open the page again.")
        }
        return fields
    }

    static func decodeForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    /// The values on the verification page, as staff's values for the fields they changed or confirmed.
    static func assignments(_ fields: [String: String]) -> [String: String] {
        var values: [String: String] = [:]
        for (k, v) in fields where k.hasPrefix("value.") { values[String(k.dropFirst("value.".count))] = v }
        return values
    }

    func preview(_ id: String, _ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        let name = context.staff?.name ?? ""
        let (state, reasons) = try await desk.run { try $0.preview(id, values: Self.assignments(fields), by: name) }
        struct Preview: Encodable { let decision: String; let words: String; let reasons: [String] }
        let json = try JSONEncoder().encode(Preview(decision: state.rawValue, words: state.words,
                                                    reasons: reasons.map { ($0.label ?? $0.field ?? $0.code) + ": " + $0.message }))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    func decide(_ id: String, _ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        guard let name = context.staff?.name else { throw HTTPError(.unauthorized) }
        let values = Self.assignments(fields)
        let outcome = try await desk.run { desk -> StaffDesk.Outcome in
            let (_, record, _) = try desk.application(id)
            // Each value on the page: the one read confirms it, another corrects it.
            let assignments = values.sorted { $0.key < $1.key }.compactMap { field, value -> String? in
                guard let f = RecordField(field, templates: desk.templates, form: record.mainForm) else { return nil }
                let read = record.asWritten[f.slot]?[f.key] ?? ""
                return "\(field)=" + (value == read ? "" : value)
            }
            if !assignments.isEmpty { try desk.set(id, assignments: assignments, by: name, note: "verified at the workstation") }
            return try desk.decide(id, by: name)
        }
        if outcome.state == .needsReview {
            return Response(status: .seeOther, headers: [.location: "/applications/\(Self.path(id))/verify"])
        }
        return Response(status: .seeOther, headers: [.location: "/queue/next"])
    }

    func override(_ id: String, _ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        guard let staff = context.staff, staff.isSupervisor else {
            throw HTTPError(.forbidden, message: "Only a supervisor may override a decision.")
        }
        guard let decision = ApplicationState(rawValue: fields["decision"] ?? ""), [.accepted, .rejected].contains(decision) else {
            throw HTTPError(.badRequest, message: "Choose accepted or rejected.")
        }
        let reason = fields["reason"] ?? ""
        _ = try await desk.run { try $0.override(id, decision: decision, reason: reason, by: staff.name) }
        return Response(status: .seeOther, headers: [.location: "/applications/\(Self.path(id))"])
    }

    // MARK: - The program's life

    /// The due listing (L8) as it stands on a date (the watcher carries out each day's removals).
    func duePage(_ request: Request, _ context: StationContext) async throws -> Response {
        let view = try await desk.run { desk -> [String: Any] in
            let date = request.uri.queryParameters.get("date").flatMap(CalendarDate.init(iso:)) ?? desk.processingDate
            // Alberta's certificates (rule 17), when the registry holds any of its program.
            var certificateSections: [[String: Any]] = []
            for program in desk.filer.certified where try program.isUsed() {
                let due = try program.due(on: date)
                certificateSections += [
                    Self.dueSection("Maintenance audit due", due.maintenanceDue.map {
                        ["wcb": $0.wcb, "company": $0.company, "what": "\($0.certificate): \($0.auditType) due \($0.due)"] }),
                    Self.dueSection("Recertification due", due.recertificationDue.map {
                        ["wcb": $0.wcb, "company": $0.company, "what": "\($0.certificate): expires \($0.due)"] }),
                    Self.dueSection("Certificates cancelled", due.cancelled.map {
                        ["wcb": $0.wcb, "company": $0.company,
                         "what": "\($0.certificate): cancelled \($0.cancelledOn), no maintenance audit by \($0.missedAnniversary?.description ?? "")"] }),
                ]
            }
            guard let life = desk.filer.life else {
                return ["date": date.description, "none": certificateSections.isEmpty, "sections": certificateSections]
            }
            let due = try life.due(on: date)
            func rows(_ entries: [DueListing.Entry], _ what: (DueListing.Entry) -> String) -> [[String: Any]] {
                entries.map { ["wcb": $0.wcb, "company": $0.company, "what": what($0)] }
            }
            let sections: [[String: Any]] = [
                Self.dueSection("Milestone #1 due", rows(due.milestone1Due) { "due \($0.due?.description ?? "")" }),
                Self.dueSection("Certification due", rows(due.certificationDue) { "due \($0.due?.description ?? "")" }),
                Self.dueSection("Annual audit due", rows(due.annualAuditDue) { "due \($0.due?.description ?? "") (certified \($0.certified?.description ?? ""))" }),
                Self.dueSection("Annual audit overdue", rows(due.auditOverdue) { "missed the anniversary of \($0.missedAnniversary?.description ?? "")" }),
                Self.dueSection("Removed", rows(due.removed) {
                    "removed \($0.removedOn?.description ?? ""): \($0.missed == .milestone1 ? "Milestone #1" : "certification") was due \($0.deadline?.description ?? ""); may register from \($0.mayRegisterFrom?.description ?? "")"
                }),
            ]
            return ["date": date.description, "until": due.until.description, "window": due.windowDays, "sections": sections + certificateSections]
        }
        return try page("due", title: "Program", context, view)
    }

    /// A section of the due listing: its title, its rows, and whether it has none (the page says "None.").
    static func dueSection(_ title: String, _ rows: [[String: Any]]) -> [String: Any] {
        ["title": title, "rows": rows, "empty": rows.isEmpty]
    }

    /// One WCB account: its registrations, deadlines and staff's records, with a form to record an event.
    func companyPage(_ wcb: String, _ context: StationContext, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let view = try await desk.run { desk -> [String: Any] in
            let date = desk.processingDate
            // An Alberta account: its enrolment and certificates.
            for program in desk.filer.certified {
                guard let company = try program.companies(on: date)[wcb] else { continue }
                let certificates: [[String: Any]] = company.certificates.map { c in
                    var row: [String: Any] = ["number": c.number, "status": c.status.rawValue, "issued": c.issued.description,
                                              "anniversaries": c.anniversaries.map(\.description).joined(separator: ", "),
                                              "expires": c.expires.description,
                                              "year2": c.maintenance["year_2"].flatMap { $0 }?.description ?? "not received",
                                              "year3": c.maintenance["year_3"].flatMap { $0 }?.description ?? "not received"]
                    if let d = c.cancelledOn { row["cancelled"] = "\(d) (no maintenance audit by \(c.missedAnniversary?.description ?? ""))" }
                    if let d = c.replacedOn { row["replaced"] = "\(d) by \(c.replacedBy ?? "")" }
                    return row
                }
                return ["wcb": wcb, "company": company.company, "status": "enrolment " + (company.enrolment?.words ?? "not received"),
                        "certificates": certificates, "registrations": [[String: Any]](), "inForce": false, "today": date.description]
            }
            guard let life = desk.filer.life else { throw HTTPError(.notFound) }
            let account = try life.accounts().first { $0.account == wcb }
            guard let account else { throw HTTPError(.notFound, message: "No applications for WCB account \(wcb).") }
            let lives = try life.lives(of: wcb)
            let view = CompanyView(company: account.company, decisions: account.decisions, lives: lives)
            let registrations: [[String: Any]] = view.registrations.map { r in
                var row: [String: Any] = [
                    "registered": r.registered.description, "status": r.status.rawValue,
                    "milestone1": r.milestone1?.description ?? "not recorded (due \(r.milestone1Due))",
                    "certified": r.certified?.description ?? "not recorded (due \(r.certificationDue))",
                    "audits": r.annualAudits.map { ["anniversary": $0.anniversary.description, "on": $0.on.description] },
                    "records": r.records.map { ["event": $0.event.rawValue, "on": $0.on.description, "by": $0.by,
                                                "recorded": $0.recorded.description, "superseded": $0.superseded] }]
                // Only what there is: a section opens for any value given.
                if let d = r.auditOverdue { row["overdue"] = d.description }
                if let d = r.removedOn { row["removed"] = d.description }
                if let d = r.mayRegisterFrom { row["mayRegisterFrom"] = d.description }
                return row
            }
            return ["wcb": wcb, "company": view.company, "status": view.status?.rawValue ?? view.registration ?? "",
                    "registrations": registrations, "inForce": view.status?.inForce ?? false, "today": date.description,
                    "events": LifeEvent.allCases.map { ["value": $0.rawValue] }]
        }
        var values = view
        values["problem"] = problem ?? ""
        return try page("company", title: "Company", context, values, status: status)
    }

    /// Records what the office learned, with the signed-in person's name (the same call as `secor-intake record`).
    func recordEvent(_ wcb: String, _ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        guard let name = context.staff?.name else { throw HTTPError(.unauthorized) }
        guard let event = LifeEvent(rawValue: fields["event"] ?? ""), let on = CalendarDate(iso: fields["on"] ?? "") else {
            return try await companyPage(wcb, context, problem: "Choose an event and give its date.", status: .badRequest)
        }
        do {
            _ = try await desk.run { desk -> LifeRecord in
                guard let life = desk.filer.life else { throw HTTPError(.notFound) }
                return try life.record(wcb, event, on: on, by: name, today: desk.processingDate)
            }
        } catch let refused as RecordRefused {
            return try await companyPage(wcb, context, problem: "Not recorded: \(refused.description).", status: .conflict)
        }
        return Response(status: .seeOther, headers: [.location: "/companies/\(Self.path(wcb))"])
    }

    /// Staff accounts: only a supervisor sees them or adds one (the same registry call as
    /// `secor-intake staff add`, recorded with the supervisor's name).
    func staffPage(_ context: StationContext, problem: String?, done: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard context.staff?.isSupervisor == true else { throw HTTPError(.forbidden, message: "Only a supervisor may see or add staff accounts.") }
        let rows = try await desk.run { desk in
            try desk.registry.staffAccounts().map { a -> [String: Any] in
                ["name": a.name, "role": a.role.rawValue, "added": String(a.addedAt.prefix(16)).replacingOccurrences(of: "T", with: " "),
                 "by": a.addedBy ?? "secor-intake staff add"]
            }
        }
        return try page("staff", title: "Staff", context, ["rows": rows, "problem": problem ?? "", "done": done ?? ""], status: status)
    }

    func addStaff(_ request: Request, _ context: StationContext) async throws -> Response {
        let fields = try await form(request, context)
        guard let supervisor = context.staff, supervisor.isSupervisor else {
            throw HTTPError(.forbidden, message: "Only a supervisor may add staff accounts.")
        }
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = fields["password"] ?? ""
        guard !name.isEmpty, name.count <= 64, !name.contains(where: { $0.isNewline }) else {
            return try await staffPage(context, problem: "Give a name (at most 64 characters).", done: nil, status: .badRequest)
        }
        guard let role = Registry.StaffRole(rawValue: fields["role"] ?? "") else {
            return try await staffPage(context, problem: "Choose clerk or supervisor.", done: nil, status: .badRequest)
        }
        if let problem = StaffPasswords.problem(password) {
            return try await staffPage(context, problem: problem.prefix(1).uppercased() + problem.dropFirst() + ".", done: nil, status: .badRequest)
        }
        guard password == fields["again"] else {
            return try await staffPage(context, problem: "The two passwords differ.", done: nil, status: .badRequest)
        }
        let hash = StaffPasswords.hash(password)
        try await desk.run { try $0.registry.saveStaff(name: name, role: role, passwordHash: hash, by: supervisor.name) }
        return try await staffPage(context, problem: nil, done: "\(name) can sign in as a \(role.rawValue).")
    }

    /// A file dropped on the upload page, into the inbox: written under a hidden name and renamed
    /// whole, so the watcher never takes half of it. Needs the session's token in a header.
    func upload(_ name: String, _ request: Request, _ context: StationContext) async throws -> Response {
        guard let session = context.sessions.session, let token = request.headers[HTTPField.Name("X-CSRF-Token")!],
              Secrets.same(token, session.csrf) else { throw HTTPError(.forbidden, message: "Open the upload page again.") }
        guard let inbox = configuration.inbox else { throw HTTPError(.conflict, message: "This station was started without an inbox (--inbox).") }
        let body = try await request.body.collect(upTo: 60 << 20)
        let data = Data(buffer: body)
        let safe = Filer.safeName(name)
        let sha = InputFile(path: safe, data: data).sha256
        let hidden = (inbox as NSString).appendingPathComponent(".upload-\(sha.prefix(12))")
        var target = (inbox as NSString).appendingPathComponent(safe)
        if FileManager.default.fileExists(atPath: target) { target = (inbox as NSString).appendingPathComponent("\(sha.prefix(8))-\(safe)") }
        try data.write(to: URL(fileURLWithPath: hidden))
        try FileManager.default.moveItem(atPath: hidden, toPath: target)
        try await desk.run { try $0.registry.log(sha256: sha, event: "uploaded", detail: "at the workstation", actor: context.staff?.name) }
        let json = try JSONEncoder().encode(["sha256": sha, "name": safe])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    func uploadStatus(_ sha: String) async throws -> Response {
        let status = try await desk.run { desk -> [String: String] in
            guard let d = try desk.registry.document(sha256: sha) else { return ["state": "waiting"] }
            var out = ["state": d.state.rawValue]
            if let id = d.applicationID, let app = try desk.registry.application(id: id) {
                out["application"] = id
                out["decision"] = app.state.words
                out["href"] = "/applications/\(Self.path(id))"
            }
            return out
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(status))))
    }
}

/// Staff's desk, one action at a time, off the server's event loops.
final class DeskQueue: @unchecked Sendable {
    private let desk: StaffDesk
    private let queue = DispatchQueue(label: "secor.station.desk")

    init(_ desk: StaffDesk) { self.desk = desk }

    func run<T>(_ body: @escaping @Sendable (StaffDesk) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    let value = try body(self.desk)
                    nonisolated(unsafe) let sent = value
                    continuation.resume(returning: sent)
                } catch let error as StaffError {
                    continuation.resume(throwing: HTTPError(.badRequest, message: error.message))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
