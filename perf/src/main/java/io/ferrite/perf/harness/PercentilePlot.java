package io.ferrite.perf.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Draws latency histograms as HdrHistogram's plotter does: percentile on a log axis ({@code 1 / (1 - percentile)}:
 * 90%, 99%, 99.9%, ... equally spaced), latency on a linear one, one line per histogram. Headless: a
 * {@link BufferedImage} written with {@link ImageIO}.
 */
public final class PercentilePlot
{
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x7f7f7f)};

    private final String title;
    private final Map<String, Histogram> series = new LinkedHashMap<>();

    /**
     * An empty plot.
     *
     * @param title the title above the plot.
     */
    public PercentilePlot(final String title)
    {
        this.title = title;
    }

    /**
     * Add a line.
     *
     * @param label     the legend's label.
     * @param histogram values in nanoseconds, plotted in microseconds.
     * @return this.
     */
    public PercentilePlot add(final String label, final Histogram histogram)
    {
        series.put(label, histogram);
        return this;
    }

    /**
     * Draw the plot into a PNG file.
     *
     * @param file the file.
     * @throws IOException if it cannot be written.
     */
    public void write(final Path file) throws IOException
    {
        final BufferedImage image = render();
        if (!ImageIO.write(image, "png", file.toFile()))
        {
            throw new IOException("no PNG writer in this JDK for " + file);
        }
    }

    /**
     * Draw the plot.
     *
     * @return the image.
     */
    public BufferedImage render()
    {
        long count = 0;
        double maxUs = 1;
        for (final Histogram histogram : series.values())
        {
            count = Math.max(count, histogram.getTotalCount());
            maxUs = Math.max(maxUs, histogram.getMaxValue() / 1000.0);
        }
        // Up to the percentile the largest histogram resolves: 1 in count, at least 99.9%.
        final int decades = Math.max(3, (int)Math.ceil(Math.log10(Math.max(2, count))));
        final double yMax = niceCeiling(maxUs);

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            final int plotWidth = WIDTH - LEFT - RIGHT;
            final int plotHeight = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            final FontMetrics metrics = g.getFontMetrics();

            for (int d = 0; d <= decades; d++)
            {
                final int x = LEFT + (int)Math.round((double)d / decades * plotWidth);
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.BLACK);
                final String label = percentileLabel(d);
                g.drawString(label, x - metrics.stringWidth(label) / 2, TOP + plotHeight + 18);
            }
            for (int i = 0; i <= 5; i++)
            {
                final double value = yMax * i / 5;
                final int y = TOP + plotHeight - (int)Math.round(value / yMax * plotHeight);
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
                g.setColor(Color.BLACK);
                final String label = String.format(Locale.ROOT, "%,.0f", value);
                g.drawString(label, LEFT - 8 - metrics.stringWidth(label), y + metrics.getAscent() / 2 - 1);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            final String xTitle = "percentile (log scale: 1 / (1 - percentile))";
            g.drawString(xTitle, LEFT + (plotWidth - metrics.stringWidth(xTitle)) / 2, HEIGHT - 20);
            final Graphics2D rotated = (Graphics2D)g.create();
            rotated.rotate(-Math.PI / 2);
            final String yTitle = "latency (\u00b5s)";
            rotated.drawString(yTitle, -(TOP + (plotHeight + metrics.stringWidth(yTitle)) / 2), 22);
            rotated.dispose();
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, TOP - 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

            int index = 0;
            for (final Map.Entry<String, Histogram> entry : series.entrySet())
            {
                final Color color = COLORS[index % COLORS.length];
                drawLine(g, entry.getValue(), color, decades, yMax, plotWidth, plotHeight);
                final int legendY = TOP + 18 + index * 18;
                g.setColor(color);
                g.fillRect(LEFT + 12, legendY - 9, 14, 4);
                g.setColor(Color.BLACK);
                g.drawString(entry.getKey(), LEFT + 32, legendY - 3);
                index++;
            }
        }
        finally
        {
            g.dispose();
        }
        return image;
    }

    private static void drawLine(
        final Graphics2D g,
        final Histogram histogram,
        final Color color,
        final int decades,
        final double yMax,
        final int plotWidth,
        final int plotHeight)
    {
        if (histogram.getTotalCount() == 0)
        {
            return;
        }
        final Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            final double percentile = value.getPercentileLevelIteratedTo();
            final double decade = percentile >= 100.0 ? decades :
                Math.min(decades, Math.log10(1.0 / (1.0 - percentile / 100.0)));
            final double x = LEFT + decade / decades * plotWidth;
            final double y = TOP + plotHeight - value.getValueIteratedTo() / 1000.0 / yMax * plotHeight;
            if (started)
            {
                path.lineTo(x, y);
            }
            else
            {
                path.moveTo(x, y);
                started = true;
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
    }

    /**
     * The label of a decade of the percentile axis: 0%, 90%, 99%, 99.9%, ...
     */
    static String percentileLabel(final int decade)
    {
        switch (decade)
        {
            case 0:
                return "0%";
            case 1:
                return "90%";
            case 2:
                return "99%";
            default:
                return "99." + "9".repeat(decade - 2) + "%";
        }
    }

    /**
     * A round number at or above a value: 1, 2 or 5 times a power of ten.
     */
    static double niceCeiling(final double value)
    {
        final double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[]{1, 2, 5, 10})
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }
        return 10 * power;
    }
}
