package io.ferrite.engine.runtime;

/**
 * How a job's stage agents get threads. No Ferrite class starts a thread outside this choice.
 */
public enum ThreadingMode
{
    /**
     * One thread per stage, pinned to a listed core when cores are given, with the stage's idle strategy. On a machine
     * with fewer cores than stages, busy-spinning strategies are replaced by back-off so no more threads spin than
     * there are cores.
     */
    DEDICATED,

    /**
     * Every stage in one composite agent on one thread: small machines and tests.
     */
    SHARED,

    /**
     * No thread at all: the application calls {@link StageScheduler#invoke()} from its own loop, and deterministic
     * tests step the job this way.
     */
    INVOKER
}
