import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import ZMQTransport

/// How a coordinator secures its socket: CURVE with an allow-list of worker keys, or plain.
struct CoordinatorSecurityOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("This coordinator's CURVE secret key: a .key file from 'nshap keys generate', or a directory holding coordinator.key.", valueName: "PATH"))
    var keys: String?

    @Option(name: .long, help: ArgumentHelp("Allow-list of worker public keys (one Z85 key per line, as in .pub files); others are refused and logged.", valueName: "FILE"))
    var allow: String?

    @Flag(name: .long, help: "Accept plain, unauthenticated TCP on a non-loopback address (loopback and ipc:// are plain by default).")
    var insecure = false

    func validate() throws {
        if insecure && (keys != nil || allow != nil) {
            throw ValidationError("--insecure turns CURVE off; do not combine it with --keys or --allow")
        }
        if (keys == nil) != (allow == nil) {
            throw ValidationError("CURVE needs both --keys (this coordinator's secret key) and --allow (the workers' public keys)")
        }
    }

    /// The server security for `endpoint`: CURVE with a ZAP handler bound in the shared context
    /// before the server binds, or plain when allowed. The handler is returned so that it lives
    /// as long as the server.
    func serverSecurity(for endpoint: String, logger: Logger) async throws -> ServerSecurity {
        let parsed = try Endpoint(endpoint)
        guard try parsed.usesCurve(keysGiven: keys != nil, insecure: insecure), let keys, let allow else {
            if !parsed.isLocal {
                logger.warning("serving plain TCP: traffic is neither encrypted nor authenticated", metadata: ["endpoint": "\(endpoint)"])
            }
            return .plain
        }
        let pair = try KeyFiles.loadPair(keys, defaultName: "coordinator")
        let list = try AllowList.load(allow)
        if list.count == 0 {
            logger.warning("the allow-list is empty: every worker will be refused", metadata: ["allow": "\(allow)"])
        }
        let handler = try await ZAPHandler(context: try ZMQContext.shared(), allowList: list,
                                           logger: Logger(label: "nshap.zap"))
        logger.info("CURVE on", metadata: ["publicKey": "\(pair.publicKey.z85)", "allowed": "\(list.count)"])
        AllowListReload.install(path: allow, handler: handler, logger: logger)
        return .curve(keyPair: pair, authenticator: handler)
    }
}

/// Re-reads the allow-list on SIGHUP, so that workers can be added or revoked without restarting
/// the coordinator (connections already admitted stay).
enum AllowListReload {
    /// Keeps the signal source alive.
    private final class Holder: @unchecked Sendable {
        // @unchecked Sendable: set once before it is shared; DispatchSource objects are thread safe.
        let source: any DispatchSourceSignal
        init(_ source: any DispatchSourceSignal) { self.source = source }
    }

    private static let holder = Mutex<Holder?>(nil)

    static func install(path: String, handler: ZAPHandler, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        s.setEventHandler {
            do {
                let list = try AllowList.load(path)
                handler.update(allowList: list)
                logger.notice("reloaded the allow-list", metadata: ["allow": "\(path)", "allowed": "\(list.count)"])
            } catch {
                logger.error("cannot reload the allow-list; keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
        s.resume()
        let box = Holder(s)
        holder.withLock { $0 = box }
    }
}
