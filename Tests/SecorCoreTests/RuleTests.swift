import Foundation
import Testing
import Yams
import TestSupport
@testable import SecorCore
import SecorSchemas

let templates = try! FormTemplates.shipped.get()
let library = try! ProgramLibrary.load()
let processingDate = CalendarDate(year: 2026, month: 11, day: 22)!

/// A clean application (the office's s01 sample) with some values changed.
struct Applicant {
    var registration: [String: String]? = try! Expected.load().case("s01")!.registration
    var declaration: [String: String]? = try! Expected.load().case("s01")!.declaration
    var submitted: String? = nil
    var name = "a"

    func received(_ kind: DocumentKind, _ values: [String: String], index: Int) -> ReceivedDocument {
        let fields = values.mapValues { ExtractedField(value: $0, source: .text) }
        let doc = ExtractedDocument(kind: kind, flavor: .print, pages: [1], fields: fields, submitted: kind == .registration ? submitted : nil)
        return ReceivedDocument(path: "\(name)-\(kind.rawValue).pdf", sha256: String(repeating: "0", count: 64), extracted: doc,
                                normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: index)
    }

    var application: Application {
        Application(id: name, registration: registration.map { received(.registration, $0, index: 0) },
                    declaration: declaration.map { received(.declaration, $0, index: 1) }, files: [])
    }

    func with(_ key: String, _ value: String) -> Applicant { var a = self; a.registration?[key] = value; return a }
    func declaring(_ key: String, _ value: String) -> Applicant { var a = self; a.declaration?[key] = value; return a }
}

func decide(_ applicants: [Applicant]) -> [DecidedApplication] {
    // The in-batch register never fails; only a database can.
    try! BatchDecider(library: library, templates: templates, processingDate: processingDate).decide(applicants.map(\.application))
}

func decide(_ applicant: Applicant) -> (Decision, [Reason]) {
    let d = decide([applicant])[0]
    return (d.decision, d.reasons)
}

@Suite struct RuleTests {
    @Test func theCleanSampleIsAccepted() {
        let (decision, reasons) = decide(Applicant())
        #expect(decision == .accepted, "\(reasons)")
    }

    @Test(arguments: [(9, Decision.accepted), (10, .rejected)])
    func nineWorkersQualifyTenDoNot(_ workers: Int, _ expected: Decision) {
        // Owners 1, full-time 2, part-time 1, casual 0, sub-contractors make up the rest.
        let a = Applicant().with("workers_subcontractors", String(workers - 4)).with("workers_total", String(workers))
        let (decision, reasons) = decide(a)
        #expect(decision == expected)
        if expected == .rejected {
            #expect(reasons.map(\.field) == ["workers_total"])
            #expect(reasons[0].rule == "sk-secor/2018-09/workforce-limit")
            #expect(reasons[0].message.contains("9 or fewer"))
            #expect(reasons[0].label == "Total workers")
        }
    }

    @Test func aTotalThatDoesNotAddUp() {
        let (decision, reasons) = decide(Applicant().with("workers_total", "5"))
        #expect(decision == .rejected)
        #expect(reasons.map(\.code) == ["workforce-total-adds-up"])
        #expect(reasons[0].field == "workers_total")
        #expect(reasons[0].found == "a total of 5, but the counts add up to 4")
    }

    @Test(arguments: ["Part-time", "Casual", "Consultant", "Sub-contractor"])
    func eachExcludedEmploymentStatus(_ status: String) {
        let (decision, reasons) = decide(Applicant().with("trainee_status", status))
        #expect(decision == .rejected)
        #expect(reasons.map(\.field) == ["trainee_status"])
        #expect(reasons[0].found == status)
    }

    @Test func theTraineeMustWorkFromSaskatchewan() {
        let (_, reasons) = decide(Applicant().with("trainee_in_sk", "No"))
        #expect(reasons.map(\.field) == ["trainee_in_sk"])
    }

    @Test func aTraineeDeclaredForAnotherAccount() {
        let (decision, reasons) = decide(Applicant().with("trainee_other_account", "Yes").with("trainee_other_account_number", "3000001"))
        #expect(decision == .rejected && reasons.map(\.field) == ["trainee_other_account"])
    }

