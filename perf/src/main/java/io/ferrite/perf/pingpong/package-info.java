/**
 * Round-trip latency of a ring channel beside a raw Disruptor ring: {@code scripts/ferrite pingpong}.
 */
package io.ferrite.perf.pingpong;
