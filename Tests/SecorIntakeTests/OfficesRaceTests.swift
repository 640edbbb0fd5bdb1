import Foundation
import Testing
import TestSupport
import SecorCore
import SecorFixtures

/// Rule 5 across offices: two registrations naming the same trained employee for two WCB accounts,
/// decided at the same moment by two `process` runs (two workstations) over one PostgreSQL
/// registry, end with exactly one accepted, the earlier by submission time, and the other rejected
/// for rule 5; never both accepted. Which of the two is earlier is drawn anew each round: 12 rounds
/// in `make test`, 50 in a row in `make race-offices` (`RACE_ROUNDS`).
@Suite(.enabled(if: PostgresForTests.available, Comment(rawValue: PostgresForTests.skipped)))
struct OfficesRaceTests {
    static var sample: (registration: [String: String], declaration: [String: String]) {
        let url = Fixtures.root.appendingPathComponent("fixtures/samples/expected.json")
        let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any]
        let s05 = (json?["cases"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "s05" }
        return (s05?["registration"] as? [String: String] ?? [:], s05?["declaration"] as? [String: String] ?? [:])
    }

    @Test func theEarlierRegistrationKeepsTheTrainedEmployeeWhateverOfficeDecidesFirst() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("offices-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try PostgresForTests.newDatabase("race")
        let generator = try ScanGenerator(templates: try FormTemplates.load(from: Fixtures.blankForms), forms: Fixtures.blankForms)
        var random = SeededRandom(seed: 50)
        let (registration, declaration) = Self.sample
        #expect(!registration.isEmpty && !declaration.isEmpty)
        let rounds = Int(ProcessInfo.processInfo.environment["RACE_ROUNDS"] ?? "") ?? 12
        var outcomes: [String] = []
        for round in 0..<rounds {
            // Two companies, one trained employee (new each round), signed a day apart; which is earlier is drawn.
            let person = "Pat Round\(round)"
            let firstIsEarlier = Bool.random(using: &random)
            var files: [[String]] = []
            var accounts: [String] = []
            for office in 0..<2 {
                let account = String(format: "7%02d%04d", office, round)
                let company = "Race \(round)-\(office) Ltd."
                let earlier = (office == 0) == firstIsEarlier
                let signed = earlier ? "2026-05-14" : "2026-05-15"
                let folder = dir.appendingPathComponent("r\(round)-o\(office)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let common = ["company_legal_name": company, "wcb_account_number": account, "date_signed": signed]
                let reg = folder.appendingPathComponent("registration.pdf"), decl = folder.appendingPathComponent("declaration.pdf")
                try generator.writeTyped(.registration, values: registration.merging(common) { $1 }.merging(
                    ["trainee_name": person, "trainee_email": "pat.round\(round)@example.ca", "email": "office\(office)@race\(round).ca"]) { $1 },
                                         to: reg, random: &random)
                try generator.writeTyped(.declaration, values: declaration.merging(common) { $1 }, to: decl, random: &random)
                files.append([reg.path, decl.path])
                accounts.append(account)
            }
            // Both workstations started at the same moment (back to back, not queued behind other
            // tests' work), waited for off the shared threads. The shipped gather (2 s) is what
            // "the same moment" allows between two workstations' reads.
            let started = try (0..<2).map { office in
                try ProgramRun.start(["process", "--db", db, "--as-of", "2026-11-22", "--format", "json", "--quiet"] + files[office])
            }
            let runs = try await onOwnThread { started.map { $0.wait() } }
            var decisions: [String: (decision: String, codes: [String])] = [:]
            for office in 0..<2 {
                let run = runs[office]
                #expect(run.status <= 1, "round \(round): \(run.stderr)")
                let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
                for app in report["applications"] as? [[String: Any]] ?? [] {
                    let codes = (app["reasons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
                    decisions[accounts[office]] = (app["decision"] as? String ?? "", codes)
                }
            }
            let earlier = accounts[firstIsEarlier ? 0 : 1], later = accounts[firstIsEarlier ? 1 : 0]
            #expect(decisions[earlier]?.decision == "accepted", "round \(round): the earlier registration keeps its trained employee: \(decisions)")
            #expect(decisions[later]?.decision == "rejected", "round \(round): \(decisions)")
            #expect(decisions[later]?.codes.contains("trainee-not-already-named") == true,
                    "round \(round): the later is rejected for rule 5: \(decisions)")
            outcomes.append("\(decisions[earlier]?.decision ?? "?")/\(decisions[later]?.decision ?? "?")")
        }
        #expect(outcomes.count == rounds)
        #expect(outcomes.allSatisfy { $0 == "accepted/rejected" })
        print("race-offices: rounds=\(rounds) earlier-accepted=\(outcomes.filter { $0 == "accepted/rejected" }.count) "
              + "both-accepted=\(outcomes.filter { $0 == "accepted/accepted" }.count)")
        // The registry agrees: each round's person is held by one account only.
        let status = try ProgramRun.run(["status", "--db", db])
        #expect(status.status == 0, "\(status.stderr)")
    }
}
