/// One part of the benchmark: it runs its trials and returns its table.
protocol BenchSection {
    func measure(with context: BenchContext) throws(BenchError) -> ResultTable
}
