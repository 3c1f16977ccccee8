//! Safeguarding beyond the plainest words: despair in the writer's own words ("I can't cope any
//! more"), coercive control ("I have to ask him before I spend anything"), and someone else at risk:
//! a child, an older or disabled person, or a young person being exploited, named as someone the
//! writer knows or can point to ("the little girl next door", "my nan", "my 14 year old") with what
//! is happening to them now ("is left alone all night", "her carer takes her pension", "older lads
//! pay him to carry packages").
//!
//! The rule for someone else is *who* and *what*: a specific person (a possessive, or a place that
//! points at them) and a sign of harm in the same sentence. Talk about a subject ("grooming gangs
//! exploit children in care", "carers are underpaid") names nobody in particular, so it raises
//! nothing. Sentences come from `flags::sentences`: lower case, straight apostrophes, contractions
//! spelt with them.

use std::sync::LazyLock;

use regex::Regex;

use super::flags::{build, hit};

/// Whether the sentence `s` suggests someone is at risk, by the patterns of this module.
pub(super) fn raises(s: &str) -> bool {
    DESPAIR.iter().any(|re| hit(re, s))
        || CONTROL.iter().any(|re| hit(re, s))
        || (hit(&SOMEONE_SPECIFIC, s) && (hit(&HARM_SIGN, s) || hit(&EXPLOITED, s)))
        || hit(&OLDER_LADS, s)
        || hit(&CARER_TAKES_MONEY, s)
        || (hit(&DATING, s) && hit(&CHILD_AGE, s) && hit(&ADULT_AGE, s))
}

