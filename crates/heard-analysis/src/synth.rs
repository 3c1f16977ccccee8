//! Synthetic consultation responses: plausible, varied, reproducible from a seed, and always marked
//! synthetic by whoever stores them. Used by the demo (when the real pages are absent), tests and
//! benchmarks.
//!
//! Two generators: [`comments`] writes discussion comments on a [`Topic`]; [`corpus`] writes a
//! consultation's responses with *planted* themes and campaigns, so that an analysis of them can
//! be scored against what was planted (`cargo xtask bench analysis`).

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

/// A theme planted in a synthetic corpus: what an analysis of it should find.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlantedTheme {
    pub id: String,
    pub label: String,
    pub description: String,
}

/// A campaign planted in a synthetic corpus: one template letter, sent many times with light
/// edits (a greeting, a name, an added sentence).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlantedCampaign {
    pub id: String,
    /// The planted themes the template raises (indexes into [`Corpus::themes`]).
    pub themes: Vec<usize>,
    /// The template, word for word as every member contains it.
    pub template: String,
}

/// One generated response and what was planted in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticResponse {
    pub id: String,
    pub text: String,
    /// The planted themes it raises (indexes into [`Corpus::themes`], ascending).
    pub themes: Vec<usize>,
    /// The campaign it belongs to (an index into [`Corpus::campaigns`]).
    pub campaign: Option<usize>,
}

/// A synthetic consultation: a question, the themes and campaigns planted in its responses, and
/// the responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    pub question: String,
    pub themes: Vec<PlantedTheme>,
    pub campaigns: Vec<PlantedCampaign>,
    pub responses: Vec<SyntheticResponse>,
}

/// The question the synthetic corpus answers: changes to a London high road.
pub const HIGH_ROAD_QUESTION: &str = "Do you support the proposed changes to the High Road (bus lanes, \
    protected cycle lanes, wider pavements and new crossings)? Please tell us why.";

/// `count` responses to [`HIGH_ROAD_QUESTION`], the same for the same `seed`.
///
/// Each ordinary response raises one to three of eight planted themes, some more common than
/// others, in one to six sentences built from each theme's phrase pools (statements, requests,
/// "as a ..." requests, short remarks) with neutral openings and closings around them; a few
/// carry typos or odd casing. About 5% of responses belong to one of three campaigns: the
/// campaign's template word for word, with a greeting, an added sentence or a signed name.
/// Generation is one pass with no lookups: a million responses take a few seconds.
pub fn corpus(count: usize, seed: u64) -> Corpus {
    let mut rng = SplitMix64(seed ^ 0xc0a5_0517_a7ed);
    let themes = HIGH_ROAD_THEMES
        .iter()
        .enumerate()
        .map(|(i, t)| PlantedTheme {
            id: format!("T{}", i + 1),
            label: t.label.into(),
            description: t.description.into(),
        })
        .collect();
    let campaigns = HIGH_ROAD_CAMPAIGNS
        .iter()
        .enumerate()
        .map(|(i, c)| PlantedCampaign {
            id: format!("C{}", i + 1),
            themes: c.themes.to_vec(),
            template: c.template.into(),
        })
        .collect();
    let mut responses = Vec::with_capacity(count);
    for index in 0..count {
        let id = format!("R{}", index + 1);
        let response = if rng.below(1000) < CAMPAIGN_PER_MILLE {
            let c = weighted(&mut rng, &[5, 3, 2]);
            let text = campaign_letter(&mut rng, &HIGH_ROAD_CAMPAIGNS[c]);
            SyntheticResponse { id, text, themes: HIGH_ROAD_CAMPAIGNS[c].themes.to_vec(), campaign: Some(c) }
        } else {
            let (text, themes) = ordinary_response(&mut rng);
            SyntheticResponse { id, text, themes, campaign: None }
        };
        responses.push(response);
    }
    Corpus { question: HIGH_ROAD_QUESTION.into(), themes, campaigns, responses }
}

/// Responses in a campaign, per thousand.
const CAMPAIGN_PER_MILLE: u64 = 50;
/// How often each planted theme is picked, relative to the others (the commonest raised about
/// three times as often as the rarest, as in real consultations).
const THEME_WEIGHTS: [u64; 8] = [20, 17, 14, 12, 11, 10, 9, 7];
const MAX_SENTENCES: usize = 6;

