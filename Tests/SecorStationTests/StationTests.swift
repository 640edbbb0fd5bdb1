import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import SecorCore
@testable import SecorRegistry
@testable import SecorStation

/// The workstation's guards, without a browser: sign-in before anything, the form token, roles,
/// escaping, and the headers on every response.
@Suite struct StationTests {
    static let hostile = "<script>alert(1)</script> Ltd"
    static let id = "3000001-abcdef12"

    /// OUT with a registry holding staff and one application named like a script.
    static func office() throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("station-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let registry = try Registry(path: out.appendingPathComponent("registry.sqlite").path)
        try registry.saveStaff(name: "clerk", role: .clerk, passwordHash: StaffPasswords.hash("clerk password", cost: 4), by: nil)
        try registry.saveStaff(name: "boss", role: .supervisor, passwordHash: StaffPasswords.hash("boss password", cost: 4), by: nil)
        let record = """
        {"id": "\(id)", "decision": "accepted", "program": "sk-secor", "edition": "2018-09", "documents": [],
         "fields": {"company_legal_name": "\(hostile)", "wcb_account_number": "3000001"}, "declaration_fields": {},
         "as_written": {"registration": {"company_legal_name": "\(hostile)"}}, "reasons": [], "readings": {}}
        """
        var filing = Registry.Filing()
        var update = Registry.Filing.ApplicationUpdate(id: id, wcbAccount: "3000001", companyKey: nil, state: .accepted, submitted: nil,
                                                       edition: "2018-09", recordJSON: record,
                                                       decision: (.accepted, "sk-secor", "2018-09", []), trainee: nil,
                                                       decidedOn: CalendarDate(year: 2026, month: 11, day: 22))
        update.searchText = ApplicationRecord.folded("\(id) 3000001 \(hostile)")
        filing.applications.append(update)
        try registry.commit(filing)
        return out
    }

    static func station(_ out: URL) async throws -> Station {
        var configuration = Station.Configuration(out: out.path, database: out.appendingPathComponent("registry.sqlite").path)
        configuration.asOf = CalendarDate(year: 2026, month: 11, day: 22)
        return try await Station(configuration)
    }

