//! The flags: whether a text discloses that someone is at risk (`safeguarding`) or reports a crime
//! or incident (`incident_report`).
//!
//! Each sentence is lower-cased, its apostrophes straightened and its spaces collapsed, then tried
//! against general patterns rather than lists of sentences: a first-person subject followed within
//! a few words by a verb of harm ("I've been cutting myself"), an abuser named by relation followed
//! by a verb of harm and "me" ("my partner hits me"), a recent time ("last night", "this morning",
//! "just now") with a crime verb and a person involved ("someone stole my bike"), someone specific
//! in the middle of a crime ("my neighbour is dealing drugs"). Talk about policy ("knife crime is
//! rising", "domestic abuse services need funding") names no victim and no time, so it raises
//! nothing. Some patterns carry a `not` group: a match that fills it does not count ("take my
//! life in my hands", "I don't want to live in a city like this").

use std::sync::LazyLock;

use regex::Regex;

use super::personal::ascii_word_boundaries;
use super::{Flag, at_risk, incidents};

/// The flags `text` raises, sorted, each once.
pub(super) fn raise(text: &str) -> Vec<Flag> {
    let mut at_risk = false;
    let mut incident = false;
    for sentence in sentences(text) {
        at_risk = at_risk || someone_at_risk(&sentence);
        incident = incident || reports_incident(&sentence);
        if at_risk && incident {
            break;
        }
    }
    let mut flags = Vec::new();
    if at_risk {
        flags.push(Flag::Safeguarding);
    }
    if incident {
        flags.push(Flag::IncidentReport);
    }
    flags
}

fn someone_at_risk(s: &str) -> bool {
    at_risk::raises(s)
        || SAFEGUARDING.iter().any(|re| hit(re, s))
        || (hit(&FEAR_FOR_LIFE, s) && !TRAFFIC.is_match(s))
        || (hit(&HE_OR_SHE_HURT_ME, s) && AT_HOME.is_match(s))
        || (hit(&INTRUDER, s) && NOW_OR_HERE.is_match(s))
        || (LURKING.is_match(s) && AFRAID_OR_NOW.is_match(s))
}

fn reports_incident(s: &str) -> bool {
    if incidents::reports(s) || INCIDENT.iter().any(|re| hit(re, s)) {
        return true;
    }
    let recent = RECENT.is_match(s);
    let someone = FIRST_PERSON.is_match(s) || ACTOR.is_match(s);
    if recent && someone && hit(&CRIME_DONE, s) && !REPORTAGE.is_match(s) {
        return true;
    }
    if recent && hit(&CALLED_POLICE, s) {
        return true;
    }
    let crime_here = hit(&THERE_IS_CRIME, s) || hit(&ONGOING_CRIME, s) || hit(&INTRUDER, s);
    if crime_here && NOW_OR_HERE.is_match(s) {
        return true;
    }
    if let Some(caps) = WITNESSED.captures(s) {
        let seen = &caps["rest"];
        let crime = CRIME_ING.is_match(seen) || CRIME_BASE.is_match(seen) || hit(&CRIME_DONE, seen);
        if crime && (recent || caps.name("now").is_some()) {
            return true;
        }
    }
    REPORT_INTENT.captures_iter(s).any(|caps| {
        let rest = caps["rest"].trim_start();
        if NOT_A_CRIME_REPORT.is_match(rest) {
            return false;
        }
        CRIME_WORD.is_match(rest)
            || CRIME_ING.is_match(rest)
            || hit(&CRIME_DONE, rest)
            || SPECIFIC_ACTOR.is_match(rest)
            || ((rest.starts_with("a ") || rest.starts_with("an ")) && !NOT_A_CRIME.is_match(rest))
    })
}

/// Whether `re` matches `s` without filling its `not` group.
pub(super) fn hit(re: &Regex, s: &str) -> bool {
    // `is_match` is much cheaper than finding captures, and most sentences match nothing.
    re.is_match(s) && re.captures_iter(s).any(|caps| caps.name("not").is_none())
}

/// The sentences of `text`, lower-cased, with straight apostrophes and single spaces.
pub(super) fn sentences(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(['.', '!', '?', ';', '\n', '…']).filter_map(|raw| {
        let mut sentence = String::with_capacity(raw.len());
        let mut word_lower = String::new();
        for word in raw.split_whitespace() {
            if !sentence.is_empty() {
                sentence.push(' ');
            }
            word_lower.clear();
            for c in word.chars() {
                match c {
                    '’' | '‘' | 'ʼ' | '`' | '´' => word_lower.push('\''),
                    c => word_lower.extend(c.to_lowercase()),
                }
            }
            sentence.push_str(with_apostrophe(&word_lower));
        }
        // "kill my self" is how many people write "kill myself".
        let sentence =
            if sentence.contains("my self") { sentence.replace("my self", "myself") } else { sentence };
        (!sentence.is_empty()).then_some(sentence)
    })
}