    @Test func aTraineeOnTwoAccountsStaysWithTheEarlierRegistration() {
        // The later one comes first in the batch: order is by submission time, not by file.
        var later = Applicant().with("wcb_account_number", "3000002").with("date_signed", "2026-03-01")
            .declaring("wcb_account_number", "3000002").declaring("date_signed", "2026-03-01")
        later.name = "later"
        var earlier = Applicant().with("date_signed", "2026-01-10")
        earlier.name = "earlier"
        let decided = decide([later, earlier])
        #expect(decided[0].application.id == "later" && decided[0].decision == .rejected)
        #expect(decided[0].reasons.map(\.field) == ["trainee_name"])
        #expect(decided[0].reasons[0].code == "trainee-not-already-named")
        #expect(decided[1].decision == .accepted)
    }

    @Test func theSameNameWithAnotherEmailIsAnotherPerson() {
        var other = Applicant().with("wcb_account_number", "3000002").with("trainee_email", "riley@elsewhere.ca")
            .declaring("wcb_account_number", "3000002")
        other.name = "other"
        #expect(decide([Applicant(), other]).map(\.decision) == [.accepted, .accepted])
    }

    @Test(arguments: ["decl_workers", "decl_office", "decl_trainee", "decl_milestones", "decl_growth"])
    func eachDeclarationStatementUnticked(_ key: String) {
        let (decision, reasons) = decide(Applicant().declaring(key, "No"))
        #expect(decision == .rejected)
        #expect(reasons.map(\.field) == [key])
        #expect(reasons[0].label == templates.declaration.field(key)?.label)
    }

    @Test func anUnsignedDeclaration() {
        let (_, reasons) = decide(Applicant().declaring("signature", "No"))
        #expect(reasons.map(\.field) == ["declaration_signature"])
    }

    @Test func anUnsignedRegistration() {
        let (_, reasons) = decide(Applicant().with("signature", "No"))
        #expect(reasons.map(\.field) == ["signature"])
    }

    @Test func anUnnamedUndatedDeclaration() {
        let (_, reasons) = decide(Applicant().declaring("signer_name", "").declaring("date_signed", ""))
        #expect(Set(reasons.compactMap(\.field)) == ["declaration_signer_name", "declaration_date_signed"])
    }

    @Test func aMismatchedWCBAccount() {
        let (decision, reasons) = decide(Applicant().declaring("wcb_account_number", "3095118"))
        #expect(decision == .rejected && reasons.map(\.field) == ["declaration_wcb_account_number"])
    }

    @Test func companyNamesThatDifferOnlyInFormAreOneCompany() {
        let (decision, _) = decide(Applicant().declaring("company_legal_name", "CYPRESS PLUMBING AND HEATING LIMITED"))
        #expect(decision == .accepted)
        let (other, reasons) = decide(Applicant().declaring("company_legal_name", "Cypress Roofing Ltd"))
        #expect(other == .rejected && reasons.map(\.field) == ["declaration_company_legal_name"])
    }

    @Test func aRegistrationWithoutItsDeclaration() {
        var a = Applicant(); a.declaration = nil
        let (decision, reasons) = decide(a)
        #expect(decision == .rejected && reasons.map(\.field) == ["declaration"])
    }

    @Test func aDeclarationAlone() {
        var a = Applicant(); a.registration = nil
        let (decision, reasons) = decide(a)
        #expect(decision == .rejected && reasons.map(\.field) == ["registration"])
    }

