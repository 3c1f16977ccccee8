//! Links staff type (a document's, the survey's or events' way to respond, an online event's joining
//! link): only `https://`, `http://` and the site's own pages (a path with a single `/`) are stored,
//! so no page carries a `javascript:` or `data:` link, or one to another site written as a path
//! (`//evil.example`, `/\evil.example`). The store refuses the rest whatever wrote it (a form, an
//! import, the demo); the forms check first with [`link_problem`] to say so beside the field.

/// What is wrong with `link`, said for the person who typed it; `None` when heard may show it.
pub fn link_problem(link: &str) -> Option<String> {
    let lower = link.to_ascii_lowercase();
    let web = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '['));
    let site_path = link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\");
    let clean = !link.chars().any(|c| c.is_control() || c.is_whitespace());
    if (web || site_path) && clean {
        return None;
    }
    Some(format!(
        "“{link}” is not a link that can be shown: start it with https:// or http://, or with a single / for a page of this site."
    ))
}

#[cfg(test)]
mod tests {
    use super::link_problem;

    #[test]
    fn web_links_and_site_pages_only() {
        for good in [
            "https://example.org/plan.pdf",
            "http://example.org",
            "HTTPS://Example.org",
            "/consultations/parks",
            "/",
        ] {
            assert_eq!(link_problem(good), None, "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            " javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "//evil.example",
            "/\\evil.example",
            "https:///evil.example",
            "https://",
            "vbscript:msgbox",
            "example.org/plan.pdf",
            "https://example.org/a b",
            "/page\njavascript:x",
            "",
        ] {
            assert!(link_problem(bad).is_some(), "{bad:?}");
        }
    }
}
