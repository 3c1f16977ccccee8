//! Crime reports that the plainest patterns (`flags`) miss: incidents described in passing, with no
//! "is" or "there is" ("a man selling drugs by the swings every night"), crime named as a noun at a
//! place the writer can point to and a time that makes it now ("drug dealing in our stairwell every
//! night"), a place being used for crime ("the flat above is a cannabis farm"), a weapon where the
//! writer is, and the writer's own things or self harmed ("my car got broken into", "I got jumped
//! near the station"), unless the sentence says it was long ago.
//!
//! Debate about crime ("selling drugs near schools should mean prison", "knife crime is rising")
//! names no one in particular, no place of the writer's and no time, so it raises nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::flags::{REPORTAGE, build, hit};

/// Whether the sentence `s` reports a crime or an incident, by the patterns of this module.
pub(super) fn reports(s: &str) -> bool {
    if hit(&ACTOR_DOING, s) && (HABITUAL.is_match(s) || hit(&PLACE, s) || super::flags::RECENT.is_match(s)) {
        return true;
    }
    if hit(&CRIME_NOUN_HERE, s) && (HABITUAL.is_match(s) || super::flags::RECENT.is_match(s)) {
        return true;
    }
    let now_or_here = HABITUAL.is_match(s) || hit(&PLACE, s) || super::flags::RECENT.is_match(s);
    let lately = HABITUAL.is_match(s) || super::flags::RECENT.is_match(s);
    let not_history = !LONG_AGO.is_match(s) && !REPORTAGE.is_match(s);
    if hit(&ACTOR_DID, s) && (hit(&PLACE, s) || lately) && not_history {
        return true;
    }
    if hit(&WATCHING_CHILDREN, s) && now_or_here {
        return true;
    }
    if let Some(caps) = WHO_TO_TELL.captures(s)
        && super::flags::CRIME_WORD.is_match(&caps["rest"])
    {
        return true;
    }
    if lately
        && hit(&super::flags::CRIME_DONE, s)
        && (hit(&PLACE, s) || hit(&OURS, s))
        && !LONG_AGO.is_match(s)
        && !REPORTAGE.is_match(s)
    {
        return true;
    }
    if (hit(&THERE_WAS, s) || hit(&GATHERING, s)) && now_or_here {
        return true;
    }
    if hit(&PLACE_USED_FOR_CRIME, s) || hit(&WEAPON_HERE, s) || hit(&SELLS_TO_CHILDREN, s) {
        return true;
    }
    let mine =
        hit(&MY_THINGS_HARMED, s) || hit(&I_WAS_HARMED, s) || hit(&DONE_TO_US, s) || hit(&SEEN_DONE, s);
    mine && !LONG_AGO.is_match(s) && !REPORTAGE.is_match(s)
}

/// "Who do I tell about the dealers in our stairwell": what follows decides whether it is a crime.
static WHO_TO_TELL: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:who|where|how) (?:do|can|should|could|would|shall) (?:i|we|you) (?:tell|report|contact|call|ring|
            speak to|go to|let (?:someone|somebody|the police) know)\b(?P<rest>.*)",
    )
});

/// Someone in particular who did a crime: "three lads robbed a kid", counted at a place or lately.
static ACTOR_DID: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"(?P<not>(?:\b(?:never|not|if|in case|worried|afraid|scared|frightened|fear|might|could|would|
            will|whether|before|until|imagine)\b|n't)(?: [^ ]+){0,4} )?\b<SPECIFIC_ACTOR>(?:'s| has| have| had|
            \x20just)*(?: [^ ]+){0,4}? <CRIME_DONE>",
    )
});

/// Someone watching or approaching children where the writer is.
static WATCHING_CHILDREN: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b<SPECIFIC_ACTOR>(?: [^ ]+){0,10}? (?:watching|filming|photographing|taking (?:photos|pictures|videos)
            \x20of|approaching|following|offering (?:sweets|lifts|money) to|trying to talk to|talking to) (?:the |young |
            little |school ?)?(?:kids|children|girls|boys|pupils|schoolkids|schoolchildren|teenagers)\b",
    )
});

/// The writer's own places and people: "our road", "my garage".
static OURS: LazyLock<Regex> = LazyLock::new(|| build(r"\b(?:my|our|me|us)\b"));

/// "There was a stabbing outside the chicken shop": counted with a place or a time.
static THERE_WAS: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\bthere(?: was| were|'s been| has been| have been|'ve been| is|'s| are|'re)(?: (?:a|an|another|two|three|
            several|loads of|lots of|a lot of|so much|too much|a bit of|more|constant|regular|always|often))*
            \x20(?:<CRIME_NOUN>)\b",
    )
});

