import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdBcrypt
import SecorRegistry

/// Who is signed in, kept server side (the cookie holds only a random id), with the token every
/// form of that session must carry.
public struct StaffSession: Codable, Sendable {
    /// Empty until someone signs in (a session is made to carry the sign-in form's token).
    public var name: String
    public var role: String
    public var csrf: String

    public var isSignedIn: Bool { !name.isEmpty }
    public var isSupervisor: Bool { role == Registry.StaffRole.supervisor.rawValue }
}

/// Each request's context: its session, and the nonce its page's scripts carry.
public struct StationContext: SessionRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<StaffSession>
    /// A new one per response: the only scripts the page may run are those that carry it.
    public var nonce: String

    public init(source: Source) {
        coreContext = .init(source: source)
        sessions = .init()
        nonce = Secrets.token(bytes: 16)
    }

    /// The signed-in member of staff, if any.
    public var staff: StaffSession? { sessions.session.flatMap { $0.isSignedIn ? $0 : nil } }
}

enum Secrets {
    /// `bytes` random bytes from the system's generator, URL-safe base64.
    static func token(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time that does not depend on where they first differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Headers on every response: a Content-Security-Policy that runs only scripts carrying this
/// response's nonce and loads nothing from elsewhere; nothing cached (pages hold personal data);
/// no sniffing, no framing, no referrer.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = StationContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let nonce = context.nonce
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// Nothing without sign-in but the sign-in page itself and the station's own stylesheet: a page
/// asked for is sent to sign-in; anything else is refused (401).
struct RequireSignIn: RouterMiddleware {
    typealias Context = StationContext
    static let open: Set<String> = ["/signin", "/assets/station.css"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.open.contains(request.uri.path) || context.staff != nil { return try await next(request, context) }
        if request.method == .get, !request.uri.path.contains(".") {
            return Response(status: .seeOther, headers: [.location: "/signin"])
        }
        throw HTTPError(.unauthorized, message: "Sign in first.")
    }
}

/// Failed sign-ins slow down the next try for that name: half a second, then doubling, up to 8 s.
actor SignInThrottle {
    private var failures: [String: Int] = [:]

    func delay(for name: String) -> Duration {
        let n = failures[name.lowercased()] ?? 0
        guard n > 0 else { return .zero }
        return .milliseconds(Int64(min(8_000, 500 * (1 << min(n - 1, 5)))))
    }

    func failed(_ name: String) { failures[name.lowercased(), default: 0] += 1 }
    func succeeded(_ name: String) { failures[name.lowercased()] = nil }
}

/// Staff passwords: bcrypt (a slow hash with its own salt), never kept or logged in clear.
public enum StaffPasswords {
    public static func hash(_ password: String, cost: UInt8 = 12) -> String { Bcrypt.hash(password, cost: cost) }
    public static func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// A password staff may choose: long enough to mean something.
    public static func problem(_ password: String) -> String? {
        password.count < 10 ? "a password needs at least 10 characters" : nil
    }
}