fn ordinary_response(rng: &mut SplitMix64) -> (String, Vec<usize>) {
    let raised = match rng.below(100) {
        0..55 => 1,
        55..88 => 2,
        _ => 3,
    };
    let mut themes: Vec<usize> = Vec::with_capacity(raised);
    while themes.len() < raised {
        let t = weighted(rng, &THEME_WEIGHTS);
        if !themes.contains(&t) {
            themes.push(t);
        }
    }
    let opening = rng.below(5) == 0;
    let closing = rng.below(5) == 0;
    let mut budget = MAX_SENTENCES - usize::from(opening) - usize::from(closing);
    let paragraphs = raised > 1 && rng.below(4) == 0;
    let mut text = String::with_capacity(96 * raised + 64);
    if opening {
        sentence(&mut text, pick(rng, OPENINGS));
    }
    for (i, &t) in themes.iter().enumerate() {
        // Every theme gets a sentence; the rest of the budget goes to second sentences.
        let left_for_others = raised - i - 1;
        let wanted = if rng.below(100) < 35 { 2 } else { 1 };
        let n = wanted.min(budget - left_for_others).max(1);
        budget -= n;
        if paragraphs && i > 0 {
            text.push('\n');
        }
        let alone = raised == 1 && n == 1;
        for _ in 0..n {
            theme_sentence(rng, &HIGH_ROAD_THEMES[t], alone, &mut text);
        }
    }
    if closing {
        sentence(&mut text, pick(rng, CLOSINGS));
    }
    let text = roughen(rng, text);
    themes.sort_unstable();
    (text, themes)
}

/// Appends one sentence on `theme`, in one of several forms. A sentence that is all its response
/// says about its theme (`alone`) is never a bare remark and always gives a reason: short
/// responses would otherwise repeat each other word for word.
fn theme_sentence(rng: &mut SplitMix64, theme: &ThemePool, alone: bool, out: &mut String) {
    start_sentence(out);
    let start = out.len();
    let reason_in_ten = if alone { 10 } else { 4 };
    let form = match rng.below(20) {
        16.. if alone => 0,
        form => form,
    };
    match form {
        // A statement: "[lead] subject [where] claim [when] [because reason]."
        0..8 => {
            out.push_str(pick(rng, LEADS));
            out.push_str(pick(rng, theme.subjects));
            out.push_str(pick(rng, PLACES));
            out.push(' ');
            out.push_str(pick(rng, theme.claims));
            out.push_str(pick(rng, TIMES));
            if rng.below(10) < reason_in_ten {
                out.push_str(pick(rng, CONNECTORS));
                out.push_str(pick(rng, theme.reasons));
            }
            out.push('.');
        }
        // A request: "ask-lead ask [because reason]."
        8..13 => {
            let lead = pick(rng, ASK_LEADS);
            out.push_str(lead);
            out.push_str(pick(rng, theme.asks));
            out.push_str(pick(rng, ASK_ENDS));
            if rng.below(10) < reason_in_ten {
                out.push_str(pick(rng, CONNECTORS));
                out.push_str(pick(rng, theme.reasons));
            }
            out.push(if lead.starts_with("could") { '?' } else { '.' });
        }
        // "As a ..., I would like you to ask."
        13..16 => {
            out.push_str(pick(rng, theme.personas));
            out.push_str(pick(rng, PERSONA_LEADS));
            out.push_str(pick(rng, theme.asks));
            out.push_str(pick(rng, ASK_ENDS));
            if rng.below(10) < reason_in_ten {
                out.push_str(pick(rng, CONNECTORS));
                out.push_str(pick(rng, theme.reasons));
            }
            out.push('.');
        }
        // A short remark, sometimes shouted.
        16..18 => {
            out.push_str(pick(rng, theme.remarks));
            if rng.below(10) == 0 {
                out[start..].make_ascii_uppercase();
            }
        }
        // "Subject claim, so ask."
        _ => {
            out.push_str(pick(rng, theme.subjects));
            out.push(' ');
            out.push_str(pick(rng, theme.claims));
            out.push_str(", so ");
            let lead = pick(rng, ASK_LEADS);
            out.push_str(if lead.starts_with("could") { "please " } else { lead });
            out.push_str(pick(rng, theme.asks));
            out.push('.');
        }
    }
    capitalise(out, start);
}

fn campaign_letter(rng: &mut SplitMix64, campaign: &CampaignTemplate) -> String {
    let mut text = String::with_capacity(campaign.template.len() + 120);
    if rng.below(10) < 6 {
        text.push_str(pick(rng, GREETINGS));
        text.push(if rng.below(2) == 0 { '\n' } else { ' ' });
    }
    text.push_str(campaign.template);
    if rng.below(10) < 4 {
        text.push(' ');
        let extra = pick(rng, CAMPAIGN_EXTRAS);
        // "{street}" and "{years}" make the added sentence differ from letter to letter.
        let street = pick(rng, STREETS);
        let years = (rng.below(45) + 2).to_string();
        text.push_str(&extra.replace("{street}", street).replace("{years}", &years));
    }
    if rng.below(10) < 6 {
        text.push_str(pick(rng, SIGN_OFFS));
        text.push_str(pick(rng, FIRST_NAMES));
        if rng.below(2) == 0 {
            text.push(' ');
            text.push_str(pick(rng, SURNAMES));
        }
    }
    text
}