/// The writer's own despair. Each ends at the end of its clause, so that "I can't cope with the
/// noise" (a complaint) is not "I can't cope" (a cry for help).
static DESPAIR: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"<I>(?: (?:just|really|honestly|genuinely|literally|simply|seriously|actually|now|still|already|
            truly|no longer|don't think i|do not think i))*(?: can't| cannot| can not| couldn't| could not|
            \x20can) (?:cope|go on|carry on|keep going|take (?:it|this|any more|much more|it any more)|
            do (?:this|it|life)(?: any more)?|handle (?:it|this|life|anything)|face (?:another day|tomorrow|
            living|life|anyone)|see a way out|see (?:the|any) point|live like this|bear (?:it|this)|
            keep doing this|be here)(?: any ?more| any longer| much longer| now| like this| on my own| alone|
            \x20without (?:him|her|them))*(?: with (?:it all|life|everything|anything|any of (?:it|this)|this|it))?
            (?:$|,| and\b| but\b| so\b| because\b| since\b| i\b| -| any ?more\b)",
        r"<I>(?: (?:just|really|honestly|have|'ve|am|'m|completely|totally))* (?:given up|give up)
            (?: on (?:life|everything|myself|living|it all|trying))?(?:$|,| and\b| but\b| i\b)",
        r"<I>(?: am|'m)? (?:done|finished|through) with (?:life|living|everything|it all|all of it|
            this life|being alive)\b",
        r"<I>(?: am|'m)?(?: (?:so|really|just|very))* (?:tired|sick) of (?:living|life|being alive|
            everything|it all|waking up|being here|existing)\b",
        r"<I>(?:'ve| have)? had enough of (?:life|living|everything|it all|being alive)\b",
        r"<I>(?: am|'m)? at (?:my )?(?:breaking point|rock bottom|the end of my tether|my lowest)\b(?P<not> (?:with|
            about|over|because of|trying|waiting))?",
        r"<I>(?: (?:just|really|only|sometimes|often))* (?:want|wanna|wish i could|would like) to (?:disappear|
            vanish|go to sleep and (?:never|not) wake up|sleep (?:forever|and (?:never|not) wake up)|
            not exist|not be here|stop existing|be gone)\b",
        r"\b(?:everyone|everybody|they|my (?:family|kids|children|partner|wife|husband|friends|mum|dad))
            (?:'d| would| will)(?: all)?(?: be)? better off (?:without me|if i (?:was|were|wasn't|weren't)
            \x20(?:gone|dead|here|around)|with me gone)\b",
        r"\b(?:no one|nobody|none of them)(?: would| will)(?: even)? (?:miss me|notice|care|mind)(?: if i
            \x20(?:was|were|died|disappeared|wasn't here|weren't here|was gone|left|went))?\b(?P<not> (?:about|
            if (?:we|the|they|you|it)|whether))?",
        r"<I>(?: am)?(?: (?:just|only|such|nothing but))* a (?:burden|waste of space|waste of (?:air|
            oxygen|life))\b",
        r"\bwhat(?:'s| is) the point (?:of|in) (?:living|going on|carrying on|me|being alive|anything any
            ?more|it all|trying any more|life)\b",
        r"<I>(?: (?:really|just|honestly))* hate (?:my life|myself|being alive|living)\b",
        r"<I>(?: (?:have|'ve|got|'ve got|have got))* (?:nothing|no one|nobody|nothing and no one)
            (?: left)? (?:to live for|left)\b(?P<not> (?:to (?:say|add|do|pay)|in the|of))?",
        r"<I>(?: (?:can't|cannot|don't|do not|no longer))? see (?:no|any|a) (?:way out|future|reason to
            \x20(?:live|go on|carry on|keep going))\b(?P<not> (?:for (?:the|this|our) (?:area|borough|town|
            high street|shops?|centre|club|service|project)))?",
        r"\b(?:i've|i have|i'm|i am)(?: been)? (?:stockpiling|saving up|collecting|hoarding) (?:pills|
            tablets|my (?:pills|tablets|meds|medication))\b",
        r"<I>(?:'ve| have)? (?:written|wrote|writing) (?:a|my) (?:suicide note|goodbye (?:note|letter)|
            note to my (?:family|kids|children|mum|partner))\b",
        r"\bthis (?:is|will be) my last (?:post|message|comment|day|night)\b(?P<not> (?:here|on this|
            about|before|for|of the|until))?",
        r"\b(?:no|isn't any|not any|there's no) point (?:in )?(?:me |my )?(?:being here|being alive|existing|
            living|going on|carrying on|waking up|trying any more|staying alive)\b(?P<not> (?:in|here|there|near|on|
            at|with|if|unless|without|under)\b)?",
        r"<I>(?: [^ ]+){0,3}? (?:should|might as well|may as well|would rather|'d rather|want to|wanna)(?: just)?
            \x20(?:disappear|die|be dead|not be here|not exist|end it|kill myself|vanish)\b(?P<not> (?:from|off|on|
            into) (?:the|this|social))?",
        r"\b(?:everyone|everybody|they all|people|my family) (?:hates?|would be happier without|doesn't want|
            \x20don't want) me\b",
        // The writer's plans for a way to die, with or without "I": "been thinking about taking all my tablets".
        r"\b(?:thinking|thought|been thinking|keep thinking|planning|plan|planned) (?:about|of|to|on)
            \x20(?:taking (?:all )?(?:my|the) (?:tablets|pills|meds|medication)|taking an overdose|overdosing|
            jumping (?:off|from|in front)|dying|ending (?:it all|my life)|hanging myself|not waking up)\b",
        r"\b(?:don't|do not|can't|cannot|no longer|never) see (?:the|any) point (?:in|of) (?:living|life|going on|
            carrying on|being here|being alive|anything|trying|it all|waking up|existing|me|staying)\b",
        // "fall asleep and never wake up".
        r"<I>(?: [^ ]+){0,6}? (?:and|to|then) (?:never|not) wake (?:up|again)\b",
        r"<I>(?:'m| am)?(?: [^ ]+){0,2}? (?:going to|gonna|will|'ll|want to|wanna|about to|ready to|have to)
            \x20end (?:it|it all|things|everything|my life)\b(?P<not> (?:with|for|by|on|at|and start|early|there|
            here|now and|soon and))?",
        r"\bhow (?:much )?(?:longer|long) (?:i|we) can (?:keep going|go on|cope|carry on|take (?:it|this)|do this|
            hold on|last|keep this up)\b",
        r"\b(?:life|my life|everything|it all|living)(?:'s| is)(?: just| all| really| getting)? (?:too much|too hard|
            unbearable|too painful|pointless|hopeless|meaningless)\b",
        r"<I>(?: [^ ]+){0,2}? (?:can't|cannot|don't|do not) see (?:it|things|anything|life) (?:ever )?(?:getting|
            \x20going to get) better\b",
        // The means, ready: "I have the pills saved up".
        r"<I>(?:'ve| have)?(?: got)? (?:the |my |enough |all my |all the )?(?:pills|tablets|meds|medication|
            painkillers|rope)(?: [^ ]+){0,2}? (?:saved|stockpiled|ready|hidden|put aside|collected|lined up)\b",
        // Dwelling on dying: "I think about jumping", "I keep thinking about not waking up".
        r"<I>(?: [^ ]+){0,6}? (?:think|thinking|thought|dream|dreaming|fantasi[sz]e|fantasi[sz]ing) (?:about|of)
            \x20(?:jumping|dying|not waking up|ending (?:it|my life|things|everything)|killing myself|
            taking my (?:own )?life|stepping (?:off|in front)|walking into (?:the )?(?:traffic|river|sea)|
            driving into|hanging myself|overdosing|not being here)\b",
        r"<I>(?: (?:just|really|honestly|sometimes|often|still))* (?:don't|do not) (?:want|wanna) to
            \x20(?:be here|be alive|wake up|exist|live) any ?more\b",
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

