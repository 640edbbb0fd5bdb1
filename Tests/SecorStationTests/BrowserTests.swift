import Foundation
import Testing
import TestSupport
@testable import SecorRegistry
import SecorStation

/// A WebDriver client, enough to drive Debian's chromium through chromium-driver.
final class WebDriver {
    let base: URL
    let session: String
    let driver: Process

    /// Starts chromium-driver on `port` and a headless chromium session through it.
    init(port: Int) throws {
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        self.driver = driver
        base = URL(string: "http://127.0.0.1:\(port)")!
        var started: [String: Any]? = nil
        let options: [String: Any] = ["binary": "/usr/bin/chromium",
                                      "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"]]
        for _ in 0..<50 {
            started = try? Self.call(base.appendingPathComponent("session"), "POST",
                                     ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]])
            if started != nil { break }
            usleep(200_000)
        }
        guard let value = started?["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            stop(driver)
            throw WebDriverError(message: "chromium-driver did not start a session: \(String(describing: started))")
        }
        session = id
    }

    deinit {
        _ = try? Self.call(base.appendingPathComponent("session/\(session)"), "DELETE", nil)
        stop(driver)
    }

    static func call(_ url: URL, _ method: String, _ body: [String: Any]?) throws -> [String: Any] {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        let data = try LoopbackHTTP.request(port: url.port ?? 80, method: method, path: url.path, body: payload)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        if let value = json["value"] as? [String: Any], let error = value["error"] as? String {
            throw WebDriverError(message: "\(error): \(value["message"] ?? "")")
        }
        return json
    }

    @discardableResult
    func command(_ path: String, _ method: String = "POST", _ body: [String: Any]? = [:]) throws -> Any? {
        try Self.call(base.appendingPathComponent("session/\(session)/\(path)"), method, method == "GET" ? nil : body)["value"]
    }

    func go(_ url: String) throws { try command("url", "POST", ["url": url]) }
    var url: String { (try? command("url", "GET") as? String) ?? "" }
    var source: String { (try? command("source", "GET") as? String) ?? "" }

    func element(_ css: String) throws -> String {
        guard let value = try command("element", "POST", ["using": "css selector", "value": css]) as? [String: Any],
              let id = value.values.first as? String else { throw WebDriverError(message: "no element \(css)") }
        return id
    }

    func active() throws -> String {
        guard let value = try command("element/active", "GET") as? [String: Any], let id = value.values.first as? String else {
            throw WebDriverError(message: "nothing has focus")
        }
        return id
    }

    func type(_ text: String, into element: String) throws { try command("element/\(element)/value", "POST", ["text": text]) }
    func click(_ element: String) throws { try command("element/\(element)/click") }
    func text(_ element: String) throws -> String { (try command("element/\(element)/text", "GET") as? String) ?? "" }
    func attribute(_ name: String, of element: String) throws -> String { (try command("element/\(element)/attribute/\(name)", "GET") as? String) ?? "" }

    func screenshot(to url: URL) throws {
        if let base64 = try command("screenshot", "GET") as? String, let data = Data(base64Encoded: base64) { try data.write(to: url) }
    }

    static let enter = "\u{E007}"
}

/// HTTP/1.1 over a loopback socket, one request per connection: what talking to chromium-driver
/// needs (Foundation's URLSession on Linux fails on its replies).
enum LoopbackHTTP {
    static func request(port: Int, method: String, path: String, body: Data) throws -> Data {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WebDriverError(message: "no socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw WebDriverError(message: "cannot connect to port \(port)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        let message = Data(head.utf8) + body
        try message.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, 0)
                guard n > 0 else { throw WebDriverError(message: "send failed") }
                sent += n
            }
        }
        // Read until the body is whole (by its length, or the chunked ending), or the other side closes.
        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let split = reply.range(of: Data("\r\n\r\n".utf8)) {
                let headers = String(decoding: reply[..<split.lowerBound], as: UTF8.self).lowercased()
                let content = Data(reply[split.upperBound...])
                if let line = headers.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                   let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)), content.count >= length {
                    return content.prefix(length)
                }
                if headers.contains("transfer-encoding: chunked"), content.range(of: Data("\r\n0\r\n\r\n".utf8)) != nil
                    || content.starts(with: Data("0\r\n\r\n".utf8)) {
                    return dechunk(content)
                }
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else { throw WebDriverError(message: "no reply") }
        let headers = String(decoding: reply[..<split.lowerBound], as: UTF8.self).lowercased()
        let content = Data(reply[split.upperBound...])
        return headers.contains("transfer-encoding: chunked") ? dechunk(content) : content
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
            if size == 0 { break }
            let start = line.upperBound
            out.append(rest[start..<(start + size)])
            rest = rest[(start + size + 2)...]
        }
        return out
    }
}

struct WebDriverError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Waits until `condition` holds, or `seconds` pass.
func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(200_000)
    }
    return condition()
}