/// A contraction written without its apostrophe ("cant", "dont", "hes"), as people type on phones,
/// written with it, and a few common misspellings of the words the patterns turn on ("sucidal")
/// spelt right, so that the patterns need know only one spelling. Words that are also words without
/// the apostrophe ("ill", "were", "id", "its", "lets") are left alone, except "wont", which in these
/// sentences is nearly always "won't".
fn with_apostrophe(word: &str) -> &str {
    match word {
        "cant" => "can't",
        "dont" => "don't",
        "didnt" => "didn't",
        "doesnt" => "doesn't",
        "isnt" => "isn't",
        "wasnt" => "wasn't",
        "arent" => "aren't",
        "werent" => "weren't",
        "wont" => "won't",
        "wouldnt" => "wouldn't",
        "couldnt" => "couldn't",
        "shouldnt" => "shouldn't",
        "havent" => "haven't",
        "hasnt" => "hasn't",
        "hadnt" => "hadn't",
        "aint" => "ain't",
        "im" => "i'm",
        "ive" => "i've",
        "hes" => "he's",
        "shes" => "she's",
        "theyre" => "they're",
        "theyve" => "they've",
        "theres" => "there's",
        "thats" => "that's",
        "whats" => "what's",
        "youre" => "you're",
        "noone" => "no one",
        "anymore" => "any more",
        // Misspellings of the words the patterns turn on.
        "sucidal" | "suicidle" | "suicdal" | "sucidle" | "suisidal" | "suicial" => "suicidal",
        "kil" | "kll" => "kill",
        "harmimg" | "harmin" | "harmng" | "hamring" => "harming",
        "myslef" | "mysef" | "meself" | "myselfe" => "myself",
        "killin" => "killing",
        "burgaled" | "burgled," => "burgled",
        "u" => "you",
        "ur" => "your",
        "bc" | "cos" | "coz" | "cuz" => "because",
        other => other,
    }
}