/// Coercive control: the writer (or someone they name) told what they may do, with whom, with what
/// money, by a partner or relation ("he" or "she" in a sentence about home).
static CONTROL: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Someone close harming themselves: "my teenage son has been cutting his arms".
        r"\bmy (?:<AGE> )?(?:<CLOSE>|<YOUNG>|<OLDER>)(?:'s|'re)?(?: [^ ]+){0,4}? (?:cutting|cuts|cut|burning|
            burns|scratching|hurting|harming|starving|punching|hitting) (?:himself|herself|themselves|themself|
            (?:his|her|their) (?:arms?|legs?|wrists?|skin|thighs?|stomach|body))\b",
        r"\bmy (?:<AGE> )?(?:<CLOSE>|<YOUNG>|<OLDER>)(?:'s|'re)?(?: [^ ]+){0,4}? (?:has )?(?:stopped eating|
            talks? about (?:dying|suicide|killing (?:himself|herself|themselves)|not wanting to live|ending it)|
            wants to die|doesn't want to (?:live|be here|be alive))\b",
        // Someone else who wants to die: "he says he wants to die".
        r"\b(?:he|she|they)(?:'s| is| are)?(?: [^ ]+){0,4}? (?:wants? to die|want(?:s|ed)? to kill (?:himself|
            herself|themselves)|wants? to end (?:it all|his life|her life|their life)|doesn't want to (?:live|
            be alive|be here)|(?:is|are|'s) suicidal|(?:has|have) been self[- ]?harming|tried to kill (?:himself|
            herself|themselves)|wishes? (?:he|she|they) (?:was|were) dead)\b",
        // A relation harming the writer's or someone's child: "her dad hurts her".
        r"\b(?:his|her|their) <RELATION>(?:'s)?(?: [^ ]+){0,3}? (?:<HARM_NOW>|hurts|hit|beat|abused|hurt|touched)
            \x20(?:him|her|them)\b",
        // Threats to kill: "he'll take the kids and kill me" (not "my mum will kill me if she reads this").
        r"\b(?:he|she|they|my <RELATION>)(?:'ll| will| would| is going to|'s going to| threatened to| threatens to|
            \x20said he'd| said she'd| says he'll| says she'll| said he would| said he will)(?: [^ ]+){0,5}? (?:kill|hurt|
            stab|shoot|strangle|beat|batter|burn) (?:me|us)\b(?P<not> (?:if|when) (?:she|he|they) (?:reads?|sees?|
            finds? out|knew|hears?)| for (?:saying|writing|this|that|being))?",
        // Violence at home: "my dad drinks and gets violent".
        r"\bmy <RELATION>(?: [^ ]+){0,4}? (?:gets|becomes|turns|is|can be|goes|got|became) (?:really |very |so )?
            (?:violent|aggressive and violent|abusive|physical with (?:me|us|her|him|my mum))\b",
        r"<I>(?: am|'m)?(?: (?:really|so|very))* (?:scared|afraid|frightened|terrified) for (?:my|our) (?:<AGE> )?
            (?:<CLOSE>|<YOUNG>|<OLDER>)(?:'s)?\b(?P<not> (?:future|prospects|education|job|safety (?:on|when|at
            night|walking|cycling)))?",
        // Harassment and stalking: "my ex won't stop messaging me", "he says he knows where I live".
        r"\b(?:he|she|they|my <RELATION>|my ex|someone|somebody)(?:'s|'ll)?(?: [^ ]+){0,3}? (?:won't stop|will not
            \x20stop|keeps?|never stops|constantly|keeps on|is always|are always) (?:messaging|texting|calling|
            ringing|following|turning up|watching|contacting|phoning|threatening|harassing|stalking|touching|
            groping|grabbing|kissing|sending me) (?:me|at my|outside my|pictures|photos)",
        r"\b(?:says|said|knows|found out|has found out|worked out|told me)(?: that)? (?:he|she|they)?(?: knows)?
            \x20where i (?:live|work|am|sleep)\b",
        r"\bthreaten(?:s|ed|ing)? (?:me|to [^ ]+ me|to [^ ]+ (?:my|the) [^ ]+)(?: [^ ]+){0,2}? if i (?:tell|say|
            report|speak|leave|go)\b",
        r"\b(?:told|tells|makes|made|warned) me (?:not to|never to|to never) tell (?:anyone|anybody|my|the)\b",
        // Putting the writer down: "he says I'm worthless without him".
        r"\b(?:he|she|my <RELATION>)(?:'s| is| keeps| always| constantly)* (?:putting me down|call(?:s|ing)? me
            \x20(?:names|worthless|stupid|useless|fat|ugly|a slag|a whore|mental|crazy)|says? i'm (?:worthless|useless|
            nothing|stupid|ugly|mad|crazy|fat)|tells? me i'm (?:worthless|useless|nothing|stupid|ugly|mad|crazy|
            fat)|makes? me feel (?:worthless|useless|like nothing)|says? no one else would (?:want|have) me)",
        // Deciding for the writer: "my partner decides what I wear and who I can talk to".
        r"\b(?:he|she|my <RELATION>)(?: [^ ]+){0,2}? (?:decides|chooses|dictates|controls|picks|tells me)
            \x20(?:what i (?:can )?(?:wear|eat|spend|do|say|buy)|who i (?:can )?(?:see|talk|speak|text|meet|am friends|
            go out)|where i (?:can )?go|when i (?:can )?(?:go|leave|sleep|eat|see))",
        // "He controls all my money", "she tracks my phone", "my husband reads my messages".
        r"\b(?:he|she|my <RELATION>)(?:'s| is| has| always| keeps| even| also| still| now| constantly){0,3}
            \x20(?:controls?|controlling|track(?:s|ing|ed)?|monitor(?:s|ing|ed)?|goes through|went through|
            going through|reads?|reading|checks?|checking|checked) (?:all )?(?:of )?(?:my|our|where i)
            \x20?(?:money|finances|bank(?: account| card)?|cards?|wages|benefits|phone|messages|texts|emails|
            location|whereabouts|every move|go|spending|post|calls|car|social media)\b",
        // "I'm not allowed to see my friends", "I'm not allowed out".
        r"<I>(?: am|'m)? not allowed (?:to (?:see|go|leave|have|talk|speak|work|use|call|visit|wear|contact|
            text|phone|drive|spend|eat|sleep|get a job|keep)|out|any money|my own|friends)\b
            (?P<not> (?:to (?:park|build|put|keep|have (?:a |an )?(?:pet|dog|cat|bike|shed|extension|bbq|
            barbecue))))?",
        // "I have to ask him before I go out", "I need his permission".
        r"<I>(?: (?:have|'ve|'ve got|have got|need|must)) to ask (?:him|her|my <RELATION>)(?: for)?
            \x20(?:permission|before|if i can|if i'm allowed|for money|whenever|every time|to)\b",
        r"\b(?:his|her|my <RELATION>'s) permission (?:to|before|for) (?:go|see|leave|spend|buy|use|have|
            wear|eat|talk)",
        // "He says no one would believe me".
        r"\b(?:he|she|they|my <RELATION>)(?: always| keeps| often)? (?:says?|said|tells? me|told me|keeps
            \x20saying|reminds me)(?: that)? (?:no one|nobody) (?:would|will|is going to) (?:believe|help|want)
            \x20me\b",
        // "He makes me hand over my wages", "she forced me to quit my job".
        r"\b(?:he|she|they|my <RELATION>)(?:'s| has| always| keeps)? (?:makes?|made|forces?|forced|
            forcing|making|pressures?|pressured) (?:me|us) (?:to )?(?:have sex|do things|hand over|give (?:him|
            her|them) my|sign|quit|stay in|stop seeing|leave my job|account for|beg|sleep)\b",
        r"\b(?:walk|walking|walked|tread|treading) on egg ?shells\b",
        r"\b(?:he|she|my <RELATION>)(?:'s| has| have| keeps?| took| takes| taken| is taking)? (?:taken|took|takes|
            taking|hidden|hid|hides|keeps|kept|destroyed|broke|smashed) (?:away )?my (?:passport|documents|
            papers|id|phone|bank card|cards|keys|car keys|money|wages|benefits|medication|meds|pills)\b",
        r"\b(?:he|she|my <RELATION>)(?:'s| has)?(?: always| slowly| completely)? (?:isolated|isolating|cut)
            \x20me (?:off )?(?:from|off from)\b",
        r"<I>(?: am)?(?: (?:really|so|always|constantly))* (?:scared|afraid|frightened|terrified) (?:of
            \x20what|about what) (?:he|she|they|my <RELATION>)(?:'ll| will| would| might| could)? (?:do|does)\b",
        r"<I>(?: am)?(?: (?:feel|feeling))?(?: (?:really|so|completely))* (?:trapped|like a prisoner) (?:in|at)
            \x20(?:my (?:own )?(?:home|house|flat|marriage|relationship)|home)\b",
    ]
    .iter()
    .map(|p| build(p))
    .collect()
});

