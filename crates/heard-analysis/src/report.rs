//! report.html: one self-contained page an analyst can open, print or send: the figures, a
//! chart of themes with their stance, quotes, campaigns and a note on method. Charts are inline
//! SVG with a table beside them as their text equivalent.

use std::fmt::Write;

use crate::pipeline::{Analysis, ThemeKind};

pub fn html(a: &Analysis) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = match &a.question {
        Some(q) => format!("What respondents said: {}", q),
        None => "What respondents said".to_string(),
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let mode_line = match &a.model.model {
        Some(model) => format!("{} mode, {}", a.model.mode, model),
        None => format!("{} mode (word statistics, no language model)", a.model.mode),
    };
    let campaign_responses: usize = a.campaigns.iter().map(|c| c.size).sum();
    let _ = write!(
        out,
        "<p class=\"lead\">{} responses read. {} themes{}. {} campaign{} covering {} responses.</p>\n<p class=\"meta\">Analysed by heard in {}.</p>\n",
        thousands(a.responses),
        a.themes.iter().filter(|t| matches!(t.kind, ThemeKind::Discovered | ThemeKind::Framework)).count(),
        if a.framework { " from the framework given" } else { " found in the responses" },
        a.campaigns.len(),
        if a.campaigns.len() == 1 { "" } else { "s" },
        thousands(campaign_responses),
        escape(&mode_line)
    );

    out.push_str("<h2>Themes</h2>\n");
    out.push_str(&chart(a));
    out.push_str("<table>\n<caption>Responses raising each theme, and their stance</caption>\n<thead><tr><th scope=\"col\">Theme</th><th scope=\"col\">Responses</th><th scope=\"col\">Share</th><th scope=\"col\">Agree</th><th scope=\"col\">Disagree</th><th scope=\"col\">Unclear</th></tr></thead>\n<tbody>\n");
    for t in &a.themes {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{} {}</th><td>{}</td><td>{:.0}%</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&t.topic_id),
            escape(&t.topic_label),
            thousands(t.count),
            t.share * 100.0,
            t.positions.agree,
            t.positions.disagree,
            t.positions.unclear
        );
    }
    out.push_str("</tbody>\n</table>\n");

    for t in &a.themes {
        let _ = write!(
            out,
            "<section>\n<h3>{} {}</h3>\n<p>{}</p>\n<p class=\"meta\">{} responses ({:.0}%)",
            escape(&t.topic_id),
            escape(&t.topic_label),
            escape(&t.topic_description),
            thousands(t.count),
            t.share * 100.0
        );
        if t.campaign_responses > 0 {
            let _ = write!(out, ", of which {} from campaigns", thousands(t.campaign_responses));
        }
        out.push_str("</p>\n");
        if !t.keywords.is_empty() {
            let _ = writeln!(out, "<p class=\"meta\">Key phrases: {}</p>", escape(&t.keywords.join(", ")));
        }
        for q in &t.quotes {
            let _ = writeln!(
                out,
                "<blockquote><p>{}</p><footer>Response {}</footer></blockquote>",
                escape(&q.text),
                escape(&q.response_id.to_string())
            );
        }
        out.push_str("</section>\n");
    }

    out.push_str("<h2>Campaigns</h2>\n");
    if a.campaigns.is_empty() {
        out.push_str("<p>No groups of identical or template responses were found.</p>\n");
    }
    for c in &a.campaigns {
        let _ = write!(
            out,
            "<section>\n<h3>{}: {} responses</h3>\n<blockquote><p>{}</p><footer>The template, shown once</footer></blockquote>\n<p class=\"meta\">Themes: {}</p>\n</section>\n",
            escape(&c.campaign_id),
            thousands(c.size),
            escape(&c.template),
            escape(&c.labels.join(", "))
        );
    }

    out.push_str("<h2>Method</h2>\n<ul>\n");
    let _ = writeln!(out, "<li>Every response was read and counted, from every channel in the input.</li>");
    let _ = writeln!(
        out,
        "<li>Each response was cut into sentences and clauses, so one response can raise several themes.</li>"
    );
    if a.framework {
        let _ = writeln!(
            out,
            "<li>Themes came from the analyst's framework; each point was matched to the closest themes, with thresholds calibrated on these responses.</li>"
        );
    } else {
        let _ = writeln!(
            out,
            "<li>Themes were found by grouping similar points (average-linkage clustering, the number of themes chosen by silhouette) and named by their most distinctive phrases.</li>"
        );
    }
    let _ = writeln!(
        out,
        "<li>Campaign responses (identical or template texts) count in full but were read once when finding themes.</li>"
    );
    let _ = writeln!(
        out,
        "<li>Stance is read from what the response says about the question's proposal, smoothed by similar responses.</li>"
    );
    let _ = writeln!(
        out,
        "<li>Personal data in quotes and templates is replaced by a note of what was removed.</li>"
    );
    let _ = writeln!(out, "<li>Mode: {}. No response text left this machine.</li>", escape(&mode_line));
    out.push_str("</ul>\n");
    for note in &a.notes {
        let _ = writeln!(out, "<p class=\"meta\">Note: {}</p>", escape(note));
    }
    if !a.diagnostics.is_empty() {
        let _ = writeln!(out, "<h2>Input notes</h2>\n<ul>");
        for d in a.diagnostics.iter().take(200) {
            let _ = writeln!(out, "<li>{}</li>", escape(&d.to_string()));
        }
        if a.diagnostics.len() > 200 {
            let _ = writeln!(out, "<li>… and {} more (see run.json)</li>", a.diagnostics.len() - 200);
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Horizontal bars, one per theme, split by stance. Decorative for screen readers: the table
/// that follows carries the same figures.
fn chart(a: &Analysis) -> String {
    let max = a.themes.iter().map(|t| t.count).max().unwrap_or(0).max(1) as f32;
    let row = 28.0;
    let label_width = 300.0;
    let bar_width = 400.0;
    let height = row * a.themes.len() as f32 + 30.0;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-label=\"Bar chart of responses per theme; the table below gives the figures\">\n",
        w = label_width + bar_width + 60.0
    );
    for (i, t) in a.themes.iter().enumerate() {
        let y = i as f32 * row + 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            y + 15.0,
            escape(&crate::text::shorten(&format!("{} {}", t.topic_id, t.topic_label), 6))
        );
        let mut x = label_width;
        for (count, class) in [
            (t.positions.agree, "agree"),
            (t.positions.disagree, "disagree"),
            (t.positions.unclear, "unclear"),
        ] {
            let w = bar_width * count as f32 / max;
            if w > 0.0 {
                let _ = writeln!(
                    svg,
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"20\"/>"
                );
            }
            x += w;
        }
        let _ = writeln!(svg, "<text x=\"{:.1}\" y=\"{}\">{}</text>", x + 6.0, y + 15.0, t.count);
    }
    let legend_y = row * a.themes.len() as f32 + 16.0;
    for (i, (class, name)) in
        [("agree", "Agree"), ("disagree", "Disagree"), ("unclear", "Unclear")].iter().enumerate()
    {
        let x = label_width + i as f32 * 110.0;
        let _ = writeln!(
            svg,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\"/><text x=\"{}\" y=\"{}\">{name}</text>",
            legend_y - 2.0,
            x + 20.0,
            legend_y + 10.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;color:#1b1b1b;margin:0;background:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}h1{font-size:1.8rem}.lead{font-size:1.2rem}.meta{color:#505050}table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left}td{text-align:right}caption{text-align:left;font-weight:600}blockquote{border-left:4px solid #2b5f8a;margin:.5rem 0;padding:.2rem 1rem;background:#f4f7fa}blockquote footer{color:#505050;font-size:.9rem}section{margin-bottom:1.5rem}.chart text{font-size:13px;fill:#1b1b1b}.agree{fill:#2b5f8a}.disagree{fill:#b34a2a}.unclear{fill:#9a9a9a}@media print{main{max-width:none}section{break-inside:avoid}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_groups_thousands() {
        assert_eq!(escape("<script>\"x\" & 'y'"), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;");
        assert_eq!(thousands(1622), "1,622");
        assert_eq!(thousands(1000000), "1,000,000");
        assert_eq!(thousands(12), "12");
    }
}