/// People who deal or fight, gathered where the writer is: "dealers hang around the underpass".
static GATHERING: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:(?:drug )?dealers?|pushers|gangs?|gang members|(?:a|the) gang|drunks|addicts|users)
            \x20(?:hang(?:ing)? (?:around|about|out)|stand(?:ing)?|sit(?:ting)?|wait(?:ing)?|operat(?:e|es|ing)|
            work(?:s|ing)?|gather(?:s|ing)?|congregat(?:e|es|ing)|are always|are|sell(?:ing)?|deal(?:ing)?)\b",
    )
});

/// A shop selling what the law forbids to children: "the off licence sells to underage kids".
static SELLS_TO_CHILDREN: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:the|this|that|a|our|my) (?:shop|off ?licen[cs]e|offy|newsagents?|corner shop|store|garage|
            takeaway|pub|bar|man|guy|bloke|woman|cafe|vape shop|chicken shop|kiosk)(?: [^ ]+){0,6}? (?:sells|
            selling|sold|serves|serving|served|is selling|keeps selling)(?: [^ ]+){0,2}? to (?:underage|under[- ]age|
            under[- ]18s?|kids|children|minors|school ?kids|schoolchildren|teenagers|year \d+s?|year (?:sevens|
            eights|nines|tens)|\d+ year olds|young (?:kids|teenagers|children))\b(?P<not> (?:[^ ]+ ){0,3}?
            (?:should|must|ought to|deserves?|need to|needs to|would|will lose))?",
    )
});

/// Someone in particular doing harm to the writer or theirs: "a man followed my daughter home".
static DONE_TO_US: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"(?P<not>(?:\b(?:never|not|if|in case|worried|afraid|scared|frightened|fear|might|could|would|
            will|whether|before|until)\b|n't)(?: [^ ]+){0,4} )?\b<SPECIFIC_ACTOR>(?:'s| has| have| just|
            \x20had)*(?: [^ ]+){0,4}? (?:(?:tried|trying) to (?:grab|snatch|steal|nick|rob|break into|get into|stab|
            attack|hit|get)|followed|grabbed|scratched|slashed|damaged|vandali[sz]ed|dented|
            egged|spray[- ]?painted|burgled|attacked|punched|hit|robbed|mugged|stabbed|threatened|
            chased|groped|flashed at|spat at|spat on|assaulted|snatched|stole|nicked|broke into|smashed|keyed|
            pushed|shoved|kicked|headbutted|tripped|harassed|filmed|tried to (?:grab|snatch|steal|rob|break
            \x20into|get into|stab|attack|hit|get))(?: [^ ]+)? (?:me|us|my|our)\b",
    )
});

/// A crime the writer saw happen to someone: "a woman was being punched by a man at the bus stop".
static SEEN_DONE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:a|an|the|this|that|some) (?:young |old |elderly |little )?(?:woman|man|girl|boy|lad|kid|person|
            guy|lady|bloke|teenager|child|student|driver|cyclist|shopkeeper|pensioner)(?: [^ ]+){0,2}?
            \x20(?:was|were|is|got|gets|getting|being|was being|is being|were being|has been|had been)
            \x20(?:punched|hit|beaten|kicked|attacked|stabbed|mugged|robbed|assaulted|slapped|dragged|chased|
            threatened|groped|harassed|knocked (?:down|over|out)|glassed|shot|jumped|set upon)\b",
    )
});

