package io.ferrite.queues.journal;

/**
 * Settings that must be in place before the first Chronicle class initialises.
 */
final class ChronicleSettings
{
    static final String ANALYTICS_DISABLE = "chronicle.analytics.disable";

    private ChronicleSettings()
    {
    }

    /**
     * Turn off Chronicle's analytics, which would otherwise contact a host over the network: Ferrite opens no
     * connection of its own, even in an application that forgot the launcher's flags.
     */
    static void apply()
    {
        System.setProperty(ANALYTICS_DISABLE, "true");
    }
}