    @Test(arguments: [("2026-11-22", Decision.accepted), ("2026-11-23", .rejected)])
    func aDateSignedCannotBeAfterProcessing(_ date: String, _ expected: Decision) {
        let (decision, reasons) = decide(Applicant().with("date_signed", date).declaring("date_signed", date))
        #expect(decision == expected)
        if expected == .rejected { #expect(Set(reasons.compactMap(\.field)) == ["date_signed", "declaration_date_signed"]) }
    }

    @Test func aGeneralContractorExpectingGrowthMustApplyForCOR() {
        let (decision, reasons) = decide(Applicant().with("company_role", "General contractor").with("expects_more_than_9", "Yes"))
        #expect(decision == .rejected && reasons.map(\.code) == ["growth-general-contractor"])
    }

    @Test func aTradeContractorExpectingGrowthGoesToStaff() {
        let (decision, reasons) = decide(Applicant().with("expects_more_than_9", "Yes"))
        #expect(decision == .needsReview && reasons.map(\.code) == ["growth-review"])
    }

    @Test func noPermanentOffice() {
        let (_, reasons) = decide(Applicant().with("sk_permanent_office", "No").with("sk_office_address", ""))
        #expect(reasons.map(\.field) == ["sk_permanent_office"])
    }

    @Test func zeroIsACountBlankIsNot() {
        #expect(decide(Applicant().with("workers_casual", "0")).0 == .accepted)
        let (decision, reasons) = decide(Applicant().with("workers_casual", ""))
        #expect(decision == .rejected && reasons.map(\.field) == ["workers_casual"])
        #expect(reasons[0].message.contains("Casual employees"))
    }

    @Test func aTelephoneOrAnEmailIsEnough() {
        #expect(decide(Applicant().with("phone", "")).0 == .accepted)
        let (decision, reasons) = decide(Applicant().with("phone", "").with("email", ""))
        #expect(decision == .rejected && reasons.map(\.code) == ["telephone-or-email"])
    }

    @Test func writtenValuesInOtherShapesAreAccepted() {
        let a = Applicant().with("phone", "306.555.9128").with("province", "Sask.").with("postal_code", "s4p1p9")
            .with("date_signed", "January 10, 2026").with("workers_owners", "one").with("wcb_account_number", "309-5119")
            .declaring("company_legal_name", "CYPRESS PLUMBING & HEATING LIMITED")
        #expect(decide(a).0 == .accepted)
    }

    @Test func anAmbiguousDateGoesToReview() {
        let (decision, reasons) = decide(Applicant().with("date_signed", "03/04/2026").declaring("date_signed", "2026-03-04"))
        #expect(decision == .needsReview && reasons.map(\.code) == ["ambiguous-value"])
        #expect(reasons[0].field == "date_signed")
    }

    @Test func anInvalidPostalCodeIsAReason() {
        let (decision, reasons) = decide(Applicant().with("postal_code", "S4P 1O9"))
        #expect(decision == .rejected && reasons.map(\.field) == ["postal_code"])
        #expect(reasons[0].found == "S4P 1O9")
    }

    @Test func anUncertainReadingIsNeverHeldAgainstTheApplicant() throws {
        var a = Applicant().with("trainee_status", "Part-time")
        a.name = "ocr"
        var app = a.application
        let reg = app.registration!
        var fields = reg.extracted.fields
        fields["trainee_status"] = ExtractedField(value: "Part-time", source: .ocr, confidence: 0.42)
        let doc = ExtractedDocument(kind: .registration, flavor: .scan, pages: [1], fields: fields)
        app.registration = ReceivedDocument(path: reg.path, sha256: reg.sha256, extracted: doc,
                                            normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: 0)
        let decided = try BatchDecider(library: library, templates: templates, processingDate: processingDate).decide([app])[0]
        #expect(decided.decision == .needsReview)
        #expect(decided.reasons.allSatisfy { $0.severity == .review })
        #expect(decided.reasons.contains { $0.field == "trainee_status" })
    }
}

@Suite struct EditionTests {
    @Test func theShippedEditionIsInEffectFromSeptember2018() throws {
        let edition = try #require(library.edition(on: processingDate))
        #expect(edition.edition == "2018-09" && edition.program == "sk-secor")
        #expect(edition.effectiveFrom == CalendarDate(year: 2018, month: 9, day: 1))
        #expect(edition.rules.allSatisfy { !$0.message.isEmpty })
    }

    /// A new edition is a new file, not new code: a made-up 2027 edition with a limit of 14.
    @Test func aSecondEditionIsChosenBySubmissionDate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("editions-\(UUID().uuidString)")
        let program = folder.appendingPathComponent("sk-secor")
        try FileManager.default.createDirectory(at: program, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let shipped = try String(contentsOf: Fixtures.root.appendingPathComponent("schemas/programs/sk-secor/2018-09.yaml"), encoding: .utf8)
        try shipped.write(to: program.appendingPathComponent("2018-09.yaml"), atomically: true, encoding: .utf8)
        let madeUp = shipped
            .replacingOccurrences(of: "edition: \"2018-09\"", with: "edition: \"2027-01\"")
            .replacingOccurrences(of: "effective_from: 2018-09-01", with: "effective_from: 2027-01-01")
            .replacingOccurrences(of: "at_most: 9}", with: "at_most: 14}")
        try madeUp.write(to: program.appendingPathComponent("2027-01.yaml"), atomically: true, encoding: .utf8)
        let library = try ProgramLibrary.load(from: folder)
        #expect(library.editions.map(\.edition) == ["2018-09", "2027-01"])

        let twelve = Applicant().with("workers_subcontractors", "8").with("workers_total", "12")
        let in2026 = twelve.with("date_signed", "2026-06-01").declaring("date_signed", "2026-06-01")
        let in2027 = twelve.with("date_signed", "2027-02-01").declaring("date_signed", "2027-02-01")
        let decider = BatchDecider(library: library, templates: templates, processingDate: CalendarDate(year: 2027, month: 3, day: 1)!)
        let decided = try decider.decide([in2026.application, in2027.application])
        #expect(decided[0].edition.edition == "2018-09" && decided[0].decision == .rejected)
        #expect(decided[0].reasons.first?.rule == "sk-secor/2018-09/workforce-limit")
        #expect(decided[1].edition.edition == "2027-01" && decided[1].decision == .accepted)
    }

