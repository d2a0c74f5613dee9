import ArgumentParser
import ZMQTransport

/// `nshap keys`: CURVE key management for coordinators and workers.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create CURVE key pairs that encrypt and authenticate cluster traffic.",
        discussion: """
        A coordinator needs its own key pair and an allow-list of worker public keys; a worker needs
        its own key pair and the coordinator's public key. For example:

          nshap keys generate --out keys --name coordinator
          nshap keys generate --out keys --name worker --allow-list keys/allow.txt
          nshap coordinator --bind tcp://*:5555 --keys keys/coordinator.key --allow keys/allow.txt ...
          nshap worker --connect tcp://HOST:5555 --keys keys/worker.key --server-key keys/coordinator.pub ...
        """,
        subcommands: [KeysGenerate.self])
}

/// `nshap keys generate`: one fresh key pair as two text files.
struct KeysGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new key pair: NAME.key (secret, mode 0600) and NAME.pub (public).")

    @Option(name: .long, help: ArgumentHelp("Directory for the key files (created with mode 0700 if missing).", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Base name of the key files.", valueName: "NAME"))
    var name: String = "worker"

    @Option(name: .long, help: ArgumentHelp("Also append the public key to this allow-list file (created if missing).", valueName: "FILE"))
    var allowList: String?

    @Flag(name: .long, help: "Replace existing key files of the same name.")
    var force = false

    func run() throws {
        let pair = try CurveKeyPair.generate()
        let paths = try KeyFiles.write(pair, name: name, directory: out, overwrite: force)
        print("public key  \(pair.publicKey.z85)")
        print("wrote       \(paths.publicPath)")
        print("wrote       \(paths.secretPath) (secret, mode 0600)")
        if let allowList {
            try KeyFiles.append(line: "\(pair.publicKey.z85) \(name)", to: allowList)
            print("allowed in  \(allowList)")
        }
    }
}
