// swift-tools-version: 6.0
//
// Kindred for Swift: the generated uniffi bindings (module `KindredCore`) and a thin idiomatic layer (`Kindred`).
// Apps depend on the one product, `Kindred`, and see one API: the layer, plus the generated types it passes through,
// which it re-exports by name (Sources/Kindred/Types.swift). `KindredCore` is internal to the package: no product, not
// re-exported (ios/run-linux-tests.sh checks both).
//
// Where the Rust library comes from:
// - Apple platforms, with `KindredFFI.xcframework` next to this file (made by `./build-xcframework.sh` on a Mac with
//   Xcode): the package uses it as a `binaryTarget`; nothing else to link.
// - Otherwise (Linux, or a Mac without the XCFramework, or `KINDRED_FFI_SYSTEM_LIBRARY=1`): `KindredFFI` is a system
//   library target whose module map links `libkindred_ffi`; pass its directory to the linker, as
//   `./run-linux-tests.sh` does: `swift test -Xlinker -L<dir> -Xlinker -rpath -Xlinker <dir>`.
//
// Either way the generated sources are build outputs, copied in by those scripts and ignored by git:
// `Sources/KindredCore/{KindredCore,KindredModel}.swift` and (system library only)
// `Sources/KindredFFI/{KindredFFI.h,KindredModelFFI.h,module.modulemap}`.
import Foundation
import PackageDescription

let xcframework = "KindredFFI.xcframework"

/// Whether to take the Rust library from the XCFramework (Apple platforms only).
let useXCFramework: Bool = {
    #if os(Linux) || os(Windows)
    return false
    #else
    if ProcessInfo.processInfo.environment["KINDRED_FFI_SYSTEM_LIBRARY"] != nil { return false }
    let path = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent(xcframework).path
    return FileManager.default.fileExists(atPath: path)
    #endif
}()

let ffiTarget: Target = useXCFramework
    ? .binaryTarget(name: "KindredFFI", path: xcframework)
    : .systemLibrary(name: "KindredFFI", path: "Sources/KindredFFI")

let package = Package(
    name: "Kindred",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Kindred", targets: ["Kindred"]),
    ],
    targets: [
        ffiTarget,
        // The uniffi-generated Swift (KindredCore.swift, and KindredModel.swift for the core's records, enums and
        // ids), staged here by the build scripts.
        .target(name: "KindredCore", dependencies: ["KindredFFI"], path: "Sources/KindredCore"),
        // The idiomatic layer apps import: the package's only product.
        .target(name: "Kindred", dependencies: ["KindredCore"], path: "Sources/Kindred"),
        // Only GeneratedLayerTests.swift imports KindredCore (to test the generated layer itself); the rest, like
        // an app, import nothing but Kindred.
        .testTarget(name: "KindredTests", dependencies: ["Kindred", "KindredCore"], path: "Tests/KindredTests"),
    ],
    swiftLanguageModes: [.v6]
)
