//! Turns a parsed Talk London page into a [`DiscussionImport`] the store writes in one transaction.

use heard_store::{
    CommentSource, DiscussionImport, ImportedComment, NewConsultation, NewDiscussion, Role, Timestamp,
};

use super::talk_london::{PageComment, TalkLondonPage};

/// What to call the consultation and the discussion; the saved page names neither by slug, and
/// gives no title to the discussion.
#[derive(Debug, Clone, Default)]
pub struct DiscussionNaming {
    pub consultation_slug: Option<String>,
    pub discussion_title: Option<String>,
    pub discussion_slug: Option<String>,
}

/// The page as a discussion import. Comment times are estimated from the ages the page shows
/// ("6 months ago"): the page does not say when it was saved, so the oldest comment is placed on
/// the opening day and the others keep their distance from it, within the discussion's dates.
pub fn discussion_import(
    page: &TalkLondonPage,
    naming: &DiscussionNaming,
) -> Result<DiscussionImport, String> {
    let (opens, closes) = (page.consultation.opens, page.consultation.closes);
    let (d_opens, d_closes) = page.discussion.ran_from.unwrap_or((opens, closes));
    let title = page.consultation.title.clone();
    let consultation = NewConsultation {
        slug: naming.consultation_slug.clone().unwrap_or_else(|| slugify(&title)),
        summary: format!(
            "Imported from a saved Talk London discussion page. {} responses were recorded.",
            page.consultation.responses
        ),
        organisation: page.discussion.host_organisation.clone().unwrap_or_else(|| "Talk London".into()),
        respondent_noun: "Londoners".into(),
        opens_on: opens,
        closes_on: closes,
        recorded_responses: Some(i64::from(page.consultation.responses)),
        results_expected: None,
        accessible_formats: "Ask the organisation running this consultation for the format you need.".into(),
        objectives: vec![],
        timeline: vec![],
        documents: vec![],
        channels: vec![],
        title,
    };
    let discussion_title = naming.discussion_title.clone().unwrap_or_else(|| default_title(page));
    let discussion = NewDiscussion {
        slug: naming.discussion_slug.clone().unwrap_or_else(|| slugify(&discussion_title)),
        title: discussion_title,
        intro: page.discussion.intro.clone(),
        opens_on: d_opens,
        closes_on: d_closes,
        questions: page.discussion.questions.clone(),
        hosts: vec![],
        host_organisation: page.discussion.host_organisation.clone().unwrap_or_default(),
    };
    let ages: Vec<i64> = page
        .comments
        .iter()
        .map(|c| parse_age(&c.age).ok_or_else(|| format!("line {}: cannot read the age {:?}", c.line, c.age)))
        .collect::<Result<_, _>>()?;
    let oldest = ages.iter().copied().max().unwrap_or(0);
    let saved_at = d_opens.start().0 + oldest;
    let (first, last) = (d_opens.start().0, d_closes.add_days(1).start().0 - 1);
    let comments = page
        .comments
        .iter()
        .zip(&ages)
        .enumerate()
        .map(|(index, (comment, age))| {
            // Newest first on the page: among equal ages, earlier on the page is later in time.
            let at = (saved_at - age - 60 * index as i64).clamp(first, last);
            ImportedComment {
                author: comment.author.clone(),
                role: role(comment),
                body: comment.text.clone(),
                posted_at: Timestamp(at),
                source: CommentSource::Import,
                reply_to: None,
            }
        })
        .collect();
    Ok(DiscussionImport { consultation, discussion, host_names: page.discussion.hosts.clone(), comments })
}

/// Seconds in an age as Talk London shows it: "6 months ago", "an hour ago", "just now".
pub fn parse_age(age: &str) -> Option<i64> {
    let age = age.trim().to_ascii_lowercase();
    if age == "just now" {
        return Some(0);
    }
    let words: Vec<&str> = age.strip_suffix(" ago")?.split_whitespace().collect();
    let (n, unit) = match words.as_slice() {
        ["a", "few", unit] => (3, *unit),
        [n, unit] => (if matches!(*n, "a" | "an") { 1 } else { n.parse().ok()? }, *unit),
        _ => return None,
    };
    let secs = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        "month" => 30 * 86_400,
        "year" => 365 * 86_400,
        _ => return None,
    };
    Some(n * secs)
}

fn role(comment: &PageComment) -> Role {
    let role = comment.role.to_ascii_lowercase();
    if role.contains("community member") || role.contains("member") {
        Role::Resident
    } else if role.contains("moderator") {
        Role::Moderator
    } else {
        Role::Host
    }
}

/// The first prompt question, shortened at a word, or "Discussion".
fn default_title(page: &TalkLondonPage) -> String {
    let Some(question) = page.discussion.questions.first() else { return "Discussion".into() };
    if question.chars().count() <= 90 {
        return question.clone();
    }
    let cut: String = question.chars().take(90).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// "Mayor’s Police and Crime Plan consultation" -> "mayors-police-and-crime-plan-consultation".
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if matches!(ch, '\'' | '’') {
            continue;
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 70 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() { "consultation".into() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ages_as_shown() {
        assert_eq!(parse_age("6 months ago"), Some(6 * 30 * 86_400));
        assert_eq!(parse_age("a month ago"), Some(30 * 86_400));
        assert_eq!(parse_age("an hour ago"), Some(3600));
        assert_eq!(parse_age("1 year ago"), Some(365 * 86_400));
        assert_eq!(parse_age("just now"), Some(0));
        assert_eq!(parse_age("yesterday"), None);
        assert_eq!(
            slugify("Mayor’s Police and Crime Plan consultation"),
            "mayors-police-and-crime-plan-consultation"
        );
        assert_eq!(slugify("!!!"), "consultation");
    }
}
