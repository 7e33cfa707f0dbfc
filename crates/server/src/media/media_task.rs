//! One call's media task: owns the legs' sockets and every piece of media state of the call,
//! and reacts to four things — a command, a datagram on either leg, the 20 ms tick of
//! locally played audio, and one deadline (housekeeping every second, or the end of a DTMF
//! event whose end packets were lost).
//!
//! # Routing
//! After every input the task works out who hears what:
//! - before the agent is connected, the caller hears what we play (prompts, else music, else
//!   nothing: no packets are sent);
//! - once connected, each leg hears the other's packets relayed one for one through the
//!   [`Bridge`], except a leg on hold (it hears music, and neither side's audio is relayed)
//!   or a caller hearing a prompt (its agent's audio is held back while the prompt plays).
//!
//! - with a third leg (a supervisor, [`MediaCommand::AddThirdLeg`]) nothing is relayed:
//!   every leg's audio goes through a jitter buffer and the 20 ms tick mixes what each leg
//!   hears ([`super::conference`]); when the third leg leaves, relaying resumes.
//!
//! A leg hearing locally played audio has a [`Pacer`], and the tick runs while any leg has
//! one (or while mixing). Whenever relaying toward a leg resumes, the bridge is rebuilt with seeds continuing
//! each outgoing stream ([`super::pacing`]), and the first relayed audio packet is marked.
//!
//! # The packet path
//! A datagram is checked against the leg's latched source ([`super::leg`]), counted, fed to
//! the leg's reception statistics, relayed (parse, rewrite, transcode if needed, decode for
//! the recorder, `try_send_to`), then placed in the recording. Nothing on this path
//! allocates, locks or awaits: buffers are the task's own, counters are plain fields
//! published with relaxed stores, and a send that would block is dropped and counted.
//! RTCP multiplexed on the RTP port (RFC 5761: second byte 192–223) is ignored.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::bridge::{Bridge, LegId, RelayedKind, StreamSeed};
use media::jitter_buffer::{JitterBuffer, MAX_PACKET_SAMPLES};
use media::recorder::Channel;
use media::rtp::{HEADER_LEN, RtpHeader, RtpPacket};
use media::{FRAME_MS, FRAME_SAMPLES, Frame};
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior, Sleep};

use super::call_recording::{CallRecording, RecordingError};
use super::commands::{CallRef, LegMedia, MediaCommand, MediaEvent, MediaReport, RecordingReport};
use super::conference::Conference;
use super::digits::{DigitListener, KeyNote};
use super::leg::Leg;
use super::live::{LiveCounters, LiveLeg};
use super::local_audio::LocalAudio;
use super::pacing::{OutStream, Pacer};
use super::rtp_ports::RtpSocket;
use super::service::Shared;

/// Largest datagram read; longer ones are truncated and fail RTP parsing.
const DATAGRAM: usize = 2_048;
const HOUSEKEEPING: Duration = Duration::from_secs(1);
const FRAME: Duration = Duration::from_millis(FRAME_MS as u64);

/// Runs a call's media until [`MediaCommand::Stop`] or until every handle is dropped, then
/// reports [`MediaEvent::Stopped`].
pub(super) async fn run(
    shared: Arc<Shared>,
    call: CallRef,
    socket: RtpSocket,
    media: LegMedia,
    live: Arc<LiveCounters>,
    mut commands: mpsc::Receiver<MediaCommand>,
) {
    let now = Instant::now();
    let (socket, local, lease) = socket.into_parts();
    let socket = match tokio::net::UdpSocket::from_std(socket) {
        Ok(socket) => socket,
        Err(e) => {
            tracing::error!(error = %e, "cannot register the caller's RTP socket");
            let report = MediaReport {
                legs: [None, None],
                recording: None,
            };
            shared.emit(call, MediaEvent::Stopped(Box::new(report)));
            return;
        }
    };
    let leg_a = Leg::new(
        socket,
        local,
        lease,
        media,
        OutStream::new(random_seed()),
        now,
    );
    shared.totals.call_started();
    let mut task = MediaTask::new(Arc::clone(&shared), call, live, leg_a, now);
    task.update_routing(now);
    let heir = task.run(&mut commands).await;
    let report = task.finish(Instant::now());
    if let Some(to) = heir {
        hand_over(task.a, &to);
    } else {
        drop(task);
    }
    shared.totals.call_ended();
    shared.emit(call, MediaEvent::Stopped(Box::new(report)));
}

