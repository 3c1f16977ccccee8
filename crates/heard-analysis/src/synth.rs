//! Synthetic consultation responses: plausible, varied, reproducible from a seed, and always marked
//! synthetic by whoever stores them. Used by the demo (when the real pages are absent), tests and
//! benchmarks.

/// One generated comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticComment {
    pub author: String,
    pub text: String,
    /// The index of an earlier comment this one replies to.
    pub reply_to: Option<usize>,
}

/// A topic to write about: opening statements, supporting points and closing asks.
pub struct Topic {
    pub openings: &'static [&'static str],
    pub points: &'static [&'static str],
    pub asks: &'static [&'static str],
}

/// Feeling safe in public spaces: what helps, what does not, what the police could do.
pub const PUBLIC_SAFETY: Topic = Topic {
    openings: &[
        "I feel safe on my high street in the daytime, but not after dark.",
        "Phone snatching is the thing I worry about most when I walk home.",
        "Our neighbourhood feels safer than it did five years ago.",
        "I rarely see police officers on foot in my area any more.",
        "Shoplifting has become so common that nobody reacts to it.",
        "As a woman travelling alone at night, I plan every route carefully.",
        "Good street lighting makes more difference than people think.",
        "The bus station near me is where most of the trouble happens.",
    ],
    points: &[
        "When I reported a theft online, nobody followed it up.",
        "Visible patrols at school closing times really help the local shops.",
        "Youth clubs closing has left teenagers with nowhere to go in the evenings.",
        "The CCTV cameras on our estate have not worked for months.",
        "People stop reporting crime when they believe nothing will happen.",
        "Neighbourhood officers who stay in one area long enough to know people make a difference.",
        "E-scooters and bikes on the pavement make older residents afraid to walk.",
        "Parks without lighting become no-go areas after four o'clock in winter.",
        "Community groups and local businesses could do more if the council supported them.",
        "I would like to know what happens to a report after I make it.",
    ],
    asks: &[
        "Please put more officers on the streets where people can see them.",
        "Fund the youth services that keep young people out of trouble.",
        "Fix the lighting and the cameras before spending on anything new.",
        "Tell residents what has changed because of this consultation.",
        "Make it easier to report low-level crime and get an answer.",
        "Focus on the crimes that make daily life worse, not only the headline ones.",
    ],
};

/// Preventing violence: causes, early help, communities.
pub const VIOLENCE_PREVENTION: Topic = Topic {
    openings: &[
        "Treating violence as a public health problem is the right approach.",
        "Knife crime has touched families on my street, and prevention has to start early.",
        "I am not convinced that a collaborative approach has changed anything on the ground.",
        "Mentoring schemes made a real difference to my son.",
        "Violence against women and girls should be the first priority of this plan.",
        "Poverty and a lack of opportunity sit behind so much of the violence we see.",
    ],
    points: &[
        "Schools need the money to keep excluded children in education.",
        "Youth workers who grew up locally are trusted in a way officials are not.",
        "Parents need somewhere to turn before things go wrong, not after.",
        "Stop and search used badly damages trust in whole communities.",
        "Short-term funding means good projects close just as they start to work.",
        "Hospitals, schools and the police should share what they know sooner.",
        "Drug markets drive a lot of the violence, and enforcement alone has not worked.",
        "Victims often wait months for support, and some give up.",
    ],
    asks: &[
        "Give prevention projects funding for five years, not one.",
        "Measure success by fewer young people harmed, not by arrests.",
        "Involve young people in designing the services meant for them.",
        "Publish which programmes work and stop funding the ones that do not.",
    ],
};

const FIRST: &[&str] = &[
    "river",
    "oak",
    "northside",
    "cycle",
    "park",
    "brick",
    "market",
    "canal",
    "hill",
    "street",
    "garden",
    "city",
];
const SECOND: &[&str] =
    &["walker", "fan", "resident", "mum", "dad", "reader", "neighbour", "local", "runner", "owl"];

/// `count` comments on `topic`, the same for the same `seed`. About one in five replies to an
/// earlier comment; about one in four is long enough to need "Show full comment".
pub fn comments(topic: &Topic, count: usize, seed: u64) -> Vec<SyntheticComment> {
    let mut rng = SplitMix64(seed ^ 0x5eed_c0de);
    let mut out: Vec<SyntheticComment> = Vec::with_capacity(count);
    for index in 0..count {
        let author = format!("{}{}{}", pick(&mut rng, FIRST), pick(&mut rng, SECOND), rng.below(90) + 10);
        let long = rng.below(4) == 0;
        let mut sentences = vec![pick(&mut rng, topic.openings)];
        let points = if long { 4 + rng.below(3) } else { rng.below(2) };
        for _ in 0..points {
            let point = pick(&mut rng, topic.points);
            if !sentences.contains(&point) {
                sentences.push(point);
            }
        }
        if rng.below(2) == 0 || long {
            sentences.push(pick(&mut rng, topic.asks));
        }
        let text = if long {
            // Long comments come in paragraphs, as people write them.
            let middle = sentences.len() / 2;
            format!("{}\n{}", sentences[..middle].join(" "), sentences[middle..].join(" "))
        } else {
            sentences.join(" ")
        };
        let reply_to = (index > 0 && rng.below(5) == 0).then(|| rng.below(index as u64) as usize);
        // A reply to a reply joins the thread of the comment it answers.
        let reply_to = reply_to.map(|r| out[r].reply_to.unwrap_or(r));
        out.push(SyntheticComment { author, text, reply_to });
    }
    out
}

fn pick<T: Copy>(rng: &mut SplitMix64, items: &[T]) -> T {
    items[rng.below(items.len() as u64) as usize]
}

/// A small, fast, well-mixed generator; reproducibility matters here, not cryptographic strength.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_comments_and_replies_point_backwards() {
        let a = comments(&PUBLIC_SAFETY, 200, 7);
        assert_eq!(a, comments(&PUBLIC_SAFETY, 200, 7));
        assert_ne!(a, comments(&PUBLIC_SAFETY, 200, 8));
        for (i, c) in a.iter().enumerate() {
            assert!(!c.text.trim().is_empty());
            if let Some(parent) = c.reply_to {
                assert!(parent < i);
                assert_eq!(a[parent].reply_to, None, "replies attach to a thread's first comment");
            }
        }
        let long = a.iter().filter(|c| c.text.len() > 400).count();
        let replies = a.iter().filter(|c| c.reply_to.is_some()).count();
        assert!((20..=90).contains(&long), "{long} long comments");
        assert!((15..=70).contains(&replies), "{replies} replies");
    }
}