    @Test func aBrokenEditionFileIsABrokenInstallation() {
        #expect(throws: SchemaError.self) { try ProgramEdition.load(yaml: "program: [", file: "x.yaml") }
    }

    /// A condition is decoded into one kind of check when the file is loaded; one that no kind
    /// knows, or that mixes two, is refused there, naming the file and the rule.
    @Test(arguments: [
        ("{field: workers_total, at_least_one: 1}", "unknown condition key at_least_one"),
        ("{audit_window: sideways}", "sideways"),
        ("{field: signature, enrolled: true}", "takes no `field`"),
        ("{field: signature, equals: \"Yes\", in: [\"Yes\"]}", "more than one check"),
        ("{equals: \"Yes\"}", "needs a `field`"),
        ("{}", "names no check"),
    ])
    func aConditionNoKindKnowsIsRefusedAtLoad(_ condition: String, _ why: String) throws {
        let shipped = try String(contentsOf: Fixtures.root.appendingPathComponent("schemas/programs/sk-secor/2018-09.yaml"), encoding: .utf8)
        let broken = shipped.replacingOccurrences(of: "require: {field: signature, equals: \"Yes\"}", with: "require: \(condition)")
        #expect(broken != shipped)
        do {
            _ = try ProgramEdition.load(yaml: broken, file: "programs/sk-secor/2018-09.yaml")
            Issue.record("\(condition) was loaded")
        } catch let error as SchemaError {
            #expect(error.file == "programs/sk-secor/2018-09.yaml")
            #expect(error.reason.hasPrefix("rule registration-signed: "), "\(error.reason)")
            #expect(error.reason.contains(why), "\(error.reason)")
        }
    }

    /// A rule naming a field no form of its program has never applies: refused with the pipeline's data.
    @Test func aRuleNamingAFieldNoFormHasIsFound() throws {
        #expect(library.unknownFields(templates).isEmpty, "\(library.unknownFields(templates))")
        let shipped = try String(contentsOf: Fixtures.root.appendingPathComponent("schemas/programs/ab-secor/2024-04.yaml"), encoding: .utf8)
        let broken = shipped.replacingOccurrences(of: "{field: audit_date, not_after: date_signed}", with: "{field: audit_date, not_after: date_singed}")
        #expect(broken != shipped)
        let edition = try ProgramEdition.load(yaml: broken, file: "ab.yaml")
        let unknown = ProgramLibrary(editions: [edition]).unknownFields(templates)
        #expect(unknown.map(\.field) == ["date_singed"] && unknown.map(\.rule) == ["audit-before-signing"])
    }

    @Test func theShippedConditionsDecodeIntoTheirKinds() throws {
        let edition = try #require(try ProgramLibrary.load().edition(on: CalendarDate(year: 2026, month: 11, day: 22)!))
        let conditions = edition.rules.compactMap(\.require) + edition.rules.flatMap { $0.when ?? [] }
        #expect(conditions.contains(.equals(field: "signature", value: "Yes")))
        #expect(conditions.contains(.sumAtMost(fields: ["workers_owners", "workers_full_time", "workers_part_time", "workers_casual",
                                                        "workers_subcontractors"], limit: 9)))
        #expect(conditions.contains(.traineeNotClaimed))
        // Alberta's kinds: the pass mark, a date before another, the record of enrolments and certificates.
        let alberta = try #require(library.edition(of: "ab-secor", on: CalendarDate(year: 2026, month: 11, day: 22)!))
        let abConditions = alberta.rules.compactMap(\.require) + alberta.rules.flatMap { $0.when ?? [] }
        #expect(abConditions.contains(.atLeast(field: "audit_score", limit: 80)))
        #expect(abConditions.contains(.notAfterField(field: "audit_date", other: "date_signed")))
        #expect(abConditions.contains(.enrolled(true)) && abConditions.contains(.enrolled(false)))
        #expect(abConditions.contains(.certificateOfAccount(field: "secor_certificate_number")))
        #expect(abConditions.contains(.auditWindow(.opened)) && abConditions.contains(.auditWindow(.notClosed)))
        #expect(abConditions.contains(.noValidCertificate) && abConditions.contains(.auditYearOpen))
        // Written back, each reads as itself.
        for c in conditions + abConditions {
            let yaml = try YAMLEncoder().encode(c)
            #expect(try YAMLDecoder().decode(RuleCondition.self, from: yaml) == c)
        }
    }
}

