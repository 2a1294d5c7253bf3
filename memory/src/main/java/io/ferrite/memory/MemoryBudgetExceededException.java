package io.ferrite.memory;

/**
 * Thrown when an allocation would take a {@link MemoryManager} past its budget, or the operating system refuses
 * the memory. Nothing has been allocated or charged when it is thrown, so the caller's state is intact.
 */
public final class MemoryBudgetExceededException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String owner;
    private final long requestedBytes;
    private final long ownerUsedBytes;
    private final long usedBytes;
    private final long budgetBytes;

    /**
     * An exception describing a refused allocation.
     *
     * @param reason         why it was refused, the first words of the message.
     * @param owner          the owner the allocation was for.
     * @param requestedBytes the bytes asked for, after rounding up to whole pages.
     * @param ownerUsedBytes the bytes the owner already held.
     * @param usedBytes      the bytes all owners held.
     * @param budgetBytes    the manager's budget.
     */
    public MemoryBudgetExceededException(
        final String reason,
        final String owner,
        final long requestedBytes,
        final long ownerUsedBytes,
        final long usedBytes,
        final long budgetBytes)
    {
        super(reason + ": owner=" + owner + " requested=" + requestedBytes + " owner_used=" + ownerUsedBytes +
            " used=" + usedBytes + " budget=" + budgetBytes);
        this.owner = owner;
        this.requestedBytes = requestedBytes;
        this.ownerUsedBytes = ownerUsedBytes;
        this.usedBytes = usedBytes;
        this.budgetBytes = budgetBytes;
    }

    /**
     * The owner the refused allocation was for.
     *
     * @return the owner's name.
     */
    public String owner()
    {
        return owner;
    }

    /**
     * The bytes asked for, rounded up to whole pages.
     *
     * @return the requested bytes.
     */
    public long requestedBytes()
    {
        return requestedBytes;
    }

    /**
     * The bytes the owner held when the allocation was refused.
     *
     * @return the owner's use in bytes.
     */
    public long ownerUsedBytes()
    {
        return ownerUsedBytes;
    }

    /**
     * The bytes every owner together held when the allocation was refused.
     *
     * @return the total use in bytes.
     */
    public long usedBytes()
    {
        return usedBytes;
    }

    /**
     * The manager's budget.
     *
     * @return the budget in bytes.
     */
    public long budgetBytes()
    {
        return budgetBytes;
    }
}
