import Foundation

/// The BLAS library (OpenBLAS) starts its pool of threads when the process loads it, and each
/// thread spins for a while before it sleeps: CPU time that a coordinator, which evaluates
/// nothing, has no use for.
enum IdleBLAS {
    /// Ends the pool when the library offers to (it starts again by itself on its next parallel
    /// call); does nothing with another library. Call it before other threads use BLAS.
    static func releaseThreads() {
        guard let process = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "blas_thread_shutdown_") else { return }
        typealias Shutdown = @convention(c) () -> Int32
        _ = unsafeBitCast(symbol, to: Shutdown.self)()
    }
}
