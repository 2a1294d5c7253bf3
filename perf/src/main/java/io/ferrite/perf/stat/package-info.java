/**
 * {@code ferrite stat DIR}: a live table of a running job's counters, read from another process.
 */
package io.ferrite.perf.stat;
