import ArgumentParser

@main
struct NShap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nshap",
        abstract: "Find the filters responsible for a network's behaviour with Neuron Shapley.",
        subcommands: [Simulate.self, LocalCommand.self, CoordinatorCommand.self, WorkerCommand.self, KeysCommand.self,
                      LayersCommand.self, EvalCommand.self, RunCommand.self, PruneCommand.self])
}