/// Named pieces that patterns use as `<NAME>`.
const PIECES: &[(&str, &str)] = &[
    // The writer as subject: "i", "i'm", "im", "i've", "i'd".
    ("I", r"\bi(?:'m|'ve|'d|m|ve)?"),
    // People whose harm to the writer is domestic abuse.
    (
        "RELATION",
        r"(?:(?:ex[- ]?)?(?:partner|husband|wife|boyfriend|girlfriend|bf|gf|spouse|fianc[eé]e?)|ex|dad|
            father|step[- ]?(?:dad|father|mum|mother|son|daughter)|mum|mother|mom|son|daughter|brother|
            sister|uncle|aunt|auntie|cousin|grandad|grandfather|carer|family|parents?|in[- ]laws?|flatmate|
            housemate)",
    ),
    // People the writer may be worried about.
    (
        "CLOSE",
        r"(?:(?:ex[- ]?)?(?:partner|husband|wife|boyfriend|girlfriend|spouse|fianc[eé]e?)|son|daughter|
            child|children|kid|kids|teenager|brother|sister|mum|mother|mom|dad|father|
            step[- ]?(?:son|daughter|dad|mum)|(?:best )?friend|(?:best )?mate|flatmate|housemate|neighbou?r|grandson|
            granddaughter|nephew|niece|cousin|student|pupil|client)",
    ),
    // Young people someone may worry about.
    (
        "YOUNG",
        r"(?:child|children|kid|kids|boy|boys|girl|girls|baby|babies|toddler|toddlers|lad|lads|teenager|
            teenagers|teen|teens|son|sons|daughter|daughters|grandson|granddaughter|grandchild|grandchildren|
            grandkids|little one|little ones|nephew|niece|youngest|eldest|stepson|stepdaughter|
            foster (?:child|son|daughter))",
    ),
    // Older relations.
    (
        "OLDER",
        r"(?:nan|nana|nanna|nanny|gran|granny|grandma|grandmother|grandad|granddad|grandpa|grandfather|
            mum|mother|dad|father|aunt|auntie|uncle|great[- ](?:aunt|uncle|grandma|grandad|nan|gran))",
    ),
    // How people say a person's age or stage before naming them.
    (
        "AGE",
        r"(?:little|young|baby|teenage|elderly|older|old|\d+ ?(?:year|yr)s?[- ]?old|(?:one|two|three|four|
            five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)
            [- ]?(?:year|yr)s?[- ]?old)",
    ),
    // Verbs of harm done to someone, in any tense.
    (
        "HARM",
        r"(?:hits?|hitting|beats?|beating|beaten|punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|slap(?:s|ped|ping)?|
            chok(?:es|ed|ing)|strangl(?:es|ed|ing)|throttl(?:es|ed|ing)|threaten(?:s|ed|ing)?|hurts?|
            hurting|abus(?:es|ed|ing)|rap(?:es|ed|ing)|assault(?:s|ed|ing)?|attack(?:s|ed|ing)?|
            shov(?:es|ed|ing)|bull(?:ies|ied|ying)|terrori[sz](?:es|ed|ing)|stalk(?:s|ed|ing)?|
            harass(?:es|ed|ing)?|batter(?:s|ed|ing)?|struck|strikes|drag(?:s|ged|ging)|isolat(?:es|ed|ing)|
            manipulat(?:es|ed|ing)|control(?:s|led|ling)?|starv(?:es|ed|ing)|touch(?:es|ed|ing)|
            (?:sexually|physically|verbally|emotionally) (?:abus(?:es|ed|ing)|assault(?:s|ed|ing)?))",
    ),
    // The same verbs in the present ("hits", "is hitting"): harm that is still going on.
    (
        "HARM_NOW",
        r"(?:hits|hitting|beats|beating|punches|punching|kicks|kicking|slaps|slapping|chokes|choking|
            strangles|strangling|threatens|threatening|hurts|hurting|abuses|abusing|rapes|raping|assaults|
            assaulting|attacks|attacking|shoves|shoving|bullies|bullying|terrori[sz]es|terrori[sz]ing|
            stalks|stalking|harasses|harassing|batters|battering|controls|controlling|drags|dragging|
            touches|touching)",
    ),
    // Other acts of domestic abuse, with their object.
    (
        "ABUSE_ACT",
        r"(?:push(?:es|ed|ing)? (?:me|us) (?:down|against|into|over|around|about|out)|(?:won't|doesn't|
            does not|will not|wouldn't|never) lets? (?:me|us) (?:leave|go out|see|out|have|talk|speak|use|
            work)|takes? (?:all )?my (?:money|phone|wages|benefits|bank card|passport|keys)|(?:locks?|
            locked|locking) me (?:in|out|up)|check(?:s|ed)? my phone|threaten(?:s|ed|ing)? to (?:kill|hurt|
            take|throw|beat|stab)|put (?:his|her) hands? (?:on|around) (?:me|my)|
            (?:send(?:s|ing)?|sent) me (?:threats|threatening)|
            turn(?:s|ed|ing)? up at my (?:house|flat|home|work|door|school|job))",
    ),
    // Someone the writer cannot name but who did or does something: "someone", "a man", "my neighbour".
    (
        "SPECIFIC_ACTOR",
        r"(?:someone|somebody|some(?:one)? (?:men|guys|people|kids|boys|lads|youths|teenagers|girls|women)|
            (?:a|an|another) (?:man|woman|guy|bloke|lad|boy|girl|group|gang|person|stranger|driver|cyclist|
            moped rider|thief|burglar|youth|teenager|teen|kid|intruder)|(?:two|three|four|five|several|
            a few|a couple of|a group of|a gang of) (?:men|guys|people|boys|lads|youths|teenagers|women|
            girls|kids|thieves|teens|blokes|geezers|dealers)|some (?:idiot|idiots|scumbag|scumbags|thug|thugs|
            yobs?|bloke|guy|lad|kid)|thieves|burglars|robbers|muggers|vandals|intruders|my (?:neighbou?rs?|
            landlord|ex)|next door|the (?:neighbou?rs?|people|man|woman|family|tenants?|guys?|lads|kids|men|
            boys) (?:next door|upstairs|downstairs|opposite|across the (?:road|street|hall|landing)|
            at number \d+|in (?:flat|number) \d+))",
    ),
    // Crimes in progress ("dealing drugs", "breaking into"), worded so that ordinary verbs
    // ("dealing with", "fighting for") do not count.
    (
        "CRIME_ING",
        r"(?:dealing(?: (?:drugs|weed|cannabis|crack|coke|cocaine|heroin|
            class a)| from| outside| openly| again| in (?:the|my|our) (?:street|estate|block|stairwell|park|
            building|flats?)|$|,)|selling (?:drugs|weed|cannabis|crack|coke|cocaine|heroin|stolen|knives|
            guns|fake)|growing (?:cannabis|weed|skunk|drugs)|running a (?:brothel|cannabis farm|
            drugs? (?:den|line))|breaking in(?:to)?|trying to (?:break|get) in(?:to)?|trying to (?:steal|
            rob|snatch)|stealing|burgling|robbing|mugging|trespassing|shoplifting|vandali[sz]ing|
            smashing (?:up )?(?:cars?|windows?|the|my|our)|setting fire|setting (?:[^ ]+ )?(?:alight|
            on fire)|fly[- ]?tipping|threatening (?:me|us|people|residents|neighbours|my|our)|
            harassing (?:me|us|people|residents|neighbours|my|our|women|girls)|attacking (?:me|us|people|
            residents|my|our|someone)|stabbing|exposing (?:himself|herself|themselves)|(?:carrying|
            waving) (?:a |an )?(?:knife|knives|gun|guns|weapons?|machete|axe)|(?:using|smoking) (?:crack|
            heroin)|spraying graffiti|joyriding|stalking|following me|beating (?:me|us|my|someone|him|her|
            people)|abusing (?:me|us|my|children|kids|animals|a dog|dogs|their)|assaulting|
            fighting (?:outside|in the|on the|at the|by the|with (?:bottles|knives|weapons|bats|each other|
            machetes)|again|right now|every)|
            (?:fight|brawl|riot|stabbing|robbery|burglary|break-in|mugging) (?:happening|going on|
            taking place|in progress))",
    ),
    // Words that make a finished crime: "broke into", "was mugged", "stole". Adjectival
    // participles ("stolen bikes", "smashed windows") count only after a helper verb or before
    // an object.
    (
        "CRIME_DONE",
        r"(?:broke in(?:to)?|broken in(?:to)?|break in(?:to)?|stole|nicked|robbed|mugged|burglari[sz]ed|
            attacked|assaulted|stabbed|knifed|shot (?:at|me|him|her|someone|dead)|punched|beaten up|
            beat (?:me|him|her|them|us|someone) up|beat up|hit me|kicked (?:me|us|him|her|in|down)|snatched|
            set fire|set (?:[^ ]+ )?on fire|set (?:[^ ]+ )?alight|spray[- ]?painted|spat (?:at|on)|groped|
            grabbed (?:me|us|my|her|him)|touched me|slapped (?:me|us|him|her)|shoved (?:me|us)|pushed (?:me|
            us)|headbutted|elbowed me|tripped me|threw [^ ]+ (?:[^ ]+ )?at (?:me|us)|flashed (?:at )?(?:me|
            us|her|him)|exposed (?:himself|herself)|scammed|defrauded|pickpocketed|carjacked|hijacked|
            fly[- ]?tipped|shoplifted|raped|sexually assaulted|racially abused|chased|followed (?:me|us)|
            hacked|trespassed|jumped (?:me|us)|at (?:knife|gun) ?point|run over|rammed|ram-raided|
            hit[- ]and[- ]run|tried to (?:snatch|steal|rob|mug|break in|grab|stab|attack)|(?:was|were|been|got|get|gets|had|has|have|'ve|is|are|
            be)(?: [^ ]+)? (?:stolen|smashed|vandali[sz]ed|keyed|graffitied|torched|looted|ransacked|
            burgled|abused|threatened|harassed)|(?:smashed|vandali[sz]ed|keyed|graffitied|torched|looted|
            ransacked|burgled|abused|threatened|harassed) (?:my|our|the|a|an|his|her|their|two|three|
            several|some|every|all|up|in|into|through|down|off|it|them|him|me|us|everything))",
    ),
    // Crime named as a noun: "a stabbing", "drug dealing", "anti-social behaviour".
    (
        "CRIME_NOUN",
        r"(?:drug[- ]?dealing|dealing|drug use|people (?:taking|smoking|using|dealing) (?:drugs|crack|weed)|
            fights?|fighting|brawls?|muggings?|break[- ]?ins?|burglar(?:y|ies)|robber(?:y|ies)|thefts?|
            car thefts?|stabbings?|shootings?|anti[- ]?social behaviou?r|asb|vandalism|joyriding|
            (?:street|drag) racing|kerb[- ]crawling|catcalling|flashing|indecent exposure|arson|
            shouting and fighting|graffiti|tagging|fly[- ]?tipping|assaults?|attacks?|riots?|shoplifting|
            dealers? selling|a (?:man|woman|guy|group) (?:with a (?:knife|gun|machete)|dealing|selling drugs))",
    ),
    // A time that makes an event news rather than experience: "last night", "just now".
    (
        "RECENT",
        r"\b(?:last (?:night|evening|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|
            yesterday|this (?:morning|afternoon|evening|week|weekend)|tonight|today|earlier (?:today|
            this (?:week|morning|evening|afternoon))|just now|right now|at the moment|as we speak|overnight|
            (?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|few|
            couple of|\d+) (?:[^ ]+ )?(?:minutes?|mins?|hours?|hrs?|
            days?) ago|the other (?:day|night)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|
            sunday)|(?:have|'ve|ve|has|'s|had|was|were|got) just|just (?:been|got|had|now|happened))\b",
    ),
];