/// Typos, casing and punctuation as people type them: a swapped, dropped or doubled letter in
/// about one response in ten, all lower case in one in twenty-five, no final full stop in one in
/// ten.
fn roughen(rng: &mut SplitMix64, text: String) -> String {
    let mut bytes = text.into_bytes();
    if rng.below(10) == 0 {
        for _ in 0..1 + rng.below(2) {
            typo(rng, &mut bytes);
        }
    }
    if rng.below(25) == 0 {
        bytes.make_ascii_lowercase();
    }
    if rng.below(10) == 0 && bytes.last() == Some(&b'.') {
        bytes.pop();
    }
    // Only ASCII letters were moved, so the bytes are still UTF-8; lossy just in case.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn typo(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    if bytes.len() < 4 {
        return;
    }
    let from = rng.below(bytes.len() as u64 - 2) as usize;
    let letter = |b: u8| b.is_ascii_lowercase();
    let Some(i) = (from..bytes.len() - 2)
        .take(40)
        .find(|&i| letter(bytes[i]) && letter(bytes[i + 1]) && letter(bytes[i + 2]))
    else {
        return;
    };
    match rng.below(3) {
        0 => bytes.swap(i + 1, i + 2),
        1 => {
            bytes.remove(i + 1);
        }
        _ => bytes.insert(i + 1, bytes[i + 1]),
    }
}

fn start_sentence(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push(' ');
    }
}

fn sentence(out: &mut String, s: &str) {
    start_sentence(out);
    out.push_str(s);
}

fn capitalise(out: &mut String, at: usize) {
    if let Some(first) = out.get_mut(at..at + 1) {
        first.make_ascii_uppercase();
    }
}

/// An index into `weights`, chosen in proportion to them.
fn weighted(rng: &mut SplitMix64, weights: &[u64]) -> usize {
    let mut x = rng.below(weights.iter().sum());
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// One planted theme and the phrases responses raise it with. Subjects are plural, so every
/// claim fits every subject; asks are verb phrases that follow "please" or "the council should".
/// Lower case throughout (sentences are capitalised as they are built), ASCII only.
struct ThemePool {
    label: &'static str,
    description: &'static str,
    subjects: &'static [&'static str],
    claims: &'static [&'static str],
    asks: &'static [&'static str],
    reasons: &'static [&'static str],
    personas: &'static [&'static str],
    remarks: &'static [&'static str],
}

struct CampaignTemplate {
    themes: &'static [usize],
    template: &'static str,
}

