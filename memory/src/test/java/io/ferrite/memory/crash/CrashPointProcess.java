package io.ferrite.memory.crash;

/**
 * A child process for {@link CrashPointsIT}: passes a crash point {@code args[1]} times, printing {@code HIT n} before
 * each, then {@code END}.
 */
final class CrashPointProcess
{
    private CrashPointProcess()
    {
    }

    public static void main(final String[] args)
    {
        final String point = args[0];
        final int times = Integer.parseInt(args[1]);
        System.out.println("ENABLED " + CrashPoints.ENABLED);
        for (int i = 1; i <= times; i++)
        {
            System.out.println("HIT " + i);
            System.out.flush();
            CrashPoints.hit(point);
            CrashPoints.hit(CrashPoints.COMMIT.equals(point) ? CrashPoints.RESTORE : CrashPoints.COMMIT);
        }
        System.out.println("END");
    }
}
