import Testing
@testable import SecorCore

@Suite struct NormalizerTests {
    /// White space is collapsed the same way on the ASCII fast path as by Character properties.
    @Test func squeezingASCIIMatchesUnicodeWhiteSpace() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\n\r\u{0B}\u{0C}\u{1C}\u{1F}ab7-,.") + ["\r\n"]
        for _ in 0..<2_000 {
            let s = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(Normalize.squeeze(s) == s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "), "\(Array(s.unicodeScalars))")
        }
        #expect(Normalize.squeeze("  Prairie\u{A0} Glass  ") == "Prairie Glass", "non-ASCII takes the Unicode path")
    }

    @Test(arguments: [
        ("7", Normalized<Int>.value(7)), (" 7 ", .value(7)), ("seven", .value(7)), ("7 (seven)", .value(7)),
        ("07", .value(7)), ("0", .value(0)), ("zero", .value(0)), ("Ten", .value(10)), ("", .blank), ("   ", .blank),
    ])
    func counts(_ written: String, _ expected: Normalized<Int>) {
        #expect(Normalize.count(written) == expected)
    }

    @Test(arguments: ["seven-ish", "7 (eight)", "about 5", "7.5"])
    func countsThatAreNotCounts(_ written: String) {
        guard case .invalid = Normalize.count(written) else { Issue.record("\(written) accepted"); return }
    }

    // Alberta's audit score, as people write it (`84`, `84%`, `79.5 %`): 80 passes, 79.5 does not.
    @Test(arguments: [
        ("84", Normalized<Double>.value(84)), ("84%", .value(84)), ("84 %", .value(84)), ("79.5%", .value(79.5)),
        ("79,5 %", .value(79.5)), ("100", .value(100)), ("0%", .value(0)), ("84 percent", .value(84)), ("", .blank),
    ])
    func percentages(_ written: String, _ expected: Normalized<Double>) {
        #expect(Normalize.percent(written) == expected)
    }

    @Test(arguments: ["101%", "eighty", "8.4.1", "-5", "%", "84%%"])
    func percentagesThatAreNot(_ written: String) {
        guard case .invalid = Normalize.percent(written) else { Issue.record("\(written) accepted"); return }
    }

    @Test(arguments: [("AB1234567-01", "AB1234567-01"), ("ab1234567-01", "AB1234567-01"), ("AB 1234567 - 02", "AB1234567-02")])
    func certificateNumbersCompareWithoutCaseOrSpaces(_ written: String, _ expected: String) {
        #expect(Normalize.certificateNumber(written) == .value(expected))
    }

    @Test(arguments: ["AB123456-01", "SK1234567-01", "AB1234567", "AB1234567-1", "AB1234567-01-02"])
    func certificateNumbersThatAreNot(_ written: String) {
        guard case .invalid = Normalize.certificateNumber(written) else { Issue.record("\(written) accepted"); return }
    }

    @Test(arguments: [
        ("Yes", Normalized<Bool>.value(true)), ("Y", .value(true)), ("true", .value(true)), ("X", .value(true)),
        ("✓", .value(true)), ("■", .value(true)), ("yes.", .value(true)),
        ("No", .value(false)), ("N", .value(false)), ("false", .value(false)), ("", .blank),
    ])
    func yesNo(_ written: String, _ expected: Normalized<Bool>) {
        #expect(Normalize.yesNo(written) == expected)
    }

    static let march3 = CalendarDate(year: 2026, month: 3, day: 3)!

    @Test(arguments: [
        ("2026-03-03", march3), ("March 3, 2026", march3), ("3 Mar 2026", march3), ("2026/03/03", march3),
        ("Mar. 3 2026", march3), ("3 March 2026", march3), ("03/03/2026", march3), ("3Mar2026", march3), ("3Mar 2026", march3),
        ("13/04/2026", CalendarDate(year: 2026, month: 4, day: 13)!), ("04/13/2026", CalendarDate(year: 2026, month: 4, day: 13)!),
    ])
    func dates(_ written: String, _ expected: CalendarDate) {
        #expect(Normalize.date(written) == .value(expected))
    }

