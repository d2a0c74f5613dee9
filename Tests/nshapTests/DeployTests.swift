import Foundation
import Testing

/// The launch material in deploy/: manifests parse and fit together, every nshap flag they use
/// exists, systemd accepts the units, and the one-machine and Slurm scripts run a cluster to the
/// end (Slurm under fake sbatch/srun/scontrol). The checks live in deploy/tests/check_deploy.py.
@Suite struct DeployTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func check(_ part: String) async throws {
        let group = try ProcessGroup("deploy-\(part)")
        defer { group.cleanUp() }
        let checker = try group.spawn(part, executable: "/usr/bin/env", [
            "python3", Self.repository + "/deploy/tests/check_deploy.py", "--nshap", try NShapBinary.require(), "--only", part,
        ])
        let status = await checker.wait(timeout: .seconds(240))
        #expect(status == 0, "\(checker.transcript)")
        #expect(checker.standardOutput.contains(part == "flags" ? "invocations checked" : part), "\(checker.transcript)")
    }

    @Test func kubernetesManifestsFitTogether() async throws { try await Self.check("manifests") }
    @Test func everyFlagInDeployExists() async throws { try await Self.check("flags") }
    @Test func systemdUnitsAreValid() async throws { try await Self.check("systemd") }
    @Test func oneMachineScriptRunsACluster() async throws { try await Self.check("local") }
    @Test func slurmBatchScriptRunsACluster() async throws { try await Self.check("slurm") }
}
