package io.ferrite.perf.harness;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine a run measured: CPU model, cores, OS, JDK, garbage collectors, heap and JVM flags, for
 * {@code summary.json} (absolute figures mean nothing without it).
 */
public final class MachineInfo
{
    private MachineInfo()
    {
    }

    /**
     * Write the machine's members: {@code cores}, {@code cpu_model}, {@code os}, {@code jdk}, {@code jvm},
     * {@code gc}, {@code heap_max_bytes} and {@code jvm_flags}.
     *
     * @param json the object to write them into.
     * @return the writer.
     */
    public static JsonWriter write(final JsonWriter json)
    {
        json.field("cores", (long)Runtime.getRuntime().availableProcessors());
        json.field("cpu_model", cpuModel());
        json.field("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
            System.getProperty("os.arch"));
        json.field("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        json.field("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        json.field("gc", gcNames());
        json.field("heap_max_bytes", Runtime.getRuntime().maxMemory());
        json.field("jvm_flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        return json;
    }

    /**
     * The CPU's model name, from {@code /proc/cpuinfo}.
     *
     * @return the model, or the architecture where there is no {@code /proc/cpuinfo}.
     */
    public static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux: the model is unknown.
        }
        return System.getProperty("os.arch");
    }

    /**
     * The garbage collectors of this JVM.
     *
     * @return their names, comma-separated.
     */
    public static String gcNames()
    {
        final List<String> names = new ArrayList<>();
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            names.add(bean.getName());
        }
        return String.join(", ", names);
    }
}
