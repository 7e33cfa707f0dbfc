//! Bad input never stops anything: garbage datagrams are dropped, malformed requests get
//! 400, an INVITE with a broken SDP gets 488 with a Warning, TCP framing errors get 400 and
//! close the connection, a truncated TCP message is dropped with its connection — and a call
//! in progress meanwhile carries on to its normal end.

mod sip_support;

use std::time::Duration;

use sip::{HeaderName, Method, StatusCode};
use sip_support::{Phone, Rtp, SALES_NUMBER, Setup, TestServer, WAIT, unique};
use store::EventKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn metric(text: &str, kind: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with("plateau_errors_total") && l.contains(&format!("kind=\"{kind}\"")))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_broken_requests_are_answered_or_dropped_while_a_call_goes_on() {
    let server = TestServer::start(Setup {
        agents: 1,
        ..Setup::default()
    })
    .await;
    let agent = server.agents[0].clone();
    let agent_phone = Phone::udp(server.sip()).await;
    agent_phone
        .register(&agent.extension, &agent.password, None)
        .await;
    server.ready(&agent).await;

    // A call is up while the rest happens.
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000009", rtp.local).await;
    let invite = agent_phone.request(Method::Invite).await;
    let agent_rtp = Rtp::new().await;
    agent_phone.answer(&invite, agent_rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::Answered).await;

    // Garbage datagrams.
    let noise = Phone::udp(server.sip()).await;
    for garbage in [
        &b"\x00\x01\x02\xff\xfe garbage"[..],
        b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP",
        b"SIP/2.0 200 OK\r\n\r\n",
        &[0xff; 1400][..],
        b"HELLO\r\n\r\n",
    ] {
        noise.send_raw(garbage).await;
    }
    // A request with a broken CSeq is answered 400, naming the defect.
    let call_id = unique("bad");
    let broken = format!(
        "OPTIONS sip:{} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKbad1\r\nFrom: <sip:x@y>;tag=1\r\n\
         To: <sip:z@y>\r\nCall-ID: {call_id}\r\nCSeq: one OPTIONS\r\nContent-Length: 0\r\n\r\n",
        server.sip(),
        noise.local
    );
    noise.send_raw(broken.as_bytes()).await;
    let reply = noise
        .recv_matching(
            WAIT,
            |m| matches!(m, sip::Message::Response(r) if r.status == StatusCode::BAD_REQUEST),
        )
        .await
        .expect("a 400");
    let sip::Message::Response(reply) = reply else {
        unreachable!()
    };
    assert!(reply.reason.starts_with("Bad Request"), "{}", reply.reason);

    // An INVITE with a broken SDP: 488 with a Warning saying why.
    let call_id = unique("sdp");
    let bad_sdp = noise.invite_request(
        SALES_NUMBER,
        "+33610000010",
        &call_id,
        "v=0\r\nthis is not sdp\r\n",
    );
    noise.send(bad_sdp).await;
    let refused = noise.final_response(&call_id, Method::Invite).await;
    assert_eq!(refused.status, StatusCode::NOT_ACCEPTABLE_HERE);
    let warning = refused
        .headers
        .get(&HeaderName::Warning)
        .and_then(|v| v.to_str())
        .expect("a Warning");
    assert!(warning.starts_with("399 plateau \""), "{warning}");
    noise
        .send(noise.build(
            "ACK",
            &format!("sip:{SALES_NUMBER}@{}", server.sip()),
            &[
                format!(
                        "From: {}",
                        refused
                            .headers
                            .get(&HeaderName::From)
                            .unwrap()
                            .to_str()
                            .unwrap()
                    ),
                format!(
                        "To: {}",
                        refused
                            .headers
                            .get(&HeaderName::To)
                            .unwrap()
                            .to_str()
                            .unwrap()
                    ),
                format!("Call-ID: {call_id}"),
                "CSeq: 1 ACK".to_owned(),
            ],
            "",
        ))
        .await;

    // TCP: a message without Content-Length gets 400 and the connection is closed.
    let mut tcp = TcpStream::connect(server.sip_tcp()).await.unwrap();
    let local = tcp.local_addr().unwrap();
    let no_length = format!(
        "OPTIONS sip:{} SIP/2.0\r\nVia: SIP/2.0/TCP {local};branch=z9hG4bKnolen\r\nFrom: <sip:x@y>;tag=1\r\n\
         To: <sip:z@y>\r\nCall-ID: {}\r\nCSeq: 1 OPTIONS\r\n\r\n",
        server.sip_tcp(),
        unique("tcp")
    );
    tcp.write_all(no_length.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("SIP/2.0 400 "), "{answer}");

    // TCP: half a message, then the peer closes.
    let mut half = TcpStream::connect(server.sip_tcp()).await.unwrap();
    half.write_all(
        b"INVITE sip:+33100000001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;bra",
    )
    .await
    .unwrap();
    drop(half);

    // The server still registers over TCP, and answers OPTIONS over UDP.
    let tcp_phone = Phone::tcp(server.sip_tcp()).await;
    let ok = tcp_phone
        .register(&agent.extension, &agent.password, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);

    let metrics = sip_support::wait_for(|| async {
        let text = server.running().metrics().encode();
        (metric(&text, "tcp_truncated") >= 1).then_some(text)
    })
    .await
    .expect("the truncated message is counted");
    assert!(metric(&metrics, "sip_discarded") >= 3, "{metrics}");
    assert!(metric(&metrics, "sip_rejected") >= 1);
    assert!(metric(&metrics, "tcp_framing") >= 1);
    assert!(metric(&metrics, "sdp") >= 1);

    // The call was never disturbed: the caller hangs up normally.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    let agent_bye = agent_phone.request(Method::Bye).await;
    agent_phone.reply(&agent_bye, StatusCode::OK, None).await;
    let events = server.wait_event(interaction, EventKind::Ended).await;
    let ended = events.iter().find(|e| e.kind == EventKind::Ended).unwrap();
    assert_eq!(ended.data["cause"], "caller_hangup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_tcp_message_closes_the_connection() {
    let server = TestServer::start(Setup::default()).await;
    let mut tcp = TcpStream::connect(server.sip_tcp()).await.unwrap();
    let huge = format!(
        "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKhuge\r\nX-Filler: {}\r\n",
        "a".repeat(70_000)
    );
    let _ = tcp.write_all(huge.as_bytes()).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(WAIT, tcp.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the server closed the connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_to_unknown_numbers_get_404() {
    let server = TestServer::start(Setup::default()).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call_id = unique("nobody");
    let invite = caller.invite_request(
        "+33199999999",
        "+33610000011",
        &call_id,
        &sip_support::sdp(rtp.local),
    );
    caller.send(invite).await;
    let response = caller.final_response(&call_id, Method::Invite).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_without_a_common_codec_gets_488_with_warning_305() {
    let server = TestServer::start(Setup::default()).await;
    let caller = Phone::udp(server.sip()).await;
    let call_id = unique("codec");
    let body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
    caller
        .send(caller.invite_request(SALES_NUMBER, "+33610000012", &call_id, body))
        .await;
    let response = caller.final_response(&call_id, Method::Invite).await;
    assert_eq!(response.status, StatusCode::NOT_ACCEPTABLE_HERE);
    let warning = response
        .headers
        .get(&HeaderName::Warning)
        .and_then(|v| v.to_str())
        .unwrap();
    assert!(warning.starts_with("305 "), "{warning}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_whose_flow_does_not_load_gets_480() {
    let mut server = TestServer::start(Setup::default()).await;
    server.stop().await;
    let config = sip_support::test_config(server.dir.path(), &server.setup);
    let store = store::Store::open(&config.database_url()).await.unwrap();
    let t = store.tenant(server.tenant).await.unwrap();
    let broken = "name: broken\nlanguage: en\nstart: main\nnodes:\n  main:\n    \
                  play: [no-such-prompt]\n    next: q\n  q:\n    queue: no-such-queue\n";
    let flow = t.save_flow("broken", broken, 1, true).await.unwrap();
    t.set_number("+33100000002", flow.flow_id, 1).await.unwrap();
    store.close().await;
    server.launch().await;

    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call_id = unique("broken");
    caller
        .send(caller.invite_request(
            "+33100000002",
            "+33610000013",
            &call_id,
            &sip_support::sdp(rtp.local),
        ))
        .await;
    let response = caller.final_response(&call_id, Method::Invite).await;
    assert_eq!(response.status, StatusCode::TEMPORARILY_UNAVAILABLE);
    // The other numbers still work.
    let call = caller.call(SALES_NUMBER, "+33610000014", rtp.local).await;
    assert_eq!(caller.hang_up(&call).await.status, StatusCode::OK);
}
