package dev.tandem.tools.soak;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A PNG of a soak's samples, drawn with java.awt (headless): one panel each for the heap (in use, live), off-heap
 * (direct buffers, JavaCPP bytes), resident sets (tandem JVM, broker JVM) and the latest checkpoint's size, against
 * minutes since the start; each curve's second-half slope is in its legend.
 */
public final class SoakPlot {
    private static final int W = 1200;
    private static final int PANEL_H = 260;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private SoakPlot() {
    }

    private record Panel(String title, List<String> columns, List<String> labels) {
    }

    private static final List<Panel> PANELS = List.of(
            new Panel("heap of the tandem JVM", List.of("heap_used_bytes", "heap_live_bytes"), List.of("in use", "live (after a full GC)")),
            new Panel("off-heap of the tandem JVM", List.of("direct_bytes", "javacpp_bytes", "javacpp_physical_bytes"),
                    List.of("direct buffers", "JavaCPP totalBytes (ND4J)", "JavaCPP physicalBytes")),
            new Panel("resident set (VmRSS)", List.of("tandem_rss_bytes", "broker_rss_bytes"), List.of("tandem JVM", "broker JVM")),
            new Panel("heap of the broker JVM", List.of("broker_heap_live_bytes"), List.of("live (after a full GC)")),
            new Panel("latest completed checkpoint (Flink REST state_size)", List.of("checkpoint_bytes"), List.of("checkpoint")));

    public static void write(List<long[]> rows, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int h = 50 + PANELS.size() * PANEL_H;
        BufferedImage img = new BufferedImage(W, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 30);
        List<long[]> half = SoakCheck.secondHalf(rows);
        for (int p = 0; p < PANELS.size(); p++) {
            panel(g, PANELS.get(p), rows, half, 50 + p * PANEL_H);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void panel(Graphics2D g, Panel panel, List<long[]> rows, List<long[]> half, int top) {
        int left = 90, right = W - 20, plotTop = top + 25, bottom = top + PANEL_H - 45;
        double tMax = rows.isEmpty() ? 1 : Math.max(1, rows.get(rows.size() - 1)[0] / 60.0);
        double yMax = 0;
        for (String c : panel.columns()) {
            yMax = Math.max(yMax, SoakCheck.range(rows, c)[2]);
        }
        if (!(yMax > 0)) {
            yMax = 1;
        }
        yMax = niceCeil(yMax / 1e6) * 1e6;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(panel.title(), left, top + 15);
        g.setColor(new Color(0xdddddd));
        for (int k = 0; k <= 4; k++) {
            int y = bottom - (bottom - plotTop) * k / 4;
            g.drawLine(left, y, right, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, plotTop, right - left, bottom - plotTop);
        for (int k = 0; k <= 4; k++) {
            int y = bottom - (bottom - plotTop) * k / 4;
            g.drawString(String.format(Locale.ROOT, yMax < 20e6 ? "%.1f MB" : "%.0f MB", yMax / 1e6 * k / 4), 10, y + 4);
        }
        for (int k = 0; k <= 6; k++) {
            int x = left + (right - left) * k / 6;
            g.drawString(String.format(Locale.ROOT, "%.1f", tMax * k / 6), x - 8, bottom + 15);
        }
        g.drawString("minutes", right - 50, bottom + 30);
        int legendX = left + 10;
        for (int i = 0; i < panel.columns().size(); i++) {
            String col = panel.columns().get(i);
            int c = SoakCheck.column(col);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(1.6f));
            int px = -1, py = -1;
            for (long[] r : rows) {
                if (r[c] < 0) {
                    px = -1;
                    continue;
                }
                int x = left + (int) Math.round((right - left) * (r[0] / 60.0) / tMax);
                int y = bottom - (int) Math.round((bottom - plotTop) * (r[c] / yMax));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            double slope = SoakCheck.slopePerMinute(half, col);
            String label = panel.labels().get(i) + (Double.isNaN(slope) ? " (not measured)"
                    : String.format(Locale.ROOT, " (2nd half: %+.2f MB/min)", slope / 1e6));
            g.fillRect(legendX, plotTop + 8, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(label, legendX + 18, plotTop + 14);
            legendX += g.getFontMetrics().stringWidth(label) + 40;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
