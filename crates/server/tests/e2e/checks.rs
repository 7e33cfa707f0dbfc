//! What the issue asks of the calls, checked the same way by every test: the events of a call
//! in order, its CDR complete, its recording of the right length, audio both ways on both
//! legs, replies in order, and each offer made to the agent idle longest.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::api::{Api, CallDetail, Counters};
use super::sipp::TracedMessage;

/// Fails unless `expected` appears in the call's events in this order (other events may come
/// between).
pub fn assert_events_in_order(call: &CallDetail, expected: &[&str]) {
    let kinds = call.kinds();
    let mut next = expected.iter().peekable();
    for kind in &kinds {
        if next.peek().is_some_and(|want| *want == kind) {
            next.next();
        }
    }
    let missing: Vec<&&str> = next.collect();
    assert!(
        missing.is_empty(),
        "call {} (caller {}): events {kinds:?} lack {missing:?} in the order {expected:?}",
        call.call.id,
        call.call.caller
    );
}

/// The call whose caller is `number`.
pub fn by_caller<'a>(calls: &'a [CallDetail], number: &str) -> &'a CallDetail {
    let found: Vec<&CallDetail> = calls
        .iter()
        .filter(|c| c.call.caller.trim_start_matches('+') == number.trim_start_matches('+'))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one call from {number}; callers logged: {:?}",
        calls.iter().map(|c| &c.call.caller).collect::<Vec<_>>()
    );
    found[0]
}

/// Fails unless the CDR of an answered call says who called what, where it waited, who
/// answered, when, for how long and why it ended.
pub fn assert_answered_cdr(call: &CallDetail, queue: &str, cause: &str) {
    let id = &call.call.id;
    let cdr = call
        .call
        .cdr
        .as_ref()
        .unwrap_or_else(|| panic!("call {id} has no CDR"));
    let context = format!("call {id}: {cdr:?}");
    assert!(!call.call.caller.is_empty(), "{context}");
    assert_eq!(
        call.call.dialed.trim_start_matches('+'),
        "33100000000",
        "{context}"
    );
    assert_eq!(cdr.queue.as_deref(), Some(queue), "{context}");
    assert!(cdr.agent.is_some(), "{context}");
    let queued = cdr.queued_at_ms.expect("queued_at");
    let answered = cdr.answered_at_ms.expect("answered_at");
    let ended = cdr.ended_at_ms.expect("ended_at");
    assert!(
        cdr.arrived_at_ms <= queued && queued <= answered && answered <= ended,
        "{context}"
    );
    assert_eq!(cdr.wait_ms, Some(answered - queued), "{context}");
    assert_eq!(cdr.talk_ms, Some(ended - answered), "{context}");
    assert_eq!(cdr.end_cause.as_deref(), Some(cause), "{context}");
    assert!(!cdr.abandoned, "{context}");
    assert!(cdr.offers >= 1, "{context}");
    assert!(cdr.recording_url.is_some(), "{context}");
    assert!(!call.call.open, "{context}");
}

/// How far a recording's length may be from the CDR's talk time.
///
/// The talk time runs from the `answered` event to the `ended` event, both stamped by the
/// control task; the recording holds the audio the media task wrote between its
/// `StartRecording` and `Stop` commands. The two clocks differ by: the command hops between
/// the tasks (well under 10 ms on an idle machine, but a debug build on CI's two shared cores
/// can stall a task for 100 ms or more), the recorder's 20 ms frames, and the caller's 30 ms
/// packets at each end. 500 ms covers these with room, and is still a tenth of a 5 s call.
pub const RECORDING_SLACK_MS: i64 = 500;