/// Someone in particular doing a crime, with or without a helper verb: "a man selling drugs",
/// "lads on mopeds snatching phones", "kids keep throwing stones at buses". A modal just after
/// ("someone selling drugs near a school should go to prison") makes it talk about policy.
static ACTOR_DOING: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:<SPECIFIC_ACTOR>|they|he|she|(?:a|an|another|the same) (?:van|car|moped|motorbike|scooter|4x4)|
            (?:men|lads|boys|kids|youths|teenagers|people|guys|gangs?|dealers|
            blokes)(?: (?:on|in|with|from|at|by|outside|near|hanging around|who hang around)(?: [^ ]+){1,3}?)?)
            (?:'s| (?:son|daughter|kid|kids|boy|lad|partner|boyfriend|husband|mate|mates|friend|friends|lodger))?
            (?:'s|'re| is| are| keeps?| keep on| have been| has been| been| were| was| always| constantly| openly|
            \x20still| often| regularly| now| again| just)*(?: [^ ]+){0,6}? (?:<CRIME_ING>|intimidating (?:people|
            residents|us|me|women|girls|kids|children|passengers)|(?:spray[- ]?painting|
            tagging|graffitiing|keying cars|slashing tyres|dumping (?:rubbish|waste|needles|stuff|mattresses|cars|
            stolen|bags)|doing (?:drug )?deals|doing drugs|shouting (?:racist |homophobic |sexist )?(?:abuse|slurs|
            threats) at|racially abusing|setting off fireworks at|trying (?:the )?(?:car )?(?:doors?|door handles|
            handles|windows)(?: on| of)?|siphoning|syphoning|stripping (?:cars|bikes)|nicking (?:parcels|bikes|
            stuff|things))|(?:snatching|nicking|
            robbing|taking) (?:phones|bags|bikes|purses|wallets|parcels)|throwing (?:stones|rocks|bricks|eggs|
            fireworks|things|them|bottles) at|(?:selling|dealing|pushing|handing out|passing) (?:[^ ]+ )?(?:drugs|weed|
            cannabis|crack|coke|pills|nos|nitrous|balloons|gas canisters)|(?:smoking|taking|using|
            injecting) (?:crack|heroin|drugs|spice|weed|cannabis|skunk|nos|laughing gas)|(?:racing|doing wheelies|speeding) (?:up and down|round|
            around|through)|(?:breaking|getting) into (?:cars|vans|houses|sheds|garages|the|our|my)|
            (?:trying|tried) (?:car|door) handles|(?:following|harassing|flashing|exposing (?:himself|
            herself)) (?:to |at )?(?:women|girls|kids|children|people|us|me)|(?:kerb[- ]crawling|soliciting|
            pimping)|urinating|peeing|weeing)\b(?P<not> (?:[^ ]+ ){0,3}?(?:should|must|ought to|deserves?|
            needs? to be|need to be|would be|will get|get (?:a|longer|more)|gets (?:a|longer)|are the (?:problem|
            reason)|is (?:a|the) (?:problem|reason)))?",
    )
});

/// A time that makes a described crime something happening now: every night, most weekends.
static HABITUAL: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:every (?:single )?(?:night|day|evening|morning|afternoon|weekend|week|friday|saturday|
            sunday|monday|tuesday|wednesday|thursday|time i|time we)|most (?:nights|days|evenings|mornings|
            weekends)|each (?:night|day|evening)|all (?:night|day)(?: long)?|24/7|nightly|daily|
            day and night|night after night|at night|after dark|again|all the time|constantly|every other
            \x20(?:day|night)|several times a (?:week|night|day)|(?:twice|three times) (?:this|a) (?:week|month)|
            this month|(?:on|at) weekends)\b",
    )
});

/// A place the writer can point to: "by the swings", "outside my flat", "on our estate".
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:by|outside|in|on|at|near|behind|round|around|under|opposite|beside|next to|in front of|
            along|up|down|from|out of) (?:the|my|our|this|that|his|her|their) (?:[^ ]+ )?(?:swings|park|playground|
            estate|block|loft|attic|bedroom|kitchen|room|van|car|garage|
            stairwell|stairs|lift|landing|corridor|street|road|alley|alleyway|garages?|car park|station|
            stop|bus stop|shop|shops|offy|off licence|chicken shop|corner|school|gates?|entrance|door|
            flats?|building|house|garden|green|field|bridge|underpass|subway|canal|towpath|bench|benches|
            square|parade|precinct|high street|takeaway|pub|launderette|library|church|mosque|
            community centre|rec|footpath|cut ?through|bins|bin store|communal|close|avenue|crescent|lane)
            \b(?P<not> (?:[^ ]+ ){0,3}?(?:should|must|ought to|deserves?|needs? to be|would be|will get))?",
    )
});

/// Crime as a noun, at a place of the writer's or one they can point to.
static CRIME_NOUN_HERE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:<CRIME_NOUN>|gangs?|youths|dealers|drunks|motorbikes|mopeds|nitrous (?:oxide )?canisters|
            needles|crack pipes|car meets)(?: [^ ]+){0,3}?
            \x20(?:in|on|outside|at|by|near|behind|round|around|under|opposite|in front of) (?:my|our)
            \x20(?:[^ ]+ ){0,2}?(?:street|road|estate|block|stairwell|stairs|lift|landing|corridor|building|
            flats?|house|door|window|car park|garages?|garden|close|park|area|bit of|end of|part of|
            neighbourhood|doorstep|front|back|alley|cul[- ]de[- ]sac|entrance|lobby|bin store|local)\b",
    )
});

