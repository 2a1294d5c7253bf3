package io.ferrite.perf.nexmark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The queries {@code scripts/ferrite nexmark} knows, by name, in the order {@code bench} runs them. Adding a query is
 * one line in {@link #REGISTRY}.
 */
public final class NexmarkQueries
{
    private static final Map<String, Supplier<NexmarkQuery>> REGISTRY = registry();

    private NexmarkQueries()
    {
    }

    private static Map<String, Supplier<NexmarkQuery>> registry()
    {
        final Map<String, Supplier<NexmarkQuery>> queries = new LinkedHashMap<>();
        queries.put("q0", Q0::new);
        queries.put("q1", Q1::new);
        queries.put("q2", Q2::new);
        queries.put("q3", Q3::new);
        queries.put("q5", Q5::new);
        queries.put("q7", Q7::new);
        queries.put("q8", Q8::new);
        queries.put("q11", Q11::new);
        return Collections.unmodifiableMap(queries);
    }

    /**
     * The names of every query, in order.
     *
     * @return the names.
     */
    public static Iterable<String> names()
    {
        return REGISTRY.keySet();
    }

    /**
     * A new instance of a query.
     *
     * @param name its name, as {@code --query} takes it.
     * @return the query.
     * @throws IllegalArgumentException if there is no such query; the message lists the known ones.
     */
    public static NexmarkQuery create(final String name)
    {
        final Supplier<NexmarkQuery> query = REGISTRY.get(name);
        if (null == query)
        {
            throw new IllegalArgumentException("unknown query '" + name + "': expected one of " +
                String.join(", ", REGISTRY.keySet()));
        }
        return query.get();
    }
}
