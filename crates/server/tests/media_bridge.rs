//! A bridged call through a media task, with fake phones on 127.0.0.1: audio crosses both
//! ways (transcoded between A-law and µ-law), each side sees one continuous stream, the
//! per-leg counters grow both ways, and the stop report carries counters and quality.

mod media_support;

use std::time::Duration;

use media::bridge::LegId;
use media::g711::Codec;
use media_support::{Harness, Peer, assert_continuous, decode, tone_frames, tone_share_db};
use plateau::media::{LegMedia, MediaCommand, MediaConfig, MediaEvent};

const FRAMES: usize = 50;

/// Caller (A-law, 600 Hz) and agent (µ-law, 1400 Hz) talk at once for a second.
async fn talk(caller: &mut Peer, agent: &mut Peer) {
    let (caller_tone, agent_tone) = (tone_frames(600.0, FRAMES), tone_frames(1_400.0, FRAMES));
    let mut interval = tokio::time::interval(Duration::from_millis(20));
    for n in 0..FRAMES {
        interval.tick().await;
        caller.send_frame(&caller_tone[n], false).await;
        agent.send_frame(&agent_tone[n], false).await;
    }
}

#[tokio::test]
async fn audio_crosses_both_ways_transcoded_with_continuous_streams() {
    let harness = Harness::new(MediaConfig::default(), 24_000..=24_099);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 0xA1).await;
    let mut agent = Peer::new(Codec::Pcmu, Some(96), 0xB2).await;
    let call = harness.call(1, &caller);
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();

    talk(&mut caller, &mut agent).await;
    let at_caller = caller.recv_all(Duration::from_millis(300)).await;
    let at_agent = agent.recv_all(Duration::from_millis(300)).await;

    assert!(
        at_caller.len() >= FRAMES - 2,
        "caller got {}",
        at_caller.len()
    );
    assert!(at_agent.len() >= FRAMES - 2, "agent got {}", at_agent.len());
    assert!(
        at_caller.iter().all(|p| p.payload_type == 8),
        "A-law to the caller"
    );
    assert!(
        at_agent.iter().all(|p| p.payload_type == 0),
        "µ-law to the agent"
    );
    assert_continuous(&at_caller);
    assert_continuous(&at_agent);
    let heard_by_agent = decode(Codec::Pcmu, &at_agent);
    let heard_by_caller = decode(Codec::Pcma, &at_caller);
    assert!(tone_share_db(&heard_by_agent, 600.0) > -1.0);
    assert!(tone_share_db(&heard_by_caller, 1_400.0) > -1.0);

    let [a, b] = call.live().snapshot();
    assert_eq!(a.packets_in, FRAMES as u64);
    assert_eq!(b.packets_in, FRAMES as u64);
    assert_eq!(a.packets_out, at_caller.len() as u64);
    assert_eq!(b.packets_out, at_agent.len() as u64);
    assert!(a.bytes_in >= FRAMES as u64 * 172 && b.bytes_out >= 172);
}

#[tokio::test]
async fn the_stop_report_has_each_legs_counters_and_quality() {
    let mut harness = Harness::new(MediaConfig::default(), 24_100..=24_199);
    let mut caller = Peer::new(Codec::Pcmu, Some(101), 0xC1).await;
    let mut agent = Peer::new(Codec::Pcmu, Some(101), 0xD2).await;
    let call = harness.call(2, &caller);
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();
    talk(&mut caller, &mut agent).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    call.send(MediaCommand::Stop).unwrap();

    let MediaEvent::Stopped(report) = harness
        .wait_for(|e| matches!(e, MediaEvent::Stopped(_)))
        .await
    else {
        unreachable!()
    };
    let [Some(a), Some(b)] = &report.legs else {
        panic!("both legs reported: {report:?}");
    };
    assert_eq!(a.counters.packets_in, FRAMES as u64);
    assert_eq!(b.counters.packets_in, FRAMES as u64);
    assert_eq!(a.counters.packets_out, FRAMES as u64);
    assert_eq!(b.counters.packets_out, FRAMES as u64);
    for leg in [a, b] {
        let quality = leg.quality.expect("quality of a stream received");
        assert_eq!(quality.lost, 0);
        assert!(quality.mos > 4.0, "{quality:?}");
    }
    assert_eq!(a.remote, caller.addr());
    assert!(report.recording.is_none());
    assert_eq!(
        harness.ports.in_use(),
        0,
        "ports returned when the task ends"
    );
    let totals = harness.service.totals();
    assert_eq!(totals.packets_in, 2 * FRAMES as u64);
    assert_eq!(totals.calls_active, 0);
}

