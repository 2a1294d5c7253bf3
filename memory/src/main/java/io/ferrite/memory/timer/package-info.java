/**
 * Off-heap timer queues: (timestamp, key) timers fired in a canonical order as time advances.
 */
package io.ferrite.memory.timer;
