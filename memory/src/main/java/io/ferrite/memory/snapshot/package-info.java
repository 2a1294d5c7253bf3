/**
 * Snapshot I/O: CRC32C-framed streams, atomic file writes, and the exception for a corrupted snapshot.
 */
package io.ferrite.memory.snapshot;
