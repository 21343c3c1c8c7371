/**
 * JMH microbenchmarks of the storage engine, run by {@code bench/jmh/run}.
 *
 * <p>Benchmarks of the public API ({@code PartitionLog} append and read) are here. Those of
 * internals with no public entry point of their own (the offset and time indexes, the batch
 * validator) are in package {@code dev.ferry.storage} of this project, so they call the
 * package-private classes directly instead of widening their visibility for a benchmark; the shaded
 * benchmark jar holds both halves of the package, so the split is never seen at run time. {@code
 * report.JmhMarkdown} turns JMH's JSON result file into {@code bench/results/jmh.md}.
 */
package dev.ferry.jmh;
