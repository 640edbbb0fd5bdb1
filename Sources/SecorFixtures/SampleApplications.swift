import Foundation
import SecorCore

/// Plausible applications with varied values, as applicants type them on the printed forms.
public struct SampleApplication: Sendable, Codable {
    public var registration: [String: String]
    public var declaration: [String: String]
}

public enum SampleApplications {
    static let places = ["Regina", "Saskatoon", "Moose Jaw", "Yorkton", "Estevan", "Swift Current", "Prince Albert",
                         "North Battleford", "Weyburn", "Melfort", "Humboldt", "Kindersley"]
    static let prefixes = ["S4P", "S4N", "S7K", "S7N", "S6H", "S3N", "S4A", "S9H", "S6V", "S9A", "S4H", "S0E"]
    static let names = ["Prairie", "Wascana", "Cypress", "Riverbend", "Kinistino", "Qu'Appelle", "Qu'Appelle Valley",
                        "Northern Lights", "Aspen", "Boundary", "Buffalo Pound", "Last Mountain", "Meadow Lake", "Redberry"]
    static let trades = ["Roofing", "Plumbing & Heating", "Electric", "Masonry", "Painting", "Concrete", "Excavating",
                         "Drywall", "Flooring", "Framing", "Glass", "Insulation"]
    static let forms = ["Ltd.", "Ltd", "Limited", "Inc.", "Corp.", "Construction Ltd."]
    static let streets = ["Albert St", "Broad St", "Dewdney Ave", "Pasqua St", "Main St", "8th St E", "Victoria Ave",
                          "Idylwyld Dr N", "College Dr", "Hamilton St", "Cornwall St", "Lorne St"]
    static let first = ["Riley", "Jordan", "Robin", "Casey", "Avery", "Parker", "Harper", "Kendall", "Reese", "Taylor",
                        "Dana", "Emerson", "Lee", "Morgan", "Quinn", "Sasha"]
    static let last = ["Bergstrom", "Sandhu", "Yellowhorn", "Friesen", "Wiebe", "Okafor", "Petrenko", "Nakamura",
                       "Desjarlais", "Lindgren", "Chen", "Marchand", "Olson", "Fehr", "Laliberte", "McKay"]
    static let positions = ["Site supervisor", "Lead hand", "Foreman", "Safety coordinator", "Office manager", "Estimator"]
    static let titles = ["President", "Owner", "Managing Partner", "General Manager", "Director"]
    static let statuses = ["Full-time permanent", "Full-time permanent", "Full-time permanent", "Part-time", "Casual"]
    static let letters = Array("ABCEGHJKLMNPRSTVWXYZ")

    public static func make(_ random: inout SeededRandom) -> SampleApplication {
        func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &random)] }
        let company = "\(pick(names)) \(pick(trades)) \(pick(forms))"
        let domain = company.lowercased().filter { $0.isLetter }.prefix(18) + ".ca"
        let wcb = String(Int.random(in: 3_000_000...3_999_999, using: &random))
        let city = pick(places)
        let street = "\(Int.random(in: 100...3999, using: &random)) \(pick(streets))"
        let postal = "\(pick(prefixes)) \(Int.random(in: 0...9, using: &random))\(pick(letters))\(Int.random(in: 0...9, using: &random))"
        let phone = String(format: "(306) 555-%04d", Int.random(in: 0...9999, using: &random))
        let counts = (0..<5).map { i in Int.random(in: i == 0 ? 1...2 : 0...3, using: &random) }
        let traineeFirst = pick(first), traineeLast = pick(last)
        let signer = "\(pick(first)) \(pick(last))"
        let date = String(format: "2026-%02d-%02d", Int.random(in: 1...10, using: &random), Int.random(in: 1...28, using: &random))
        func yes(_ chance: Double) -> String { Double.random(in: 0..<1, using: &random) < chance ? "Yes" : "No" }
        let registration: [String: String] = [
            "company_legal_name": company, "company_operating_name": "", "wcb_account_number": wcb, "division": "",
            "mailing_address": street, "city": city, "province": "SK", "postal_code": postal, "phone": phone,
            "email": "office@\(domain)", "scsa_member": yes(0.5), "sk_permanent_office": "Yes",
            "sk_office_address": "\(street), \(city) SK", "company_role": "Trade contractor", "expects_more_than_9": yes(0.1),
            "workers_owners": String(counts[0]), "workers_full_time": String(counts[1]), "workers_part_time": String(counts[2]),
            "workers_casual": String(counts[3]), "workers_subcontractors": String(counts[4]),
            "workers_total": String(counts.reduce(0, +)),
            "trainee_name": "\(traineeFirst) \(traineeLast)", "trainee_position": pick(positions), "trainee_status": pick(statuses),
            "trainee_in_sk": "Yes", "trainee_email": "\(traineeFirst.lowercased())@\(domain)", "trainee_other_account": "No",
            "trainee_other_account_number": "", "signer_name": signer, "signer_title": pick(titles), "date_signed": date,
            "signature": "Yes",
        ]
        var declaration: [String: String] = [
            "company_legal_name": company, "wcb_account_number": wcb, "signer_name": signer,
            "signer_title": registration["signer_title"]!, "date_signed": date, "signature": yes(0.95),
        ]
        for key in ["decl_workers", "decl_office", "decl_trainee", "decl_milestones", "decl_growth"] { declaration[key] = yes(0.9) }
        return SampleApplication(registration: registration, declaration: declaration)
    }
}