struct MediaTask {
    call: CallRef,
    shared: Arc<Shared>,
    live: Arc<LiveCounters>,
    a: Leg,
    b: Option<Leg>,
    /// A third leg (supervisor, third party), mixed with the others while present.
    c: Option<Leg>,
    /// The third leg's counters (the API shows A and B).
    live_c: LiveLeg,
    /// Present while there is a third leg.
    conference: Option<Box<Conference>>,
    /// Present once the agent is connected; rebuilt whenever relaying resumes.
    bridge: Option<Bridge>,
    /// Whether the other leg's packets are relayed to A, to B.
    relay_to: [bool; 2],
    /// Mark the next audio packet relayed to A, to B (the stream resumed).
    mark_next: [bool; 2],
    held: [bool; 2],
    local: [LocalAudio; 2],
    pacers: [Option<Pacer>; 2],
    /// The caller's audio in order, for in-band DTMF while talking to the IVR.
    jitter: Option<Box<JitterBuffer>>,
    digits: DigitListener,
    recording: Option<CallRecording>,
    /// A recording that failed on the way, reported when the call stops.
    failed_recording: Option<RecordingReport>,
    /// The figures of an agent's leg disconnected (and not replaced), for the final report.
    gone_b: Option<super::commands::LegReport>,
    /// What a held leg hears.
    hold_playlist: Option<media::music_on_hold::Playlist>,
    recv_a: Box<[u8]>,
    recv_b: Box<[u8]>,
    recv_c: Box<[u8]>,
    out: Box<[u8]>,
    pcm: Box<[i16]>,
    tick: Interval,
    deadline: Pin<Box<Sleep>>,
    deadline_at: Instant,
    next_housekeeping: Instant,
}

impl MediaTask {
    fn new(
        shared: Arc<Shared>,
        call: CallRef,
        live: Arc<LiveCounters>,
        a: Leg,
        now: Instant,
    ) -> MediaTask {
        let telephone_event = a.config.telephone_event;
        let jitter = telephone_event
            .is_none()
            .then(|| Box::new(JitterBuffer::new(shared.config.jitter_buffer)));
        let mut tick = tokio::time::interval(FRAME);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let next_housekeeping = now + HOUSEKEEPING;
        let hold_playlist = shared.config.default_hold_music.clone();
        MediaTask {
            call,
            live,
            a,
            b: None,
            c: None,
            live_c: LiveLeg::default(),
            conference: None,
            bridge: None,
            relay_to: [false; 2],
            mark_next: [false; 2],
            held: [false; 2],
            local: [LocalAudio::default(), LocalAudio::default()],
            pacers: [None, None],
            jitter,
            digits: DigitListener::new(telephone_event),
            recording: None,
            failed_recording: None,
            gone_b: None,
            hold_playlist,
            recv_a: vec![0; DATAGRAM].into_boxed_slice(),
            recv_b: vec![0; DATAGRAM].into_boxed_slice(),
            recv_c: vec![0; DATAGRAM].into_boxed_slice(),
            out: vec![0; DATAGRAM].into_boxed_slice(),
            pcm: vec![0; MAX_PACKET_SAMPLES.max(DATAGRAM)].into_boxed_slice(),
            tick,
            deadline: Box::pin(tokio::time::sleep_until(next_housekeeping.into())),
            deadline_at: next_housekeeping,
            next_housekeeping,
            shared,
        }
    }