    @Test func ambiguousDatesKeepBothReadings() {
        #expect(Normalize.date("03/04/2026") == .ambiguous([CalendarDate(year: 2026, month: 3, day: 4)!, CalendarDate(year: 2026, month: 4, day: 3)!]))
        #expect(Normalize.date("") == .blank)
        for bad in ["2026-02-30", "31/31/2026", "yesterday", "2026-13-01", "March 2026", "2O26-03-03", "3Mar"] {
            guard case .invalid = Normalize.date(bad) else { Issue.record("\(bad) read as a date"); continue }
        }
    }

    @Test(arguments: [
        ("(306) 555-0142", "+13065550142"), ("306.555.0142", "+13065550142"), ("306-555-0142", "+13065550142"),
        ("1 306 555 0142", "+13065550142"), ("+1 (306) 555-0142", "+13065550142"), ("306-555-0142 ext. 12", "+13065550142"),
    ])
    func phones(_ written: String, _ expected: String) {
        #expect(Normalize.phone(written) == .value(expected))
    }

    @Test(arguments: ["555-0142", "call me", "306 555 01422 9", "(000) 555-0142"])
    func phonesThatAreNot(_ written: String) {
        guard case .invalid = Normalize.phone(written) else { Issue.record("\(written) accepted"); return }
    }

    @Test(arguments: [("s4p1z3", "S4P 1Z3"), ("S4P 1Z3", "S4P 1Z3"), ("S4P-1Z3", "S4P 1Z3"), (" s7k 9j7 ", "S7K 9J7")])
    func postalCodes(_ written: String, _ expected: String) {
        #expect(Normalize.postalCode(written) == .value(expected))
    }

    @Test(arguments: ["S4P 1Z", "123 456", "D4P 1Z3", "S4P 1O3", "W4P 1Z3", "S4PP 1Z3"])
    func postalCodesThatAreNot(_ written: String) {
        guard case .invalid = Normalize.postalCode(written) else { Issue.record("\(written) accepted"); return }
    }

    @Test(arguments: [("SK", "SK"), ("Sask.", "SK"), ("Saskatchewan", "SK"), ("sask", "SK"), ("Alberta", "AB"),
                      ("B.C.", "BC"), ("Québec", "QC"), ("P.E.I.", "PE")])
    func provinces(_ written: String, _ expected: String) {
        #expect(Normalize.province(written) == .value(expected))
    }

    @Test func provincesThatAreNot() {
        guard case .invalid = Normalize.province("Texas") else { Issue.record("Texas accepted"); return }
        #expect(Normalize.province("") == .blank)
    }

    @Test(arguments: [("3095119", "3095119"), ("309 5119", "3095119"), ("309-5119", "3095119"), (" 3095119 ", "3095119")])
    func wcbAccounts(_ written: String, _ expected: String) {
        #expect(Normalize.wcbAccount(written) == .value(expected))
    }

    @Test(arguments: ["309511", "30951190", "309511X", "ABC1234"])
    func wcbAccountsThatAreNot(_ written: String) {
        guard case .invalid = Normalize.wcbAccount(written) else { Issue.record("\(written) accepted"); return }
    }

    @Test func emails() {
        #expect(Normalize.email(" Riley@CypressPlumbing.CA ") == .value("Riley@cypressplumbing.ca"))
        for bad in ["riley", "riley@", "riley@host", "a b@c.ca", "a@b.ca, c@d.ca"] {
            guard case .invalid = Normalize.email(bad) else { Issue.record("\(bad) accepted"); continue }
        }
    }