/// Someone the writer knows or can point to, other than the writer: relations, children, older
/// people and neighbours, named by a possessive or by where they are.
static SOMEONE_SPECIFIC: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:(?:my|our) (?:<AGE> )?(?:<CLOSE>|<YOUNG>|<OLDER>|neighbou?r's (?:<YOUNG>|<OLDER>|
            <CLOSE>))|(?:my|our) (?:elderly|older|old|vulnerable|disabled|frail|housebound) (?:<OLDER>|
            <CLOSE>|neighbou?r|neighbou?rs|relative)|(?:the|a|an|this|that|one|two|three|some|these|those)
            (?: (?:little|young|small|tiny|old|elderly|older|teenage|vulnerable|disabled|frail|poor|
            housebound|deaf|blind))* (?:<YOUNG>|<OLDER>|man|woman|lady|couple|family|neighbou?rs?|
            pensioners?|residents?|tenants?|people|person)(?: (?:who lives?|living|that lives?))?
            \x20(?:next door|upstairs|downstairs|opposite|across the (?:road|street|hall|landing|way)|
            above (?:me|us)|below (?:me|us)|in (?:flat|number|no)\.? ?\d+|at (?:number|no)\.? ?\d+|on (?:my|
            our) (?:street|road|floor|landing|block|estate|corridor)|in (?:my|our) (?:block|building|street|
            road|close)|over the road)|(?:the|a|an) (?:elderly|older|old|frail|vulnerable|disabled|
            housebound) (?:man|woman|lady|gentleman|gent|neighbou?r|couple|person|relative)|
            (?:a|my|our|the) (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|
            fourteen|fifteen|sixteen|seventeen) ?(?:year|yr)s?[- ]?old|
            (?:a|the|this) (?:little |young |small )?(?:<YOUNG>) (?:of|aged) (?:about |around )?\d+)",
    )
});

