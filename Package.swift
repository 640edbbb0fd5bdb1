// swift-tools-version:6.0
import PackageDescription

// Each target's folder under Sources/ is named for what it is to the intake chain (the README's
// layout table gives the stage of each):
// - C libraries (CPoppler, CLibXML2, CTesseract) and one thin Swift wrapper each (Poppler, LibXML,
//   Tesseract), where all pointer code lives; Imaging (rectangles in page points, grey images, every
//   pixel loop); SecorSupport (replacing files safely, work on several threads, a batch's waiting
//   room on disk). SecorSchemas is the data in schemas/ (templates, XSD, rule editions).
// - The stages: SecorReaders sniffs and reads (PDF, scan, XML); SecorCore is the office's domain:
//   fields, templates, normalizers, rules, assembly, decisions, reasons, states (it imports no C
//   module); SecorOutput files and tells (records, letters, annotated copies, worksheets, the day's
//   summary); SecorRegistry keeps the program's record (SQLite, GRDB).
// - SecorPipeline chains the stages in one place (IntakePipeline).
// - What runs the chain: SecorJobs (process, extract, status), SecorInbox (watch), SecorWorkers
//   (reader processes, so a PDF that hangs or crashes poppler or tesseract is stopped or lost
//   alone), secor-intake (the command line; run() only delegates).
// - Development: SecorFuzzing and fuzz-*, SecorFixtures and secor-fixtures (not shipped).

