/// An estimator whose work is kept in rounds by a ``RoundBook``: results and abandonments go to the
/// book, and once every unit of the open round is answered or abandoned the round is closed and
/// handed to ``closeRound(_:)``, which folds it and plans the next one. The estimators' public
/// ``Estimator/ingest(_:)`` and ``Estimator/abandon(unitID:)`` forward here.
protocol RoundBased {
    /// What the estimator records with each planned unit.
    associatedtype Meta: Sendable
    /// The rounds' bookkeeping.
    var book: RoundBook<Meta> { get set }
    /// Folds a closed round (its units in key order) and plans the next round, or finishes.
    mutating func closeRound(_ completed: [RoundBook<Meta>.Completed])
}

extension RoundBased {
    /// Accepts a result into the open round (see ``RoundBook/accept(_:)``) and closes the round
    /// when it was the last one missing. Returns whether the result was new.
    mutating func ingestIntoRound(_ result: WorkResult) throws -> Bool {
        let fresh = try book.accept(result)
        if book.isComplete { closeRound(book.close()) }
        return fresh
    }

    /// Abandons a unit of the open round and closes the round when it was the last one missing.
    /// Returns `false` (and changes nothing) for a unit the round is not waiting for.
    mutating func abandonInRound(unitID: UInt64) -> Bool {
        guard book.abandon(unitID) else { return false }
        if book.isComplete { closeRound(book.close()) }
        return true
    }
}
