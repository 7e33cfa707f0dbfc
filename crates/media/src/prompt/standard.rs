//! The announcements of Plateau's inbound call flow (IVR menu and queue), with their texts.
//!
//! The server synthesizes any of these missing from a deployment's prompt directory; a
//! deployment may record its own voice under the same names. The number words these sentences
//! are combined with ("you are number" + 3 + "in the queue") are catalogued in
//! [`crate::say::catalogue`].

use super::catalogue::{Language, PromptText, entry};

/// "Welcome", played on answer.
pub const WELCOME: &str = "welcome";
/// The main menu's choices.
pub const MENU: &str = "menu";
/// First half of the position announcement, followed by a number.
pub const YOU_ARE_NUMBER: &str = "you-are-number";
/// Second half of the position announcement.
pub const IN_THE_QUEUE: &str = "in-the-queue";
/// Played between hold music and announcements.
pub const PLEASE_HOLD: &str = "please-hold";
/// Played on entering a queue with no agent free.
pub const ALL_AGENTS_BUSY: &str = "all-agents-busy";
/// Followed by a duration ("2 minutes").
pub const ESTIMATED_WAIT: &str = "estimated-wait";
/// A key that the menu does not offer.
pub const INVALID_OPTION: &str = "invalid-option";
/// Played before the IVR hangs up.
pub const GOODBYE: &str = "goodbye";
/// The recording notice.
pub const CALL_RECORDED: &str = "call-recorded";
/// Offered while queued, when the queue offers callbacks.
pub const CALLBACK_OFFER: &str = "callback-offer";
/// Followed by the number's digits.
pub const CALLBACK_NUMBER: &str = "callback-number";
/// After the number: the key that confirms it.
pub const CALLBACK_CONFIRM: &str = "callback-confirm";
/// The callback is booked; the call ends after it.
pub const CALLBACK_THANKS: &str = "callback-thanks";

const ENGLISH: &[PromptText] = &[
    entry(WELCOME, "Welcome."),
    entry(MENU, "For sales, press 1. For support, press 2."),
    entry(YOU_ARE_NUMBER, "You are number"),
    entry(IN_THE_QUEUE, "in the queue."),
    entry(
        PLEASE_HOLD,
        "Please hold, your call will be answered shortly.",
    ),
    entry(ALL_AGENTS_BUSY, "All our agents are busy at the moment."),
    entry(ESTIMATED_WAIT, "Your estimated waiting time is"),
    entry(INVALID_OPTION, "Sorry, that is not a valid option."),
    entry(GOODBYE, "Thank you for calling. Goodbye."),
    entry(
        CALL_RECORDED,
        "This call may be recorded for quality and training purposes.",
    ),
    entry(
        CALLBACK_OFFER,
        "To be called back without losing your place, press 1.",
    ),
    entry(CALLBACK_NUMBER, "We will call you back on"),
    entry(CALLBACK_CONFIRM, "To confirm, press 1."),
    entry(
        CALLBACK_THANKS,
        "Thank you. We will call you back when it is your turn. Goodbye.",
    ),
];

const FRENCH: &[PromptText] = &[
    entry(WELCOME, "Bienvenue."),
    entry(
        MENU,
        "Pour le service commercial, tapez 1. Pour l'assistance, tapez 2.",
    ),
    entry(YOU_ARE_NUMBER, "Vous êtes le numéro"),
    entry(IN_THE_QUEUE, "dans la file d'attente."),
    entry(
        PLEASE_HOLD,
        "Merci de patienter, votre appel va être pris en charge.",
    ),
    entry(
        ALL_AGENTS_BUSY,
        "Tous nos conseillers sont actuellement occupés.",
    ),
    entry(ESTIMATED_WAIT, "Votre temps d'attente estimé est de"),
    entry(INVALID_OPTION, "Désolé, ce choix n'est pas valide."),
    entry(GOODBYE, "Merci de votre appel. Au revoir."),
    entry(
        CALL_RECORDED,
        "Cet appel est susceptible d'être enregistré à des fins de qualité et de formation.",
    ),
    entry(
        CALLBACK_OFFER,
        "Pour être rappelé sans perdre votre place, tapez 1.",
    ),
    entry(CALLBACK_NUMBER, "Nous vous rappellerons au"),
    entry(CALLBACK_CONFIRM, "Pour confirmer, tapez 1."),
    entry(
        CALLBACK_THANKS,
        "Merci. Nous vous rappellerons quand viendra votre tour. Au revoir.",
    ),
];

/// The standard prompts and their texts in `language`.
pub fn catalogue(language: Language) -> &'static [PromptText] {
    match language {
        Language::English => ENGLISH,
        Language::French => FRENCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_same_names_in_the_same_order() {
        let names = |language| {
            catalogue(language)
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Language::English), names(Language::French));
        assert!(names(Language::English).contains(&CALL_RECORDED));
    }

    #[test]
    fn no_text_is_empty() {
        for language in Language::ALL {
            assert!(
                catalogue(language)
                    .iter()
                    .all(|p| !p.text.trim().is_empty())
            );
        }
    }
}