    @Test(arguments: [
        ("Prairie Roofing Ltd.", "PRAIRIE ROOFING LIMITED"), ("Cypress Plumbing & Heating Ltd", "Cypress Plumbing and Heating Limited"),
        ("Kinistino Electric Inc.", "KINISTINO ELECTRIC INCORPORATED"), ("Acme Corp", "Acme Corporation"),
        ("Qu'Appelle Flooring Ltd", "QuAppelle Flooring Limited"), ("Rémi Construction", "Remi Construction"),
    ])
    func companyNamesThatDifferOnlyInForm(_ a: String, _ b: String) {
        #expect(Normalize.companyKey(a) == Normalize.companyKey(b))
    }

    @Test func differentCompaniesStayDifferent() {
        #expect(Normalize.companyKey("Prairie Roofing Ltd.") != Normalize.companyKey("Prairie Roofing & Siding Ltd."))
    }

    @Test(arguments: [("Riley Bergstrom", "riley bergstrom"), ("BERGSTROM, Riley", "riley bergstrom"), ("Zoë  O'Neil", "zoe oneil")])
    func personKeys(_ written: String, _ key: String) {
        #expect(Normalize.personKey(written) == key)
    }

    @Test func choices() {
        let statuses = ["", "Full-time permanent", "Part-time", "Casual", "Consultant", "Sub-contractor"]
        #expect(Normalize.choice("full-time permanent", among: statuses) == .value("Full-time permanent"))
        #expect(Normalize.choice("Subcontractor", among: statuses) == .value("Sub-contractor"))
        #expect(Normalize.choice("Full time", among: statuses) == .value("Full-time permanent"))
        guard case .invalid = Normalize.choice("Intern", among: statuses) else { Issue.record("Intern accepted"); return }
    }
}

@Suite struct PlacesTests {
    @Test func shippedCommunitiesAreKnownHoweverWritten() {
        let places = Places.saskatchewan
        #expect(!places.isEmpty)
        for name in ["Regina", "MOOSE JAW", "moose jaw", "Fort Qu'Appelle", "FORT QUAPPELLE", "St. Walburg", "Île-à-la-Crosse", "North  Battleford"] {
            #expect(places.contains(name), "\(name)")
        }
        for name in ["MOOSF TAW", "WE YRURN", "Recina", ""] {
            #expect(!places.contains(name), "\(name)")
        }
    }

