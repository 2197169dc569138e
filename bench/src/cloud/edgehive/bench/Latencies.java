package cloud.edgehive.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Latency samples in milliseconds, with the percentiles the goals are stated in. */
final class Latencies {

    final String label;
    private final List<Double> millis = new ArrayList<>();
    private double wallSeconds;
    private int errors;

    Latencies(String label) {
        this.label = label;
    }

    synchronized void add(double ms) {
        millis.add(ms);
    }

    synchronized void addAll(Latencies other) {
        millis.addAll(other.millis);
        wallSeconds += other.wallSeconds;
        errors += other.errors;
    }

    synchronized void wall(double seconds) {
        wallSeconds += seconds;
    }

    synchronized void error() {
        errors++;
    }

    synchronized int count() {
        return millis.size();
    }

    synchronized int errors() {
        return errors;
    }

    synchronized double[] sorted() {
        double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(values);
        return values;
    }

    double percentile(double p) {
        double[] values = sorted();
        if (values.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * values.length) - 1;
        return values[Math.max(0, Math.min(values.length - 1, index))];
    }

    double mean() {
        return Arrays.stream(sorted()).average().orElse(Double.NaN);
    }

    /** Completed operations per second of wall time. */
    synchronized double rate() {
        return wallSeconds == 0 ? Double.NaN : millis.size() / wallSeconds;
    }

    Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("label", label);
        s.put("count", count());
        s.put("errors", errors());
        s.put("p50_ms", round(percentile(50)));
        s.put("p90_ms", round(percentile(90)));
        s.put("p99_ms", round(percentile(99)));
        s.put("max_ms", round(percentile(100)));
        s.put("mean_ms", round(mean()));
        if (wallSeconds > 0) {
            s.put("rate_per_s", round(rate()));
        }
        return s;
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 100.0) / 100.0;
    }
}
