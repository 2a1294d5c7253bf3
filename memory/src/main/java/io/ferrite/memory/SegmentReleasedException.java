package io.ferrite.memory;

/**
 * Thrown when a {@link MemorySegment} is used or released after it has been released.
 */
public final class SegmentReleasedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming the segment that was used after release.
     *
     * @param what    what was attempted, for example "release" or "buffer".
     * @param segment the released segment.
     */
    public SegmentReleasedException(final String what, final MemorySegment segment)
    {
        super("segment already released: attempted=" + what + " owner=" + segment.owner() +
            " capacity=" + segment.capacity());
    }
}