const HIGH_ROAD_THEMES: [ThemePool; 8] = [
    ThemePool {
        label: "Bus services and reliability",
        description: "How often buses come, how long journeys take, routes, stops and bus lanes.",
        subjects: &[
            "the buses",
            "bus journeys into town",
            "the night buses",
            "the bus stops",
            "the bus lanes",
            "the bus routes to the hospital",
            "buses through the town centre",
            "the services on the 243",
        ],
        claims: &[
            "are never on time",
            "get stuck behind parked cars",
            "bunch up and then nothing comes for half an hour",
            "have got slower every year",
            "would be quicker with a proper bus lane",
            "are the only way many of us get around",
            "are packed by the time they reach us",
            "terminate early without warning",
            "are too far apart for older passengers",
            "keep getting cut back",
        ],
        asks: &[
            "run more buses at peak times",
            "make the bus lanes operate all day",
            "keep the bus stop outside the library",
            "give buses priority at the traffic lights",
            "restore the bus route that was cut last year",
            "add real-time bus information at every stop",
            "extend the bus lane hours to weekends",
            "put shelters at the busiest bus stops",
            "enforce the bus lanes properly",
        ],
        reasons: &[
            "I rely on the bus to get to work",
            "half the street does not own a car",
            "my commute by bus already takes over an hour",
            "the buses are how the kids get to school",
            "one full bus replaces dozens of cars",
            "I have missed hospital appointments waiting for a bus",
            "people on low incomes depend on buses",
            "the bus service has been cut twice already",
            "the last bus leaves far too early",
            "my shifts end after midnight",
            "taxis cost a fortune",
            "older neighbours have no other way out",
        ],
        personas: &[
            "as a daily bus user",
            "as someone who commutes by bus",
            "as a bus driver on this route",
            "as a pensioner with a Freedom Pass who takes the bus",
            "as a parent who takes the bus to nursery",
        ],
        remarks: &[
            "The buses are a joke at the moment.",
            "Bus lanes work, just enforce them.",
            "Buses first, please.",
            "The 243 is hopeless in the mornings.",
            "More buses, fewer excuses.",
        ],
    },
    ThemePool {
        label: "Cycling safety and cycle lanes",
        description: "Protected cycle lanes, junctions that are dangerous on a bike, bike parking and hire bikes.",
        subjects: &[
            "the cycle lanes",
            "the painted bike lanes",
            "the junctions for cyclists",
            "people on bikes",
            "the cycle routes to the station",
            "protected cycle tracks",
            "cyclists",
            "the bike racks",
        ],
        claims: &[
            "feel dangerous next to lorries",
            "stop just where cyclists need them most",
            "are the reason more children cycle to school",
            "would get far more people cycling",
            "need a kerb, not a painted line",
            "are blocked by parked vans",
            "were promised years ago and never built",
            "are full of delivery riders all day",
        ],
        asks: &[
            "build a fully segregated cycle track",
            "fix the junction by the station before a cyclist is killed",
            "add secure bike parking at the station",
            "link the cycle lane to the canal towpath",
            "put in bike hangars for flats without storage",
            "make the junctions safe for people on bikes",
            "extend the hire bikes to our area",
            "give cyclists a protected lane the whole length of the road",
        ],
        reasons: &[
            "I was knocked off my bike last year",
            "my kids are too scared to cycle",
            "cycling is the quickest way across town",
            "a cyclist was killed at that junction in 2022",
            "I cannot afford the tube every day",
            "bike theft is rife without secure stands",
            "more cycling means fewer cars on the road",
            "the hire bikes never reach our estate",
            "vans swerve into the painted lane",
            "my bike was stolen from the station",
            "drivers overtake far too close",
        ],
        personas: &[
            "as someone who cycles to work",
            "as a parent who cycles with my kids",
            "as a cycle courier",
            "as a cyclist of thirty years",
            "as a nervous new cyclist",
        ],
        remarks: &[
            "Paint is not protection for cyclists.",
            "I love the idea of a proper cycle lane.",
            "Cyclists need space, not promises.",
            "Build the bike lane.",
            "The cycle lanes are a waste of money.",
        ],
    },
    ThemePool {
        label: "Walking, pavements and crossings",
        description: "Pavement width and clutter, pedestrian crossings, and safe walking routes to school.",
        subjects: &[
            "the pavements",
            "the pedestrian crossings",
            "the walking routes to school",
            "the footpaths by the shops",
            "people on foot",
            "the crossings near the market",
            "pedestrians",
            "the narrow stretches of pavement",
        ],
        claims: &[
            "are too narrow for two buggies to pass",
            "are cluttered with bins and a-boards",
            "make you wait ages for the green man",
            "are cracked and uneven",
            "feel like an afterthought",
            "need to be wider outside the school",
            "have no dropped kerbs in places",
            "are blocked by cars parked half on the pavement",
        ],
        asks: &[
            "widen the pavements outside the shops",
            "add a zebra crossing by the primary school",
            "give pedestrians longer to cross",
            "clear the street clutter off the pavement",
            "repair the broken paving slabs",
            "put in a pedestrian crossing at the bus station",
            "ban pavement parking on the side streets",
            "make walking to school safe",
        ],
        reasons: &[
            "I walk my kids to school every day",
            "my mother tripped on a loose paving slab",
            "most people here get around on foot",
            "you cannot get a pram past the bins",
            "the green man lasts about five seconds",
            "children step into the road to get past",
            "walking should be the easy choice",
            "the pavement ends by the petrol station",
            "my son uses a wheelchair",
            "cars mount the kerb to park",
            "the lights favour cars every time",
        ],
        personas: &[
            "as a parent walking to school",
            "as someone who walks everywhere",
            "as a pushchair user",
            "as the lollipop lady at the school crossing",
            "as a pedestrian",
        ],
        remarks: &[
            "Walking here is miserable.",
            "Wider pavements please.",
            "The crossings are a nightmare for pedestrians.",
            "Nobody thinks about pedestrians.",
            "Let people walk.",
        ],
    },
    ThemePool {
        label: "Air quality and pollution",
        description: "Traffic fumes and air pollution, children's health, asthma and idling engines.",
        subjects: &[
            "the fumes from the traffic",
            "pollution levels",
            "the air outside the school gates",
            "idling engines",
            "the exhaust fumes",
            "emissions from lorries",
            "the toxic air",
            "nitrogen dioxide levels",
        ],
        claims: &[
            "are making children ill",
            "are far above the legal limit",
            "get worse every rush hour",
            "leave a black film on my windowsills",
            "trigger my son's asthma",
            "are a public health scandal",
            "have not improved despite the promises",
            "are a silent killer",
        ],
        asks: &[
            "cut the traffic fumes outside the schools",
            "install air quality monitors along the road",
            "stop engine idling at the lights",
            "plant a hedge between the road and the playground to block fumes",
            "publish the pollution readings every month",
            "put cleaner buses on the route",
            "take the health impact of dirty air seriously",
            "set a target for cleaner air",
        ],
        reasons: &[
            "my daughter has asthma",
            "the school sits right on the main road",
            "I can taste the exhaust on my walk",
            "air pollution shortens lives",
            "our GP says the pollution is behind her cough",
            "the pollution readings near the junction are shocking",
            "children breathe in more polluted air than adults",
            "my inhaler use doubles in summer",
            "lorries queue outside the nursery",
            "the council measured it last spring",
            "I run along this road daily",
        ],
        personas: &[
            "as a parent of an asthmatic child",
            "as a GP in the area",
            "as someone with a lung condition",
            "as a teacher at the school on the main road",
            "as a mum worried about pollution",
        ],
        remarks: &[
            "The air is filthy.",
            "Clean air now.",
            "Think of the kids' lungs.",
            "The pollution is disgusting.",
            "Dirty air kills.",
        ],
    },
    ThemePool {
        label: "Local businesses, parking and deliveries",
        description: "Parking for customers, loading bays and deliveries, and trade for the shops and market.",
        subjects: &[
            "the local shops",
            "the parking bays",
            "small businesses on the High Road",
            "delivery drivers",
            "the market traders",
            "the loading bays",
            "customers who drive in",
            "the independent shops",
        ],
        claims: &[
            "will lose trade if the parking goes",
            "have nowhere to unload",
            "are already struggling with high rents",
            "depend on passing trade",
            "will close if customers cannot park",
            "get ticketed for stopping five minutes to unload",
            "have seen takings fall since the last scheme",
            "need short-stay parking",
        ],
        asks: &[
            "keep the short-stay parking outside the shops",
            "provide loading bays for deliveries",
            "talk to the traders before deciding",
            "allow free parking for the first half hour",
            "protect the market's loading times",
            "keep some parking for customers",
            "look at what happened to trade after the last scheme",
            "support local businesses through the works",
        ],
        reasons: &[
            "I run a shop on the High Road",
            "my customers come from all over the borough",
            "deliveries have to arrive before nine",
            "half our trade comes from people who drive",
            "we cannot carry stock from a side street",
            "three shops have closed on this parade already",
            "the business rates are already crippling",
            "our suppliers use big lorries",
            "footfall dropped during the last roadworks",
            "older customers arrive by car",
            "we employ twelve local people",
        ],
        personas: &[
            "as a shop owner",
            "as a market trader",
            "as a delivery driver",
            "as someone who runs a cafe here",
            "as a small business owner",
        ],
        remarks: &[
            "Without parking the shops will die.",
            "Think of the traders.",
            "Save our shops.",
            "Customers need somewhere to park.",
            "Local businesses are on their knees.",
        ],
    },
    ThemePool {
        label: "Access for disabled and older people",
        description: "Step-free access, blue badge parking, benches, floating bus stops and getting around with a disability.",
        subjects: &[
            "disabled residents",
            "the floating bus stops",
            "blue badge holders",
            "wheelchair users",
            "older people",
            "blind and partially sighted people",
            "people with mobility problems",
            "the step-free routes",
        ],
        claims: &[
            "are being forgotten in this plan",
            "cannot cross a cycle lane safely",
            "need parking close to the shops and the surgery",
            "struggle with the high kerbs",
            "have to go the long way round",
            "need somewhere to sit and rest along the route",
            "were not consulted properly",
            "would be cut off by the new layout",
        ],
        asks: &[
            "keep the blue badge bays near the health centre",
            "put in more benches for people who need a rest",
            "add tactile paving at every crossing",
            "make every bus stop fully accessible",
            "drop the floating bus stop design",
            "consult disabled people properly",
            "provide dropped kerbs for wheelchairs at every junction",
            "keep step-free access during the works",
        ],
        reasons: &[
            "I use a wheelchair",
            "my husband is registered blind",
            "I cannot walk more than a hundred metres",
            "many residents here are over eighty",
            "the surgery is at the far end",
            "my guide dog cannot see the cycle lane edge",
            "disabled people have a right to get around",
            "buses pull up away from the kerb",
            "I need to rest every few minutes",
            "taxis cannot stop near the shops",
            "my scooter will not fit between bollards",
        ],
        personas: &[
            "as a wheelchair user",
            "as a blue badge holder",
            "as a carer for my elderly mother",
            "as someone who is partially sighted",
            "as a member of the disability forum",
        ],
        remarks: &[
            "Accessibility must come first.",
            "Don't forget disabled people.",
            "Floating bus stops are dangerous for blind people.",
            "Think about wheelchair users.",
            "We need more benches.",
        ],
    },
    ThemePool {
        label: "Traffic congestion and rat-running",
        description: "Queues and journey times for drivers, traffic pushed onto side streets, and emergency vehicles.",
        subjects: &[
            "the side streets",
            "the traffic jams",
            "rat-running drivers",
            "journey times by car",
            "the queues at the junction",
            "the ambulances and fire engines",
            "the residential roads",
            "drivers",
        ],
        claims: &[
            "will be gridlocked once the road is narrowed",
            "are already backed up to the roundabout",
            "use our road as a cut-through",
            "have doubled since the last changes",
            "cannot get through the traffic",
            "will take all the displaced traffic",
            "sit in queues for twenty minutes",
            "are pushed onto narrow residential streets",
        ],
        asks: &[
            "model the traffic on the side streets first",
            "stop the rat-running through our road",
            "keep two lanes for general traffic",
            "time the traffic lights properly",
            "put in filters to stop cut-through traffic",
            "publish the traffic modelling",
            "think about emergency vehicles stuck in traffic",
            "fix the junction before narrowing the road",
        ],
        reasons: &[
            "our street already takes traffic from the main road",
            "a one mile drive took me forty minutes",
            "the last scheme just moved the traffic elsewhere",
            "ambulances use this road to reach the hospital",
            "I need the car for work",
            "sat navs send everyone down our road",
            "the roadworks have already caused chaos",
            "the school run is already gridlocked",
            "buses get stuck too",
            "our road has no pavement on one side",
            "delivery vans use it all day",
        ],
        personas: &[
            "as a resident of a side street",
            "as a driver",
            "as a carer who drives to clients",
            "as a paramedic",
            "as a taxi driver",
        ],
        remarks: &[
            "The traffic is horrendous.",
            "This will just move the traffic.",
            "Gridlock every morning.",
            "Stop the rat-running.",
            "The congestion is unbearable.",
        ],
    },
    ThemePool {
        label: "Trees, greening and public space",
        description: "Street trees, planting and rain gardens, benches and squares: a street to spend time in.",
        subjects: &[
            "the street trees",
            "green spaces along the road",
            "the planters",
            "the grey stretch by the station",
            "the public square",
            "trees and planting",
            "places to sit outside",
            "the pocket parks",
        ],
        claims: &[
            "would make the High Road somewhere to spend time",
            "have been cut down and never replaced",
            "give shade in the summer heatwaves",
            "make the street feel less hostile",
            "are badly looked after",
            "soak up rain when the drains flood",
            "are what people remember about a street",
            "bring wildlife back",
        ],
        asks: &[
            "plant more street trees",
            "turn the dead space by the station into a small park",
            "add planters and greenery",
            "look after the trees you have already planted",
            "put in rain gardens to stop the flooding",
            "create a public square by the library",
            "put green roofs on the bus shelters",
            "use the space for outdoor seating and planting",
        ],
        reasons: &[
            "the road is a concrete desert",
            "it gets unbearably hot in summer without trees",
            "trees make people slow down and stay",
            "the drains flood every time it rains heavily",
            "there is no park within walking distance",
            "greenery is good for mental health",
            "other high streets have been transformed with planting",
            "the old plane trees were felled",
            "kids here have nowhere green to play",
            "birds have vanished from the street",
            "shade keeps older people cooler",
        ],
        personas: &[
            "as a keen gardener",
            "as someone who loves this area",
            "as a volunteer tree warden",
            "as a resident without a garden",
            "as a local artist",
        ],
        remarks: &[
            "More trees please.",
            "Make it green.",
            "The road is so grey and ugly.",
            "Trees, trees, trees.",
            "Give us somewhere nice to sit among some greenery.",
        ],
    },
];