    /// A reading a letter or two from one place, and from no other as near, is that place; one
    /// as near two places, or far from every place, is none.
    @Test func theNearestPlaceOfAReadingThatNamesNone() throws {
        let places = Places.saskatchewan
        for (reading, place) in [("Resina", "Regina"), ("MOOSF TAW", "Moose Jaw"), ("Yokton", "Yorkton"), ("WEYRUIRN", "Weyburn"),
                                 ("SWIFT CDRRENT", "Swift Current")] {
            let near = try #require(places.nearest(reading), "\(reading)")
            #expect(near.name == place && near.similarity >= 0.75 && near.margin >= 0.2, "\(reading): \(near)")
        }
        #expect(places.place("Sas ka toon") == "Saskatoon")
        if let near = places.nearest("Qwertyville") { #expect(near.similarity < 0.75, "\(near)") }
        #expect(Normalize.inCase(of: "MOOSF TAW", "Moose Jaw") == "MOOSE JAW")
        #expect(Normalize.inCase(of: "Resina", "Regina") == "Regina")
    }

    /// An address's end, after its comma: the place as the list spells it, then the code; the
    /// street as read. A place a letter off is an edit (never surer); one only spaced or run on is not.
    @Test func anAddressEndsInAPlaceAndTheCode() throws {
        let places = Places.saskatchewan
        #expect(places.addressPutRight("446 8th St E, Sask atoon SK")! == ("446 8th St E, Saskatoon SK", false))
        #expect(places.addressPutRight("1396 VICTORIA AVE, HUMBOLDTSK")! == ("1396 VICTORIA AVE, HUMBOLDT SK", false))
        #expect(places.addressPutRight("404 Main St, Estevank")! == ("404 Main St, Estevan SK", false))
        #expect(places.addressPutRight("2225 ALBERT ST, HUMBOLDT S<")! == ("2225 ALBERT ST, HUMBOLDT SK", false))
        #expect(places.addressPutRight("1518 Idylwyld Dr N, Resina Sk")! == ("1518 Idylwyld Dr N, Regina SK", true))
        #expect(places.addressPutRight("2231 VICTORIA AVE, WEYBURN SK") == nil, "already right")
        #expect(places.addressPutRight("1996 BROAD ST YORKTON SK") == nil, "no comma: where the place starts is a guess")
        #expect(places.addressPutRight("12 Main St, Qwertyville SK") == nil, "no place near")
        // A company named for its town: a long word a letter from one place, spelt as the place.
        #expect(places.wordsPutRight("RATTLEFORD MECHANICAL LTD") == "BATTLEFORD MECHANICAL LTD")
        #expect(places.wordsPutRight("QiAppelle Landscaping Ltd") == "Qu'Appelle Landscaping Ltd")
        #expect(places.wordsPutRight("Battleford Electric Limited") == nil, "the place already")
        #expect(places.wordsPutRight("Harman Electric") == nil, "a short word: a surname as likely as a town")
        // Several letters off, but far nearer one place than any other.
        #expect(places.addressPutRight("678 IDYLWYLD DR N, SWAT CURKENI S")! == ("678 IDYLWYLD DR N, SWIFT CURRENT SK", true))
        #expect(Places(lines: "Regina").addressPutRight("1 Main St, Regina") == nil, "a list with no code")
    }

    /// A title's words a letter off, each from exactly one word people write there: put right in
    /// the reading's case; a word near two, a short word, or a word of its own stays as read.
    @Test func aTitlesWordsReadALetterOff() {
        let titles = Vocabulary.titles
        #expect(titles.putRight("Presicent") == "President")
        #expect(titles.putRight("MANAGNG PARTNER") == "MANAGING PARTNER")
        #expect(titles.putRight("Office manaser") == "Office manager")
        #expect(titles.putRight("SITE SUPERVISOR.") == nil, "already the words")
        #expect(titles.putRight("Dog groomer") == nil, "words of its own")
        #expect(titles.putRight("CE0") == nil, "too short to tell")
        #expect(Vocabulary(lines: "").putRight("Presicent") == nil)
        // One letter from Office, two from Officer: Office, though alike by share of letters.
        #expect(titles.putRight("FFICE MANAGER") == "OFFICE MANAGER")
    }

    /// A person's given name read a letter off is the one given name it is nearest; the family name
    /// after it, and a name people have that the list has not, stay as read.
    @Test func aGivenNameReadALetterOff() {
        let names = Vocabulary.givenNames
        #expect(names.putRight("MORCAN LAVALLEE") == "MORGAN LAVALLEE")
        #expect(names.putRight("RORIN OLSON") == "ROBIN OLSON")
        // A letter lost (the I run into the N) before a letter too many: Robin, not Rob.
        #expect(names.putRight("ROBN THIBAULT") == "ROBIN THIBAULT")
        #expect(names.putRight("OLSON, RORIN") == "OLSON, ROBIN", "the given name after the comma")
        #expect(names.putRight("Taylor Fet") == nil, "a given name already; the family name is not the list's")
        #expect(names.putRight("Xiomara Fehr") == nil, "a name far from every listed one")
        #expect(names.putRight("Gray Ferguson") == nil, "never to a shorter name: Gray is not Ray")
    }

    @Test func aProvinceReadALetterOut() {
        #expect(Normalize.provinceNamePutRight("Saskatchewar") == "Saskatchewan")
        #expect(Normalize.provinceNamePutRight("SASKATCHEWAII") == "SASKATCHEWAN")
        #expect(Normalize.provinceNamePutRight("Saskatchewan") == nil, "already one")
        #expect(Normalize.provinceNamePutRight("Mantoba") == "Manitoba")
        #expect(Normalize.provinceNamePutRight("Xyzzyplugh") == nil)
    }

    /// A company's legal form read a letter off is the one form it is near, in the reading's case.
    @Test func aLegalFormReadALetterOff() {
        #expect(Normalize.legalFormPutRight("SOUTHEY FLOORING L/D") == "SOUTHEY FLOORING LTD")
        #expect(Normalize.legalFormPutRight("Wu'Appelle Landscaping Utd") == "Wu'Appelle Landscaping Ltd")
        #expect(Normalize.legalFormPutRight("KINISTINO LANDSCAPING I TD.") == "KINISTINO LANDSCAPING LTD.")
        #expect(Normalize.legalFormPutRight("Prairie Glass lnc.") == "Prairie Glass Inc.")
        #expect(Normalize.legalFormPutRight("Prairie Glass Inc.") == nil, "a form already")
        #expect(Normalize.legalFormPutRight("MOOSE JAW LIMITED") == nil)
        #expect(Normalize.legalFormPutRight("Northern Lights Insulation Lf") == nil, "too far from any form")
        #expect(Normalize.legalFormPutRight("Big Sky Painting") == nil)
        #expect(Normalize.legalFormPutRight("Prairie td") == "Prairie Ltd", "a short reading is the short form")
    }

    /// An email address read off paper put right by the form's names, where they fit.
    @Test func anEmailReadOffPaperPutRightByTheNamesAroundIt() {
        let people = ["Robin Olson"], companies = ["PRAIRIE CONCRETE CORP.", "Prairie Glass Inc."]
        #expect(Normalize.emailPutRight("ROBINEDRAIRIECONCRETECA", people: people, companies: companies) == "ROBIN@PRAIRIECONCRETE.CA")
        #expect(Normalize.emailPutRight("office@prairieclass.c", people: people, companies: companies) == nil, "no known ending")
        #expect(Normalize.emailPutRight("office@prairieclass.ca", people: people, companies: companies) == "office@prairieglass.ca")
        #expect(Normalize.emailPutRight("OFFICEOSOUTHEYPLUMBINGHEACA", people: [], companies: ["SOUTHEY PLUMBING & HEATING LTD"])
                == "OFFICE@SOUTHEYPLUMBINGHEA.CA")
        // The trained employee's name with a letter lost, the "@" read as an O.
        #expect(Normalize.emailPutRight("ROBNOSOUTHEYPLUMBNGHEACA", people: ["ROBIN THIBAULT"], companies: ["SOUTHEY PLUMBING & HEATING LTD"])
                == "ROBIN@SOUTHEYPLUMBINGHEA.CA")
        // Nothing the form knows: left as read.
        // As near the whole name as a letter short of it: the whole name, every time.
        #expect(Normalize.emailPutRight("REESE@SOUTHEYCONCRFTFCA", people: ["REESE CHEN"], companies: ["SOUTHEY CONCRETE LIMITED"])
                == "REESE@SOUTHEYCONCRETE.CA")
        #expect(Normalize.emailPutRight("zq7@@xx", people: people, companies: companies) == nil)
        #expect(Normalize.emailPutRight("pat@northwind.ca", people: people, companies: companies) == nil, "a domain of its own")
        #expect(Normalize.emailPutRight("casey@bigskypainting.ca", people: [], companies: ["Big Sky Paintin Corp"]) == nil,
                "a company name read cut short does not cut the domain")
    }

    /// "N/A" in a box that does not apply is nothing written there, never a format to reject.
    @Test(arguments: ["N/A", "n/a", "NA", "N.A.", " N / A "])
    func notApplicableIsBlank(_ written: String) throws {
        #expect(Normalize.isNotApplicable(written))
        let templates = try FormTemplates.load()
        let field = try #require(templates.registration.fields.first { $0.key == "trainee_other_account_number" })
        let (value, status) = FieldNormalizer.normalize(written, field: field)
        #expect(value == nil && status == .blank)
    }

    @Test(arguments: ["Nadia", "NAB 1234", "3531858", "Nan", ""])
    func writtenValuesAreNotNotApplicable(_ written: String) {
        #expect(!Normalize.isNotApplicable(written))
    }
}