/// Compiles `pattern` after putting in its `<NAME>` pieces. Patterns are broken across lines to be
/// read: a line break and the indentation after it are not part of the pattern (a space that
/// starts a line is written `\x20`).
pub(super) fn build(pattern: &str) -> Regex {
    let mut pattern = pattern.to_owned();
    // Pieces may use pieces defined before them.
    for (name, piece) in PIECES.iter().rev() {
        pattern = pattern.replace(&format!("<{name}>"), piece);
    }
    let pattern: String = pattern.split('\n').map(str::trim_start).collect();
    Regex::new(&ascii_word_boundaries(&pattern)).expect("the flag patterns are valid")
}

static SAFEGUARDING: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Suicide and self-harm, in the writer's own words.
        r"\b(?:kill|killing|harm|harming|harmed|starve|starving|starved|hang|hanging|poison|poisoning|drown|
            drowning|suffocate|suffocating|strangle|strangling|stab|stabbing|shoot|shooting|overdose on|
            od on) myself\b(?P<not> (?:in the foot|laughing))?",
        r"\b(?:hurting|cutting|burning|scratching|punishing|hitting|starving|
            harming) myself\b(?P<not> (?:some|a) (?:slack|slice|piece|break))?",
        r"\b(?:want|wanted|wanting|wanna|going|gonna|urge|urges|urged|tempted|feel like|felt like|
            thinking of|thinking about|think about|thought about|thought of|tried|try|trying|keep|kept|
            started|start|planning|plan|plans|need|needed)(?: to)?(?: [^ ]+)? (?:hurt|cut|burn|harm|punish|
            end|kill|hurting|cutting|burning|
            harming) myself\b(?P<not> (?:some|a) (?:slack|slice|piece|break))?",
        r"<I>(?: (?:have|am|been|was|still|sometimes|often|started|start|keep|kept|used to|do|did|began|
            always|regularly|really|also)){0,3} self[- ]?harm(?:ing|ed)?\b",
        r"\bmy (?:self[- ]?harm(?:ing)?|suicidal (?:thoughts|feelings))\b",
        r"\b(?:end|ending|ended|take|taking|
            took) my (?:own )?life\b(?P<not> in (?:my|our) (?:own )?hands)?",
        r"\b(?:end|ending) it all\b",
        r"\b(?:cut|cuts|burnt|burned|burn|hurt|harmed|scratched) myself (?:again|on purpose|deliberately|
            intentionally|every (?:day|night|week)|to cope|last night|yesterday|this morning|today|tonight)\b",
        r"<I>(?: [^ ]+){0,2}? (?:want|wish|need) (?:it all|everything|my life|the pain|this life) to (?:end|
            stop|be over)\b",
        r"\b(?:life|my life|living) (?:isn't|is not|'s not|is no longer|isn't really|is not really) worth
            \x20living\b(?P<not> (?:in|here|there|on|at|near|without)\b)?",
        r"\b(?:he|she|they|someone|somebody|a man|my <RELATION>|my neighbou?rs?)(?:(?: [^ ]+){0,4}?
            \x20(?:will|would|is going to|are going to|going to|gonna|threaten(?:ed|s|ing)? to|promised to|
            wants? to|tried to|trying to)|'ll|'d|'s going to|'re going to) (?:kill|hurt|stab|shoot|strangle|
            beat) me\b(?P<not> (?:for (?:saying|writing|admitting|this|that|being)|
            (?:if|when) (?:she|he|they) (?:reads?|sees?|finds? out|knew|hears?)))?",
        r"(?:<I>|\bmy <CLOSE>)(?: [^ ]+){0,3}? (?:(?:took|taken|take|taking|had) an? overdose|overdosed)\b",
        r"\b(?:going to|gonna|want to|wanna|thinking (?:about|of)|thought (?:about|of)|planning to|might|
            will|'ll|tempted to|urge to) (?:just )?(?:jump(?:ing)? (?:off|from) (?:a |the |that )?(?:bridge|
            building|roof|tower|cliff|balcony|car park)|(?:jump|throw myself|
            step)(?:ing)? in front of (?:a |the )?(?:train|tube|bus|lorry|car))\b",
        r"\b(?:no one|nobody|noone) would (?:miss|notice|care about) me\b|\b(?:no one|nobody|
            noone) would (?:miss me|notice|care) if i (?:was|were|died|disappeared)\b",
        r"<I>(?: (?:am|was|have|had|been|feel|feeling|felt|getting|get|got|really|so|very|quite|still|often|
            sometimes|constantly|always|now|just|having|thinking about|thinking of|thought about|considered|
            considering|attempted|tried|planning|planned|of|about|a bit|a little|extremely|incredibly|
            pretty|become|becoming|became|again|seriously)){0,4} (?:suicidal|
            suicide)\b(?P<not> (?:prevention|awareness|rates?|statistics|services?|charity|charities|
            helplines?|strategy|figures|numbers|research|training))?",
        r"<I>(?: (?:just|really|honestly|sometimes|often|still|now|literally|seriously|genuinely|actually|
            do|would|'d|d)){0,3} (?:want|wanna|wanted|wish|would rather|rather|feel like) (?:to )?(?:die|
            be dead)\b(?P<not> (?:than|on (?:this|that) hill|of (?:embarrassment|shame|boredom)))?",
        r"\bwish i (?:was|were) dead\b|\bwish i(?:'d| had)? never been born\b|\bwish i (?:could|
            would) (?:just )?(?:die|disappear|not wake up|never wake up)\b",
        r"\b(?:better off (?:dead|without me)|no reason to (?:live|go on|carry on|be alive|keep going)|
            (?:no|isn't any|not any) point (?:in )?(?:living|being alive|going on|carrying on)|can't go on|
            cannot go on|can't carry on|can't do this any ?more|don't see the point (?:in|of) (?:living|
            life|going on)|nothing to live for)\b(?P<not> (?:in|here|there|near|on|at|with|waiting|for|to|
            until|paying|like that)\b)?",
        r"<I>(?: (?:just|really|honestly|genuinely|seriously|simply|actually|literally))? (?:don't|dont|
            do not|no longer|never) (?:(?:really|even|honestly) )?want to (?:live|be alive|exist|wake up|
            go on|carry on|be here any ?more)\b(?P<not> (?:in|here|there|near|on|at|with|next|by|under|
            beside|around|somewhere|where|among|alongside|opposite|close|round|through|without)\b)?",
        // Someone close to the writer at risk of suicide or self-harm.
        r"\bmy <CLOSE>(?:'s|'re)?(?: [^ ]+){0,5}? (?:kill|killing|hurt|hurting|harm|harming|cut|cutting|end|ending|
            take|taking|took|ended) (?:himself|herself|themselves|themself|his (?:own )?life|
            her (?:own )?life|their (?:own )?life)\b",
        r"\bmy <CLOSE>(?:'s|'re)?(?: [^ ]+){0,3}? (?:suicidal|self[- ]?harm(?:s|ing|ed)?|attempted suicide|
            tried to kill)",
        // Domestic abuse: a relation who harms the writer, or acts of control.
        r"\bmy <RELATION>(?:'s? <RELATION>)?(?: [^ ]+){0,8}? (?:<HARM> (?:me|us|
            my (?:kids|children|child|son|daughter|baby|babies|mum|mother|little (?:boy|girl)))\b|
            <ABUSE_ACT>)(?P<not> (?:at|in) (?:chess|cards|scrabble|monopoly|football|tennis|golf|pool|darts|
            games?|a race|the race|everything|the election|arguments?)| to it)?",
        r"\bmy <CLOSE>'s <RELATION>(?: [^ ]+){0,3}? <HARM> (?:her|him|them)\b",
        r"\b(?:he|she)(?:'s| is| has been| has| had| just| keeps(?: on)?| always| often| regularly|
            \x20constantly| still| sometimes| repeatedly| will| would| then| also| even| never stops|
            \x20won't stop){0,3} (?:<HARM_NOW> me\b|<ABUSE_ACT>)",
        r"<I>(?: (?:am|still|constantly|currently|now|really|regularly|always|often))* being (?:abused|
            beaten|hit|threatened|controlled|stalked|followed|harassed|hurt|raped|assaulted|groomed|
            exploited|blackmailed|trafficked|attacked|watched|targeted|coerced)\b",
        r"\bi(?: was|'ve been|ve been| have been| had been| got| get| keep getting| am|
            'm)(?: [^ ]+){0,2}? (?:abused|beaten|hit|threatened|controlled|stalked|harassed|hurt|raped|
            assaulted|attacked|strangled|choked|punched|kicked) (?:[^ ]+ )?by (?:my <RELATION>|him|her)\b",
        r"\bi(?: was|'ve been|ve been| have been| had been| am|'m)(?: [^ ]+){0,2}? (?:raped|groomed|
            trafficked|sexually (?:abused|assaulted|exploited)|molested)\b",
        r"<I>(?: am)?(?: (?:currently|still|now|really|also|actually))? (?:a victim of|experiencing|
            suffering|suffering from|living with|going through|trapped in|stuck in|
            in) (?:domestic (?:abuse|violence)|
            (?:an )?abusive (?:relationship|partner|marriage|home|household|husband|wife|boyfriend|girlfriend)|
            coercive control|abuse at home|honou?r[- ]based (?:abuse|violence)|(?:a )?forced marriage)\b",
        r"<I>(?: am)? (?:live|living) with (?:an? )?(?:abusive|violent|controlling) (?:partner|husband|wife|
            boyfriend|girlfriend|parent|dad|father|mum|mother|family|man|woman)\b",
        r"\bmy <RELATION> (?:is|has been|can be|gets|becomes|became|
            was)(?: (?:very|really|so|increasingly|often|sometimes|always|getting))* (?:abusive|violent|
            controlling)\b",
        r"<I>(?: am)?(?: (?:really|so|very|absolutely|genuinely|always|constantly|now|getting|becoming|
            increasingly))* (?:afraid|scared|frightened|terrified|petrified) (?:of (?:my <RELATION>|him|
            her)\b|(?:to|of) (?:go|be|return|come|going|being|returning|coming|getting) (?:back )?(?:home|
            at home|alone with (?:him|her))\b)",
        // Immediate danger.
        r"\bmy (?:own )?life is (?:in danger|at risk|under threat|being threatened)\b",
        r"<I>(?: am)?(?: (?:really|genuinely|now|currently|actually|seriously))? in (?:immediate |real |
            serious |grave )?danger\b(?P<not> of)?",
        r"<I>(?: am)?(?: (?:just|really|simply|still))? not safe (?:at home|
            in my (?:own )?(?:home|house|flat)|with (?:him|her|my)|around (?:him|her))\b",
        r"\bi (?:don't|dont|do not|no longer) feel safe (?:at home|in my (?:own )?(?:home|house|flat)|
            with (?:him|her|my)|around (?:him|her))\b",
        r"\b(?:someone|somebody|a (?:man|woman|guy|group|gang|stranger|car|van)|some (?:men|guys|people|
            kids|boys|lads)|they|he|she|my ex(?:[- ][a-z]+)?|my (?:ex[- ]?)?(?:partner|husband|wife|
            boyfriend|girlfriend)|my neighbou?rs?)(?:'s|
            're| is| are| has been| have been| keeps?(?: on)?| won't stop| will not stop)(?: (?:still|now|
            constantly|always|again|literally))* (?:following|stalking|watching|threatening|chasing|
            harassing|hitting|attacking|waiting for|looking for|sending (?:me )?threats to|banging on|kicking|
            trying to open|
            trying to (?:get in|break in|get into|hurt|kill|find|grab)) (?:me|my (?:door|window))\b",
        r"\bthere(?:'s| is|s| are|'re) (?:someone|somebody|a (?:man|woman|guy|group|gang|stranger|car|van)|
            some (?:men|guys|people|kids|boys|lads)|people|men) (?:[^ ]+ )?(?:following|stalking|watching|
            threatening|chasing|harassing|waiting for|
            trying to (?:get in|break in|get into|hurt|grab)) (?:me|my (?:door|window))\b",
        r"\b(?:someone|somebody|a (?:man|woman|guy|group|gang|stranger)|
            some (?:men|guys|people|kids|boys|lads)|people|men|they|he|she|my ex[^ ]*)(?:'s|
            're| is| are) (?:trying to (?:break|get) in(?:to)?|breaking in(?:to)?|getting in(?:to)?) (?:my|
            our) (?:house|flat|home|room|bedroom|building)\b",
        r"\b(?:he|she|someone|somebody|a man|my ex[^ ]*)(?:'s| is) (?:outside|at|in) my (?:door|house|flat|
            home|window|garden|building)(?: right)? now\b",
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