const HIGH_ROAD_CAMPAIGNS: [CampaignTemplate; 3] = [
    CampaignTemplate {
        themes: &[4, 6],
        template: "I am writing as a supporter of the High Road Traders Association to object to the removal of \
            parking on the High Road. Independent shops depend on customers who drive in from across the borough, \
            and losing the parking bays will cost jobs. The loading restrictions will make deliveries impossible \
            before midday. Closing the side roads will push traffic onto residential streets and make congestion \
            worse. Please withdraw these proposals and work with local businesses on a better plan.",
    },
    CampaignTemplate {
        themes: &[1, 3],
        template: "I fully support the proposals for protected cycle lanes on the High Road. Every year cyclists are \
            injured at the junction with Station Road, and paint alone does not protect anyone. Fewer cars will \
            mean cleaner air for the children at the three primary schools along the route, where pollution is \
            above the legal limit. Please build the scheme in full and do not water it down.",
    },
    CampaignTemplate {
        themes: &[0, 5],
        template: "As a member of the Borough Disability Forum I am concerned that the floating bus stops will force \
            disabled passengers to cross a cycle lane to board the bus. Blind and partially sighted people cannot \
            tell when it is safe to cross. The loss of blue badge bays near the health centre will leave people \
            unable to reach their appointments. Please meet disabled residents before any decision is taken.",
    },
];

