/**
 * The committed journal: a job's outputs appended at once to a {@link io.ferrite.queues.journal.Journal}, made
 * visible to read-committed readers by commit markers written when checkpoints complete, and voided by a marker when
 * a recovery replays them.
 */
package io.ferrite.queues.committed;
