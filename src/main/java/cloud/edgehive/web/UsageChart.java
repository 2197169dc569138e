package cloud.edgehive.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import cloud.edgehive.api.UsageReport;

/**
 * Usage this billing period as a server-rendered SVG bar chart: node-hours per node on a scale of the
 * whole period (a full bar is a node up all month), a marker at today, and the total against the
 * plan's allowance (its node limit times the period's hours). No script and no chart library; the
 * same figures are also given as a table for screen readers and for copying.
 */
public class UsageChart {

    private static final int WIDTH = 640;
    private static final int LABEL = 150;
    private static final int VALUE = 110;
    private static final int ROW = 30;
    private static final int BAR = 18;

    public Map<String, Object> model(UsageReport report) {
        double periodHours = hours(report.periodStart(), report.periodEnd());
        double elapsed = Math.min(periodHours, hours(report.periodStart(), report.asOf()));
        Double allowance = report.nodeLimit() == null ? null : report.nodeLimit() * periodHours;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UsageReport.NodeUsage node : report.nodes()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", node.name());
            row.put("id", node.id());
            row.put("state", node.state());
            row.put("hours", format(node.nodeHours()));
            rows.add(row);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("rows", rows);
        model.put("total", format(report.totalNodeHours()));
        model.put("plan", report.plan());
        model.put("nodesInUse", report.nodesInUse());
        model.put("nodeLimit", report.nodeLimit() == null ? "no limit" : report.nodeLimit().toString());
        model.put("allowance", allowance == null ? "no limit" : format(allowance));
        model.put("periodStart", report.periodStart().substring(0, 10));
        model.put("periodEnd", Instant.parse(report.periodEnd()).minusSeconds(1).toString().substring(0, 10));
        model.put("svg", svg(report, periodHours, elapsed, allowance));
        return model;
    }

    private static String svg(UsageReport report, double periodHours, double elapsed, Double allowance) {
        int rows = report.nodes().size() + 1;
        int height = ROW * rows + 30;
        int scale = WIDTH - LABEL - VALUE;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-labelledby=\"usage-title usage-desc\" preserveAspectRatio=\"xMinYMin meet\">");
        svg.append("<title id=\"usage-title\">Node-hours this period, per node and in total</title>");
        svg.append("<desc id=\"usage-desc\">").append(escape(format(report.totalNodeHours()))).append(" node-hours used of ")
                .append(allowance == null ? "an unlimited allowance" : escape(format(allowance)) + " the plan allows this period")
                .append(". The table below lists each node.</desc>");
        int y = 10;
        for (UsageReport.NodeUsage node : report.nodes()) {
            bar(svg, y, node.name(), node.nodeHours(), periodHours, scale, "bar");
            y += ROW;
        }
        bar(svg, y, "All nodes", report.totalNodeHours(), allowance == null ? Math.max(report.totalNodeHours(), 1) : allowance, scale,
                "bar total");
        // Today: how far a node up since the period began would reach.
        double x = LABEL + scale * Math.min(1, elapsed / periodHours);
        svg.append("<line class=\"today\" x1=\"").append(fmt(x)).append("\" y1=\"4\" x2=\"").append(fmt(x)).append("\" y2=\"")
                .append(y - 4).append("\"/>");
        svg.append("<text class=\"axis\" x=\"").append(fmt(Math.min(x, WIDTH - VALUE - 40))).append("\" y=\"").append(height - 6)
                .append("\">today</text>");
        svg.append("<text class=\"axis\" x=\"").append(LABEL).append("\" y=\"").append(height - 6).append("\">0</text>");
        svg.append("</svg>");
        return svg.toString();
    }

    private static void bar(StringBuilder svg, int y, String label, double value, double max, int scale, String cssClass) {
        double width = max <= 0 ? 0 : scale * Math.min(1, value / max);
        svg.append("<text class=\"label\" x=\"0\" y=\"").append(y + BAR - 4).append("\">").append(escape(label)).append("</text>");
        svg.append("<rect class=\"track\" x=\"").append(LABEL).append("\" y=\"").append(y).append("\" width=\"").append(scale)
                .append("\" height=\"").append(BAR).append("\"/>");
        svg.append("<rect class=\"").append(cssClass).append("\" x=\"").append(LABEL).append("\" y=\"").append(y)
                .append("\" width=\"").append(fmt(width)).append("\" height=\"").append(BAR).append("\"/>");
        svg.append("<text class=\"value\" x=\"").append(LABEL + scale + 8).append("\" y=\"").append(y + BAR - 4).append("\">")
                .append(escape(format(value))).append(" h</text>");
    }

    private static double hours(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toSeconds() / 3600.0;
    }

    private static String format(double hours) {
        return String.format(Locale.ROOT, "%.2f", hours);
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.1f", x);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