const LEADS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "honestly, ",
    "in my experience ",
    "I think ",
    "I feel that ",
    "frankly, ",
    "from what I have seen, ",
    "it seems to me that ",
    "sadly ",
    "at the moment ",
    "right now ",
    "to be fair, ",
    "everyone knows ",
    "I have noticed that ",
    "for years ",
];
const ASK_LEADS: &[&str] = &[
    "please ",
    "please ",
    "the council should ",
    "TfL needs to ",
    "I would like you to ",
    "you must ",
    "we need you to ",
    "could you ",
    "it would be great to ",
    "my suggestion is to ",
    "the plan should ",
    "I urge you to ",
    "surely you can ",
];
const PERSONA_LEADS: &[&str] = &[
    ", I would like you to ",
    ", I am asking you to ",
    ", I want the council to ",
    ", I urge you to ",
    " I'd say ",
    ", my request is simple: ",
    ", I think you should ",
    ", can I ask you to ",
];
const ASK_ENDS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    " as soon as possible",
    " before anything else",
    " this time",
    " without delay",
    " first",
    " for everyone's sake",
    " once and for all",
    " now",
];
const CONNECTORS: &[&str] = &[" because ", " as ", " since ", ", given that ", " - ", ", not least because "];
const PLACES: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    " on the High Road",
    " near the station",
    " outside the school",
    " by the market",
    " round here",
    " in this part of town",
    " at the north end",
    " along the route",
];
const TIMES: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    " at rush hour",
    " in the mornings",
    " most evenings",
    " on Saturdays",
    " every single day",
    " these days",
];
const OPENINGS: &[&str] = &[
    "I have lived near the High Road for twenty years.",
    "Thank you for the chance to comment.",
    "I have read the proposals.",
    "Here are my thoughts.",
    "I am writing as a local resident.",
    "Overall I support the scheme.",
    "On the whole I am against these plans.",
    "I have mixed feelings about this.",
    "I support some of this but not all of it.",
    "My family has lived here since the 1980s.",
    "I work locally and live just off the High Road.",
    "Where to start.",
];
const CLOSINGS: &[&str] = &[
    "Thanks.",
    "I hope someone reads this.",
    "Please listen to residents this time.",
    "That is all I have to say.",
    "Good luck with it.",
    "Overall a good plan.",
    "Please think again.",
    "Do the right thing.",
    "Cheers.",
];
const GREETINGS: &[&str] = &[
    "Dear Sir or Madam,",
    "Dear Council,",
    "To whom it may concern,",
    "Dear TfL,",
    "Hello,",
    "Dear Councillors,",
];
const CAMPAIGN_EXTRAS: &[&str] = &[
    "I live on {street} with my family.",
    "I have lived in the borough for {years} years.",
    "This matters a great deal to me and my neighbours on {street}.",
    "I have been coming to the High Road for {years} years.",
    "Please take this seriously.",
];
const SIGN_OFFS: &[&str] =
    &["\nYours faithfully,\n", " Regards, ", " Thank you, ", "\n", " Best wishes, ", " - "];
