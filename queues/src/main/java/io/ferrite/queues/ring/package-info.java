/**
 * Ring channels: Disruptor sequencing over fixed-size off-heap slots, with in-band control entries.
 */
package io.ferrite.queues.ring;
