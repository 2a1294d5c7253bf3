/**
 * Budgeted off-heap memory: the {@link io.ferrite.memory.MemoryManager} and the segments it hands out.
 */
package io.ferrite.memory;
