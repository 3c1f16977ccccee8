//! What the demo's synthetic respondents write: varied enough that, like real people, no two write
//! the same words unless they copy a template. (Drawn from a few dozen fixed sentences, 1,500 people
//! wrote the same ten things, and the engine rightly read most of them as campaigns.)
//!
//! Each sentence is a template with choices in braces, `{a|b|c}`, picked at random; a response
//! takes one to three points, sometimes with a word about who is writing and an ask.

/// A point people make, with the wording varied.
struct Point {
    /// For/against the plan, or neither: some people disagree, and the engine should see that.
    templates: &'static [&'static str],
}

const POINTS: &[Point] = &[
    // Reducing violence and exploitation
    Point {
        templates: &[
            "{Knife crime|Violence between young people|Stabbing} {has touched|has hit|keeps hurting} {families on my street|my son's school|our estate|the young people I work with}, and {prevention has to start early|we need help before it happens|arrests come too late}.",
            "{Treating|Seeing} violence as a public health problem is {the right approach|right|overdue}, {as long as|but only if} {the funding lasts|schools and the NHS are part of it|it reaches the estates that need it}.",
            "{Mentoring|Youth work|Sport after school} {made a real difference to|turned things round for|kept} {my son|my nephew|a boy on our road|several kids I know} {out of trouble|away from the gangs|in school}.",
            "{Youth clubs|Youth centres|Places for teenagers} {closing|shutting down|being cut} {has left|leaves} {young people|teenagers|kids round here} with nowhere to go {in the evenings|after school|at weekends}.",
            "{Drug markets|County lines|Dealing on the stairwells} {drive|are behind} {a lot of|much of|most of} the violence {here|on our estate|in this borough}, and {enforcement alone has not worked|arrests just move it elsewhere}.",
            "{Give|Fund} prevention {projects|schemes|programmes} for {five|three|several} years, not one: {good ones close|staff leave|trust is lost} just as they start to work.",
        ],
    },
    // Women's and girls' safety, public spaces
    Point {
        templates: &[
            "As a woman {travelling|walking home|getting the night bus} {alone|on my own} {at night|after dark|after late shifts}, I {plan every route carefully|keep my keys in my hand|call a friend all the way home}.",
            "Violence against women and girls should be {the first priority|at the top|a bigger part} of this plan, {not an afterthought|with its own money|with targets we can check}.",
            "{Good|Better|Working} street lighting {makes more difference than people think|would change how safe I feel|is the cheapest thing you could do} {on the way from the station|in the park|under the railway bridge}.",
            "{The underpass|The bus station|The high street|The park by the canal} {near me|on my way home|in our area} is where {most of the trouble happens|I feel least safe|people get followed} {after dark|in the evenings|at weekends}.",
            "{Phone snatching|Moped thefts|Bag snatches} {is|are} what I worry about {most|every day} when I {walk home|come out of the station|wait for the bus}.",
        ],
    },
    // Trust and confidence in the Met
    Point {
        templates: &[
            "I {rarely|never|hardly ever} see {police officers|PCSOs|officers} on foot {in my area|on our high street|near the school} {any more|these days|since the station closed}.",
            "{Neighbourhood officers|Local officers|Ward officers} who {stay long enough to know people|know the area|are the same faces each week} {make a real difference|are worth more than any campaign|are how trust is built}.",
            "{Trust|Confidence} has to be earned by {the police|the Met|officers} {themselves|on the street|day by day}, {not set as a target in a plan|not by City Hall|by how they treat people|not by advertising}.",
            "{My son|My brother|I} {was|were} stopped and searched {four times in a year|three times last summer|on the way to school}, and {a plan will not change how that felt|nobody explained why|I still do not trust them}.",
            "{The Met has promised reform|We have heard promises|Reform has been promised|They keep promising change} {many times before|after every scandal|for years|since I was young}, and {nothing changed where I live|I will believe it when I see it|I do not support this part of the plan|I am tired of plans}.",
            "{Publish|Show us} the figures {borough by borough|ward by ward|every quarter} so we can {judge for ourselves|see if anything changes|hold them to it}.",
            "I {disagree with|do not support|oppose|am against} {the focus on confidence|spending on campaigns|this priority|this part of the plan}: {answer the calls|investigate burglaries|turn up when we ring|catch the people who rob us} and {trust will follow|people will trust you|confidence comes by itself}.",
        ],
    },
    // Victims and the justice system
    Point {
        templates: &[
            "When I reported {a theft|a burglary|my stolen bike|a break-in} {online|by phone|at the station}, {nobody followed it up|I got a crime number and nothing else|I heard nothing for months}.",
            "Victims {often|still} wait {months|too long|far too long} for {support|a court date|anyone to call back}, and {some give up|many drop out|I nearly gave up}.",
            "{I would like to know|Tell us|Victims should be told} what happens to a report {after I make it|once it is made|at every step}.",
            "The {victim support|Victim Care|support} service {was excellent|helped me a lot|was the only thing that worked} {after the burglary|when my case went to court|after I was assaulted}.",
            "{Courts are so backed up|The court backlog is so long|Trials take so long} that {cases collapse|victims give up|witnesses move away} before {anything happens|trial|justice is done}.",
            "Make it easier to report {low-level crime|anti-social behaviour|shoplifting} and {get an answer|hear back|know it was read}.",
        ],
    },
    // Anti-social behaviour, transport, daily life
    Point {
        templates: &[
            "{E-scooters|Bikes|Delivery riders} on the pavement make {older residents|my mother|people with prams} afraid to walk {to the shops|in the town centre|on our road}.",
            "{Shoplifting|Theft from shops} has become so {common|normal} that {nobody reacts to it|staff are told not to stop it|the corner shop is thinking of closing}.",
            "The {CCTV cameras|cameras|lights} on our {estate|street|block} have not worked for {months|a year|ages}; {fix them before spending on anything new|nobody answers when we ask}.",
            "{Focus on|Please deal with} the crimes that make daily life worse, {not only the headline ones|like noise and drug dealing|such as fly-tipping and harassment}.",
            "Our {neighbourhood|street|area} feels {safer|a lot safer|a bit safer} than it did {five|ten|a few} years ago, {thanks to the community patrols|since the new lighting|and the plan should say what worked}.",
        ],
    },
];

