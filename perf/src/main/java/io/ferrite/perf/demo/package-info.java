/**
 * {@code ferrite demo}: a trading and telemetry job on generated data, measured end to end, with a report folder.
 */
package io.ferrite.perf.demo;