const STREETS: &[&str] = &[
    "Elm Road",
    "Station Road",
    "Church Lane",
    "Victoria Terrace",
    "Albert Street",
    "Park Avenue",
    "Mill Lane",
    "Queens Road",
];
const FIRST_NAMES: &[&str] = &[
    "Sarah", "Mohammed", "Priya", "Tom", "Grace", "Olu", "Anna", "David", "Fatima", "James", "Chen", "Lucy",
    "Kwame", "Maria", "Hassan", "Emma",
];
const SURNAMES: &[&str] =
    &["Smith", "Okafor", "Patel", "Nowak", "Jones", "Begum", "Murphy", "Ali", "Williams", "Kaur"];

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
    #[test]
    fn same_seed_same_corpus() {
        let a = corpus(3000, 11);
        assert_eq!(a, corpus(3000, 11));
        assert_ne!(a.responses, corpus(3000, 12).responses);
        // A longer corpus starts with the shorter one: each response depends only on those before.
        assert_eq!(a.responses[..], corpus(3500, 11).responses[..3000]);
    }

    #[test]
    fn planted_themes_are_raised_in_their_own_words() {
        let c = corpus(5000, 3);
        assert_eq!(c.themes.len(), 8);
        assert!(c.themes.iter().all(|t| !t.label.is_empty() && !t.description.is_empty()));
        let mut raised = [0usize; 8];
        let (mut pairs, mut found) = (0, 0);
        for r in &c.responses {
            assert!((1..=3).contains(&r.themes.len()), "{r:?}");
            assert!(r.themes.windows(2).all(|w| w[0] < w[1]), "{r:?}");
            assert!(!r.text.trim().is_empty());
            for &t in &r.themes {
                raised[t] += 1;
            }
            if r.campaign.is_some() {
                continue;
            }
            let sentences = crate::text::sentences(&r.text).len();
            assert!((1..=7).contains(&sentences), "{sentences} sentences: {:?}", r.text);
            let lower = r.text.to_lowercase();
            for &t in &r.themes {
                let pool = &HIGH_ROAD_THEMES[t];
                let phrases =
                    [pool.subjects, pool.claims, pool.asks, pool.reasons, pool.personas, pool.remarks];
                pairs += 1;
                found += usize::from(
                    phrases.iter().flat_map(|p| p.iter()).any(|p| lower.contains(&p.to_lowercase())),
                );
            }
        }
        for (t, &n) in raised.iter().enumerate() {
            assert!(n > c.responses.len() * 3 / 100, "theme {t} raised by only {n} responses");
        }
        // Typos may break a phrase now and then, never often.
        assert!(found * 100 >= pairs * 95, "{found} of {pairs} planted themes found in the text");
    }

    #[test]
    fn campaign_letters_share_their_template() {
        let c = corpus(20_000, 5);
        assert_eq!(c.campaigns.len(), 3);
        let mut sizes = [0usize; 3];
        for r in &c.responses {
            if let Some(g) = r.campaign {
                sizes[g] += 1;
                assert!(r.text.contains(&c.campaigns[g].template), "{:?}", r.text);
                assert_eq!(r.themes, c.campaigns[g].themes);
            }
        }
        let total: usize = sizes.iter().sum();
        assert!((600..=1400).contains(&total), "{total} campaign responses of 20,000");
        assert!(sizes.iter().all(|&s| s > 100), "{sizes:?}");
        // Light edits: most letters differ from the bare template, many from each other.
        let letters: std::collections::HashSet<&str> =
            c.responses.iter().filter(|r| r.campaign == Some(0)).map(|r| r.text.as_str()).collect();
        assert!(letters.len() * 2 > sizes[0], "{} distinct letters of {}", letters.len(), sizes[0]);
    }

    #[test]
    fn ordinary_responses_are_not_near_duplicates() {
        let c = corpus(20_000, 9);
        let long: Vec<&str> = c
            .responses
            .iter()
            .filter(|r| r.campaign.is_none() && crate::text::words(&r.text).len() >= 20)
            .map(|r| r.text.as_str())
            .collect();
        let distinct: std::collections::HashSet<&str> = long.iter().copied().collect();
        assert!(long.len() > 5000, "{} responses of twenty words or more", long.len());
        // Two people may write the same two sentences now and then, as in real consultations.
        assert!(
            long.len() - distinct.len() <= long.len() / 500,
            "{} identical long responses",
            long.len() - distinct.len()
        );
        // The campaign finder sees the planted campaigns, and little else.
        let texts: Vec<&str> = c.responses.iter().map(|r| r.text.as_str()).collect();
        let groups = crate::campaigns::find(&texts, 3, 2);
        let in_groups: usize = groups.iter().map(|g| g.members.len()).sum();
        let planted = c.responses.iter().filter(|r| r.campaign.is_some()).count();
        assert!(
            in_groups >= planted * 9 / 10 && in_groups <= planted + planted / 2,
            "{in_groups} grouped, {planted} planted"
        );
    }
}