/// Downloads the call's recording and fails unless it is a stereo 8 kHz WAV (caller left,
/// agent right) as long as the talk time, within [`RECORDING_SLACK_MS`], with sound on both
/// channels.
pub async fn assert_recording(api: &Api, call: &CallDetail) {
    let id = &call.call.id;
    let cdr = call.call.cdr.as_ref().expect("a CDR");
    let url = cdr.recording_url.as_deref().expect("a recording URL");
    let talk_ms = cdr.talk_ms.expect("a talk time");
    let bytes = api.recording(url).await;
    let mut wav = hound::WavReader::new(Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("call {id}: recording is not a WAV: {e}"));
    let spec = wav.spec();
    assert_eq!(spec.channels, 2, "call {id}: stereo");
    assert_eq!(spec.sample_rate, 8_000, "call {id}: 8 kHz");
    let frames = i64::from(wav.duration());
    let length_ms = frames * 1_000 / 8_000;
    assert!(
        (length_ms - talk_ms).abs() <= RECORDING_SLACK_MS,
        "call {id}: recording {length_ms} ms, talk time {talk_ms} ms (slack {RECORDING_SLACK_MS} ms)"
    );
    let mut peak = [0i32; 2];
    for (i, sample) in wav.samples::<i16>().enumerate() {
        let sample = i32::from(sample.expect("a sample")).abs();
        peak[i % 2] = peak[i % 2].max(sample);
    }
    assert!(
        peak[0] > 500 && peak[1] > 500,
        "call {id}: both sides audible in the recording, peaks {peak:?}"
    );
}

/// Fails unless, in a SIPp run's messages, no provisional response to an INVITE arrived after
/// the final response to it in the same call (FIELD-NOTES: a 180 relayed after the 200).
pub fn assert_no_provisional_after_final(messages: &[TracedMessage]) {
    let mut finals: HashMap<&str, u16> = HashMap::new();
    let mut invites = 0;
    for m in messages.iter().filter(|m| !m.sent) {
        let (Some(status), Some(call_id)) = (m.status(), m.call_id()) else {
            continue;
        };
        if m.cseq_method() != Some("INVITE") {
            continue;
        }
        if status >= 200 {
            if finals.insert(call_id, status).is_none() {
                invites += 1;
            }
        } else if let Some(final_status) = finals.get(call_id) {
            panic!("call {call_id}: {status} received after the final {final_status}");
        }
    }
    assert!(invites > 0, "the trace holds final responses to INVITEs");
}

/// The first and last RTP counters of each call seen while it was bridged to an agent.
#[derive(Debug, Clone, Copy)]
pub struct BridgedCounters {
    /// Caller leg, agent leg, at the first look.
    pub first: (Counters, Counters),
    /// Caller leg, agent leg, at the last look.
    pub last: (Counters, Counters),
    /// How many looks.
    pub looks: u32,
}

impl BridgedCounters {
    /// Fails unless every direction of both legs grew between the first and last look.
    pub fn assert_audio_both_ways(&self, call: &str) {
        let ((a0, b0), (a1, b1)) = (self.first, self.last);
        let grew = [
            ("caller in", a0.packets_in, a1.packets_in),
            ("caller out", a0.packets_out, a1.packets_out),
            ("agent in", b0.packets_in, b1.packets_in),
            ("agent out", b0.packets_out, b1.packets_out),
        ];
        for (what, before, after) in grew {
            assert!(
                after > before,
                "call {call}: {what} packets did not grow while bridged ({before} -> {after}, \
                 {} looks): {self:?}",
                self.looks
            );
        }
    }
}

/// Watches the live calls through the API while a test runs, keeping the RTP counters of
/// each call while it is bridged.
pub struct CounterWatch {
    stop: Arc<AtomicBool>,
    task: JoinHandle<HashMap<String, BridgedCounters>>,
}

impl CounterWatch {
    /// Starts looking every `every`.
    pub fn start(api: Api, every: Duration) -> CounterWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut seen: HashMap<String, BridgedCounters> = HashMap::new();
            while !stopped.load(Ordering::Relaxed) {
                for call in api.calls().await.into_iter().filter(|c| c.open) {
                    let detail = api.call(&call.id).await;
                    let Some(live) = detail.live.filter(|l| l.phase == "connected") else {
                        continue;
                    };
                    let (Some(a), Some(b)) = (live.leg("caller"), live.leg("agent")) else {
                        continue;
                    };
                    let now = (*a, *b);
                    seen.entry(call.id)
                        .and_modify(|c| {
                            c.last = now;
                            c.looks += 1;
                        })
                        .or_insert(BridgedCounters {
                            first: now,
                            last: now,
                            looks: 1,
                        });
                }
                tokio::time::sleep(every).await;
            }
            seen
        });
        CounterWatch { stop, task }
    }

    /// Stops and returns what it saw, by call id.
    pub async fn finish(self) -> HashMap<String, BridgedCounters> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("the counter watch")
    }
}

