/**
 * Ring channels over off-heap slots, the Chronicle Queue journal, and the committed output journal read
 * read-committed: see the {@code ring}, {@code journal} and {@code committed} packages.
 */
package io.ferrite.queues;
