// secor-fixtures: makes the project's own scanned test forms (a developer's tool, not shipped).
//
//   secor-fixtures scans [--count N] [--seed S] OUT
//
// writes N applications (a scanned registration and a scanned declaration each) into OUT,
// with `truth.json` giving every value written and how each page was scanned.
import ArgumentParser
import Foundation
import SecorCore
import SecorFixtures

@main
struct SecorFixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secor-fixtures", subcommands: [Scans.self])
}

struct Scans: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate scanned forms with known values.")

    @Option(help: "Applications to generate.") var count = 60
    @Option(help: "Random seed (the same seed gives the same files).") var seed: UInt64 = 1
    @Argument(help: "Output folder.") var out: String

    func run() throws {
        let generator = try ScanGenerator(templates: try FormTemplates.shipped.get())
        let generated = try generator.generate(count: count, seed: seed, into: URL(fileURLWithPath: out))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(generated).write(to: URL(fileURLWithPath: out).appendingPathComponent("truth.json"))
        print("\(generated.count) scanned documents in \(out)")
    }
}
