/**
 * The journal: CRC32C-framed entries appended to a Chronicle Queue, read back from any index for replay.
 */
package io.ferrite.queues.journal;
