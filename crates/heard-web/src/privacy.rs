//! The privacy notice: heard's default, which names the organisation running the site, or the
//! operator's own text, read as plain text (never as HTML, so it is escaped like everything else).

/// A part of an operator's own notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeBlock {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
}

/// Reads an operator's notice: blocks are separated by blank lines; a line starting "# " or "## "
/// is a heading, a block whose lines start "- " is a list, anything else a paragraph (its lines
/// joined). The first heading, if it comes first, is the page's title and is left out.
pub fn parse_notice(text: &str) -> Vec<NoticeBlock> {
    let mut blocks = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let flush = |lines: &mut Vec<&str>, blocks: &mut Vec<NoticeBlock>| {
        if lines.is_empty() {
            return;
        }
        if lines.iter().all(|l| l.starts_with("- ")) {
            blocks.push(NoticeBlock::List(lines.iter().map(|l| l[2..].trim().to_owned()).collect()));
        } else {
            blocks.push(NoticeBlock::Paragraph(lines.join(" ")));
        }
        lines.clear();
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut lines, &mut blocks);
        } else if let Some(heading) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            flush(&mut lines, &mut blocks);
            blocks.push(NoticeBlock::Heading(heading.trim().to_owned()));
        } else {
            lines.push(line);
        }
    }
    flush(&mut lines, &mut blocks);
    if matches!(blocks.first(), Some(NoticeBlock::Heading(_))) {
        blocks.remove(0);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_as_headings_paragraphs_and_lists() {
        let text = "# Our privacy notice\n\nWe are the\nCity Council.\n\n## Your rights\n- to see your data\n- to \
                    have it deleted\n\nWrite to <dpo@example.org>.";
        assert_eq!(
            parse_notice(text),
            [
                NoticeBlock::Paragraph("We are the City Council.".into()),
                NoticeBlock::Heading("Your rights".into()),
                NoticeBlock::List(vec!["to see your data".into(), "to have it deleted".into()]),
                NoticeBlock::Paragraph("Write to <dpo@example.org>.".into()),
            ]
        );
    }
}