/// The form templates are found by listing `schemas/forms`: a new edition is a new file.
@Suite struct TemplateListingTests {
    @Test func aNewEditionIsANewFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: SchemaFiles.forms.path) where name.hasSuffix(".template.json") {
            try FileManager.default.copyItem(at: SchemaFiles.forms.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        #expect(try FormTemplates.load(from: dir).registration.edition == "2018-09")
        let current = try String(contentsOf: dir.appendingPathComponent("registration-2018-09.template.json"), encoding: .utf8)
        try current.replacingOccurrences(of: "\"edition\": \"2018-09\"", with: "\"edition\": \"2030-01\"")
            .write(to: dir.appendingPathComponent("registration-2030-01.template.json"), atomically: true, encoding: .utf8)
        let loaded = try FormTemplates.load(from: dir)
        #expect(loaded.registration.edition == "2030-01")
        #expect(loaded.declaration.edition == "2018-09")
        // Titles come from the templates: a missing document is named as its form is printed.
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: loaded, processingDate: processingDate)
        #expect(validator.label(for: "declaration") == loaded.declaration.title)
        #expect(validator.label(for: "registration") == loaded.registration.title)
    }

    @Test func aFolderWithoutAFormIsABrokenInstallation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(throws: SchemaError.self) { try FormTemplates.load(from: dir) }
        try Data("{".utf8).write(to: dir.appendingPathComponent("registration-2030-01.template.json"))
        #expect(throws: SchemaError.self) { try FormTemplates.load(from: dir) }
    }
}


/// The declaration repeats the WCB account and the company: two scanned readings that agree
/// confirm each other; two that disagree are left as they were read.
@Suite struct ConfirmationTests {
    func scanned(_ kind: DocumentKind, _ values: [String: (String, Double)], readAs raw: [String: String] = [:]) -> ReceivedDocument {
        var fields: [String: ExtractedField] = [:]
        for (key, (value, confidence)) in values {
            fields[key] = ExtractedField(value: value, raw: raw[key], source: .ocr, confidence: confidence)
        }
        let doc = ExtractedDocument(kind: kind, flavor: .scan, pages: [1], fields: fields)
        return ReceivedDocument(path: "\(kind).pdf", sha256: kind.rawValue, extracted: doc,
                                normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: 0)
    }

    @Test func agreeingReadingsOfTheTwoDocumentsConfirmEachOther() throws {
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: templates, processingDate: processingDate)
        var app = Application(id: "a", registration: scanned(.registration, ["wcb_account_number": ("3000001", 0.7),
                                                                               "company_legal_name": ("Acme Ltd.", 0.7)]),
                              declaration: scanned(.declaration, ["wcb_account_number": ("3000001", 0.6),
                                                                  "company_legal_name": ("ACME LIMITED", 0.75)]), files: [])
        var confirmed = validator.confirmed(app)
        #expect((confirmed.registration?.normalized["wcb_account_number"]?.confidence ?? 0) > 0.85)
        #expect((confirmed.declaration?.normalized["company_legal_name"]?.confidence ?? 0) > 0.9)
        // Disagreeing readings stay as doubtful as they were.
        app.declaration = scanned(.declaration, ["wcb_account_number": ("3000007", 0.6), "company_legal_name": ("Acne Ltd", 0.75)])
        confirmed = validator.confirmed(app)
        #expect(confirmed.registration?.normalized["wcb_account_number"]?.confidence == 0.7)
        #expect(confirmed.declaration?.normalized["company_legal_name"]?.confidence == 0.75)
    }
}

