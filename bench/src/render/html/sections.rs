//! report.md in the page: split at its scenario headings (`## <title>`), each
//! part turned into HTML by pulldown-cmark, with each image link to a chart
//! replaced by the chart's own SVG markup (read from `charts/`, where
//! [`crate::render::write`] has just drawn it), so that the page needs no file
//! beside it.

use std::{fs, path::Path};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::scenarios::Scenario;

/// report.md cut into the page's parts.
pub struct Parts {
    /// Before the first `##`: the run's heading and how it was measured.
    pub intro: String,
    /// From the first `##` to the first scenario: the primer's table, thread-per-core.
    pub summary: String,
    /// Each scenario's own section, without its heading line.
    pub scenarios: Vec<(&'static Scenario, String)>,
}

/// Splits `report` at the headings of `scenarios` (those the run has, in order).
pub fn split(report: &str, scenarios: &[&'static Scenario]) -> Parts {
    let mut starts: Vec<(usize, &'static Scenario, usize)> = Vec::new();
    let mut at = 0;
    for line in report.split_inclusive('\n') {
        let heading = line.trim_end();
        if let Some(s) = scenarios
            .iter()
            .find(|s| heading == format!("## {}", s.title))
        {
            starts.push((at, s, at + line.len()));
        }
        at += line.len();
    }
    let first = starts.first().map_or(report.len(), |s| s.0);
    let head = &report[..first];
    let (intro, summary) = match head.find("\n## ") {
        Some(i) => (&head[..=i], &head[i + 1..]),
        None => (head, ""),
    };
    let scenarios = starts
        .iter()
        .enumerate()
        .map(|(i, &(_, s, body))| {
            let end = starts.get(i + 1).map_or(report.len(), |n| n.0);
            (s, report[body..end].to_string())
        })
        .collect();
    Parts {
        intro: intro.to_string(),
        summary: summary.to_string(),
        scenarios,
    }
}

/// Markdown as HTML, any HTML in it escaped; an image of `charts/NAME.svg`
/// becomes that chart's SVG markup from `charts`, or is dropped when the file
/// is not there.
pub fn markdown(text: &str, charts: &Path) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    let mut events = Vec::new();
    let mut in_image = false;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = true;
                if let Some(svg) = chart(&dest_url, charts) {
                    events.push(Event::Html(CowStr::from(svg)));
                }
            }
            Event::End(TagEnd::Image) => in_image = false,
            // The image's alt text: the chart carries its own title.
            _ if in_image => {}
            // Raw HTML in the Markdown (a FAILED reason's `<module>`, a note's
            // `<script>`, machine.md's command) is text: only the charts
            // inlined above are markup.
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            e => events.push(e),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    // A Markdown table's header cells head its columns (any HTML in the
    // Markdown is text by now, and a chart has no <th>).
    out.replace("<th>", "<th scope=\"col\">")
        .replace("<th style=", "<th scope=\"col\" style=")
}

/// A chart's SVG for inlining: from its `<svg` on (no XML declaration), in a
/// block of its own, scaled to the page's width by the stylesheet.
fn chart(url: &str, charts: &Path) -> Option<String> {
    let name = url.strip_prefix("charts/")?;
    if name.contains('/') || !name.ends_with(".svg") {
        return None;
    }
    let svg = fs::read_to_string(charts.join(name)).ok()?;
    let start = svg.find("<svg")?;
    let title = name.trim_end_matches(".svg");
    Some(format!(
        "<span class=\"chart\" data-chart=\"{title}\">{}</span>",
        svg[start..].trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios;

    #[test]
    fn a_report_splits_at_its_scenario_headings() {
        let cpu = scenarios::named("cpu").unwrap();
        let io = scenarios::named("io-fast").unwrap();
        let report = format!(
            "# Run\n\nhow\n\n## The primer's table\n\n| a |\n|---|\n| 1 |\n\n## {}\n\ncpu text\n\n### 1 jobs\n\n## {}\n\nio text\n",
            cpu.title, io.title
        );
        let parts = split(&report, &[cpu, io]);
        assert_eq!(parts.intro, "# Run\n\nhow\n\n");
        assert!(parts.summary.starts_with("## The primer's table"));
        assert_eq!(parts.scenarios[0].1, "\ncpu text\n\n### 1 jobs\n\n");
        assert_eq!(parts.scenarios[1].1, "\nio text\n");
    }

    #[test]
    fn a_chart_link_becomes_its_svg_and_a_missing_one_goes() {
        let dir = std::env::temp_dir().join(format!("bench-html-charts-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("cpu.svg"),
            "<?xml version=\"1.0\"?>\n<svg width=\"2\"><rect/></svg>\n",
        )
        .unwrap();
        let out = markdown(
            "![cpu](charts/cpu.svg)\n\n![gone](charts/gone.svg)\n\n| a | b |\n|---|---|\n| **1** | 2 |\n",
            &dir,
        );
        let _ = fs::remove_dir_all(&dir);
        assert!(
            out.contains(
                "<span class=\"chart\" data-chart=\"cpu\"><svg width=\"2\"><rect/></svg></span>"
            ),
            "{out}"
        );
        assert!(!out.contains("gone") && !out.contains("<img"), "{out}");
        assert!(out.contains("<td><strong>1</strong></td>"), "{out}");
        assert!(out.contains("<th scope=\"col\">a</th>"), "{out}");
    }

    #[test]
    fn html_in_the_report_is_text() {
        let out = markdown(
            "# Run\n\n<script>alert(1)</script>\n\n| a |\n|---|\n| FAILED: in <module> |\n\nsaid <b>x</b>\n",
            Path::new("/nonexistent"),
        );
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        assert!(out.contains("FAILED: in &lt;module&gt;"), "{out}");
        assert!(out.contains("said &lt;b&gt;x&lt;/b&gt;"), "{out}");
        assert!(!out.contains("<script") && !out.contains("<b>"), "{out}");
    }
}
