//! Guidance for the reader of a message that raised the check: a few short lines on answering supportively, in
//! the reader's language. The lines follow what gatekeeper and peer-support training teaches (listen without
//! judging, ask about suicide directly and calmly, share resources, never promise secrecy, look after yourself) and
//! the finding that peer supporters given feedback as they answer respond with markedly more empathy (Sharma et al.
//! 2023). They speak about the message, never about its author, and are shown on the reader's phone only.

/// The languages guidance is written in (English is the fallback).
const LANGUAGES: &[&str] = &["en", "es", "sw"];

/// Lines for every message with a sign of risk, in order.
fn general(language: &str) -> &'static [&'static str] {
    match language {
        "es" => &[
            "Responde pronto y con calma. Decir que lo notaste y que te importa vale más que encontrar las palabras \
             perfectas.",
            "Escucha más de lo que hablas. No juzgues, no discutas ni sermonees, no corras a arreglarlo: «Suena muy \
             duro. Estoy aquí. Cuéntame más».",
            "Está bien preguntar de forma directa y tranquila: «¿Estás pensando en suicidarte?». Preguntar no mete \
             la idea en la cabeza de nadie; muchas veces alivia.",
            "Comparte los recursos de crisis que aparecen con esta nota y, si puede estar en peligro ahora, anímale \
             a contactar uno, o a alguien cercano, enseguida.",
            "No prometas guardar el secreto. Puedes decir que te importa demasiado para callarlo, y pedir ayuda a \
             un moderador o a alguien de su confianza.",
            "Cuídate tú también: no tienes que afrontarlo a solas y no eres responsable de lo que pase.",
        ],
        "sw" => &[
            "Jibu mapema na kwa upole. Kuonyesha kwamba umeona na kwamba unajali ni muhimu kuliko kupata maneno \
             kamili.",
            "Sikiliza zaidi kuliko kuongea. Usihukumu, usibishane wala usitoe mahubiri, na usiharakishe kutatua: \
             «Inasikika ngumu sana. Niko hapa. Niambie zaidi».",
            "Ni sawa kuuliza moja kwa moja na kwa utulivu: «Je, unafikiria kujiua?». Kuuliza hakumpi mtu wazo hilo; \
             mara nyingi humpa nafuu.",
            "Mtumie taarifa za msaada wa dharura zinazoonyeshwa pamoja na ujumbe huu, na kama anaweza kuwa hatarini \
             sasa, mhimize awasiliane na mojawapo, au na mtu aliye karibu naye, mara moja.",
            "Usiahidi kutunza siri. Unaweza kusema unamjali sana kiasi kwamba huwezi kunyamaza, na uombe msaada kwa \
             msimamizi au kwa mtu anayemwamini.",
            "Jitunze wewe pia: huhitaji kubeba hili peke yako, na wewe si mwenye jukumu la matokeo.",
        ],
        _ => &[
            "Reply soon and gently. Saying that you noticed and that you care matters more than finding perfect \
             words.",
            "Listen more than you talk. Don't judge, argue, lecture or rush to fix it: \"That sounds so hard. I'm \
             here. Tell me more.\"",
            "It is okay to ask directly and calmly: \"Are you thinking about suicide?\" Asking does not put the idea \
             in anyone's head; it often brings relief.",
            "Share the crisis resources shown with this note, and if they may be in danger now, encourage them to \
             contact one, or someone near them, right away.",
            "Don't promise to keep it secret. You can say you care too much to keep it to yourself, and ask a \
             moderator or someone they trust to help.",
            "Look after yourself too: you don't have to handle this alone, and you are not responsible for what \
             happens.",
        ],
    }
}

/// A line for a message that speaks of self-harm.
fn self_harm(language: &str) -> &'static str {
    match language {
        "es" => "Si se ha hecho daño, pregunta con calma si necesita atención médica para una herida.",
        "sw" => "Kama amejiumiza, muulize kwa utulivu kama anahitaji matibabu ya jeraha.",
        _ => "If they have hurt themselves, ask calmly whether a wound needs medical care.",
    }
}

/// A line for a message that tells someone to harm or kill themselves: the reader may be the one it targets.
fn urging(language: &str) -> &'static str {
    match language {
        "es" => {
            "Si este mensaje te dice que te hagas daño: no es verdad y no te lo mereces. No tienes que \
                 responder; los recursos que aparecen con esta nota también son para ti, y un moderador puede \
                 ayudarte."
        }
        "sw" => {
            "Kama ujumbe huu unakuambia ujidhuru: si kweli na hustahili hivyo. Huhitaji kujibu; taarifa za \
                 msaada zinazoonyeshwa pamoja na ujumbe huu ni zako pia, na msimamizi anaweza kukusaidia."
        }
        _ => {
            "If this message tells you to hurt yourself: it is not true and you don't deserve it. You don't have to \
              reply; the resources shown with this note are for you too, and a moderator can help."
        }
    }
}

/// Whether guidance is written in `language` (a primary tag).
pub(crate) fn has_language(language: &str) -> bool {
    LANGUAGES.contains(&language)
}

/// The guidance for a message whose matches have these categories, in `language` if written in it (else
/// English), and the language it is in.
pub(crate) fn for_reader(language: &str, categories: &[&str]) -> (String, Vec<String>) {
    let language = if has_language(language) { language } else { "en" };
    let mut lines: Vec<String> = Vec::new();
    if categories.contains(&super::category::URGING_SELF_HARM) {
        lines.push(urging(language).to_owned());
    }
    let (first, rest) = general(language).split_at(1.min(general(language).len()));
    lines.extend(first.iter().map(|l| (*l).to_owned()));
    if categories.contains(&super::category::SELF_HARM) {
        lines.push(self_harm(language).to_owned());
    }
    lines.extend(rest.iter().map(|l| (*l).to_owned()));
    (language.to_owned(), lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crisis::category::{SELF_HARM, SUICIDAL_IDEATION, URGING_SELF_HARM};

    #[test]
    fn every_language_has_the_same_lines_and_short_ones() {
        for language in LANGUAGES {
            assert_eq!(general(language).len(), general("en").len(), "{language}");
            let (_, lines) = for_reader(language, &[SELF_HARM, URGING_SELF_HARM]);
            assert_eq!(lines.len(), general("en").len() + 2);
            for line in lines {
                assert!(line.chars().count() <= 260, "{language}: {line}");
                assert!(!line.contains("  "), "{language}: {line}");
            }
        }
    }

    #[test]
    fn falls_back_to_english_and_adds_lines_by_category() {
        let (language, lines) = for_reader("fr", &[SUICIDAL_IDEATION]);
        assert_eq!(language, "en");
        assert_eq!(lines.len(), general("en").len());
        let (_, lines) = for_reader("es", &[SELF_HARM]);
        assert!(lines.iter().any(|l| l.contains("herida")));
        let (_, lines) = for_reader("sw", &[URGING_SELF_HARM]);
        assert!(lines.first().is_some_and(|l| l.contains("ujidhuru")));
    }
}
