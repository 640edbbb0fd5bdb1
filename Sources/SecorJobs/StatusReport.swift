import Foundation
import SecorCore
import SecorRegistry

/// `secor-intake status`: what the registry holds, for staff.
public struct StatusReport {
    public let text: String

    public init(registry: Registry, out: String? = nil) throws {
        var out = "Registry: \(registry.path)\n\nDocuments\n"
        let documents = try registry.documentCounts()
        for state in DocumentState.allCases {
            out += "  \(state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(documents[state] ?? 0)\n"
        }
        out += "\nApplications\n"
        let applications = try registry.applicationCounts()
        for state in [ApplicationState.accepted, .rejected, .needsReview, .pending, .superseded] {
            out += "  \(state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(applications[state] ?? 0)\n"
        }
        let pending = try registry.documents(in: .pending).sorted { $0.receivedAt < $1.receivedAt }
        out += "\nOldest pending documents\n"
        if pending.isEmpty { out += "  none\n" }
        for d in pending.prefix(10) {
            out += "  \(d.receivedAt)  \(d.kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(d.sha256.prefix(12))  \(d.originalName)\n"
        }
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
}
