//! Issue 4, must-show 4: bad input. While a SIPp customer talks to a SIPp agent, the test
//! throws at the server: random datagrams, stray responses, truncated INVITEs, the invalid
//! messages of RFC 4475 §3.1.2, truncated and oversized TCP messages, an INVITE with a broken
//! SDP, and twenty REGISTERs with a wrong password. The server answers each as the `sip`
//! crate's validator says (400, 505..., or silence where no response can be built), 488 to the
//! broken SDP, 401 to wrong passwords and then 403 once the source is throttled; it keeps
//! answering OPTIONS, the call completes, and its log says why it refused each thing.
//!
//! Nothing may leave the machine. RFC 4475's messages name outside hosts (192.0.2.x,
//! example.com) in their Via headers, and a server answers a UDP request at the Via's
//! address (RFC 3261 §18.2.2). Of the two safe ways (a private network namespace, or
//! rewriting the messages) this test rewrites: every Via's sent-by becomes the test's own
//! socket on 127.0.0.1 and `received`/`maddr` parameters are removed, so the answer can only
//! come back to the test. A namespace would need root (or user namespaces) in CI, and the
//! server, SIPp and the test would all have to run inside it. The rewrite keeps what each
//! message tests (the defects are elsewhere than the sent-by), and the expected verdict is
//! computed on the rewritten bytes.
//!
//! Every probe goes from a fresh UDP socket and is followed by an OPTIONS from the same
//! socket: the OPTIONS' 200 marks the end of the server's answers to the probe (one task
//! reads the socket and answers in order), so silence is observed without waiting a time.

mod e2e;
mod http_support;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;
use e2e::Workspace;
use e2e::checks::{assert_answered_cdr, by_caller, wait_for_phases};
use e2e::phones::{Behaviour, register_phone};
use e2e::ports::free_media_port;
use e2e::server::Server;
use e2e::sipp::Sipp;
use sip::validate::{Policy, Verdict, inspect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

const RFC4475_INVALID: [&str; 19] = [
    "badinv01",
    "clerr",
    "ncl",
    "scalar02",
    "scalarlg",
    "quotbal",
    "ltgtruri",
    "lwsruri",
    "lwsstart",
    "trws",
    "escruri",
    "baddate",
    "regbadct",
    "badaspec",
    "baddn",
    "badvers",
    "mismatch01",
    "mismatch02",
    "bigcode",
];

/// How long one answer may take to come back.
const ANSWER_BOUND: Duration = Duration::from_secs(10);

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A datagram the server sent back.
#[derive(Debug, Clone)]
struct Answer {
    text: String,
}

impl Answer {
    fn status(&self) -> Option<u16> {
        self.text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.text
            .lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .find_map(|l| {
                let (field, value) = l.split_once(':')?;
                field
                    .trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim())
            })
    }
}