/// Signs that harm is being done to the person named, now or over and over. Words with an everyday
/// sense ("kicked out of school", "hit by a car") are written with what makes them harm.
static HARM_SIGN: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:left (?:alone|on (?:his|her|their) own|home alone|by (?:himself|herself|themselves)|
            unattended|in (?:the|a) (?:dark|cold|car))|home alone|(?:alone|on (?:his|her|their) own)
            \x20(?:all|every|for) (?:day|night|days|nights|hours|weekend|the time)|
            (?:gets?|getting|got|being|been|is|are|was|were) (?:hit|beaten|slapped|smacked|punched|abused|
            neglected|starved|molested|groomed|exploited|taken advantage of|knocked about|battered|burned|
            burnt|kicked (?:by|and|about|around|until|again|every)|thrown (?:against|across|down|around|
            about|at)|dragged (?:by|around|across|along|out of bed)|locked in (?:his|her|their|a|the) (?:room|
            bedroom|cupboard|flat|house))|being (?:hurt|bullied|threatened|touched|hit|beaten)|
            (?:hits?|hitting|beats?|beating|slaps?|slapping|smacks?|smacking|punch(?:es|ing)|kicks?|
            kicking|abus(?:es|ing)|batter(?:s|ing)|starv(?:es|ing)|lock(?:s|ing) (?:him|her|them) (?:in|up))
            \x20(?:him|her|them|the (?:kids|children|boy|girl|baby))|bruis(?:es|ed|ing)|black eyes?|
            marks on (?:his|her|their) (?:arms?|legs?|face|neck|body|back)|burns on|
            (?:screaming|crying|sobbing|wailing) (?:for hours|all night|every night|for help|in pain|and
            \x20(?:screaming|crying))|(?:always|often|constantly) (?:hungry|dirty|starving)|
            (?:no|not enough) food in|(?:isn't|aren't|not|never|hasn't been|haven't been|doesn't get|
            don't get)(?: being)? (?:fed|washed|changed|given (?:food|meals|medication|(?:his|her|their)
            \x20(?:meds|medication|tablets)))|begging (?:for|me for) food|going without (?:food|meals)|
            sat in (?:his|her|their) own|in (?:soiled|dirty) (?:clothes|nappies|pads|sheets)|
            (?:with )?(?:no|without (?:a |any )?)(?:coats?|food|shoes|dinner|adult|supervision|one (?:looking
            \x20after|feeding|watching) (?:him|her|them))\b|out (?:on the streets?|outside|alone|by (?:himself|
            herself|themselves)) (?:till|until|after|past) (?:midnight|late|dark|\d+)|
            (?:always|often|constantly|regularly|usually|left) (?:on (?:his|her|their) own|alone|by (?:himself|
            herself|themselves))|(?:on (?:his|her|their) own|alone) (?:[^ ]+ ){0,4}?(?:at night|all night|late at
            \x20night|till late|after dark|for hours|for days)|(?:keeps?|kept|keeping) (?:him|her|them) (?:locked (?:in|
            up)|in (?:his|her|their) room|shut in|tied up|indoors)|(?:giving|gives|sending|sends|sent|gave|
            transferring|transferred|lending|lent|handing over) (?:all )?(?:(?:his|her|their) )?(?:money|savings|
            pension|cash) to (?:a|some|this|these) (?:man|woman|person|guy|stranger|bloke|lady|people|men)|
            (?:in|stuck in|trapped in|living in) an? (?:[^ ]+ )?(?:abusive|violent|controlling) (?:relationship|
            marriage|home|household)|(?:scared|afraid|terrified|frightened|worried) (?:that )?(?:he|she|they|
            her (?:partner|husband|boyfriend)|his (?:partner|wife|girlfriend))(?:'ll| will| is going to|'s going to|
            \x20might| would| could) (?:kill|hurt|beat|attack) (?:her|him|them)|
            (?:he|she|they|carers?|son|daughter|grandson|nephew|niece|someone|somebody|boyfriend|girlfriend|
            lodger|relative|family|neighbou?r|husband|wife|partner|people|men|lads)(?: [^ ]+){0,5}?(?:'s| is| are|
            \x20has| have| keeps| has been| have been| was| were| always| now)* (?:takes?|taking|took|taken|steals?|stealing|stole|
            helps? (?:himself|herself|themselves) to|helping (?:himself|herself|themselves) to|
            empt(?:ies|ied|ying)|drain(?:s|ed|ing)|pocket(?:s|ed|ing)|has control of|controls|controlling)
            \x20(?:all |most )?(?:of )?(?:his|her|their) (?:money|pension|benefits|savings|bank cards?|
            bank account|cards?|cash|pin|wages|allowance|shopping money|finances)|
            (?:made|making|makes|pressur(?:ed|ing|es)) (?:him|her|them) (?:to )?(?:sign|change (?:his|her|
            their) will|hand over|give (?:him|her|them) (?:money|cash))|
            (?:won't|doesn't|does not|never|don't) (?:let|allow) (?:him|her|them) (?:to )?(?:see|go out|
            leave|eat|out|have|talk|speak|use|call|visit|sleep)|(?:scared|afraid|frightened|terrified) (?:of|
            to go home to) (?:his|her|their) (?:dad|mum|step[- ]?dad|step[- ]?mum|carer|son|father|mother|
            boyfriend|husband|wife|partner)|(?:hear|heard|hearing|can hear) (?:him|her|them|the (?:kids|
            children|baby|child)) (?:being (?:hit|beaten|hurt)|screaming|crying|scream|cry)|
            (?:threaten(?:s|ed|ing)?|hit|hurt) (?:him|her|them) with|touch(?:es|ed|ing)? (?:him|her|them)
            \x20(?:inappropriately|where)|(?:went|gone|goes|going|keeps going) missing|sleeping rough|
            living in (?:squalor|filth))\b",
    )
});

