/**
 * Window assigners, slices, triggers and off-heap aggregate accumulators (built by the windowing issue).
 */
package io.ferrite.windowing;