    /// Runs until told to stop; returns the task to give leg A to, if that was the order.
    async fn run(
        &mut self,
        commands: &mut mpsc::Receiver<MediaCommand>,
    ) -> Option<super::MediaHandle> {
        loop {
            let tick_on = self.pacers.iter().any(Option::is_some) || self.conference.is_some();
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    None | Some(MediaCommand::Stop) => return None,
                    Some(MediaCommand::HandOver { leg: LegId::A, to }) => return Some(to),
                    Some(command) => self.on_command(command),
                },
                received = self.a.socket.recv_from(&mut self.recv_a[..]) => {
                    self.on_received(LegId::A, received);
                }
                received = recv_from(self.b.as_ref(), &mut self.recv_b[..]) => {
                    self.on_received(LegId::B, received);
                }
                received = recv_from(self.c.as_ref(), &mut self.recv_c[..]) => {
                    self.on_third_received(received);
                }
                _ = self.tick.tick(), if tick_on => self.on_tick(),
                () = &mut self.deadline => self.on_deadline(),
            }
        }
    }

    fn emit(&self, event: MediaEvent) {
        self.shared.emit(self.call, event);
    }

    fn on_received(&mut self, from: LegId, received: io::Result<(usize, SocketAddr)>) {
        let (len, source) = match received {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, leg = ?from, "RTP receive failed");
                return;
            }
        };
        let slot = match from {
            LegId::A => &mut self.recv_a,
            LegId::B => &mut self.recv_b,
        };
        // Lent out while the packet is handled, so the rest of the task stays borrowable.
        let buffer = std::mem::take(slot);
        if let Some(datagram) = buffer.get(..len) {
            self.on_datagram(from, datagram, source);
        }
        match from {
            LegId::A => self.recv_a = buffer,
            LegId::B => self.recv_b = buffer,
        }
    }

    fn on_datagram(&mut self, from: LegId, datagram: &[u8], source: SocketAddr) {
        if is_rtcp(datagram) {
            return;
        }
        let now = Instant::now();
        let live = self.live.leg(from);
        let Some(leg) = leg_of(&mut self.a, &mut self.b, from) else {
            return;
        };
        if !leg.accept(source, datagram) {
            leg.dropped(live);
            return;
        }
        let Ok(packet) = RtpPacket::parse(datagram) else {
            leg.dropped(live);
            return;
        };
        leg.received(now, &packet, live);
        let payload_type = packet.payload_type();
        let codec = leg.audio_codec(payload_type);
        let is_event = from == LegId::A && self.digits.is_event(payload_type);

        let to = from.other();
        let mut decoded = None;
        if self.relay_to[index(to)]
            && let Some(bridge) = self.bridge.as_mut()
        {
            match bridge.relay_decoding(now, from, datagram, &mut self.out, &mut self.pcm) {
                Ok(Some(relayed)) => {
                    if relayed.kind == RelayedKind::Audio {
                        if std::mem::take(&mut self.mark_next[index(to)])
                            && let Some(marker_byte) = self.out.get_mut(1)
                        {
                            *marker_byte |= 0x80;
                        }
                        decoded = Some(relayed.samples);
                    }
                    if let Some(destination) = leg_of(&mut self.a, &mut self.b, to)
                        && let Some(packet) = self.out.get(..relayed.len)
                    {
                        destination.send(packet, self.live.leg(to));
                        destination
                            .out
                            .sent(now, relayed.sequence_number, relayed.timestamp);
                    }
                }
                Ok(None) | Err(_) => {
                    if let Some(leg) = leg_of(&mut self.a, &mut self.b, from) {
                        leg.dropped(live);
                    }
                }
            }
        }

        if is_event {
            self.digits.on_event_packet(now, &packet);
            self.handle_keys(now);
            self.rearm_deadline(false);
            return;
        }
        let Some(codec) = codec else {
            return;
        };
        if let Some(conference) = self.conference.as_mut() {
            conference.push(index(from), now, &packet, codec);
        }
        if from == LegId::A
            && let Some(jitter) = self.jitter.as_mut()
        {
            jitter.push(now, &packet, codec);
        }
        // Before the agent, in-band keys are looked for in the jitter buffer's ordered audio.
        let inband = from == LegId::A && self.b.is_some() && self.digits.listens_inband();
        if decoded.is_none() && (inband || self.recording.is_some()) {
            decoded = Some(codec.decode_into(packet.payload(), &mut self.pcm));
        }
        let Some(samples) = decoded else {
            return;
        };
        let audio = self.pcm.get(..samples).unwrap_or_default();
        if inband {
            self.digits.on_audio(audio);
        }
        if let Some(recording) = self.recording.as_mut() {
            let channel = match from {
                LegId::A => Channel::Caller,
                LegId::B => Channel::Agent,
            };
            let placed =
                recording.push_packet(channel, packet.ssrc(), packet.timestamp(), audio, now);
            if let Err(e) = placed {
                self.recording_failed(e);
            }
        }
        if inband {
            self.handle_keys(now);
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        let max_catch_up = self.shared.config.max_catch_up_frames;
        if self.conference.is_some() {
            self.mix_tick(now, max_catch_up);
            return;
        }
        for leg_id in [LegId::A, LegId::B] {
            let i = index(leg_id);
            let Some(pacer) = self.pacers[i].as_mut() else {
                continue;
            };
            for slot in pacer.due(now, max_catch_up) {
                if leg_id == LegId::A
                    && let Some(jitter) = self.jitter.as_mut()
                {
                    let playout = jitter.pop(slot.at);
                    self.digits.on_audio(&playout.frame.samples);
                }
                let frame = self.local[i].next_frame(self.held[i]);
                let marker = match self.pacers[i].as_mut() {
                    Some(pacer) => pacer.note_slot(frame.is_some()),
                    None => false,
                };
                let Some(frame) = frame else {
                    continue;
                };
                self.send_frame(now, leg_id, &frame, slot.timestamp, marker);
                if leg_id == LegId::A
                    && self.b.is_none()
                    && let Some(recording) = self.recording.as_mut()
                    && let Err(e) = recording.push_frame(Channel::Agent, slot.at, &frame)
                {
                    self.recording_failed(e);
                }
            }
        }
        self.handle_keys(now);
        self.drain_playback_events();
        self.update_routing(now);
    }

    /// Encodes and sends one frame we generated to `leg_id`.
    fn send_frame(
        &mut self,
        now: Instant,
        leg_id: LegId,
        frame: &Frame,
        timestamp: u32,
        marker: bool,
    ) {
        let Some(leg) = leg_of(&mut self.a, &mut self.b, leg_id) else {
            return;
        };
        let stamp = Stamp {
            now,
            timestamp,
            marker,
        };
        send_frame_to(leg, &mut self.out, self.live.leg(leg_id), frame, stamp);
    }

    /// The tick while mixing: each frame due is mixed and every leg sent what it hears.
    fn mix_tick(&mut self, now: Instant, max_catch_up: u32) {
        let Some(conference) = self.conference.as_mut() else {
            return;
        };
        for (leg, held) in self.held.iter().enumerate() {
            conference.set_held(leg, *held);
        }
        for slot in conference.due(now, max_catch_up) {
            conference.mix(slot);
            for leg in 0..super::conference::LEGS {
                let (timestamp, marker) = conference.stamp(leg, slot);
                let (target, live) = match leg {
                    0 => (Some(&mut self.a), self.live.leg(LegId::A)),
                    1 => (self.b.as_mut(), self.live.leg(LegId::B)),
                    _ => (self.c.as_mut(), &self.live_c),
                };
                let Some(target) = target else {
                    continue;
                };
                let stamp = Stamp {
                    now,
                    timestamp,
                    marker,
                };
                send_frame_to(target, &mut self.out, live, conference.output(leg), stamp);
            }
        }
    }

    fn on_third_received(&mut self, received: io::Result<(usize, SocketAddr)>) {
        let (len, source) = match received {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, "RTP receive failed on the third leg");
                return;
            }
        };
        let now = Instant::now();
        let Some(leg) = self.c.as_mut() else {
            return;
        };
        let Some(datagram) = self.recv_c.get(..len) else {
            return;
        };
        if is_rtcp(datagram) {
            return;
        }
        if !leg.accept(source, datagram) {
            leg.dropped(&self.live_c);
            return;
        }
        let Ok(packet) = RtpPacket::parse(datagram) else {
            leg.dropped(&self.live_c);
            return;
        };
        leg.received(now, &packet, &self.live_c);
        if let (Some(codec), Some(conference)) = (
            leg.audio_codec(packet.payload_type()),
            self.conference.as_mut(),
        ) {
            conference.push(2, now, &packet, codec);
        }
    }

    /// A third leg joins: relaying stops, mixing starts (see [`MediaCommand::AddThirdLeg`]).
    fn add_third(
        &mut self,
        now: Instant,
        socket: RtpSocket,
        media: LegMedia,
        mode: media::mixer::MixMode,
        role: media::mixer::Role,
    ) {
        let Some(b) = self.b.as_ref() else {
            tracing::warn!("a third leg without an agent connected; refused");
            return;
        };
        if self.c.is_some() {
            tracing::warn!("a third leg is already there; refused");
            return;
        }
        let (socket, local, lease) = socket.into_parts();
        let socket = match tokio::net::UdpSocket::from_std(socket) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::error!(error = %e, "cannot register the third leg's RTP socket");
                return;
            }
        };
        let c = Leg::new(
            socket,
            local,
            lease,
            media,
            OutStream::new(random_seed()),
            now,
        );
        let first_ts = [
            self.a.out.continuation(now).timestamp,
            b.out.continuation(now).timestamp,
            c.out.continuation(now).timestamp,
        ];
        self.c = Some(c);
        self.conference = Some(Box::new(Conference::new(
            now,
            mode,
            role,
            self.shared.config.jitter_buffer,
            first_ts,
        )));
        self.tick.reset_immediately();
    }

    /// The third leg leaves; returns it (its figures are published).
    fn take_third(&mut self) -> Option<Leg> {
        self.conference = None;
        // Forces a fresh bridge in `update_routing`.
        self.relay_to = [false; 2];
        let mut c = self.c.take()?;
        c.publish_totals(&self.shared.totals);
        Some(c)
    }

    /// The third leg takes the agent's place (see [`MediaCommand::PromoteThirdLeg`]).
    fn promote_third(&mut self) {
        let Some(c) = self.take_third() else {
            return;
        };
        if let Some(mut b) = self.b.take() {
            b.publish_totals(&self.shared.totals);
        }
        self.b = Some(c);
        self.bridge = None;
        self.pacers[1] = None;
        self.held[1] = false;
    }

    fn on_command(&mut self, command: MediaCommand) {
        let now = Instant::now();
        match command {
            MediaCommand::Play { id, sequence } => self.local[0].play(id, sequence),
            MediaCommand::StopPlay { id } => self.local[0].stop_play(id),
            MediaCommand::StartMoh { playlist } => {
                self.local[0].start_music(&playlist);
                self.hold_playlist = Some(playlist);
            }
            MediaCommand::StopMoh => self.local[0].stop_music(),
            MediaCommand::ConnectAgent { socket, media } => self.connect(now, socket, media),
            MediaCommand::DisconnectAgent => {
                self.take_b();
            }
            MediaCommand::HandOver { leg: LegId::B, to } => {
                if let Some(b) = self.take_b() {
                    hand_over(b, &to);
                }
            }
            // Handled by the loop, which ends the task and then hands leg A over.
            MediaCommand::HandOver { leg: LegId::A, .. } => {}
            MediaCommand::StartRecording { path } => self.start_recording(now, &path),
            MediaCommand::PauseRecording => {
                let marker = self.recording.as_mut().and_then(|r| r.pause(now));
                if let Some(marker) = marker {
                    self.emit(MediaEvent::RecordingMarked { marker });
                }
            }
            MediaCommand::ResumeRecording => {
                let marker = self.recording.as_mut().and_then(|r| r.resume(now));
                if let Some(marker) = marker {
                    self.emit(MediaEvent::RecordingMarked { marker });
                }
            }
            MediaCommand::Hold { leg } => self.hold(now, leg, true),
            MediaCommand::Unhold { leg } => self.hold(now, leg, false),
            MediaCommand::UpdateRemote { leg, media } => {
                if let Some(target) = leg_of(&mut self.a, &mut self.b, leg) {
                    target.update(media);
                }
                if let Some(bridge) = self.bridge.as_mut() {
                    bridge.update_leg(leg, media.config);
                }
                if leg == LegId::A {
                    self.digits
                        .set_telephone_event(media.config.telephone_event);
                    if self.b.is_none() {
                        self.set_jitter_buffer();
                    }
                }
            }
            MediaCommand::AddThirdLeg {
                socket,
                media,
                mode,
                role,
            } => self.add_third(now, socket, media, mode, role),
            MediaCommand::SetMixMode { mode } => {
                if let Some(conference) = self.conference.as_mut() {
                    conference.set_mode(mode);
                }
            }
            MediaCommand::UpdateThirdLeg { media } => {
                if let Some(c) = self.c.as_mut() {
                    c.update(media);
                }
            }
            MediaCommand::DropThirdLeg => {
                self.take_third();
            }
            MediaCommand::PromoteThirdLeg => self.promote_third(),
            // Handled by the loop, which ends the task.
            MediaCommand::Stop => {}
        }
        self.drain_playback_events();
        self.update_routing(now);
        self.rearm_deadline(false);
    }

    fn connect(&mut self, now: Instant, socket: RtpSocket, media: LegMedia) {
        // Packets already queued on the socket (sent by the agent's phone between its 200 OK
        // and this command) are the start of the conversation: they are relayed, not drained.
        let (socket, local, lease) = socket.into_parts();
        let socket = match tokio::net::UdpSocket::from_std(socket) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::error!(error = %e, "cannot register the agent's RTP socket");
                return;
            }
        };
        if self.b.is_some() {
            tracing::info!("agent leg replaced");
        }
        self.b = Some(Leg::new(
            socket,
            local,
            lease,
            media,
            OutStream::new(random_seed()),
            now,
        ));
        self.local[0].stop_prompts();
        self.local[0].stop_music();
        self.jitter = None;
        // Forces a fresh bridge in `update_routing`.
        self.relay_to = [false; 2];
    }

    /// Takes leg B out: nothing is relayed, the caller hears local audio again, and the
    /// leg's figures wait for the final report.
    fn take_b(&mut self) -> Option<Leg> {
        let mut b = self.b.take()?;
        b.publish_totals(&self.shared.totals);
        self.gone_b = Some(b.report());
        self.take_third();
        self.bridge = None;
        self.pacers[1] = None;
        self.held = [false; 2];
        self.relay_to = [false; 2];
        self.set_jitter_buffer();
        Some(b)
    }

    fn start_recording(&mut self, now: Instant, path: &std::path::Path) {
        if let Some(recording) = &self.recording {
            tracing::warn!(
                current = %recording.path().display(),
                "already recording; second recording refused"
            );
            return;
        }
        match CallRecording::create(path, now, self.shared.config.recorder) {
            Ok(recording) => self.recording = Some(recording),
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(%reason, "recording not started");
                self.emit(MediaEvent::RecordingFailed { reason });
            }
        }
    }

    fn recording_failed(&mut self, error: RecordingError) {
        let reason = error.to_string();
        tracing::warn!(%reason, "recording stopped");
        if let Some(recording) = self.recording.take() {
            self.failed_recording = Some(RecordingReport {
                path: recording.path().to_owned(),
                outcome: Err(reason.clone()),
            });
        }
        self.emit(MediaEvent::RecordingFailed { reason });
    }

    fn hold(&mut self, now: Instant, leg: LegId, held: bool) {
        let i = index(leg);
        if self.held[i] == held {
            return;
        }
        self.held[i] = held;
        if held {
            let playlist = self.hold_playlist.as_ref();
            self.local[i].prepare_hold(playlist);
        } else {
            // The silence while held does not count toward the RTP timeout.
            self.a.last_heard = now;
            if let Some(b) = self.b.as_mut() {
                b.last_heard = now;
            }
        }
        let label = if held { "hold" } else { "unhold" };
        if let Some(recording) = self.recording.as_mut() {
            let marker = recording.mark(now, label);
            self.emit(MediaEvent::RecordingMarked { marker });
        }
    }

    /// A jitter buffer for in-band DTMF exists while the caller talks to the IVR without
    /// telephone-event.
    fn set_jitter_buffer(&mut self) {
        let wanted = self.b.is_none() && self.digits.listens_inband();
        if wanted && self.jitter.is_none() {
            self.jitter = Some(Box::new(JitterBuffer::new(
                self.shared.config.jitter_buffer,
            )));
        } else if !wanted {
            self.jitter = None;
        }
    }

    /// Works out who hears what (see the module documentation) and starts or stops pacers
    /// and relaying accordingly.
    fn update_routing(&mut self, now: Instant) {
        if self.conference.is_some() {
            // Mixing: the conference's clock sends every leg its frames.
            self.pacers = [None, None];
            self.relay_to = [false; 2];
            self.bridge = None;
            return;
        }
        let connected = self.b.is_some();
        let any_held = self.held.iter().any(|&h| h);
        let exists = [true, connected];
        // The caller's jitter buffer is drained on the same 20 ms clock.
        let clocked = [self.jitter.is_some(), false];
        let hears_local: [bool; 2] = std::array::from_fn(|i| {
            exists[i] && (self.held[i] || self.local[i].audible() || clocked[i])
        });
        let relay_to = hears_local.map(|local| connected && !any_held && !local);
        for leg_id in [LegId::A, LegId::B] {
            let i = index(leg_id);
            match (hears_local[i], self.pacers[i].is_some()) {
                (true, false) => {
                    let Some(leg) = leg_of(&mut self.a, &mut self.b, leg_id) else {
                        continue;
                    };
                    let seed = leg.out.continuation(now);
                    self.pacers[i] = Some(Pacer::start(now, seed.timestamp));
                    self.tick.reset_immediately();
                }
                (false, true) => self.pacers[i] = None,
                _ => {}
            }
        }
        let resumed = (0..2).any(|i| relay_to[i] && !self.relay_to[i]);
        if resumed && let Some(b) = self.b.as_ref() {
            let seeds: [StreamSeed; 2] = [self.a.out.continuation(now), b.out.continuation(now)];
            self.bridge = Some(Bridge::new(self.a.config, b.config, seeds));
            self.mark_next = [true; 2];
        }
        self.relay_to = relay_to;
    }

    fn handle_keys(&mut self, _now: Instant) {
        while let Some(note) = self.digits.poll() {
            match note {
                KeyNote::Down(digit) => {
                    self.local[0].key_down(digit);
                    self.drain_playback_events();
                }
                KeyNote::Pressed {
                    digit,
                    duration,
                    source,
                } => self.emit(MediaEvent::Digit {
                    digit,
                    duration,
                    source,
                }),
            }
        }
    }

    fn drain_playback_events(&mut self) {
        for i in 0..2 {
            while let Some(event) = self.local[i].poll_event() {
                self.emit(event);
            }
        }
    }

    fn on_deadline(&mut self) {
        let now = Instant::now();
        self.digits.handle_timeout(now);
        self.handle_keys(now);
        self.drain_playback_events();
        self.update_routing(now);
        if now >= self.next_housekeeping {
            self.housekeeping(now);
            self.next_housekeeping = now + HOUSEKEEPING;
        }
        self.rearm_deadline(true);
    }

    /// Points the deadline at the earlier of the next housekeeping and a DTMF event's end.
    fn rearm_deadline(&mut self, fired: bool) {
        let mut at = self.next_housekeeping;
        if let Some(dtmf) = self.digits.poll_timeout() {
            at = at.min(dtmf);
        }
        if fired {
            // An elapsed sleep left as it is would fire again at once.
            at = at.max(Instant::now() + Duration::from_millis(1));
        }
        if fired || at != self.deadline_at {
            self.deadline.as_mut().reset(at.into());
            self.deadline_at = at;
        }
    }

    fn housekeeping(&mut self, now: Instant) {
        if let Some(timeout) = self.shared.config.rtp_timeout
            && !self.held.iter().any(|&h| h)
        {
            let mut silent = Vec::new();
            for leg_id in [LegId::A, LegId::B] {
                if let Some(leg) = leg_of(&mut self.a, &mut self.b, leg_id)
                    && leg.timed_out(now, timeout)
                {
                    leg.timeout_reported = true;
                    silent.push(leg_id);
                }
            }
            for leg in silent {
                self.emit(MediaEvent::RtpTimeout { leg });
            }
        }
        if let Some(recording) = self.recording.as_mut()
            && let Err(e) = recording.advance(now)
        {
            self.recording_failed(e);
        }
        self.a.publish_totals(&self.shared.totals);
        if let Some(b) = self.b.as_mut() {
            b.publish_totals(&self.shared.totals);
        }
        if let Some(c) = self.c.as_mut() {
            c.publish_totals(&self.shared.totals);
        }
    }

    /// Finishes the recording and gathers the report.
    fn finish(&mut self, now: Instant) -> MediaReport {
        let recording = match self.recording.take() {
            Some(recording) => Some(recording.finish(now)),
            None => self.failed_recording.take(),
        };
        self.a.publish_totals(&self.shared.totals);
        if let Some(b) = self.b.as_mut() {
            b.publish_totals(&self.shared.totals);
        }
        self.take_third();
        MediaReport {
            legs: [
                Some(self.a.report()),
                self.b.as_ref().map(Leg::report).or(self.gone_b.take()),
            ],
            recording,
        }
    }
}