/// Stops a process started here, and reaps it.
func stop(_ process: Process) {
    guard process.isRunning else { return }
    let pid = process.processIdentifier
    kill(pid, SIGTERM)
    for _ in 0..<50 {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return }
        usleep(100_000)
    }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
}

/// A free TCP port on the loopback.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The workstation as a clerk uses it, in a real browser: headless chromium, driven through
/// chromium-driver (both installed by `make test`).
@Suite(.serialized) struct BrowserTests {
    @Test func aClerkVerifiesAScanWithTheKeyboardAndDecides() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString)")
        let inbox = base.appendingPathComponent("inbox"), out = base.appendingPathComponent("out")
        try fm.createDirectory(at: inbox, withIntermediateDirectories: true)
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: base) }
        let registry = try Registry(path: out.appendingPathComponent("registry.sqlite").path)
        try registry.saveStaff(name: "dana", role: .clerk, passwordHash: StaffPasswords.hash("dana's password", cost: 4), by: nil)
        for file in [Fixtures.root.appendingPathComponent("fixtures/review/s04-registration-smudged.pdf"), Fixtures.sample("s04-declaration.pdf")] {
            try fm.copyItem(at: file, to: inbox.appendingPathComponent(file.lastPathComponent))
        }
        // One command runs the office: the station, and the watcher on the inbox.
        let port = freePort()
        let server = Process()
        server.executableURL = Fixtures.executable
        server.arguments = ["serve", "--out", out.path, "--inbox", inbox.path, "--listen", "127.0.0.1:\(port)", "--as-of", "2026-11-22"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { stop(server) }
        let review = out.appendingPathComponent("review")
        #expect(eventually(120) { ((try? fm.contentsOfDirectory(atPath: review.path)) ?? []).count == 1 })
        let id = try #require(try fm.contentsOfDirectory(atPath: review.path).first)
        let site = "http://127.0.0.1:\(port)"

        let browser = try WebDriver(port: freePort())
        // Nothing before sign-in: the queue sends the browser to sign in.
        try browser.go("\(site)/queue")
        #expect(browser.url.hasSuffix("/signin"))
        try browser.type("dana", into: browser.element("#name"))
        try browser.type("dana's password" + WebDriver.enter, into: browser.element("#password"))
        #expect(eventually(10) { browser.url == "\(site)/" })
        try browser.click(browser.element("#nav-queue"))
        #expect(eventually(10) { browser.url.hasSuffix("/queue") })
        #expect(browser.source.contains(id))
        try browser.click(browser.element("a.verify-link"))
        #expect(eventually(10) { browser.url.hasSuffix("/applications/\(id)/verify") })
        let docs = Fixtures.root.appendingPathComponent("docs")
        if ProcessInfo.processInfo.environment["SECOR_SCREENSHOTS"] != nil { try browser.screenshot(to: docs.appendingPathComponent("station-verify.png")) }

        // Keyboard only: the cursor is in the first doubtful field, its value selected; typing corrects it.
        let first = try browser.active()
        #expect(try browser.attribute("name", of: first) == "value.workers_full_time")
        let preview = try browser.element("#preview")
        #expect(try browser.text(preview) == "needs review")
        try browser.type("7", into: first)
        #expect(eventually(10) { (try? browser.text(preview)) == "rejected" }, "the decision the rules would give, before it is committed")
        // Enter moves on; on the last field it reaches Decide; Enter there decides.
        try browser.type(WebDriver.enter, into: first)
        let second = try browser.active()
        #expect(try browser.attribute("name", of: second) == "value.workers_total")
        try browser.type(WebDriver.enter, into: second)
        let decide = try browser.active()
        #expect(try browser.attribute("id", of: decide) == "decide")
        try browser.type(WebDriver.enter, into: decide)
        #expect(eventually(20) { browser.url.hasSuffix("/queue") }, "back to the queue, with the next application if there is one")
        #expect(fm.fileExists(atPath: out.appendingPathComponent("rejected/\(id)").path))

        // The letter, downloaded from the application's page, names the corrected value.
        try browser.go("\(site)/applications/\(id)")
        #expect(browser.source.contains("by dana"), "the value as corrected, and by whom")
        if ProcessInfo.processInfo.environment["SECOR_SCREENSHOTS"] != nil { try browser.screenshot(to: docs.appendingPathComponent("station-application.png")) }
        try browser.go("\(site)/applications/\(id)/files/letter.txt")
        #expect(browser.source.contains("2 + 7 + 0 + 1 + 1"))
        let history = try registry.events(applications: [id])
        #expect(history.contains { $0.event == "corrected" && $0.actor == "dana" })

        // Signed out, the page is refused.
        try browser.go("\(site)/")
        if ProcessInfo.processInfo.environment["SECOR_SCREENSHOTS"] != nil { try browser.screenshot(to: docs.appendingPathComponent("station-today.png")) }
        try browser.click(browser.element("#signout"))
        #expect(eventually(10) { browser.url.hasSuffix("/signin") })
        try browser.go("\(site)/applications/\(id)")
        #expect(browser.url.hasSuffix("/signin") && !browser.source.contains("Moose Jaw"))
    }
}