/// "I'm scared for my life": counted unless the sentence is about traffic, where it is a figure of
/// speech ("I fear for my life cycling on this road").
static FEAR_FOR_LIFE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:scared|afraid|frightened|terrified|fear|fearing|fearful|
            worried) for my (?:own )?life\b(?P<not> (?:savings|insurance|work))?",
    )
});
static TRAFFIC: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:cycl\w*|bikes?|bicycles?|roads?|traffic|junctions?|roundabouts?|drivers?|driving|
            lorr(?:y|ies)|buses|bus|crossings?|pavements?|cars?|vans?|scooters?|speeding|lanes?|motorists?|
            hgvs?|tube|trains?|platforms?)\b",
    )
});

/// "He hit me" is domestic abuse when it happened at home or keeps happening.
static HE_OR_SHE_HURT_ME: LazyLock<Regex> =
    LazyLock::new(|| build(r"\b(?:he|she)(?: [^ ]+){0,2}? <HARM> me\b"));
static AT_HOME: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:at home|in (?:the|our|my) (?:house|flat|home|bedroom|kitchen)|
            when (?:he|she)(?:'s| is| gets)? drunk|again|every (?:day|night|week))\b",
    )
});

/// "There's a man with a knife in my garden": danger and an incident at once.
static INTRUDER: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\bthere(?:'s| is| are|'re|s)(?: [^ ]+){0,2}?
            \x20(?:someone|somebody|a (?:man|woman|guy|group|gang|person|stranger|bloke)|men|people|
            intruders?|burglars?)(?: [^ ]+){0,4}?
            \x20(?:with (?:a |an )?(?:knife|knives|gun|guns|weapon|weapons|machete|bat|axe)|
            in my (?:house|flat|home|garden|room|building|kitchen|bedroom)|trying to (?:get|break) in|
            breaking in)\b",
    )
});
/// "There's a man outside my house", counted when the writer is afraid or it is happening now.
static LURKING: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\bthere(?:'s| is| are|'re|s) (?:someone|somebody|a (?:man|woman|guy|group|gang|person|stranger|
            bloke)|men|people) (?:[^ ]+ ){0,2}?(?:outside|at|in|by) my (?:house|door|flat|home|window|garden|
            front door|building|car)\b",
    )
});
static AFRAID_OR_NOW: LazyLock<Regex> = LazyLock::new(|| {
    build(r"\b(?:scared|afraid|frightened|terrified|help|right now|now|won't leave|keeps|again|watching)\b")
});

