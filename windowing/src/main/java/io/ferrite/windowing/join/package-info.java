/**
 * Keyed two-input joins with off-heap state: the window join and the interval join, as Flink defines them.
 */
package io.ferrite.windowing.join;
