package cloud.edgehive.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The run's results: JSON (everything), a Markdown table (goals) and an SVG of the latency distributions. */
final class Report {

    record Row(String benchmark, String metric, String goal, String baseline, String measured, String ratio, String verdict) {
    }

    final Map<String, Object> json = new LinkedHashMap<>();
    final List<Row> rows = new ArrayList<>();
    /** Chart panels: a title and the series to draw in it. */
    final Map<String, List<Latencies>> panels = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    private final boolean checkGoals;

    Report(boolean checkGoals) {
        this.checkGoals = checkGoals;
    }

    /** A ratio goal: measured / baseline must be at most (or at least) the limit. */
    void ratio(String benchmark, String metric, double baseline, double measured, String unit, double limit, boolean atMost) {
        double ratio = measured / baseline;
        boolean pass = atMost ? ratio <= limit : ratio >= limit;
        rows.add(new Row(benchmark, metric, (atMost ? "≤ " : "≥ ") + fmt(limit) + " ×", fmt(baseline) + " " + unit,
                fmt(measured) + " " + unit, fmt(ratio) + " ×", verdict(pass)));
    }

    /** An absolute goal. */
    void absolute(String benchmark, String metric, double measured, String unit, double limit, boolean atMost) {
        boolean pass = atMost ? measured <= limit : measured >= limit;
        rows.add(new Row(benchmark, metric, ((atMost ? "≤ " : "≥ ") + fmt(limit) + " " + unit).trim(), "—",
                (fmt(measured) + " " + unit).trim(), limit == 0 ? "—" : fmt(measured / limit) + " of goal", verdict(pass)));
    }

    void info(String benchmark, String metric, String baseline, String measured) {
        rows.add(new Row(benchmark, metric, "—", baseline, measured, "—", "info"));
    }

    private String verdict(boolean pass) {
        if (!checkGoals) {
            return "smoke";
        }
        return pass ? "PASS" : "MISS";
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| benchmark | metric | goal | baseline | measured | ratio | |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(String.join(" | ", r.benchmark(), r.metric(), r.goal(), r.baseline(), r.measured(),
                    r.ratio(), r.verdict())).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    /** One panel per benchmark: each series' empirical distribution (percentile on y, latency on x). */
    String svg() {
        int width = 900;
        int panelHeight = 230;
        int left = 70;
        int right = 200;
        int top = 40;
        String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
        StringBuilder svg = new StringBuilder();
        int height = panels.size() * panelHeight + 20;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int y0 = 0;
        for (Map.Entry<String, List<Latencies>> panel : panels.entrySet()) {
            double max = 0;
            for (Latencies l : panel.getValue()) {
                max = Math.max(max, l.percentile(99.5));
            }
            max = niceCeiling(max);
            int plotW = width - left - right;
            int plotH = panelHeight - top - 40;
            int py = y0 + top;
            svg.append("<text x=\"").append(left).append("\" y=\"").append(y0 + 22).append("\" font-weight=\"bold\">")
                    .append(escape(panel.getKey())).append("</text>\n");
            svg.append("<rect x=\"").append(left).append("\" y=\"").append(py).append("\" width=\"").append(plotW)
                    .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#999\"/>\n");
            for (int t = 0; t <= 4; t++) {
                double v = max * t / 4;
                int x = left + plotW * t / 4;
                svg.append("<text x=\"").append(x).append("\" y=\"").append(py + plotH + 15).append("\" text-anchor=\"middle\">")
                        .append(fmt(v)).append(t == 4 ? " ms" : "").append("</text>\n");
            }
            for (int p : new int[] {0, 50, 90, 99}) {
                int y = py + plotH - plotH * p / 100;
                svg.append("<text x=\"").append(left - 5).append("\" y=\"").append(y + 4).append("\" text-anchor=\"end\">p")
                        .append(p).append("</text>\n");
                svg.append("<line x1=\"").append(left).append("\" x2=\"").append(left + plotW).append("\" y1=\"").append(y)
                        .append("\" y2=\"").append(y).append("\" stroke=\"#eee\"/>\n");
            }
            int i = 0;
            for (Latencies l : panel.getValue()) {
                double[] values = l.sorted();
                String colour = colours[i % colours.length];
                StringBuilder points = new StringBuilder();
                int step = Math.max(1, values.length / 400);
                for (int k = 0; k < values.length; k += step) {
                    double x = left + plotW * Math.min(1.0, values[k] / max);
                    double y = py + plotH - plotH * (k + 1.0) / values.length;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                if (values.length > 0) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f", left + plotW * Math.min(1.0, values[values.length - 1] / max),
                            (double) py));
                }
                svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"")
                        .append(points).append("\"/>\n");
                int ly = py + 14 + i * 32;
                svg.append("<rect x=\"").append(left + plotW + 10).append("\" y=\"").append(ly - 9).append("\" width=\"12\" height=\"12\" fill=\"")
                        .append(colour).append("\"/>\n");
                svg.append("<text x=\"").append(left + plotW + 27).append("\" y=\"").append(ly).append("\">").append(escape(l.label))
                        .append("</text>\n");
                svg.append("<text x=\"").append(left + plotW + 27).append("\" y=\"").append(ly + 14).append("\" fill=\"#555\">p50 ")
                        .append(fmt(l.percentile(50))).append(" · p99 ").append(fmt(l.percentile(99))).append(" ms</text>\n");
                i++;
            }
            y0 += panelHeight;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    void write(Path dir, String stamp) {
        try {
            Files.createDirectories(dir);
            json.put("table", rows);
            json.put("notes", notes);
            Map<String, Object> distributions = new LinkedHashMap<>();
            panels.forEach((title, series) -> distributions.put(title, series.stream().map(Latencies::summary).toList()));
            json.put("distributions", distributions);
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Files.writeString(dir.resolve(stamp + ".json"), mapper.writeValueAsString(json));
            Files.writeString(dir.resolve(stamp + ".md"), markdown());
            Files.writeString(dir.resolve(stamp + ".svg"), svg());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
