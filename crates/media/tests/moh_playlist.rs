//! Hold music: a looping playlist per queue, one cursor per caller, resumed after
//! announcements.
// Helpers outside #[test] functions panic on failure too: a failed setup is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use media::music_on_hold::{Cursor, HoldMusic, Playlist};
use media::playback::{Item, Player, Sequence};
use media::prompt::Prompt;

/// Track `t` holds `frames` frames; frame `f` of it has every sample equal to `t * 100 + f`,
/// so a frame tells exactly where in the playlist it came from.
fn track(t: i16, frames: usize) -> Prompt {
    let samples: Vec<i16> = (0..frames)
        .flat_map(|f| [t * 100 + f as i16; 160])
        .collect();
    Prompt::from_samples(&samples)
}

fn playlist() -> Playlist {
    Playlist::new(vec![track(1, 3), track(2, 2), track(3, 4)]).unwrap()
}

/// The tag of every frame of one pass, in order.
const ONE_PASS: [i16; 9] = [100, 101, 102, 200, 201, 300, 301, 302, 303];

fn next(music: &mut HoldMusic) -> i16 {
    music.next_frame().samples[0]
}

#[test]
fn the_playlist_plays_its_tracks_in_order_and_loops() {
    let mut caller = playlist().listener();
    let heard: Vec<i16> = (0..18).map(|_| next(&mut caller)).collect();
    assert_eq!(heard[..9], ONE_PASS);
    assert_eq!(heard[9..], ONE_PASS);
}

#[test]
fn the_cursor_survives_many_loops() {
    let mut caller = playlist().listener();
    for n in 0..90_000 {
        assert_eq!(next(&mut caller), ONE_PASS[n % 9], "frame {n}");
    }
    assert_eq!(
        caller.cursor(),
        Cursor {
            track: 0,
            frame: 0,
            loops: 10_000
        }
    );
}

#[test]
fn after_an_announcement_the_music_continues_where_it_left_off() {
    let mut caller = playlist().listener();
    let mut player = Player::new();
    let mut heard = Vec::new();
    for tick in 0..12 {
        if tick == 4 {
            let mut announcement = Sequence::new();
            announcement.push(Item::prompt(
                "you-are-number",
                Prompt::from_samples(&[-1; 3 * 160]),
            ));
            player.play(announcement);
        }
        // What the server does every 20 ms for a waiting caller.
        let frame = player.next_frame().unwrap_or_else(|| caller.next_frame());
        heard.push(frame.samples[0]);
    }
    assert_eq!(
        heard,
        [100, 101, 102, 200, -1, -1, -1, 201, 300, 301, 302, 303]
    );
}

#[test]
fn each_caller_has_their_own_place() {
    let playlist = playlist();
    let mut early = playlist.listener();
    for _ in 0..5 {
        early.next_frame();
    }
    let mut late = playlist.listener();
    assert_eq!(next(&mut late), 100);
    assert_eq!(next(&mut early), 300);
}

#[test]
fn callers_share_the_decoded_audio() {
    let playlist = playlist();
    let callers: Vec<HoldMusic> = (0..100).map(|_| playlist.listener()).collect();
    for caller in &callers {
        let theirs = caller.playlist().track(2).unwrap().frames().as_ptr();
        assert!(std::ptr::eq(
            theirs,
            playlist.track(2).unwrap().frames().as_ptr()
        ));
    }
    // A caller costs a handle and a cursor, not a copy of the music.
    assert!(
        std::mem::size_of::<HoldMusic>() <= 64,
        "{}",
        std::mem::size_of::<HoldMusic>()
    );
}

#[test]
fn a_listener_may_start_part_way_through() {
    let mut caller = playlist().listener_at(Duration::from_millis(20 * (9 * 3 + 4)));
    assert_eq!(next(&mut caller), 201);
}