/// When and how a generated frame goes out.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    now: Instant,
    timestamp: u32,
    marker: bool,
}

/// Encodes `frame` in `leg`'s codec and sends it on the leg's stream.
fn send_frame_to(leg: &mut Leg, out: &mut [u8], live: &LiveLeg, frame: &Frame, stamp: Stamp) {
    let sequence_number = leg.out.take_seq();
    let header = RtpHeader {
        marker: stamp.marker,
        payload_type: leg.config.payload_type,
        sequence_number,
        timestamp: stamp.timestamp,
        ssrc: leg.out.ssrc,
    };
    let len = HEADER_LEN + FRAME_SAMPLES;
    let Some(packet) = out.get_mut(..len) else {
        return;
    };
    if header.write(packet).is_err() {
        return;
    }
    leg.config
        .codec
        .encode_into(&frame.samples, &mut packet[HEADER_LEN..]);
    leg.send(packet, live);
    leg.out.sent(stamp.now, sequence_number, stamp.timestamp);
}

/// Gives a leg to another call's task (see [`MediaCommand::HandOver`]).
fn hand_over(leg: Leg, to: &super::MediaHandle) {
    match leg.into_socket() {
        Ok((socket, media)) => {
            if let Err(e) = to.send(MediaCommand::ConnectAgent { socket, media }) {
                tracing::warn!(error = %e, "leg not handed over");
            }
        }
        Err(e) => tracing::warn!(error = %e, "leg's socket not released"),
    }
}