fn message_from(source: SocketAddr, server: SocketAddr, method: &str, call_id: &str) -> String {
    format!(
        "{method} sip:{server} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {source};branch=z9hG4bK-{call_id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@{source}>;tag=probe\r\n\
         To: <sip:{server}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 {method}\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// Receives one datagram within [`ANSWER_BOUND`].
async fn receive(socket: &UdpSocket, waiting_for: &str) -> Answer {
    let mut buffer = vec![0u8; 65_536];
    let (len, _) = tokio::time::timeout(ANSWER_BOUND, socket.recv_from(&mut buffer))
        .await
        .unwrap_or_else(|_| {
            panic!("no answer within {ANSWER_BOUND:?} while waiting for {waiting_for}")
        })
        .expect("a datagram");
    Answer {
        text: String::from_utf8_lossy(&buffer[..len]).into_owned(),
    }
}

/// Sends `probe` (built for the socket's address) from a fresh socket on `ip`, then an OPTIONS
/// from the same socket; returns the server's answers to the probe, i.e. what came before
/// the OPTIONS' 200.
async fn probe(
    server: SocketAddr,
    ip: IpAddr,
    name: &str,
    build: impl FnOnce(SocketAddr) -> Vec<u8>,
) -> Vec<Answer> {
    let socket = UdpSocket::bind((ip, 0)).await.expect("a probe socket");
    let local = socket.local_addr().expect("bound");
    let datagram = build(local);
    socket.send_to(&datagram, server).await.expect("probe sent");
    let barrier = format!("barrier-{}", local.port());
    let options = message_from(local, server, "OPTIONS", &barrier);
    socket
        .send_to(options.as_bytes(), server)
        .await
        .expect("barrier sent");
    let mut answers = Vec::new();
    loop {
        let answer = receive(&socket, &format!("the OPTIONS after {name}")).await;
        if answer.header("Call-ID") == Some(barrier.as_str()) {
            assert_eq!(
                answer.status(),
                Some(200),
                "OPTIONS after {name}: {}",
                answer.text
            );
            return answers;
        }
        answers.push(answer);
    }
}

/// What the server must do with a datagram, by the `sip` crate's validator (the server's own
/// first step): answer with a status, or stay silent. A rejection whose top Via cannot be
/// read cannot be sent anywhere (RFC 4475 §3.1.2: "dropped where no response can be built").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// Answered statelessly with this status.
    Rejected(u16),
    /// Counted as rejected, but no response can be addressed.
    RejectedUnanswerable,
    /// Dropped without a word.
    Dropped,
    /// A sound message: handled like any other.
    Accepted,
}

fn expected(datagram: &[u8]) -> Expected {
    match inspect(Bytes::copy_from_slice(datagram), &Policy::default()) {
        Verdict::Respond { response, .. } if response.headers.top_via().is_ok() => {
            Expected::Rejected(response.status.as_u16())
        }
        Verdict::Respond { .. } => Expected::RejectedUnanswerable,
        Verdict::Discard { .. } => Expected::Dropped,
        Verdict::Accept(_) => Expected::Accepted,
    }
}

/// Fails unless the answers are what [`expected`] says (retransmissions of the one status
/// allowed); returns the expectation.
fn assert_answered_as_validator_says(name: &str, datagram: &[u8], answers: &[Answer]) -> Expected {
    let statuses: Vec<Option<u16>> = answers.iter().map(Answer::status).collect();
    let expectation = expected(datagram);
    match expectation {
        Expected::Rejected(want) => assert!(
            !statuses.is_empty() && statuses.iter().all(|s| *s == Some(want)),
            "{name}: expected {want}, got {statuses:?}: {answers:?}"
        ),
        Expected::RejectedUnanswerable | Expected::Dropped => assert!(
            answers.is_empty(),
            "{name} ({expectation:?}) cannot be answered, got {answers:?}"
        ),
        Expected::Accepted => assert!(
            statuses.iter().all(|s| s.is_some_and(|s| s >= 200)),
            "{name} is valid: only final answers expected, got {answers:?}"
        ),
    }
    expectation
}

/// A counter of `plateau_errors_total` (0 when absent).
async fn error_count(api: &e2e::api::Api, kind: &str) -> u64 {
    let label = format!("plateau_errors_total{{kind=\"{kind}\"}}");
    api.metrics()
        .await
        .lines()
        .find_map(|l| l.strip_prefix(&label))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

/// Every Via's sent-by becomes `local`; `received` and `maddr` parameters go. See the module
/// doc for why.
fn rewrite_vias(message: &[u8], local: SocketAddr) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    for line in message.split_inclusive(|b| *b == b'\n') {
        let name_end = line.iter().position(|b| *b == b':').unwrap_or(0);
        let name = String::from_utf8_lossy(&line[..name_end]);
        if name_end > 0 && matches!(name.trim().to_ascii_lowercase().as_str(), "via" | "v") {
            out.extend_from_slice(&rewrite_via_line(line, local));
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

fn rewrite_via_line(line: &[u8], local: SocketAddr) -> Vec<u8> {
    let text = String::from_utf8_lossy(line).into_owned();
    let mut out = String::new();
    let mut rest = text.as_str();
    // Each "SIP/x.y/PROTO sent-by" of the line (a line may hold several Vias).
    while let Some(at) = rest.find("SIP/") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let protocol_end = from.find(|c: char| c.is_whitespace()).unwrap_or(from.len());
        out.push_str(&from[..protocol_end]);
        let after = &from[protocol_end..];
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        out.push_str(&after[..spaces]);
        let sent_by = &after[spaces..];
        let end = sent_by
            .find([';', ',', ' ', '\t', '\r', '\n'])
            .unwrap_or(sent_by.len());
        out.push_str(&local.to_string());
        rest = &sent_by[end..];
    }
    out.push_str(rest);
    let mut cleaned = String::new();
    for (i, part) in out.split(';').enumerate() {
        let key = part.trim_start().to_ascii_lowercase();
        if i > 0 && (key.starts_with("received=") || key.starts_with("maddr=")) {
            if part.ends_with('\n') {
                cleaned.push_str("\r\n");
            }
            continue;
        }
        if i > 0 {
            cleaned.push(';');
        }
        cleaned.push_str(part);
    }
    cleaned.into_bytes()
}

fn rfc4475(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/sip/rfc4475")
        .join(format!("{name}.dat"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An INVITE to the demo number from `source`, with `sdp` as its body.
fn invite(source: SocketAddr, server: SocketAddr, call_id: &str, sdp: &str) -> String {
    format!(
        "INVITE sip:+33100000000@{server} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {source};branch=z9hG4bK-{call_id}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:+33699999999@{source}>;tag=bad\r\n\
         To: <sip:+33100000000@{server}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:+33699999999@{source}>\r\n\
         Content-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

const GOOD_SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
                        t=0 0\r\nm=audio 40000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n\
                        a=rtpmap:101 telephone-event/8000\r\n";

/// A small xorshift generator: the garbage is the same at every run.
struct Garbage(u64);

impl Garbage {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn datagram(&mut self) -> Vec<u8> {
        let len = 1 + (self.next() % 1_400) as usize;
        (0..len).map(|_| (self.next() & 0xff) as u8).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_answered_or_dropped_and_the_server_keeps_serving() {
    let ws = Workspace::new("bad-input");
    let server = Server::start_with_queues(&ws, |queue| queue.wrap_up_secs = 1).await;
    let api = server.api();
    for absent in ["1002", "1003", "1004", "1005"] {
        api.set_agent_state(absent, "logged_out").await;
    }
    let phone = register_phone(&ws, &server, "1001", Behaviour::WaitsForBye, "bad").await;
    // The call that must go through while the rest happens: 6 s in the menu, then 10 s of
    // talk, during which the probes run (about 2 s on an idle machine; if they take longer,
    // the call ends in the middle of them, which is as good a test).
    let call = Sipp::new(&ws, "call", "caller_hangs_up.xml")
        .remote(server.sip)
        .service("+33100000000")
        .media_port(free_media_port())
        .key("caller_prefix", "+3365000")
        .calls(1)
        .pause(Duration::from_secs(10))
        .recv_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(90))
        .spawn();
    // Bad input arrives while the call is bridged, audio flowing.
    wait_for_phases(&api, 1, 0, 0).await;
    let sip = server.sip;
    let rejected_before = error_count(&api, "sip_rejected").await;
    let discarded_before = error_count(&api, "sip_discarded").await;
    let mut tally: Vec<Expected> = Vec::new();

    // RFC 4475 §3.1.2 first, while the server's budget of log lines about bad input (20 a
    // second) is fresh, so the log shows their reasons.
    for name in RFC4475_INVALID {
        let mut sent = Vec::new();
        let answers = probe(sip, LOCALHOST, name, |local| {
            sent = rewrite_vias(&rfc4475(name), local);
            sent.clone()
        })
        .await;
        tally.push(assert_answered_as_validator_says(name, &sent, &answers));
    }

    // Truncated INVITEs: in the headers, before the blank line, in the body.
    for (name, keep) in [
        ("INVITE cut in its headers", 0.3),
        ("INVITE cut before its body", 0.0),
        ("INVITE cut in its body", 0.9),
    ] {
        let mut sent = Vec::new();
        let answers = probe(sip, LOCALHOST, name, |local| {
            let whole = invite(local, sip, &format!("cut-{}", local.port()), GOOD_SDP);
            let cut = if keep == 0.0 {
                whole.find("\r\n\r\n").expect("headers end")
            } else {
                (whole.len() as f64 * keep) as usize
            };
            sent = whole.as_bytes()[..cut].to_vec();
            sent.clone()
        })
        .await;
        tally.push(assert_answered_as_validator_says(name, &sent, &answers));
    }

    // Random datagrams, and a few shapes that look almost like SIP.
    let mut garbage = Garbage(0x5eed_1234_abcd_0001);
    let mut datagrams: Vec<(String, Vec<u8>)> = (0..30)
        .map(|n| (format!("garbage #{n}"), garbage.datagram()))
        .collect();
    datagrams.push(("a lone method".to_owned(), b"INVITE".to_vec()));
    datagrams.push((
        "a stray response".to_owned(),
        b"SIP/2.0 200 OK\r\n\r\n".to_vec(),
    ));
    datagrams.push(("a 65000-byte datagram".to_owned(), vec![b'A'; 65_000]));
    for (name, datagram) in &datagrams {
        let answers = probe(sip, LOCALHOST, name, |_| datagram.clone()).await;
        tally.push(assert_answered_as_validator_says(name, datagram, &answers));
    }

    // Every refusal was counted, answered or not.
    let count = |want: fn(&Expected) -> bool| tally.iter().filter(|e| want(e)).count() as u64;
    assert_eq!(
        error_count(&api, "sip_rejected").await - rejected_before,
        count(|e| matches!(e, Expected::Rejected(_) | Expected::RejectedUnanswerable)),
        "rejections counted: {tally:?}"
    );
    assert_eq!(
        error_count(&api, "sip_discarded").await - discarded_before,
        count(|e| *e == Expected::Dropped),
        "drops counted: {tally:?}"
    );

    // An INVITE whose SDP cannot be parsed: 488 with a Warning saying why.
    let socket = UdpSocket::bind((LOCALHOST, 0)).await.expect("a socket");
    let local = socket.local_addr().expect("bound");
    let broken = invite(
        local,
        sip,
        "broken-sdp",
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4\r\nm=audio notaport RTP/AVP 8\r\n",
    );
    socket
        .send_to(broken.as_bytes(), sip)
        .await
        .expect("INVITE sent");
    let refusal = loop {
        let answer = receive(&socket, "the final answer to the broken SDP").await;
        if answer.status().is_some_and(|s| s >= 200) {
            break answer;
        }
    };
    assert_eq!(refusal.status(), Some(488), "{}", refusal.text);
    assert!(
        refusal.header("Warning").is_some(),
        "488 says why: {}",
        refusal.text
    );
    let to = refusal.header("To").expect("To").to_owned();
    let ack = format!(
        "ACK sip:+33100000000@{sip} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-broken-sdp\r\n\
         Max-Forwards: 70\r\nFrom: <sip:+33699999999@{local}>;tag=bad\r\nTo: {to}\r\n\
         Call-ID: broken-sdp\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    socket.send_to(ack.as_bytes(), sip).await.expect("ACK sent");

    tcp_abuse(server.sip_tcp).await;
    wrong_passwords(&server).await;

    // The call went through all of it.
    let call = call.wait().await;
    call.assert_passed(1);
    phone.quit(Duration::from_secs(10)).await;
    let calls = api.call_details().await;
    assert_answered_cdr(by_caller(&calls, "+33650001"), "sales", "caller_hangup");

    let log = server.log();
    for reason in [
        "SIP request rejected",
        "SIP message dropped",
        "INVITE refused: unusable SDP offer",
        "REGISTER not accepted",
        "wrong credentials",
        "source throttled",
    ] {
        assert!(
            log.contains(reason),
            "the server's log says {reason:?}:\n{log}"
        );
    }
    let status = server.stop().await;
    assert!(status.success(), "{status}");
}

/// Truncated and oversized messages over TCP; then a whole OPTIONS on a new connection is
/// answered on that connection.
async fn tcp_abuse(server: SocketAddr) {
    let whole = invite(
        "127.0.0.1:9".parse().expect("an address"),
        server,
        "tcp-cut",
        GOOD_SDP,
    );
    // Half a message, then the connection closes.
    let mut stream = TcpStream::connect(server).await.expect("TCP connect");
    stream
        .write_all(&whole.as_bytes()[..whole.len() / 2])
        .await
        .expect("half an INVITE");
    drop(stream);
    // Content-Length promises more than comes; the connection then closes.
    let mut stream = TcpStream::connect(server).await.expect("TCP connect");
    let headers_end = whole.find("\r\n\r\n").expect("headers end") + 4;
    stream
        .write_all(&whole.as_bytes()[..headers_end + 10])
        .await
        .expect("INVITE with a short body");
    stream.shutdown().await.expect("half-close");
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(ANSWER_BOUND, stream.read_to_end(&mut rest)).await;
    assert!(
        !String::from_utf8_lossy(&rest).starts_with("SIP/2.0 2"),
        "a truncated INVITE is not accepted: {}",
        String::from_utf8_lossy(&rest)
    );
    // A header block larger than any message may be: the server closes the connection.
    let mut stream = TcpStream::connect(server).await.expect("TCP connect");
    let mut huge = b"OPTIONS sip:x SIP/2.0\r\nX-Filler: ".to_vec();
    huge.resize(70 * 1024, b'a');
    let _ = stream.write_all(&huge).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(ANSWER_BOUND, stream.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the server closes a connection whose message exceeds its limit"
    );

    // A whole OPTIONS on a new connection: 200 on that connection.
    let mut stream = TcpStream::connect(server).await.expect("TCP connect");
    let local = stream.local_addr().expect("bound");
    let options = message_from(local, server, "OPTIONS", "tcp-options").replace("/UDP", "/TCP");
    stream
        .write_all(options.as_bytes())
        .await
        .expect("OPTIONS sent");
    let mut buffer = vec![0u8; 4_096];
    let len = tokio::time::timeout(ANSWER_BOUND, stream.read(&mut buffer))
        .await
        .expect("an answer over TCP in time")
        .expect("read");
    let answer = String::from_utf8_lossy(&buffer[..len]);
    assert!(
        answer.starts_with("SIP/2.0 200"),
        "OPTIONS over TCP answered on its connection: {answer}"
    );
}

/// REGISTER with a digest answer computed from `password`, from `socket`; returns the status.
async fn register_once(
    socket: &UdpSocket,
    server: SocketAddr,
    extension: &str,
    password: &str,
    attempt: u32,
) -> u16 {
    let local = socket.local_addr().expect("bound");
    let call_id = format!("guess-{}-{attempt}", local.port());
    let uri = format!("sip:{server}");
    let register = |cseq: u32, authorization: Option<String>| {
        format!(
            "REGISTER {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-{call_id}-{cseq}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:{extension}@{server}>;tag=guess\r\n\
             To: <sip:{extension}@{server}>\r\nCall-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\n\
             Contact: <sip:{extension}@{local}>\r\nExpires: 60\r\n{}Content-Length: 0\r\n\r\n",
            authorization
                .map(|a| format!("Authorization: {a}\r\n"))
                .unwrap_or_default()
        )
    };
    socket
        .send_to(register(1, None).as_bytes(), server)
        .await
        .expect("REGISTER sent");
    let challenge = receive(socket, "the answer to a REGISTER").await;
    if challenge.status() != Some(401) {
        return challenge.status().expect("a response");
    }
    let challenges: Vec<sip::auth::Challenge> = challenge
        .text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("WWW-Authenticate"))
        .filter_map(|(_, value)| sip::auth::Challenge::parse(value.trim()).ok())
        .collect();
    let digest = sip::auth::choose_challenge(&challenges).expect("a digest challenge we support");
    let credentials = sip::auth::respond(
        digest,
        &sip::auth::ResponseInput {
            method: "REGISTER",
            uri: &uri,
            username: extension,
            secret: sip::auth::Secret::Password(password),
            cnonce: "e2ecnonce",
            nc: 1,
        },
    )
    .expect("a digest response");
    socket
        .send_to(
            register(
                2,
                Some(sip::auth::Credentials::Digest(credentials).to_string()),
            )
            .as_bytes(),
            server,
        )
        .await
        .expect("REGISTER with credentials sent");
    receive(socket, "the answer to a REGISTER with credentials")
        .await
        .status()
        .expect("a response")
}

/// Twenty wrong passwords for 1002 from 127.0.0.2: 401s, then 403 from the threshold on; the
/// right password from that source is then refused too, and from 127.0.0.1 accepted.
async fn wrong_passwords(server: &Server) {
    let attacker: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let socket = UdpSocket::bind((attacker, 0))
        .await
        .expect("a socket on 127.0.0.2");
    let mut statuses = Vec::new();
    for attempt in 0..20 {
        let guess = format!("guess{attempt}");
        statuses.push(register_once(&socket, server.sip, "1002", &guess, attempt).await);
    }
    let threshold = plateau::config::Config::default()
        .limits
        .auth_failures_before_throttle as usize;
    let refused_with_401 = statuses.iter().take_while(|s| **s == 401).count();
    assert!(
        (1..=threshold).contains(&refused_with_401)
            && statuses[refused_with_401..].iter().all(|s| *s == 403),
        "wrong passwords: 401 (fresh challenge) up to the threshold of {threshold}, then 403: \
         {statuses:?}"
    );
    let password = &server.agent("1003").password;
    assert_eq!(
        register_once(&socket, server.sip, "1003", password, 100).await,
        403,
        "a throttled source is refused even with a right password"
    );
    let honest = UdpSocket::bind((LOCALHOST, 0)).await.expect("a socket");
    assert_eq!(
        register_once(&honest, server.sip, "1003", password, 101).await,
        200,
        "another source is not throttled"
    );
}
