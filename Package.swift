// swift-tools-version:6.0
import PackageDescription

// Layout (see DEVELOPERS notes in README):
// - CPoppler, CLibXML2, CTesseract: system libraries through pkg-config, nothing else.
// - Poppler, LibXML, Tesseract: one thin Swift wrapper per C library; all pointer code lives there.
// - SecorSchemas: the data in schemas/ (form templates, XSD, program rule editions) as resources.
// - SecorCore: fields, normalizers, rules, decisions. Imports no C module.
// - SecorReaders: the pipeline stages that read documents (PDF, XML) into core values.
// - SecorRegistry: the SQLite registry (GRDB). SecorInbox: the watcher (inotify lives in one file).
// - SecorOutput: letters, annotated copies, review worksheets, the day's summary.
// - SecorWorkers: reader processes (swift-subprocess), so a PDF that hangs or crashes poppler or
//   tesseract is stopped (--doc-timeout) or lost alone, and the batch or watcher carries on.
// - SecorJobs: what each command does (extract, process, watch), callable from tests.
// - secor-intake: the command line; run() only delegates.
// Pixel loops (scans: rendering, straightening, cleaning) are far too slow unoptimized;
// these modules are optimized in debug builds too, so the tests run at a usable speed.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "secor-intake",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "secor-intake", targets: ["secor-intake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPoppler",
            pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CTesseract",
            pkgConfig: "tesseract",
            providers: [.apt(["libtesseract-dev"])]
        ),
        .target(name: "Poppler", dependencies: ["CPoppler"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Tesseract", dependencies: ["CTesseract"]),
        .target(name: "LibXML", dependencies: ["CLibXML2"]),
        .target(
            name: "SecorSchemas",
            path: "schemas",
            exclude: ["README.md"],
            sources: ["SchemaFiles.swift"],
            resources: [.copy("forms"), .copy("programs"), .copy("xml")]
        ),
        .target(
            name: "SecorCore",
            dependencies: [
                "SecorSchemas",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimizedEvenInDebug
        ),
        .target(
            name: "SecorReaders",
            dependencies: ["SecorCore", "Poppler", "LibXML", "Tesseract", .product(name: "Logging", package: "swift-log")],
            swiftSettings: optimizedEvenInDebug
        ),
        .target(
            name: "SecorJobs",
            dependencies: ["SecorCore", "SecorReaders", "SecorRegistry", "SecorOutput", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SecorWorkers",
            dependencies: ["SecorCore", "SecorReaders", .product(name: "Subprocess", package: "swift-subprocess"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // make fuzz: libFuzzer targets for the normalizers, the XML mapping and the PDF reader;
        // in ordinary builds each executable replays files through the same target.
        .target(name: "SecorFuzzing", dependencies: ["SecorCore", "SecorReaders"]),
        .executableTarget(name: "fuzz-normalizers", dependencies: ["SecorFuzzing"]),
        .executableTarget(name: "fuzz-xml", dependencies: ["SecorFuzzing"]),
        .executableTarget(name: "fuzz-pdf", dependencies: ["SecorFuzzing"]),
        // Generated scans for measuring OCR: a developer's tool and a test helper, not shipped.
        .target(name: "SecorFixtures", dependencies: ["SecorCore", "Poppler", "SecorSchemas"], swiftSettings: optimizedEvenInDebug),
        .executableTarget(
            name: "secor-fixtures",
            dependencies: ["SecorFixtures", "SecorCore", "SecorReaders", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "secor-intake",
            dependencies: [
                "SecorCore", "SecorJobs", "SecorInbox", "SecorRegistry", "SecorWorkers", "SecorReaders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SecorRegistry",
            dependencies: ["SecorCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "SecorOutput", dependencies: ["SecorCore", "Poppler"]),
        .target(
            name: "SecorInbox",
            dependencies: ["SecorCore", "SecorReaders", "SecorRegistry", "SecorOutput", .product(name: "Logging", package: "swift-log")]
        ),
        // Fixture paths and expected.json for the test targets; not shipped.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SecorCoreTests", dependencies: ["SecorCore", "TestSupport"]),
        .testTarget(name: "PopplerTests", dependencies: ["Poppler", "TestSupport"]),
        .testTarget(name: "LibXMLTests", dependencies: ["LibXML", "TestSupport"]),
        .testTarget(name: "TesseractTests", dependencies: ["Tesseract", "Poppler", "TestSupport"]),
        .testTarget(name: "SecorReadersTests", dependencies: ["SecorReaders", "SecorCore", "SecorFixtures", "TestSupport"]),
        .testTarget(name: "SecorJobsTests", dependencies: ["SecorJobs", "SecorCore", "TestSupport"]),
        .testTarget(name: "SecorRegistryTests", dependencies: ["SecorRegistry", "SecorCore", "TestSupport"]),
        .testTarget(name: "SecorInboxTests", dependencies: ["SecorInbox", "SecorRegistry", "SecorCore", "TestSupport"]),
        .testTarget(name: "SecorOutputTests", dependencies: ["SecorOutput", "SecorCore", "Poppler", "TestSupport"]),
        .testTarget(name: "SecorWorkersTests", dependencies: ["SecorWorkers", "SecorReaders", "SecorCore", "TestSupport"]),
        .testTarget(name: "SecorFuzzingTests", dependencies: ["SecorFuzzing", "TestSupport"]),
        .testTarget(name: "SecorIntakeTests", dependencies: ["SecorCore", "Poppler", "TestSupport"]),
    ]
)