/// A child going out with an adult: "my daughter's boyfriend is 25 and she's 14".
static DATING: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:boyfriend|girlfriend|partner|seeing|dating|going out with|sleeping with|man|guy|bloke|woman)\b",
    )
});
static CHILD_AGE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:is|'s|aged|age|only|just) (?:only |just )?(?:1[0-5]|[7-9]|twelve|thirteen|fourteen|fifteen)\b",
    )
});
static ADULT_AGE: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:(?:is|'s|aged|age) (?:[2-6]\d|1[89])|in (?:his|her) (?:20s|30s|40s|twenties|thirties|forties))\b",
    )
});

/// A carer taking the money of the person cared for: "her carer takes her pension".
static CARER_TAKES_MONEY: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:carers?|care workers?|home help|cleaner|lodger)(?:'s| is| are| has| have| keeps| has been|
            \x20have been| was| were| always| now)* (?:[^ ]+ )?(?:takes?|taking|took|taken|steals?|stealing|
            stole|stolen|helps? (?:himself|herself|themselves) to|helping (?:himself|herself|themselves) to|
            empt(?:ies|ied|ying)|drain(?:s|ed|ing)|pocket(?:s|ed|ing)|withdraw(?:s|ing|n)|spends?|spending|
            borrow(?:s|ing|ed)|asks? (?:him|her|them) for|asking (?:him|her|them) for|demand(?:s|ing|ed)|
            spent|uses?|using|used|has control of|controls?|controlling|keeps?|keeping|kept) (?:all |most |
            some )?(?:of )?(?:(?:his|her|their|my|the) )?(?:money|pension|benefits|savings|bank cards?|
            bank account|cards?|cash|pin|wages|allowance|shopping money|finances)\b",
    )
});

