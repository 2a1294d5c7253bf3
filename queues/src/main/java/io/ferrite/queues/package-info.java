/**
 * Ring channels over off-heap slots, and the Chronicle Queue journal: see the {@code ring} and {@code journal}
 * packages.
 */
package io.ferrite.queues;