/// How the offers of a run went, as the agent log tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offers {
    /// Offers made.
    pub offers: usize,
    /// Offers made while two agents or more were available: the ones where longest-idle
    /// decided.
    pub choices: usize,
}

/// Replays the agent log (agent_state_changed events, in log order) and fails unless every
/// offer (a change to `ringing`) went to the agent available the longest at that moment.
///
/// An agent is available from its change to `available` (after wrap-up, or when made ready)
/// until its next change; the acd keeps the idle order across an offer withdrawn because the
/// caller hung up, which the tests using this do not cause.
pub fn assert_longest_idle(agent_events: &[store::AgentEvent]) -> Offers {
    let mut available_since: HashMap<i64, usize> = HashMap::new();
    let mut offers = 0;
    let mut choices = 0;
    for (position, event) in agent_events.iter().enumerate() {
        if event.kind != store::EventKind::AgentStateChanged {
            continue;
        }
        let agent = event.user_id.0;
        let to = event.data.get("to").and_then(|v| v.as_str()).unwrap_or("");
        if to == "ringing" {
            let longest = available_since
                .iter()
                .min_by_key(|(id, since)| (**since, **id))
                .map(|(id, _)| *id);
            assert_eq!(
                longest,
                Some(agent),
                "offer #{} (agent log #{}) went to agent {agent}, but the agents available \
                 were {available_since:?} (agent -> position of their change to available)",
                offers + 1,
                event.id.0
            );
            offers += 1;
            choices += usize::from(available_since.len() > 1);
        }
        if to == "available" {
            available_since.insert(agent, position);
        } else {
            available_since.remove(&agent);
        }
    }
    Offers { offers, choices }
}

/// Waits until the open calls are at least `connected` bridged and `queued` waiting, and
/// `in_ivr` more have arrived and not been queued yet.
pub async fn wait_for_phases(api: &Api, connected: usize, queued: usize, in_ivr: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let mut counts = (0, 0, 0);
        for call in api.calls().await.into_iter().filter(|c| c.open) {
            let detail = api.call(&call.id).await;
            match detail.live.as_ref().map(|l| l.phase.as_str()) {
                Some("connected") => counts.0 += 1,
                Some("queued" | "ringing") => counts.1 += 1,
                Some("ivr") => counts.2 += 1,
                _ => {}
            }
        }
        if counts.0 >= connected && counts.1 >= queued && counts.2 >= in_ivr {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "calls (connected, queued, in the menu) reached {counts:?}, wanted \
             ({connected}, {queued}, {in_ivr}) within 40 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every call's details once there are `count` calls and each has its `ended` event: when
/// the server hangs up (a flow's end), its BYE goes out before `ended` is durable, so SIPp may
/// be done before the event can be read.
pub async fn calls_ended(api: &Api, count: usize) -> Vec<CallDetail> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let calls = api.call_details().await;
        let done = calls.len() >= count && calls.iter().all(|c| c.first("ended").is_some());
        if done || tokio::time::Instant::now() >= deadline {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads the agent log of the demo tenant from the data directory (the server stopped).
pub async fn read_agent_log(data_dir: &std::path::Path) -> Vec<store::AgentEvent> {
    let url = format!("sqlite://{}", data_dir.join("plateau.db").display());
    let db = store::Store::open(&url).await.expect("the demo database");
    let demo = db
        .tenant_by_slug(store::demo::DEMO_TENANT)
        .await
        .expect("tenants")
        .expect("the demo tenant");
    let events = db
        .tenant(demo.id)
        .await
        .expect("the demo tenant's store")
        .agent_events(None, None, 100_000)
        .await
        .expect("the agent log");
    db.close().await;
    events
}