extension ConfirmationTests {
    /// A name put right by the list of given names on both documents agrees by the list, not by
    /// the ink: it confirms nothing. One reading of it as read does.
    @Test func namesPutRightByOneListDoNotConfirmEachOther() {
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: templates, processingDate: processingDate)
        let name = ["signer_name": ("JASON LEE", 0.75)]
        var app = Application(id: "a", registration: scanned(.registration, name, readAs: ["signer_name": "JAXON LEE"]),
                              declaration: scanned(.declaration, name, readAs: ["signer_name": "JAXON LEE"]), files: [])
        var confirmed = validator.confirmed(app)
        #expect(confirmed.registration?.normalized["signer_name"]?.confidence == 0.75)
        #expect(confirmed.declaration?.normalized["signer_name"]?.confidence == 0.75)
        app.declaration = scanned(.declaration, name)
        confirmed = validator.confirmed(app)
        #expect((confirmed.registration?.normalized["signer_name"]?.confidence ?? 0) > 0.9)
    }
}

/// Hand print read with doubt: a doubt no rule reads does not hold the application; the form's
/// context (the other document, the counts' total, the choices) settles what it can.
@Suite struct HandPrintContextTests {
    /// The clean s01 application, every value read off a scan at `confidence`, with `doubts`
    /// read at 0.5 instead.
    func scanned(_ doubts: [String: Double] = [:], registration changes: [String: String] = [:],
                 declaration declChanges: [String: String] = [:]) -> Application {
        let clean = try! Expected.load().case("s01")!
        func received(_ kind: DocumentKind, _ values: [String: String], prefix: String) -> ReceivedDocument {
            var fields: [String: ExtractedField] = [:]
            for (key, value) in values {
                let source: FieldSource = ["signature", "decl_workers", "decl_office", "decl_trainee", "decl_milestones", "decl_growth",
                                           "scsa_member", "sk_permanent_office", "expects_more_than_9", "trainee_in_sk",
                                           "trainee_other_account"].contains(key) ? .ink : .ocr
                fields[key] = ExtractedField(value: value, source: source, confidence: doubts[prefix + key] ?? 0.99)
            }
            let doc = ExtractedDocument(kind: kind, flavor: .scan, pages: [1], fields: fields)
            return ReceivedDocument(path: "\(kind).pdf", sha256: kind.rawValue, extracted: doc,
                                    normalized: FieldNormalizer(templates: templates).normalize(doc), fileIndex: kind == .registration ? 0 : 1)
        }
        return Application(id: "a", registration: received(.registration, clean.registration!.merging(changes) { $1 }, prefix: ""),
                           declaration: received(.declaration, clean.declaration!.merging(declChanges) { $1 }, prefix: "declaration."),
                           files: [])
    }