// Pixel loops (rendering, straightening, cleaning crops) are far too slow unoptimized. They all
// live in Imaging, which is therefore optimized in debug builds too, so the tests run at a usable
// speed. This is the one unsafe flag: a package with it cannot be a dependency, which Imaging
// never is outside this package.
let optimizedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "secor-intake",
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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev"])]),
        .target(name: "Imaging", swiftSettings: optimizedEvenInDebug),
        .target(name: "Poppler", dependencies: ["CPoppler", "Imaging"]),
        .target(name: "Tesseract", dependencies: ["CTesseract"]),
        .target(name: "LibXML", dependencies: ["CLibXML2"]),
        // ONNX Runtime, loaded at run time from what `make models` installs (no header, no link).
        .target(name: "ONNXRuntime"),
        // Hand print: PP-OCRv6's recognizer on one field's crop.
        .target(name: "HandPrint", dependencies: ["ONNXRuntime", "Imaging"]),
        .target(name: "SecorSupport"),
        .target(
            name: "SecorSchemas",
            path: "schemas",
            exclude: ["README.md"],
            sources: ["SchemaFiles.swift"],
            resources: [.copy("forms"), .copy("programs"), .copy("xml"), .copy("places"), .copy("words")]
        ),
        .target(
            name: "SecorCore",
            dependencies: [
                "SecorSchemas", "Imaging",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "SecorReaders",
            dependencies: ["SecorCore", "Imaging", "SecorSupport", "Poppler", "LibXML", "Tesseract", "HandPrint", "SecorSchemas",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "SecorOutput", dependencies: ["SecorCore", "Imaging", "SecorSupport", "Poppler"]),
        .target(name: "SecorPipeline", dependencies: ["SecorCore", "SecorReaders", "SecorOutput", "SecorSupport"]),
        .target(
            name: "SecorRegistry",
            dependencies: ["SecorCore", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SecorWorkers",
            dependencies: ["SecorCore", "SecorReaders", "SecorSupport", .product(name: "Subprocess", package: "swift-subprocess"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SecorInbox",
            dependencies: ["SecorCore", "SecorPipeline", "SecorReaders", "SecorRegistry", "SecorOutput", "SecorSupport", "Poppler", "Imaging",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The staff workstation: a Hummingbird server over the registry and staff's actions.
        .target(
            name: "SecorStation",
            dependencies: ["SecorCore", "SecorInbox", "SecorRegistry", "SecorOutput", "Poppler", "Imaging",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                           .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                           .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Templates"), .copy("Assets")]
        ),
        .target(
            name: "SecorJobs",
            dependencies: ["SecorCore", "SecorPipeline", "SecorReaders", "SecorRegistry", "SecorOutput", "SecorSupport",
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "secor-intake",
            dependencies: [
                "SecorCore", "SecorJobs", "SecorInbox", "SecorRegistry", "SecorWorkers", "SecorReaders", "SecorStation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // make fuzz: libFuzzer targets for the normalizers, the XML mapping and the PDF reader;
        // in ordinary builds each executable replays files through the same target.
        .target(name: "SecorFuzzing", dependencies: ["SecorCore", "SecorReaders", "SecorPipeline", "SecorOutput"]),
        .executableTarget(name: "fuzz-normalizers", dependencies: ["SecorFuzzing"]),
        .executableTarget(name: "fuzz-xml", dependencies: ["SecorFuzzing"]),
        .executableTarget(name: "fuzz-pdf", dependencies: ["SecorFuzzing"]),
        // Generated forms and scans for measuring OCR: a developer's tool and a test helper, not shipped.
        .target(name: "SecorFixtures", dependencies: ["SecorCore", "Imaging", "Poppler", "SecorSchemas", "SecorOutput", "SecorRegistry"]),
        .executableTarget(
            name: "secor-fixtures",
            dependencies: ["SecorFixtures", "SecorCore", "SecorReaders", "SecorPipeline", "Poppler", "HandPrint", "Imaging", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Fixture paths and expected.json for the test targets; not shipped.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "PopplerTests", dependencies: ["Poppler", "Imaging", "TestSupport"]),
        .testTarget(name: "LibXMLTests", dependencies: ["LibXML", "TestSupport"]),
        .testTarget(name: "HandPrintTests", dependencies: ["HandPrint", "ONNXRuntime", "Imaging", "Poppler", "TestSupport"]),
        .testTarget(name: "TesseractTests", dependencies: ["Tesseract", "Poppler", "Imaging", "TestSupport"]),
        .testTarget(name: "SecorSupportTests", dependencies: ["SecorSupport", "SecorCore", "Imaging", "TestSupport"]),
        .testTarget(name: "SecorCoreTests", dependencies: ["SecorCore", "SecorSchemas", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "SecorReadersTests", dependencies: ["SecorReaders", "SecorCore", "SecorSchemas", "Imaging", "HandPrint", "SecorFixtures", "TestSupport"]),
        .testTarget(name: "SecorOutputTests", dependencies: ["SecorOutput", "SecorCore", "Poppler", "SecorFixtures", "TestSupport"]),
        .testTarget(name: "SecorPipelineTests", dependencies: ["SecorPipeline", "SecorReaders", "SecorCore", "SecorSupport", "SecorFixtures", "TestSupport"]),
        .testTarget(name: "SecorRegistryTests", dependencies: ["SecorRegistry", "SecorCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SecorWorkersTests", dependencies: ["SecorWorkers", "SecorReaders", "SecorCore", "SecorSupport", "SecorPipeline", "TestSupport"]),
        .testTarget(name: "SecorInboxTests", dependencies: ["SecorInbox", "SecorRegistry", "SecorCore", "SecorReaders", "SecorFixtures", "SecorSupport", "TestSupport"]),
        .testTarget(name: "SecorJobsTests", dependencies: ["SecorJobs", "SecorCore", "SecorSupport", "TestSupport"]),
        .testTarget(name: "SecorFuzzingTests", dependencies: ["SecorFuzzing", "TestSupport"]),
        .testTarget(name: "SecorIntakeTests", dependencies: ["SecorCore", "SecorFixtures", "Poppler", "TestSupport"]),
        .testTarget(name: "SecorStationTests", dependencies: ["SecorStation", "SecorRegistry", "SecorCore", "TestSupport",
                                                              .product(name: "HummingbirdTesting", package: "hummingbird")]),
    ]
)