const WHO: &[&str] = &[
    "I have lived in {borough} for {ten|twenty|thirty|six|fifteen|forty} years{| and raised my family here| and seen it change}.",
    "I {run a small shop|work nights|am a youth worker|am a nurse|drive a bus} in {borough}.",
    "As a {parent|grandparent|student|pensioner|carer} in {borough}, {this matters to me|I see this every day}.",
    "{Speaking|Writing} as someone who {grew up|works|has brought up three children} in {borough}:",
];

const ASKS: &[&str] = &[
    "{Please|We need you to} put more officers on the streets where people can see them.",
    "{Fund|Protect} the youth services that keep young people out of trouble.",
    "Tell residents what has changed because of this consultation.",
    "Involve young people in designing the services meant for them.",
    "{Measure|Judge} success by fewer people harmed, not by arrests.",
    "{Thank you for asking|Thanks for listening|Thank you for reading this}, {and please act on it|I hope it makes a difference|and please tell us what you decide}.",
];

/// A response of one to three points, one writer's words.
pub fn response(rng: &mut impl FnMut(u64) -> u64, borough: &str) -> String {
    let mut sentences = Vec::new();
    let points = 1 + rng(100) / 45; // 1, 2 or 3
    // A one-point response still says who is writing or what they ask: one short sentence from a
    // few templates would come out word for word the same many times over.
    let ask = rng(100) < if points == 1 { 60 } else { 35 };
    if rng(100) < 30 || (points == 1 && !ask) {
        sentences.push(fill(WHO[rng(WHO.len() as u64) as usize], rng, borough));
    }
    let mut used = Vec::new();
    for _ in 0..points {
        let group = &POINTS[rng(POINTS.len() as u64) as usize];
        let t = group.templates[rng(group.templates.len() as u64) as usize];
        if used.contains(&t) {
            continue;
        }
        used.push(t);
        sentences.push(fill(t, rng, borough));
    }
    if ask {
        sentences.push(fill(ASKS[rng(ASKS.len() as u64) as usize], rng, borough));
    }
    sentences.join(" ")
}

/// Why someone disagreed that trust in the Met should be a priority (the survey's follow-up).
pub fn disagreement(rng: &mut impl FnMut(u64) -> u64) -> String {
    let trust = &POINTS[2].templates;
    let picks = [2, 4, 6, 5];
    let first = fill(trust[picks[rng(picks.len() as u64) as usize]], rng, "");
    let first = if rng(100) < 40 {
        let other = fill(trust[rng(trust.len() as u64) as usize], rng, "");
        if other == first { first } else { format!("{first} {other}") }
    } else {
        first
    };
    let second = if rng(100) < 50 {
        fill(POINTS[3].templates[rng(POINTS[3].templates.len() as u64) as usize], rng, "")
    } else {
        fill(ASKS[rng(ASKS.len() as u64) as usize], rng, "")
    };
    format!("{first} {second}")
}

/// Picks one of each `{a|b}` choice; `{borough}` is the writer's borough.
fn fill(template: &str, rng: &mut impl FnMut(u64) -> u64, borough: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("templates close their braces");
        let inner = &rest[open + 1..close];
        if inner == "borough" {
            out.push_str(if borough.is_empty() { "London" } else { borough });
        } else {
            let choices: Vec<&str> = inner.split('|').collect();
            out.push_str(choices[rng(choices.len() as u64) as usize]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A letter a local campaign asked people to send, lightly edited by each sender as people do.
pub fn campaign_letter(rng: &mut impl FnMut(u64) -> u64, borough: &str) -> String {
    fill(
        "{Dear Mayor|Dear Sir or Madam|To the Mayor's Office}, I am writing {to object to|because I oppose|to say I do not support} \
         the closure of {borough} police station's front counter. The station is the only place {many older residents|people \
         without the internet|those of us without smartphones} can report a crime in person, and its closure {will|would} \
         make our neighbourhood less safe. I ask that the final Police and Crime Plan keeps a front counter open in every \
         borough, {with proper opening hours|open in the evenings|staffed by officers who know the area}. {Yours faithfully|Yours sincerely|Regards}.",
        rng,
        borough,
    )
}

/// A seeded generator of numbers below `n`: the same seed gives the same demo.
pub fn seeded(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut rng = crate::demo_survey::SplitMix64(seed);
    move |n| rng.below(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
        seeded(seed)
    }

    #[test]
    fn a_thousand_writers_rarely_write_the_same_words() {
        let mut r = rng(7);
        let texts: Vec<String> = (0..1000).map(|_| response(&mut r, "Camden")).collect();
        let distinct: std::collections::HashSet<&String> = texts.iter().collect();
        assert!(distinct.len() > 950, "{} distinct of 1000", distinct.len());
        assert!(
            texts.iter().all(|t| !t.contains('{') && !t.contains('}') && t.ends_with(['.', '!', '?', ':'])),
            "{texts:?}"
        );
    }
}
