// swift-tools-version:6.1
import PackageDescription

/// One set of Swift settings for every Swift target: Swift 6 language mode, explicit `any`,
/// and imports that stay internal unless a module re-exports them on purpose.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "NeuronShapley",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nshap", targets: ["nshap"]),
        .library(name: "ShapleyCore", targets: ["ShapleyCore"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Dataset", targets: ["Dataset"]),
        .library(name: "Cluster", targets: ["Cluster"]),
        .library(name: "ZMQTransport", targets: ["ZMQTransport"]),
        .library(name: "NeuronShapley", targets: ["NeuronShapley"]),
        .library(name: "ShapleyTestKit", targets: ["ShapleyTestKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages: module maps only.
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ",
                       providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),

        .target(name: "ShapleyCore"),
        .target(name: "Digest"),
        .target(name: "Engine", dependencies: ["COpenBLAS", "Digest"]),
        // The one C target: keeps libjpeg's setjmp/longjmp error handling out of Swift frames
        // (it includes <jpeglib.h> itself, in place of the CJPEG module map).
        .target(name: "CImageShim", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "Dataset", dependencies: ["CImageShim", "CPNG", "Digest"]),
        .target(name: "Cluster", dependencies: [
            "ShapleyCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "ZMQTransport", dependencies: [
            "Cluster", "CZeroMQ",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "NeuronShapley", dependencies: [
            "ShapleyCore", "Engine", "Dataset", "Cluster", "ZMQTransport",
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Resources"]),
        .target(name: "ShapleyTestKit", dependencies: ["ShapleyCore", "Cluster"]),
        .executableTarget(name: "nshap", dependencies: [
            "ShapleyCore", "Engine", "Dataset", "Cluster", "ZMQTransport", "NeuronShapley",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        .executableTarget(name: "zmq-transport-bench", dependencies: ["ZMQTransport", "Cluster"],
                          path: "bench/cluster/TransportBench"),
        .executableTarget(name: "cluster-bench", dependencies: [
            "Cluster", "ShapleyCore", "ShapleyTestKit", .product(name: "Logging", package: "swift-log"),
        ], path: "bench/cluster/CoordinatorBench"),
        .executableTarget(name: "dataset-bench", dependencies: ["Dataset", "Digest"], path: "bench/dataset/DatasetBench"),

        .executableTarget(name: "engine-bench", dependencies: ["Engine", "Digest"], path: "bench/engine/EngineBench"),
        .executableTarget(name: "neuronshapley-bench", dependencies: [
            "NeuronShapley", "Engine", "Dataset", "ShapleyCore", "Cluster", "ZMQTransport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "bench/neuronshapley/Bench"),

        .executableTarget(name: "EstimatorBench", dependencies: ["ShapleyCore"],
                          path: "bench/estimators/EstimatorBench"),

        .testTarget(name: "ShapleyCoreTests", dependencies: ["ShapleyCore", "ShapleyTestKit"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["OpFixtures"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset"]),
        .testTarget(name: "ClusterTests", dependencies: [
            "Cluster", "ShapleyCore", "ShapleyTestKit",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "ZMQTransportTests", dependencies: ["ZMQTransport", "Cluster", "ShapleyCore", "ShapleyTestKit"]),
        .testTarget(name: "NeuronShapleyTests", dependencies: ["NeuronShapley", "Engine", "Dataset", "ShapleyCore"]),
        .testTarget(name: "nshapTests", dependencies: ["ShapleyCore", "Cluster", "ZMQTransport"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
