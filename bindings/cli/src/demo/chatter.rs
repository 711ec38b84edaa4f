//! The long history's text: plausible chat drawn from a few hundred phrases and numbers, deterministic so that runs
//! of the demo compare.

/// A plausible message for the long history: one to four sentences drawn from a few hundred phrases and numbers,
/// so it compresses roughly like real chat rather than like one repeated line (deterministic, so runs compare).
pub(super) fn chatter(seed: &mut u64) -> String {
    const WHEN: [&str; 24] = [
        "Today",
        "This morning",
        "Last night",
        "After the appointment",
        "On the bus home",
        "At lunch",
        "Before bed",
        "This week",
        "On Sunday",
        "Yesterday afternoon",
        "At the pharmacy",
        "Around three in the morning",
        "While the kettle boiled",
        "In the waiting room",
        "After my sister called",
        "On my walk",
        "At work",
        "During the infusion",
        "After the school run",
        "Over breakfast",
        "At my mum's",
        "In the queue at the shop",
        "Between phone calls",
        "On the way to the clinic",
    ];
    const WHAT: [&str; 36] = [
        "I managed a short walk and it helped more than I expected",
        "the worry came back, so I tried the breathing we talked about",
        "I slept badly again but the tea trick made the morning easier",
        "I told my sister about the group and she wants to hear more",
        "the nurse finally explained the side effects properly",
        "I felt tired all day and let myself rest without guilt",
        "I caught myself laughing at something for the first time in weeks",
        "I read your messages to pass the time",
        "I cooked a real dinner, a small win but I'll take it",
        "the new tablets made me dizzy so I'm asking about the dose",
        "my hands were shaking before the scan",
        "I wrote down three things that went fine, like Dee suggested",
        "I skipped the news and sat in the garden instead",
        "the bills piled up and I couldn't face opening them",
        "a neighbour brought soup without being asked",
        "I cried in the car park, then felt lighter",
        "I said no to something and the world didn't end",
        "the pain was lower than last week",
        "I forgot my appointment time and panicked for nothing",
        "I managed the stairs without stopping",
        "my daughter drew me a picture of the hospital as a castle",
        "I couldn't concentrate on anything longer than a page",
        "the group chat was the first thing I opened",
        "the doctor used words I had to look up afterwards",
        "I finally rang the helpline number from the leaflet",
        "my partner and I argued about nothing, then apologised",
        "I noticed the blossom on the tree outside the ward",
        "I lost my temper with the receptionist and felt awful after",
        "I went to the pool and only swam two lengths, but I went",
        "the results letter came and I left it on the table unopened",
        "I took the medication on time every day",
        "a friend from work asked how I really was, and I told her",
        "the insomnia was back with a vengeance",
        "I sorted one drawer, which counts as spring cleaning now",
        "my appetite came back a little",
        "I sat with the feeling instead of fighting it",
    ];
    const FEEL: [&str; 24] = [
        "I feel more like myself.",
        "Still foggy.",
        "Honestly, I'm scared.",
        "It felt like a big deal to me.",
        "Proud of that one.",
        "Not sure what to make of it.",
        "My chest felt tight the whole time.",
        "I keep thinking about what Bo said last week.",
        "The tiredness is the worst part.",
        "Oddly calm about it all.",
        "Everything takes twice as long now.",
        "I didn't expect it to hit me so hard.",
        "Some days are just grey.",
        "It reminded me why I joined this group.",
        "I wish I'd asked more questions.",
        "My body feels like someone else's.",
        "I'm learning to ask for help.",
        "I could have done without the drama.",
        "Grateful, mostly.",
        "The waiting is harder than the treatment.",
        "I'm trying not to read too much online.",
        "Felt a bit brave, actually.",
        "Anxious but okay.",
        "Numb, if I'm honest.",
    ];
    const DETAIL: [&str; 10] = [
        "It took {n} minutes.",
        "I counted {n} breaths.",
        "Slept about {n} hours.",
        "That's day {n} in a row.",
        "Only {n} more sessions to go.",
        "Waited {n} minutes to be seen.",
        "Walked {n} minutes further than before.",
        "The pain was a {n} out of 40 on their odd scale.",
        "{n} days until the next scan.",
        "Drank {n} glasses of water.",
    ];
    const CLOSE: [&str; 24] = [
        "How is everyone doing?",
        "Thanks for listening.",
        "Small steps.",
        "See you Tuesday.",
        "Sending strength to all of you.",
        "One day at a time.",
        "Does anyone else find evenings hardest?",
        "Chen, how did the second round go?",
        "Bo, did the walking goal stick?",
        "Amara, thank you for keeping this going.",
        "Any tips for the waiting?",
        "I'm proud of us.",
        "Not a great day, but not the worst.",
        "Just needed to say it somewhere.",
        "Hugs if wanted.",
        "Back to bed now.",
        "Going to try again tomorrow.",
        "Is it normal to feel this flat?",
        "Rest well, everyone.",
        "Dee, hope your sister's place is treating you well.",
        "Anyone awake?",
        "Will report back after Thursday.",
        "No advice needed, just sharing.",
        "Thank you for the kind words yesterday.",
    ];
    let mut next = || {
        *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (*seed >> 33) as usize
    };
    let mut text =
        format!("{}, {}.", WHEN.get(next() % WHEN.len()).unwrap_or(&""), WHAT.get(next() % WHAT.len()).unwrap_or(&""));
    let roll = next() % 8;
    if roll < 5 {
        text = format!("{text} {}", FEEL.get(next() % FEEL.len()).unwrap_or(&""));
    }
    if roll % 3 == 0 {
        let n = (2 + next() % 38).to_string();
        text = format!("{text} {}", DETAIL.get(next() % DETAIL.len()).unwrap_or(&"").replace("{n}", &n));
    }
    if roll != 7 {
        text = format!("{text} {}", CLOSE.get(next() % CLOSE.len()).unwrap_or(&""));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatter_is_varied_and_deterministic() {
        let (mut a, mut b) = (7, 7);
        let first: Vec<String> = (0..50).map(|_| chatter(&mut a)).collect();
        let again: Vec<String> = (0..50).map(|_| chatter(&mut b)).collect();
        assert_eq!(first, again);
        let distinct: std::collections::HashSet<&String> = first.iter().collect();
        assert!(distinct.len() > 45);
    }
}
