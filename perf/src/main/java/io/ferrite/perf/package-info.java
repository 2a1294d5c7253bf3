/**
 * JMH benchmarks, each with its baseline in the same class, and (later) the latency harness and command line.
 */
package io.ferrite.perf;