static NOW_OR_HERE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:right now|now|at the moment|tonight|as we speak|outside (?:my|our|the)|next door|
            (?:in|on|at|by|near|opposite) my|
            my (?:door|house|flat|home|street|road|block|building|estate|window|car)|
            our (?:estate|block|building|street|road|door))\b",
    )
});

static INCIDENT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // The writer is the victim of something still going on.
        r"\b(?:i|we)(?:'m| am|m|'re| are|
            re)(?: (?:still|constantly|currently|now|being|regularly))* being (?:robbed|burgled|harassed|
            threatened|followed|stalked|attacked|scammed|blackmailed|extorted|targeted|intimidated)\b",
        // Someone specific in the middle of a crime: "my neighbour is dealing drugs", "someone
        // keeps stealing my parcels".
        r"\b(?:<SPECIFIC_ACTOR>|he|she)(?:'s|'re| is| are| has been| have been| keeps?(?: on)?| (?:is|
            are) (?:still|always|constantly|openly|now))(?: (?:still|always|constantly|openly|now|again|
            regularly))* <CRIME_ING>",
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

pub(super) static RECENT: LazyLock<Regex> = LazyLock::new(|| build("<RECENT>"));
static FIRST_PERSON: LazyLock<Regex> =
    LazyLock::new(|| build(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|we|we're|we've|us|our)\b"));
static ACTOR: LazyLock<Regex> = LazyLock::new(|| build(r"\b(?:<SPECIFIC_ACTOR>|they|he|she)\b"));
static SPECIFIC_ACTOR: LazyLock<Regex> = LazyLock::new(|| build(r"\b(?:<SPECIFIC_ACTOR>|him|her|them)\b"));

/// A finished crime, unless negated just before ("nobody has broken into", "I wasn't mugged").
pub(super) static CRIME_DONE: LazyLock<Regex> = LazyLock::new(|| {
    build(r"(?P<not>(?:\b(?:never|not|nobody|no one|noone|nothing)\b|n't)(?: [^ ]+){0,2} )?\b<CRIME_DONE>\b")
});
static CRIME_ING: LazyLock<Regex> = LazyLock::new(|| build(r"\b<CRIME_ING>"));
static CRIME_BASE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:steal|break in(?:to)?|stab|mug|rob|attack|assault|smash|shoplift|deal(?:ing)? drugs|
            sell(?:ing)? drugs|set fire|vandali[sz]e|fight|punch|threaten|grab)\b",
    )
});
pub(super) static CRIME_WORD: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:crimes?|criminal|incidents?|thefts?|burglar(?:y|ies)|robber(?:y|ies)|mugging|assaults?|
            attacks?|stabbing|shooting|abuse|harassment|stalking|drugs?|dealing|dealers?|fraud|scam|
            vandalism|graffiti|anti-?social|asb|fights?|fighting|violence|violent|hate crime|racis[mt]|
            racially|knife|knives|guns?|weapons?|stolen|break-?ins?|fly-?tipping|dangerous driving|
            drink driving|drunk driving|missing (?:person|child)|suspicious|trespass\w*|threats?|
            threatening|intimidation|exploitation|county lines|cannabis|weed|brothel)\b",
    )
});

