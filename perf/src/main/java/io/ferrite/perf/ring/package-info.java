/**
 * Benchmarks of the ring channel against a raw Disruptor ring, Agrona's one-to-one ring buffer and a JDK queue.
 */
package io.ferrite.perf.ring;
