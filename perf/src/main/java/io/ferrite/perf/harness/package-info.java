/**
 * What the demo and the latency harness share: the open-loop schedule, seeded mixing, the threading choice, the
 * hiccup meter, and the report's writers (histogram files, percentile plot, JSON, the machine's description).
 */
package io.ferrite.perf.harness;