#[tokio::test]
async fn rtp_latches_to_the_source_of_the_first_packet() {
    let harness = Harness::new(MediaConfig::default(), 24_200..=24_299);
    // The caller's SDP names an address nobody listens on (a NAT's private side).
    let mut caller = Peer::new(Codec::Pcma, Some(101), 0xE1).await;
    let mut agent = Peer::new(Codec::Pcma, Some(101), 0xF2).await;
    let unreachable = Peer::new(Codec::Pcma, None, 0).await.addr();
    let socket = harness.ports.allocate().unwrap();
    let call = harness.service.start_call(
        plateau::media::CallRef(3),
        socket,
        LegMedia {
            remote: unreachable,
            config: caller.config,
        },
    );
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();

    talk(&mut caller, &mut agent).await;
    let at_caller = caller.recv_all(Duration::from_millis(300)).await;
    assert!(
        at_caller.len() >= FRAMES - 2,
        "caller got {}",
        at_caller.len()
    );

    // A stranger sending to the caller's port after the latch is not relayed.
    let mut stranger = Peer::new(Codec::Pcma, None, 0x99).await;
    stranger.target = Some(call.local_addr());
    stranger.send_frame(&tone_frames(600.0, 1)[0], false).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = call.live().leg(LegId::A).snapshot();
    assert_eq!(before.dropped, 1);
    assert_eq!(before.packets_in, FRAMES as u64);
}

#[tokio::test]
async fn a_reinvite_moves_the_leg_to_its_new_address() {
    let harness = Harness::new(MediaConfig::default(), 24_900..=24_949);
    let mut caller = Peer::new(Codec::Pcma, Some(101), 0x71).await;
    let mut agent = Peer::new(Codec::Pcma, Some(101), 0x72).await;
    let call = harness.call(4, &caller);
    caller.target = Some(call.local_addr());
    let agent_socket = harness.ports.allocate().unwrap();
    agent.target = Some(agent_socket.local_addr());
    call.send(MediaCommand::ConnectAgent {
        socket: agent_socket,
        media: agent.media(),
    })
    .unwrap();
    talk(&mut caller, &mut agent).await;
    assert!(agent.recv_all(Duration::from_millis(200)).await.len() >= FRAMES - 2);

    // The agent's phone moves (new address, now µ-law) and says so in a re-INVITE.
    let mut moved = Peer::new(Codec::Pcmu, Some(101), 0x73).await;
    moved.target = agent.target;
    call.send(MediaCommand::UpdateRemote {
        leg: LegId::B,
        media: moved.media(),
    })
    .unwrap();
    talk(&mut caller, &mut moved).await;
    let at_moved = moved.recv_all(Duration::from_millis(300)).await;
    assert!(
        at_moved.len() >= FRAMES - 2,
        "moved phone got {}",
        at_moved.len()
    );
    assert!(at_moved.iter().all(|p| p.payload_type == 0));
    assert!(agent.recv_all(Duration::from_millis(50)).await.is_empty());
    let at_caller = caller.recv_all(Duration::from_millis(300)).await;
    assert!(tone_share_db(&decode(Codec::Pcma, &at_caller[FRAMES..]), 1_400.0) > -1.0);
}
