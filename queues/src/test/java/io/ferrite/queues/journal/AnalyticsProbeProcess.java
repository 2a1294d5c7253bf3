package io.ferrite.queues.journal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A child process for {@link ChronicleAnalyticsIT}: started without {@code -Dchronicle.analytics.disable}, it reports
 * the property before and after it opens and uses a journal.
 */
final class AnalyticsProbeProcess
{
    private AnalyticsProbeProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        System.out.println("before=" + System.getProperty("chronicle.analytics.disable"));
        final Path dir = Files.createTempDirectory("ferrite-analytics-probe");
        try (Journal journal = Journal.open(new Journal.Context().directory(dir)))
        {
            journal.append(new UnsafeBuffer(new byte[8]), 0, 8);
        }
        System.out.println("after=" + System.getProperty("chronicle.analytics.disable"));
    }
}
