/**
 * Ring channels over off-heap slots and the Chronicle Queue journal (built by the queues issue).
 */
package io.ferrite.queues;