/// Exploitation of a young person: made or paid to carry, deliver or sell; gifts from older people;
/// caught up in county lines or a gang.
static EXPLOITED: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\b(?:(?:made|being made|forced|being forced|paid|being paid|used|being used|told|asked|sent|
            getting paid|gets paid|groomed) to (?:carry|deliver|hold|hide|move|sell|run|drop off|take|look
            \x20after|stash|keep)|(?:carrying|delivering|holding|hiding|moving|selling|running|dropping off|
            stashing|looking after) (?:[^ ]+ ){0,2}?(?:packages?|parcels?|bags?|drugs|stuff|gear|phones?|
            knives|a knife|a gun|weed|money|cash) for (?:older|some|these|those|them|a gang|men|lads|boys|
            people)|(?:comes?|coming|came) (?:home|back) with (?:[^ ]+ )?(?:new |expensive |designer |loads of |wads of )?
            (?:trainers|clothes|phones?|cash|money|jewellery|jewelry|gifts|gear)|(?:involved|caught up|mixed up|
            dragged|pulled|recruited|drawn) (?:in|into|with) (?:county lines|a gang|gangs|drug dealing|
            dealing|the drugs? trade|selling drugs|running drugs)|(?:owes?|owing|in debt to) (?:[^ ]+ ){0,3}?
            (?:older|some|these|a gang|dealers?|men|lads|boys)|(?:going|went|gone|goes|sent|disappear(?:s|ing|ed)?|
            vanish(?:es|ing|ed)?) (?:missing |away |off )?for (?:days|hours|nights|a few days|the weekend|weeks)|
            (?:owes?|owing) (?:them|him|those (?:boys|lads|men))\b|(?:being|been|is|was|are|getting|got) (?:groomed|exploited|trafficked|
            recruited)|(?:older|grown(?:[- ]up)?|adult) (?:men|man|lads|boys|guys|blokes|kids|teenagers|women)
            (?: [^ ]+){0,2}? (?:giving|buying|paying|messaging|texting|picking (?:him|her|them) up|taking (?:him|
            her|them)|meeting|grooming|contacting|sending)|(?:selling|dealing|running|working|carrying|
            delivering)(?: drugs)? for (?:a gang|gangs|older|some|these|dealers|them|a dealer)|(?:made|make|makes|
            making|forced|force|forces|got|get|gets) (?:him|her|them|my <CLOSE>|my <YOUNG>) (?:to )?(?:hold|carry|hide|sell|deliver|stash|
            move|run)\b|(?:messages|texts|dms|snapchats|photos|pictures|videos|calls) from (?:a|an|some|this|these)
            \x20(?:grown |older |adult |strange )?(?:man|men|adult|adults|stranger|guy|bloke)|asking (?:for|(?:him|
            her|them) for) (?:photos|pictures|pics|nudes|images|videos)|sending (?:him|her|them) (?:money|gifts|
            pictures|photos|presents))\b",
    )
});

/// Older people drawing in a younger one where the writer is: "older lads on our estate are
/// paying the younger kids to hold packages".
static OLDER_LADS: LazyLock<Regex> = LazyLock::new(|| {
    build(
        r"\bolder (?:men|lads|boys|guys|kids|teenagers|youths|gang members)(?: [^ ]+){0,6}? (?:are |keep |have
            \x20been )?(?:giving|buying|paying|grooming|recruiting|using|sending|getting) (?:[^ ]+ ){0,2}?
            (?:him|her|them|my|kids|children|younger|little|boys|girls)\b(?: [^ ]+){0,8}? (?:to (?:carry|
            deliver|hold|sell|run|hide|move)|packages|parcels|drugs|county lines|(?:on|in|at|from|round)
            \x20(?:my|our|the) (?:estate|block|street|road|school|park|area|flats))\b",
    )
});