fn index(leg: LegId) -> usize {
    match leg {
        LegId::A => 0,
        LegId::B => 1,
    }
}

/// One leg of the two, by id (B may not exist yet). A free function so that the other fields
/// of the task stay borrowable beside it.
fn leg_of<'a>(a: &'a mut Leg, b: &'a mut Option<Leg>, leg: LegId) -> Option<&'a mut Leg> {
    match leg {
        LegId::A => Some(a),
        LegId::B => b.as_mut(),
    }
}

async fn recv_from(leg: Option<&Leg>, buffer: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match leg {
        Some(leg) => leg.socket.recv_from(buffer).await,
        None => std::future::pending().await,
    }
}

/// RTCP multiplexed on the RTP port (RFC 5761 §4: packet types 192–223 in the second byte,
/// which RTP avoids by not using payload types 64–95).
fn is_rtcp(datagram: &[u8]) -> bool {
    datagram.get(1).is_some_and(|&b| (192..=223).contains(&b))
}

/// Random initial SSRC, sequence number and timestamp (RFC 3550 §5.1). If the system's
/// generator fails, the clock's nanoseconds stand in: the values need to differ between
/// streams, not to be secret.
fn random_seed() -> StreamSeed {
    let mut bytes = [0u8; 10];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes.copy_from_slice(&nanos.to_le_bytes()[..10]);
    }
    StreamSeed {
        ssrc: u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        sequence_number: u16::from_le_bytes([bytes[4], bytes[5]]),
        timestamp: u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]),
    }
}
