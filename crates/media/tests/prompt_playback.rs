//! Playing sequences of prompts, tones and silences frame by frame, with barge-in.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use media::Frame;
use media::playback::{Item, PlaybackError, PlaybackEvent, Player, Sequence};
use media::prompt::{Language, Prompt, PromptError, PromptLibrary, standard};
use media::say;
use media::tones::{Tone, ToneGenerator};

/// A prompt of `frames` frames whose every sample is `value`, so a frame tells which prompt it
/// came from.
fn marked(value: i16, frames: usize) -> Prompt {
    Prompt::from_samples(&vec![value; frames * 160])
}

/// A library where "you-are-number" is 1s, each digit n is 100+n, "in-the-queue" is 2s.
fn library() -> PromptLibrary {
    let mut library = PromptLibrary::new();
    library.insert("en", standard::YOU_ARE_NUMBER, marked(1, 3));
    library.insert("en", standard::IN_THE_QUEUE, marked(2, 2));
    library.insert("en", standard::CALL_RECORDED, marked(3, 4));
    for (n, name) in say::catalogue(Language::English)
        .iter()
        .map(|p| p.name)
        .enumerate()
    {
        library.insert("en", name, marked(100 + n as i16, 1));
    }
    library
}

fn play_out(player: &mut Player) -> Vec<i16> {
    std::iter::from_fn(|| player.next_frame())
        .map(|f| f.samples[0])
        .collect()
}

fn position_announcement(library: &PromptLibrary, position: u32) -> Sequence {
    Sequence::builder(library, Language::English)
        .prompt(standard::YOU_ARE_NUMBER)
        .and_then(|b| b.number(position))
        .and_then(|b| b.prompt(standard::IN_THE_QUEUE))
        .unwrap()
        .build()
}

#[test]
fn a_composed_sequence_plays_its_items_in_order() {
    let library = library();
    let mut player = Player::new();
    let id = player.play(position_announcement(&library, 23));
    let twenty = library.get("en", "digits/20").unwrap().frames()[0].samples[0];
    let three = library.get("en", "digits/3").unwrap().frames()[0].samples[0];
    assert_eq!(play_out(&mut player), [1, 1, 1, twenty, three, 2, 2]);
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: id })
    );
    assert_eq!(player.poll_event(), None);
}

#[test]
fn finished_is_reported_with_the_last_frame() {
    let library = library();
    let mut player = Player::new();
    let id = player.play(
        Sequence::builder(&library, Language::English)
            .prompt(standard::IN_THE_QUEUE)
            .unwrap()
            .build(),
    );
    assert!(player.next_frame().is_some());
    assert_eq!(player.poll_event(), None);
    assert!(player.next_frame().is_some());
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: id })
    );
    assert!(player.next_frame().is_none());
}

#[test]
fn a_missing_prompt_is_named_when_building() {
    let library = library();
    let error = Sequence::builder(&library, Language::French)
        .prompt(standard::WELCOME)
        .unwrap_err();
    let PlaybackError::Prompt(PromptError::Missing { language, name }) = error else {
        panic!("{error:?}")
    };
    assert_eq!((language.as_str(), name.as_str()), ("fr", "welcome"));
}

#[test]
fn a_keypress_interrupts_and_names_the_item() {
    let library = library();
    let mut player = Player::new();
    let id = player.play(position_announcement(&library, 5));
    for _ in 0..3 {
        player.next_frame();
    }
    assert!(player.dtmf('1'));
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Interrupted {
            sequence: id,
            item: 1,
            label: "digits/5".into(),
            digit: '1'
        })
    );
    assert!(player.next_frame().is_none());
}