    func decide(_ app: Application) throws -> (Decision, [Reason], [String]) {
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: templates, processingDate: processingDate)
        let confirmed = validator.confirmed(app)
        let deciding = validator.decidingFields(confirmed, trainees: BatchTraineeRegister())
        let reasons = try validator.validate(confirmed, trainees: BatchTraineeRegister())
        return (Decision(reasons: reasons), reasons, validator.unconfirmed(confirmed, deciding: deciding))
    }

    @Test func aDoubtNoRuleReadsIsUnconfirmedNotHeld() throws {
        // An email, a position, and an address only required to be there.
        let (decision, reasons, unconfirmed) = try decide(scanned(["email": 0.5, "trainee_position": 0.5, "mailing_address": 0.5]))
        #expect(decision == .accepted, "\(reasons)")
        #expect(Set(unconfirmed) == ["email", "trainee_position", "mailing_address"])
        // A value the declaration repeats, read surely on the registration, is confirmed by it instead.
        let (_, _, repeated) = try decide(scanned(["declaration.signer_title": 0.5]))
        #expect(repeated.isEmpty)
    }

    @Test func aDoubtARuleReadsHoldsTheApplication() throws {
        let (decision, reasons, unconfirmed) = try decide(scanned(["trainee_status": 0.5]))
        #expect(decision == .needsReview)
        #expect(reasons.contains { $0.field == "trainee_status" && $0.severity == .review })
        #expect(!unconfirmed.contains("trainee_status"))
        // A required field in doubt about whether anything is there at all is held too.
        let (blank, _, _) = try decide(scanned(["signer_name": 0.3], registration: ["signer_name": ""]))
        #expect(blank == .needsReview)
    }

    @Test func countsThatAddUpToTheirTotalConfirmEachOther() throws {
        let (decision, reasons, _) = try decide(scanned(["workers_owners": 0.6, "workers_casual": 0.3]))
        #expect(decision == .accepted, "\(reasons)")
        // Two weak readings are not settled by the total.
        let (held, _, _) = try decide(scanned(["workers_owners": 0.3, "workers_casual": 0.3]))
        #expect(held == .needsReview)
    }

    @Test func aDoubtfulDateLikeTheOtherDocumentsIsNotLate() throws {
        let clean = try Expected.load().case("s01")!
        let date = clean.registration!["date_signed"]!
        let (decision, reasons, _) = try decide(scanned(["declaration.date_signed": 0.5]))
        #expect(decision == .accepted, "\(reasons)")
        // Unlike the other document's date, it stays a doubt.
        let (held, _, _) = try decide(scanned(["declaration.date_signed": 0.5], declaration: ["date_signed": "2026-11-30"]))
        #expect(held == .needsReview, "\(date)")
    }

    @Test func aRejectionWaitsForAnAccountReadSurely() throws {
        let refused = try decide(scanned(registration: ["trainee_status": "Part-time"]))
        #expect(refused.0 == .rejected)
        let (decision, reasons, _) = try decide(scanned(["wcb_account_number": 0.5, "declaration.wcb_account_number": 0.5],
                                                        registration: ["trainee_status": "Part-time"]))
        #expect(decision == .needsReview)
        #expect(reasons.contains { $0.code == "account-in-doubt" })
        #expect(reasons.contains { $0.code == "trainee-full-time-permanent" && $0.severity == .review })
    }

    @Test func twoSureReadingsOfOneNameThatDifferAreBothDoubted() throws {
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: templates, processingDate: processingDate)
        let confirmed = validator.confirmed(scanned(declaration: ["company_legal_name": "Cypress Plumbinq & Heating Ltd"]))
        #expect((confirmed.registration?.normalized["company_legal_name"]?.confidence ?? 1) < 0.8)
        #expect((confirmed.declaration?.normalized["company_legal_name"]?.confidence ?? 1) < 0.8)
        // The WCB accounts agree surely: the company is the same, its name only unconfirmed.
        let (decision, reasons, unconfirmed) = try decide(scanned(declaration: ["company_legal_name": "Cypress Plumbinq & Heating Ltd"]))
        #expect(decision == .accepted, "\(reasons)")
        #expect(unconfirmed.contains("company_legal_name"))
    }

    /// Two readings of one repeated name, one clearly surer: the less sure is offered as the surer
    /// reads it, and both stay doubts (the applicant may have written two names). Readings as sure
    /// as each other keep their own.
    @Test func aRepeatedNameReadSurerOnOneDocumentIsOfferedForTheOther() throws {
        let validator = Validator(edition: library.edition(of: "sk-secor", on: processingDate)!, templates: templates, processingDate: processingDate)
        let clean = try Expected.load().case("s01")!.declaration!["company_legal_name"]!
        var app = scanned(["company_legal_name": 0.6], registration: ["company_legal_name": "Cypress Plumbinq & Heating Ltd"])
        var confirmed = validator.confirmed(app)
        let offered = try #require(confirmed.registration?.normalized["company_legal_name"])
        #expect(offered.written == clean)
        #expect(offered.confidence <= 0.6)
        #expect((confirmed.declaration?.normalized["company_legal_name"]?.confidence ?? 1) < 0.8)
        app = scanned(registration: ["company_legal_name": "Cypress Plumbinq & Heating Ltd"])
        confirmed = validator.confirmed(app)
        #expect(confirmed.registration?.normalized["company_legal_name"]?.written == "Cypress Plumbinq & Heating Ltd")
    }

    @Test func aReadingNearOneChoiceIsThatChoice() {
        let choices = ["Full-time permanent", "Part-time", "Casual", "Consultant", "Sub-contractor"]
        let near = Normalize.nearestChoice("FULL-TIME PERMANEMT", among: choices)
        #expect(near?.choice == "Full-time permanent")
        #expect((near?.margin ?? 0) >= 0.25)
        #expect(Normalize.monthNamePutRight("9 SEPTEMRER 2026") == "9 SEPTEMBER 2026")
        #expect(Normalize.monthNamePutRight("Octobr 11, 2026") == "October 11, 2026")
        #expect(Normalize.monthNamePutRight("2026-10-11") == nil)
    }
}
