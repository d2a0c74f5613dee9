import Foundation

/// How much longer than nominal the time bounds of these tests are, as in the cluster tests: the
/// bounds catch hangs, they do not measure speed, and the whole suite runs its tests in parallel on
/// as few as two cores (a test task may wait long for a thread). `NSHAP_TEST_TIME_SCALE` overrides.
let testTimeScale: Double = {
    guard let text = ProcessInfo.processInfo.environment["NSHAP_TEST_TIME_SCALE"], let scale = Double(text), scale > 0 else { return 4 }
    return scale
}()

/// `nominal` seconds times ``testTimeScale``.
func scaled(_ nominal: Double) -> Duration {
    .milliseconds(Int64(nominal * testTimeScale * 1000))
}
