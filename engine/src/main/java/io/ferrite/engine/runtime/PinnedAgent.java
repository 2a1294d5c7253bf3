package io.ferrite.engine.runtime;

import org.agrona.concurrent.Agent;

import net.openhft.affinity.Affinity;

/**
 * Pins its thread to a core when the thread starts, then delegates.
 */
final class PinnedAgent implements Agent
{
    private final Agent delegate;
    private final int core;

    PinnedAgent(final Agent delegate, final int core)
    {
        this.delegate = delegate;
        this.core = core;
    }

    @Override
    public void onStart()
    {
        Affinity.setAffinity(core);
        delegate.onStart();
    }

    @Override
    public int doWork() throws Exception
    {
        return delegate.doWork();
    }

    @Override
    public void onClose()
    {
        delegate.onClose();
    }

    @Override
    public String roleName()
    {
        return delegate.roleName();
    }
}
