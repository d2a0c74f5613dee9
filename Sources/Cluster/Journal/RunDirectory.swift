import Foundation

/// A run's directory: `config.json` (the ``RunConfiguration``, written when the run starts) and
/// `journal.log` (every accepted result). Nothing else is read or written there.
public struct RunDirectory: Hashable, Sendable {
    /// The directory.
    public let path: String

    /// The configuration file.
    public var configurationPath: String { path + "/config.json" }
    /// The journal file.
    public var journalPath: String { path + "/journal.log" }

    private init(path: String) { self.path = path }

    /// Creates the directory (and its parents) for a new run and writes its configuration. Refuses a
    /// directory that already holds a run.
    public static func create(at path: String, configuration: RunConfiguration) throws -> RunDirectory {
        let dir = RunDirectory(path: path)
        let fm = FileManager.default
        if fm.fileExists(atPath: dir.configurationPath) || fm.fileExists(atPath: dir.journalPath) {
            throw ClusterError.journal(path: path, reason: "already holds a run; resume it with --resume \(path) or choose a new directory")
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(configuration)
            try data.write(to: URL(fileURLWithPath: dir.configurationPath), options: .atomic)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError.journal(path: path, reason: "cannot create the run directory: \(error.localizedDescription)")
        }
        return dir
    }

    /// Opens the directory of an existing run and reads its configuration.
    public static func open(at path: String) throws -> (RunDirectory, RunConfiguration) {
        let dir = RunDirectory(path: path)
        guard let data = FileManager.default.contents(atPath: dir.configurationPath) else {
            throw ClusterError.journal(path: path, reason: "has no readable config.json; give the directory of a run started earlier")
        }
        do {
            let configuration = try JSONDecoder().decode(RunConfiguration.self, from: data)
            guard configuration.formatVersion == 1 else {
                throw ClusterError.journal(path: path, reason: "config.json has format version \(configuration.formatVersion); this build reads version 1")
            }
            return (dir, configuration)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError.journal(path: dir.configurationPath, reason: "is not a run configuration: \(error)")
        }
    }
}
