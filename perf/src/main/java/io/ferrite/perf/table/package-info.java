/**
 * Benchmarks of the off-heap hash table against Agrona's and the JDK's maps.
 */
package io.ferrite.perf.table;
