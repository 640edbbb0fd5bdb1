import Foundation
import SecorCore
import SecorRegistry

/// `secor-intake status`: what the registry holds, for staff, counted as the folders under OUT
/// hold it (an application in one folder by its state; a file in no application in failed/,
/// rejected/ or review/; each copy of a file already received in duplicates/).
public struct StatusReport {
    public let text: String

    public init(registry: Registry, out: String? = nil, now: Date = Date()) throws {
        var out = "Registry: \(registry.path)\n\nDocuments\n"
        let documents = try registry.documentCounts()
        let duplicates = try registry.events().filter { $0.event == "duplicate" }.count
        for state in DocumentState.allCases {
            let n = state == .duplicate ? duplicates : (documents[state] ?? 0)
            out += "  \(state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(n)\n"
        }
        // Files in no application, by the folder their record puts them in.
        var unmatched: [String: Int] = [:]
        for d in try registry.allDocuments() where d.applicationID == nil {
            guard let json = d.recordJSON, let r = try? JSONDecoder().decode(UnmatchedRecord.self, from: Data(json.utf8)) else { continue }
            unmatched[r.decision.folder, default: 0] += 1
        }
        out += "\nFolders\n"
        let applications = try registry.applicationCounts()
        for state in [ApplicationState.accepted, .rejected, .needsReview, .pending, .superseded] {
            let apps = applications[state] ?? 0
            let files = unmatched[state.folder] ?? 0
            let detail = files > 0 ? "  (\(apps) application\(apps == 1 ? "" : "s"), \(files) file\(files == 1 ? "" : "s") in no application)" : ""
            out += "  \(state.folder.padding(toLength: 12, withPad: " ", startingAt: 0)) \(apps + files)\(detail)\n"
        }
        out += "  \("failed".padding(toLength: 12, withPad: " ", startingAt: 0)) \(unmatched["failed"] ?? 0)\n"
        out += "  \("duplicates".padding(toLength: 12, withPad: " ", startingAt: 0)) \(duplicates)\n"

        // Pending applications, oldest first: who, which account, and how long they have waited.
        var waiting: [(received: String, line: String)] = []
        for app in try registry.applications(in: [.pending]) {
            let docs = try registry.documents(ofApplication: app.id)
            let received = docs.map(\.receivedAt).min() ?? ""
            let company = app.recordJSON.flatMap { try? RecordSummary(json: $0) }?.company ?? ""
            let age = SubmissionTime(iso8601: received).map { Self.age(now.timeIntervalSince($0.instant)) } ?? "?"
            let has = docs.map(\.kind).joined(separator: ", ")
            waiting.append((received, "  \(app.id)  \(company)  WCB \(app.wcbAccount ?? "?")  \(has) received \(age) ago, waiting for its partner\n"))
        }
        out += "\nPending, oldest first\n"
        if waiting.isEmpty { out += "  none\n" }
        for w in waiting.sorted(by: { $0.received < $1.received }).prefix(20) { out += w.line }

        let failed = try registry.documents(in: .failed).suffix(10)
        out += "\nRecent failures\n"
        if failed.isEmpty { out += "  none\n" }
        for d in failed.reversed() {
            let why = try registry.events(sha256: d.sha256).last { $0.event == "filed" }?.detail ?? ""
            out += "  \(d.receivedAt)  \(d.sha256.prefix(12))  \(d.originalName)  \(why)\n"
        }
        // Inbox entries the watcher said it can never take, still there.
        var stuck: [String] = []
        for event in try registry.events().reversed() where event.event == "stuck" {
            guard let detail = event.detail, let colon = detail.range(of: ": /") else { continue }
            let path = String(detail[detail.index(after: colon.lowerBound)...]).trimmingCharacters(in: .whitespaces)
            if !stuck.contains(detail), (try? FileManager.default.attributesOfItem(atPath: path)) != nil { stuck.append(detail) }
        }
        out += "\nInbox entries that cannot be taken\n"
        if stuck.isEmpty { out += "  none\n" }
        for entry in stuck.prefix(20) { out += "  \(entry)\n" }
        text = out
    }

    /// "3 days", "5 hours", "12 minutes".
    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, seconds)
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        if s >= 86_400 { return plural(Int(s / 86_400), "day") }
        if s >= 3_600 { return plural(Int(s / 3_600), "hour") }
        return plural(Int(s / 60), "minute")
    }
}