#[test]
fn a_notice_without_barge_in_plays_through_keypresses() {
    let library = library();
    let sequence = Sequence::builder(&library, Language::English)
        .barge_in(false)
        .prompt(standard::CALL_RECORDED)
        .unwrap()
        .barge_in(true)
        .prompt(standard::IN_THE_QUEUE)
        .unwrap()
        .build();
    let mut player = Player::new();
    let id = player.play(sequence);
    player.next_frame();
    assert!(!player.dtmf('5'));
    assert_eq!(player.poll_event(), None);
    for _ in 0..3 {
        assert_eq!(player.next_frame().unwrap().samples[0], 3);
    }
    // Now inside the second item, which allows barge-in.
    assert_eq!(player.next_frame().unwrap().samples[0], 2);
    assert!(player.dtmf('5'));
    assert!(
        matches!(player.poll_event(), Some(PlaybackEvent::Interrupted { sequence, item: 1, .. }) if sequence == id)
    );
}

#[test]
fn a_keypress_with_nothing_playing_is_ignored() {
    let mut player = Player::new();
    assert!(!player.dtmf('1'));
    assert_eq!(player.poll_event(), None);
}

#[test]
fn queued_sequences_follow_without_a_gap() {
    let library = library();
    let mut player = Player::new();
    let first = player.play(
        Sequence::builder(&library, Language::English)
            .prompt(standard::IN_THE_QUEUE)
            .unwrap()
            .build(),
    );
    let second = player.play(
        Sequence::builder(&library, Language::English)
            .prompt(standard::YOU_ARE_NUMBER)
            .unwrap()
            .build(),
    );
    assert_eq!(play_out(&mut player), [2, 2, 1, 1, 1]);
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: first })
    );
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: second })
    );
}

#[test]
fn replace_stops_what_plays_and_what_is_queued() {
    let library = library();
    let mut player = Player::new();
    let first = player.play(position_announcement(&library, 1));
    let second = player.play(position_announcement(&library, 2));
    player.next_frame();
    let third = player.replace(
        Sequence::builder(&library, Language::English)
            .prompt(standard::IN_THE_QUEUE)
            .unwrap()
            .build(),
    );
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Stopped { sequence: first })
    );
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Stopped { sequence: second })
    );
    assert_eq!(play_out(&mut player), [2, 2]);
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: third })
    );
}

#[test]
fn clear_silences_the_player() {
    let library = library();
    let mut player = Player::new();
    let id = player.play(position_announcement(&library, 7));
    player.next_frame();
    player.clear();
    assert!(player.next_frame().is_none());
    assert!(!player.is_active());
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Stopped { sequence: id })
    );
}

#[test]
fn silences_and_tones_are_items_too() {
    let mut sequence = Sequence::new();
    sequence.push(Item::silence(Duration::from_millis(50)));
    let mut beep = ToneGenerator::new(Tone::beep());
    sequence.push(Item::generated(
        "beep",
        Duration::from_millis(40),
        move || beep.next_frame(),
    ));
    assert_eq!(sequence.duration(), Duration::from_millis(100));
    let mut player = Player::new();
    player.play(sequence);
    let frames: Vec<Frame> = std::iter::from_fn(|| player.next_frame()).collect();
    assert_eq!(frames.len(), 5);
    assert!(frames[..3].iter().all(Frame::is_silent));
    assert!(frames[3..].iter().all(|f| !f.is_silent()));
}

#[test]
fn an_empty_sequence_finishes_at_once() {
    let mut player = Player::new();
    let id = player.play(Sequence::new());
    assert!(player.next_frame().is_none());
    assert_eq!(
        player.poll_event(),
        Some(PlaybackEvent::Finished { sequence: id })
    );
}

#[test]
fn durations_and_digits_compose_from_the_library() {
    let library = library();
    let sequence = Sequence::builder(&library, Language::English)
        .duration(Duration::from_secs(150))
        .and_then(|b| b.digits("12"))
        .and_then(|b| b.ordinal(3))
        .unwrap()
        .build();
    let labels: Vec<_> = sequence.items().iter().map(Item::label).collect();
    assert_eq!(
        labels,
        [
            "digits/2",
            "time/minutes",
            "digits/30",
            "time/seconds",
            "digits/1",
            "digits/2",
            "ordinal/3"
        ]
    );
}
