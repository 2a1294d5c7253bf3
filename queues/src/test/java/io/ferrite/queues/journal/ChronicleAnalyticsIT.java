package io.ferrite.queues.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that forgets {@code -Dchronicle.analytics.disable=true}: the journal sets it itself before
 * Chronicle initialises, so Chronicle never tries to reach its analytics host.
 */
class ChronicleAnalyticsIT
{
    @TempDir
    Path dir;

    @Test
    void shouldDisableChronicleAnalyticsWithoutTheLaunchersFlag() throws Exception
    {
        final Path options = Path.of("..", "scripts", "jvm.options").toAbsolutePath().normalize();
        final List<String> flags = Files.readAllLines(options).stream()
            .filter((line) -> !line.startsWith("#") && !line.isBlank() && !line.contains("chronicle.analytics"))
            .collect(Collectors.toList());
        final Path withoutAnalyticsFlag = dir.resolve("jvm.options");
        Files.write(withoutAnalyticsFlag, flags);

        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + withoutAnalyticsFlag);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AnalyticsProbeProcess.class.getName());
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("before=null"), output);
        assertTrue(output.contains("after=true"), output);
    }
}
