/**
 * Benchmarks of the journal against a raw Chronicle Queue appender.
 */
package io.ferrite.perf.journal;
