/**
 * {@code ferrite latency}: the open-loop latency harness, Ferrite beside a hand-built LMAX Disruptor pipeline doing
 * the same work.
 */
package io.ferrite.perf.latency;