    /// The session cookie a response sets, as a request sends it back.
    static func cookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("secor_session=") }.map { String($0.split(separator: ";")[0]) }
    }

    static func csrf(_ body: String) -> String? {
        guard let r = body.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(body[r]).components(separatedBy: "value=\"")[1].dropLast().description
    }

    /// Signs in; the session cookie and the form token.
    static func signIn(_ client: any TestClientProtocol, _ name: String, _ password: String) async throws -> (cookie: String, csrf: String) {
        let form = try await client.execute(uri: "/signin", method: .get)
        let pre = try #require(cookie(form))
        let token = try #require(csrf(String(buffer: form.body)))
        let body = "csrf=\(token)&name=\(name)&password=\(password.replacingOccurrences(of: " ", with: "+"))"
        let signed = try await client.execute(uri: "/signin", method: .post,
                                              headers: [.cookie: pre, .contentType: "application/x-www-form-urlencoded"],
                                              body: ByteBuffer(string: body))
        #expect(signed.status == .seeOther)
        let session = try #require(cookie(signed))
        #expect(session != pre, "a new session id at sign-in")
        let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: session])
        #expect(home.status == .ok)
        return (session, try #require(csrf(String(buffer: home.body))))
    }

    static let pages = ["/", "/queue", "/queue/next", "/search?q=ltd", "/export", "/upload", "/applications/\(id)", "/applications/\(id)/verify",
                        "/applications/\(id)/documents/00", "/applications/\(id)/documents/00/pages/1", "/applications/\(id)/crops/company_legal_name",
                        "/applications/\(id)/files/letter.pdf", "/upload/status/00", "/export?from=2026-11-22", "/staff", "/program", "/companies/3000001"]
    static let actions = ["/applications/\(id)/preview", "/applications/\(id)/decide", "/applications/\(id)/override", "/staff", "/companies/3000001/records", "/signout"]

    @Test func nothingIsServedWithoutSignIn() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            for page in Self.pages {
                let r = try await client.execute(uri: page, method: .get)
                #expect(r.status == .seeOther || r.status == .unauthorized, "\(page): \(r.status)")
                #expect(!String(buffer: r.body).contains("alert"), "\(page)")
            }
            for action in Self.actions {
                let r = try await client.execute(uri: action, method: .post, body: ByteBuffer(string: "decision=accepted&reason=x"))
                #expect(r.status == .unauthorized || r.status == .forbidden || r.status == .seeOther, "\(action): \(r.status)")
            }
            let upload = try await client.execute(uri: "/upload/a.pdf", method: .put, body: ByteBuffer(string: "%PDF"))
            #expect(upload.status == .unauthorized)
            // A wrong password is refused, and the next try waits longer.
            let form = try await client.execute(uri: "/signin", method: .get)
            let pre = try #require(Self.cookie(form)), token = try #require(Self.csrf(String(buffer: form.body)))
            let wrong = try await client.execute(uri: "/signin", method: .post, headers: [.cookie: pre, .contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "csrf=\(token)&name=clerk&password=nope"))
            #expect(wrong.status == .unauthorized && Self.cookie(wrong) == nil)
        }
    }

    @Test func formsWithoutTheirTokenAndClerksOverridingAreRefused() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            let clerk = try await Self.signIn(client, "clerk", "clerk password")
            let form: HTTPFields = [.cookie: clerk.cookie, .contentType: "application/x-www-form-urlencoded"]
            let noToken = try await client.execute(uri: "/applications/\(Self.id)/override", method: .post, headers: form,
                                                   body: ByteBuffer(string: "decision=rejected&reason=closed"))
            #expect(noToken.status == .forbidden)
            let wrongToken = try await client.execute(uri: "/applications/\(Self.id)/override", method: .post, headers: form,
                                                      body: ByteBuffer(string: "csrf=forged&decision=rejected&reason=closed"))
            #expect(wrongToken.status == .forbidden)
            let byClerk = try await client.execute(uri: "/applications/\(Self.id)/override", method: .post, headers: form,
                                                   body: ByteBuffer(string: "csrf=\(clerk.csrf)&decision=rejected&reason=closed"))
            #expect(byClerk.status == .forbidden, "only a supervisor may override")
            let upload = try await client.execute(uri: "/upload/a.pdf", method: .put, headers: [.cookie: clerk.cookie], body: ByteBuffer(string: "%PDF"))
            #expect(upload.status == .forbidden, "an upload needs the token too")
            // Signed out, the session is gone.
            _ = try await client.execute(uri: "/signout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(clerk.csrf)"))
            let after = try await client.execute(uri: "/queue", method: .get, headers: [.cookie: clerk.cookie])
            #expect(after.status == .seeOther)
        }
    }

    @Test func onlyASupervisorAddsStaffAndTheNewAccountSignsIn() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            let clerk = try await Self.signIn(client, "clerk", "clerk password")
            let asClerk = try await client.execute(uri: "/staff", method: .get, headers: [.cookie: clerk.cookie])
            #expect(asClerk.status == .forbidden)
            let clerkAdds = try await client.execute(uri: "/staff", method: .post,
                                                     headers: [.cookie: clerk.cookie, .contentType: "application/x-www-form-urlencoded"],
                                                     body: ByteBuffer(string: "csrf=\(clerk.csrf)&name=mallory&role=supervisor&password=0123456789&again=0123456789"))
            #expect(clerkAdds.status == .forbidden)

            let boss = try await Self.signIn(client, "boss", "boss password")
            let list = try await client.execute(uri: "/staff", method: .get, headers: [.cookie: boss.cookie])
            #expect(list.status == .ok && String(buffer: list.body).contains("<td>clerk</td>"))
            #expect(!String(buffer: list.body).contains("staff-problem") && !String(buffer: list.body).contains("staff-done"))
            let headers: HTTPFields = [.cookie: boss.cookie, .contentType: "application/x-www-form-urlencoded"]
            let differ = try await client.execute(uri: "/staff", method: .post, headers: headers,
                                                  body: ByteBuffer(string: "csrf=\(boss.csrf)&name=dana&role=clerk&password=0123456789&again=0123456780"))
            #expect(differ.status == .badRequest && String(buffer: differ.body).contains("The two passwords differ."))
            let short = try await client.execute(uri: "/staff", method: .post, headers: headers,
                                                 body: ByteBuffer(string: "csrf=\(boss.csrf)&name=dana&role=clerk&password=short&again=short"))
            #expect(short.status == .badRequest)
            let noToken = try await client.execute(uri: "/staff", method: .post, headers: headers,
                                                   body: ByteBuffer(string: "name=dana&role=clerk&password=0123456789&again=0123456789"))
            #expect(noToken.status == .forbidden)
            let added = try await client.execute(uri: "/staff", method: .post, headers: headers,
                                                 body: ByteBuffer(string: "csrf=\(boss.csrf)&name=dana&role=clerk&password=dana+password&again=dana+password"))
            #expect(added.status == .ok && String(buffer: added.body).contains("dana can sign in as a clerk."))
            let registry = try Registry(path: out.appendingPathComponent("registry.sqlite").path)
            let dana = try #require(try registry.staffAccounts().first { $0.name == "dana" })
            #expect(dana.role == .clerk && dana.addedBy == "boss", "recorded with who added the account")
            _ = try await Self.signIn(client, "dana", "dana password")
        }
    }

    @Test func staffRecordWhatTheOfficeLearnedWithTheirName() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            let clerk = try await Self.signIn(client, "clerk", "clerk password")
            let headers: HTTPFields = [.cookie: clerk.cookie, .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.execute(uri: "/companies/3000001", method: .get, headers: [.cookie: clerk.cookie])
            #expect(page.status == .ok && String(buffer: page.body).contains("Registered 2026-11-22: registered"))
            let noToken = try await client.execute(uri: "/companies/3000001/records", method: .post, headers: headers,
                                                   body: ByteBuffer(string: "event=milestone-1&on=2026-11-22"))
            #expect(noToken.status == .forbidden)
            let future = try await client.execute(uri: "/companies/3000001/records", method: .post, headers: headers,
                                                  body: ByteBuffer(string: "csrf=\(clerk.csrf)&event=milestone-1&on=2026-12-01"))
            #expect(future.status == .conflict && String(buffer: future.body).contains("after today"))
            let made = try await client.execute(uri: "/companies/3000001/records", method: .post, headers: headers,
                                                body: ByteBuffer(string: "csrf=\(clerk.csrf)&event=milestone-1&on=2026-11-22"))
            #expect(made.status == .seeOther)
            let after = String(buffer: try await client.execute(uri: "/companies/3000001", method: .get, headers: [.cookie: clerk.cookie]).body)
            #expect(after.contains("<span class=\"who\">clerk</span> recorded milestone-1 on 2026-11-22"))
            #expect(!after.contains("Audit overdue") && !after.contains("<th>Removed</th>") && !after.contains("record-problem"),
                    "nothing shown that is not there")
            // 18 months from 2026-11-22: certification is due 2028-05-22, inside the 60 days from 2028-04-01.
            let due = try await client.execute(uri: "/program?date=2028-04-01", method: .get, headers: [.cookie: clerk.cookie])
            #expect(due.status == .ok && String(buffer: due.body).contains("due 2028-05-22"))
        }
    }

    /// Alberta's accounts on the same pages: a company's certificates, and the due listing's cancellations.
    @Test func albertasCertificatesAreShownOnTheCompanyAndProgramPages() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let registry = try Registry(path: out.appendingPathComponent("registry.sqlite").path)
        let library = try ProgramLibrary.load()
        let terms = try #require(library.edition(of: "ab-secor", on: CalendarDate(year: 2025, month: 10, day: 20)!)?.certificates)
        let issued = Certificate(number: "AB9479964-01", account: "9479964", issued: CalendarDate(year: 2025, month: 10, day: 20)!, replaces: nil, terms: terms)
        var filing = Registry.Filing()
        for (id, form, day) in [("9479964-enrolment", "enrolment", CalendarDate(year: 2025, month: 3, day: 3)!),
                                ("9479964-audit", "audit_submission", CalendarDate(year: 2025, month: 10, day: 20)!)] {
            let record = """
            {"id": "\(id)", "decision": "accepted", "program": "ab-secor", "edition": "2024-04", "documents": [],
             "fields": {"company_legal_name": "Iron Creek Plumbing & Heating Ltd", "wcb_account_number": "9479964"}, "declaration_fields": {},
             "as_written": {}, "reasons": [], "readings": {}}
            """
            var update = Registry.Filing.ApplicationUpdate(id: id, wcbAccount: "9479964", companyKey: nil, state: .accepted, submitted: nil,
                                                           edition: "2024-04", recordJSON: record, decision: (.accepted, "ab-secor", "2024-04", []),
                                                           trainee: nil, decidedOn: day)
            update.program = "ab-secor"
            update.form = form
            if form == "audit_submission" { update.certificateChanges = [.issued(issued)] }
            filing.applications.append(update)
        }
        try registry.commit(filing)
        let certified = ProgramCertificates(registry: registry, program: "ab-secor", terms: terms)
        #expect(try certified.carryOut(on: CalendarDate(year: 2026, month: 11, day: 22)!).map(\.certificate) == ["AB9479964-01"])
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            let clerk = try await Self.signIn(client, "clerk", "clerk password")
            let company = String(buffer: try await client.execute(uri: "/companies/9479964", method: .get, headers: [.cookie: clerk.cookie]).body)
            #expect(company.contains("Certificate AB9479964-01: cancelled") && company.contains("enrolment accepted"))
            #expect(company.contains("Iron Creek Plumbing &amp; Heating Ltd"), "escaped")
            let due = String(buffer: try await client.execute(uri: "/program?date=2026-11-22", method: .get, headers: [.cookie: clerk.cookie]).body)
            #expect(due.contains("AB9479964-01: cancelled 2026-11-22, no maintenance audit by 2026-10-20"), "\(due)")
            // Saskatchewan's account is still there, in its own shape.
            let sk = String(buffer: try await client.execute(uri: "/companies/3000001", method: .get, headers: [.cookie: clerk.cookie]).body)
            #expect(sk.contains("Registered 2026-11-22: registered"))
        }
    }

    @Test func applicantTextIsEscapedAndEveryResponseIsGuarded() async throws {
        let out = try Self.office()
        defer { try? FileManager.default.removeItem(at: out) }
        let app = Application(router: try await Self.station(out).router())
        try await app.test(.router) { client in
            let clerk = try await Self.signIn(client, "clerk", "clerk password")
            for page in ["/search?q=script", "/applications/\(Self.id)", "/"] {
                let r = try await client.execute(uri: page, method: .get, headers: [.cookie: clerk.cookie])
                let body = String(buffer: r.body)
                #expect(r.status == .ok, "\(page)")
                #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt; Ltd") && !body.contains("<script>alert(1)"), "\(page)")
                let csp = try #require(r.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'nonce-") && csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"))
                #expect(r.headers[.cacheControl] == "no-store")
            }
            // A supervisor is not refused (this application has no documents to decide from, which is said).
            let boss = try await Self.signIn(client, "boss", "boss password")
            let overridden = try await client.execute(uri: "/applications/\(Self.id)/override", method: .post,
                                                      headers: [.cookie: boss.cookie, .contentType: "application/x-www-form-urlencoded"],
                                                      body: ByteBuffer(string: "csrf=\(boss.csrf)&decision=rejected&reason=The+account+is+closed"))
            #expect(overridden.status != .forbidden && overridden.status != .unauthorized)
        }
    }
}