/// News rather than experience: "I read that bikes were stolen yesterday".
pub(super) static REPORTAGE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:news|newspaper|article|statistics|stats|figures|survey|according to|announced|read that|
            heard that|read about|heard about|saw on|saw that|reported that|said that|tweeted|headline)\b",
    )
});

static CALLED_POLICE: LazyLock<Regex> = LazyLock::new(|| {
    build(r"\b(?:called|rang|phoned|dialled|had to call) (?:the )?(?:police|999|101|the met)\b")
});

/// "There are people dealing drugs outside my flat".
static THERE_IS_CRIME: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\bthere(?:'s| is| are|'re|s| (?:has|have) been)(?: (?:always|constantly|often|regularly|currently|
            now))?(?: [^ ]+){0,3}? <CRIME_ING>",
    )
});

/// "Kids on bikes keep stealing phones on our street": a crime going on, counted where the writer is.
static ONGOING_CRIME: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:keep|keeps|kept|are|is|'re|'s|have been|has been|were|was)(?: (?:always|constantly|still|
            regularly|now|often|openly))? <CRIME_ING>",
    )
});

/// "I just saw two men steal a bike": the writer saw a crime; counted when it is recent.
static WITNESSED: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:i|we)(?P<now>'ve just|ve just| have just| just| can| am|'m|m| are|'re)?(?:'ve|
            ve| have| also| once)? (?:saw|seen|see|witnessed|watched|watching|caught|
            spotted)\b(?P<rest>(?: [^ ]+){0,8})",
    )
});

/// "I want to report ...", "how do I report ...": what follows decides whether it is a crime.
static REPORT_INTENT: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"(?:\b(?:i|we)(?:'d|d|'m|m|'ve|ve|'ll)?(?: (?:would|really|just|urgently|also|am|are|have|had|want|
            wanted|need|needed|wish|wished|like|trying|tried|writing|here|going|hoping|hope|wanna|been|must|
            decided|'d|still|now|only|simply))* to report|\b(?:how|where|who) (?:do|can|should|would|could|
            shall) (?:i|we|you|one) report|\b(?:i|we)(?:'m| am|'re| are) (?:now )?reporting)\b(?P<rest>.*)",
    )
});
static NOT_A_CRIME_REPORT: LazyLock<Regex> =
    LazyLock::new(|| build(r"^(?:back|on|to|that i|that we|in|about (?:the|our|progress))\b"));
static NOT_A_CRIME: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:pothole|street ?light|lamp ?post|bug|error|typo|mistake|broken link|
            problem with (?:the|this) (?:website|site|form|page|survey|consultation)|fault|leak|
            bin collection)\b",
    )
});