/// A place the writer points to, used for crime: "the flat above is a cannabis farm".
static PLACE_USED_FOR_CRIME: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:the|a|that|this|my|our) (?:flat|house|shop|property|building|garage|unit|car|flat above|
            flat below|house opposite|place|barber'?s|nail bar|car wash|takeaway)(?: [^ ]+){0,4}? (?:is|'s|has
            \x20become|is being used as|being used as|is used as|used as|are running|runs|is running) (?:a|an)
            \x20(?:crack|drug|drugs|cannabis|weed|skunk) (?:den|house|farm|factory|line)|\b(?:the|a|that|this)
            \x20(?:flat|house|shop|property|building|garage|unit)(?: [^ ]+){0,4}? (?:is|'s) (?:a|an) (?:brothel|
            front for|cuckooed)|\b(?:dealing|selling) (?:drugs |weed |crack )?(?:out of|from) (?:the|a|that|
            this|my|our|next door|his|her|their) (?:[^ ]+ )?(?:flat|house|car|van|shop|garage|window|
            doorway|door|back|front)|\b(?:cuckooed|cuckooing|taken over (?:his|her|their) flat)\b",
    )
});

/// Someone with a weapon, where the writer is or now.
static WEAPON_HERE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:<SPECIFIC_ACTOR>|(?:men|lads|boys|kids|youths|teenagers|guys)|he|she|they)(?:'s|'re| is| are|
            \x20was| were)? (?:with|carrying|waving|holding|brandishing|flashing|showing|pulled|pulled out|
            got out|had) (?:a |an |his |her |their |two |big |huge )?(?:knife|knives|gun|guns|machetes?|blades?|
            weapons?|zombie knife|hammer|baseball bat|bat|axe|crossbow|firearm)\b(?: (?:[^ ]+ ){0,5}?(?:on me|
            on us|at me|at us|in the|outside|by the|near the|on the|at the|right now|earlier|tonight|last
            \x20night|yesterday|today|this morning))",
    )
});

/// The writer's things harmed: "my car got broken into", "our shed was burgled".
static MY_THINGS_HARMED: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"(?P<not>(?:\b(?:never|not|if|in case|worried|afraid|scared|frightened|fear|might|could|would|
            will|whether|before|until)\b|n't)(?: [^ ]+){0,4} )?\b(?:my|our|my (?:mum's|dad's|son's|
            daughter's|wife's|husband's|partner's|neighbour's)) (?:[^ ]+ )?(?:car|cars|bike|bikes|van|house|
            flat|home|shed|garage|phone|bag|handbag|wallet|purse|catalytic converter|parcels?|post|moped|
            scooter|e-?bike|motorbike|front door|door|window|windows|windscreen|tyres|wing mirrors?|
            letterbox|fence|garden|plants|bins?|shop|stall|card|bank card|identity|account)(?: [^ ]+){0,2}?
            (?: got| was| were| has been| have been| had been| keeps getting| keep getting| gets| get| is getting|
            'd been|'ve been|'s been|'s got| got)(?: (?:just|already|again|both|all|also))? (?:stolen|nicked|taken|
            broken into|smashed(?: in| up)?|vandali[sz]ed|keyed|burgled|broken|robbed|snatched|set on fire|
            set alight|torched|damaged|slashed|graffitied|kicked in|cloned|hacked|used|pinched|swiped|
            ransacked|tampered with|egged)\b",
    )
});

/// The writer harmed: "I got jumped by three lads", "my son was mugged on his way home".
static I_WAS_HARMED: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"(?P<not>(?:\b(?:never|not|if|in case|worried|afraid|scared|frightened|fear|might|could|would|
            will|whether|before|until)\b|n't)(?: [^ ]+){0,4} )?\b(?:i|we|my (?:<CLOSE>|<YOUNG>|<OLDER>))
            (?:'ve|'d|'s)?(?: (?:got|was|were|have been|had been|been|'ve been|has been|just got|just been|
            keep getting|keeps getting|get))(?: (?:just|also|both|all|nearly|almost|literally))? (?:jumped|
            mugged|robbed|stabbed|attacked|assaulted|beaten up|battered|punched|headbutted|spat at|spat on|
            groped|followed(?: home| by)?|chased|flashed at|threatened with|pickpocketed|scammed|conned|defrauded|
            carjacked|burgled|broken into|run over|knocked off (?:my|his|her) bike|hit by (?:a|an) (?:car|van|driver) that
            \x20(?:drove off|didn't stop)|racially abused|sexually assaulted|kicked|slashed|glassed|shot at|
            robbed at knife ?point|held up)\b",
    )
});

/// Words that put an incident years back, which is experience rather than a report.
static LONG_AGO: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:in (?:19|20)\d\d|(?:a|two|three|four|five|six|several|many|few|\d+) years? ago|years ago|
            last year|when i was (?:young|younger|little|a (?:child|kid|teenager|student))|as a (?:child|kid|
            teenager|student)|back in|in the past|once(?: before)?|(?:a|one) (?:long )?time ago|decades? ago|
            in my (?:teens|twenties|youth)|growing up)\b",
    )
});
