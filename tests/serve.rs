//! The web server's API, in process on a free local port, spoken to over plain HTTP/1.1.
//! The independent truth for result bytes is the library run the CLI makes: the CLI's
//! `--out F.json --no-timing` writes `power_json(power_meta(&res, false), &res.table.rows)`.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use trialsim::Study;
use trialsim::report::{export, results};
use trialsim::serve::{self, Limits, ServeOptions};

fn start(limits: Limits) -> serve::Running {
    let opts = ServeOptions {
        host: "127.0.0.1".into(),
        port: 0,
        open: false,
        limits,
    };
    serve::bind(&opts).expect("bind port 0").spawn()
}

/// Send raw bytes, return (status, body).
fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    // The server may answer (413) before reading the whole body and close; ignore write errors.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    (status, body.to_string())
}

fn req(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let r = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        addr.port(),
        body.len()
    );
    raw(addr, r.as_bytes())
}

fn call(addr: SocketAddr, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let (status, b) = req(addr, method, path, &text);
    let v = serde_json::from_str(&b).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {b}"));
    (status, v)
}

fn wait_job(addr: SocketAddr, id: u64) -> Value {
    let t0 = Instant::now();
    loop {
        let (status, j) = call(addr, "GET", &format!("/api/jobs/{id}"), &Value::Null);
        assert_eq!(status, 200, "{j}");
        if j["status"] != "running" {
            return j;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "job {id} never finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn page_and_scenarios_are_served() {
    let srv = start(Limits::default());
    let a = srv.addr();
    let (status, body) = req(a, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(body.contains("<script src=\"/app.js\">"), "{body}");
    let (status, js) = req(a, "GET", "/app.js", "");
    assert_eq!(status, 200);
    assert!(js.contains("/api/power"));
    let (status, v) = call(a, "GET", "/api/scenarios", &Value::Null);
    assert_eq!(status, 200);
    let list = v["scenarios"].as_array().unwrap();
    assert_eq!(list.len(), trialsim::scenario::builtin::BUILTIN.len());
    assert_eq!(list[0]["name"], "ketamine-ampar-2026");
    assert_eq!(list[0]["scenario"]["design"]["patients"], 34);
    srv.stop();
}

#[test]
fn validation_errors_carry_field_paths() {
    let srv = start(Limits::default());
    let a = srv.addr();
    let (status, v) = call(
        a,
        "POST",
        "/api/validate",
        &json!({"scenario": "ketamine-ampar-2026"}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["sizes"]["total"], 83);
    let expected = trialsim::report::validate::summary(
        Study::load("ketamine-ampar-2026").unwrap().scenario(),
        &Study::load("ketamine-ampar-2026")
            .unwrap()
            .unsourced_numbers(),
    );
    assert_eq!(v["summary"], expected.as_str());

    // A negative test-retest CV in region 2 and a negative arm ratio: both reported, each at its path.
    let mut sc: Value =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();
    sc["measures"]["regions"][2]["between_sd"] = json!(-0.1);
    sc["design"]["arms"][0]["ratio"] = json!(-1);
    let (status, v) = call(a, "POST", "/api/validate", &json!({"scenario": sc}));
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["ok"], false);
    let paths: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("regions[2].between_sd")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.contains("arms[0].ratio")),
        "{paths:?}"
    );
    // The same problems the library reports (the CLI prints these).
    let lib = Study::from_value("scenario", sc.clone()).unwrap_err();
    let trialsim::ScenarioError::Invalid { problems, .. } = lib else {
        panic!("expected Invalid")
    };
    assert_eq!(problems.len(), paths.len());

    // A name that is not a built-in is not read as a file path.
    let (status, v) = call(
        a,
        "POST",
        "/api/validate",
        &json!({"scenario": "/etc/passwd"}),
    );
    assert_eq!(status, 422);
    assert_eq!(v["problems"][0]["path"], "scenario");
    srv.stop();
}

#[test]
fn power_run_equals_the_cli_bytes() {
    let srv = start(Limits::default());
    let a = srv.addr();
    let (status, v) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "peer-comparison", "reps": 300, "seed": 11, "n_grid": [40, 100], "threads": 1}),
    );
    assert_eq!(status, 200, "{v}");
    let study = Study::load("peer-comparison").unwrap();
    let res = study
        .power()
        .reps(300)
        .seed(11)
        .threads(2)
        .n_grid(vec![40, 100])
        .run()
        .unwrap();
    let cli_json = results::power_json(export::power_meta(&res, false), &res.table.rows);
    assert_eq!(v["json"].as_str().unwrap(), cli_json);
    assert_eq!(v["csv"].as_str().unwrap(), results::to_csv(&res.table.rows));
    assert_eq!(v["rows"], results::rows_json(&res.table.rows));

    // An edited scenario object gives the bytes of the same edit made in a file.
    let mut sc: Value =
        serde_json::from_str(trialsim::scenario::builtin::get("peer-comparison").unwrap()).unwrap();
    sc["design"]["patients"] = json!(30);
    let (status, v) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": sc.clone(), "reps": 200, "seed": 3}),
    );
    assert_eq!(status, 200, "{v}");
    let study =
        Study::from_json("edited.json", &serde_json::to_string_pretty(&sc).unwrap()).unwrap();
    let res = study.power().reps(200).seed(3).run().unwrap();
    assert_eq!(
        v["json"].as_str().unwrap(),
        results::power_json(export::power_meta(&res, false), &res.table.rows)
    );
    assert_eq!(v["rows"][0]["n_total"], 80);
    srv.stop();
}

#[test]
fn sample_size_and_report() {
    let srv = start(Limits::default());
    let a = srv.addr();
    let body = json!({"scenario": "peer-comparison", "criterion": "regions:any", "target": 0.8,
                      "reps": 200, "seed": 2, "max_n": 200});
    let (status, v) = call(a, "POST", "/api/sample-size", &body);
    assert_eq!(status, 200, "{v}");
    let study = Study::load("peer-comparison").unwrap();
    let r = study
        .sample_size("regions:any", 0.8)
        .reps(200)
        .seed(2)
        .max_n(200)
        .run()
        .unwrap();
    assert_eq!(v["n"], json!(r.search.n));
    assert_eq!(
        v["json"].as_str().unwrap(),
        results::sample_size_json(export::sample_size_meta(&r, false), &r.search)
    );
    let (status, v) = call(
        a,
        "POST",
        "/api/sample-size",
        &json!({"scenario": "peer-comparison", "criterion": "nope:any"}),
    );
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["setting"], "criterion");

    let (status, v) = call(
        a,
        "POST",
        "/api/report",
        &json!({"scenario": "peer-comparison", "reps": 100, "seed": 1, "n_grid": [40, 80], "max_n": 200}),
    );
    assert_eq!(status, 200, "{v}");
    let html = v["html"].as_str().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("peer-comparison"));
    srv.stop();
}

#[test]
fn async_job_reports_progress_and_cancels() {
    let srv = start(Limits::default());
    let a = srv.addr();
    // A small async job runs to the end and its result is the synchronous one.
    let body = json!({"scenario": "peer-comparison", "reps": 100, "seed": 4, "async": true});
    let (status, v) = call(a, "POST", "/api/power", &body);
    assert_eq!(status, 202, "{v}");
    let j = wait_job(a, v["id"].as_u64().unwrap());
    assert_eq!(j["status"], "done", "{j}");
    assert_eq!(j["done"], 100);
    assert_eq!(j["total"], 100);
    let (_, sync) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "peer-comparison", "reps": 100, "seed": 4}),
    );
    assert_eq!(j["result"]["json"], sync["json"]);

    // A long job is cancelled and frees its slot.
    // (peer-comparison's trials are quick, so a wave of blocks, the cancel granularity, is short.)
    let long = json!({"scenario": "peer-comparison", "reps": 200000, "n_grid": [3000, 4000, 5000], "async": true});
    let (status, v) = call(a, "POST", "/api/power", &long);
    assert_eq!(status, 202, "{v}");
    let id = v["id"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let t0 = Instant::now();
    let (status, _) = call(a, "DELETE", &format!("/api/jobs/{id}"), &Value::Null);
    assert_eq!(status, 202);
    let j = wait_job(a, id);
    assert_eq!(j["status"], "cancelled", "{j}");
    assert!(j["done"].as_u64().unwrap() < 600_000);
    assert!(
        t0.elapsed() < Duration::from_secs(30),
        "cancel took {:?}",
        t0.elapsed()
    );
    assert_eq!(j["error"]["ok"], false);
    srv.stop();
}

#[test]
fn limits_are_enforced() {
    let limits = Limits {
        max_jobs: 2,
        ..Limits::default()
    };
    let srv = start(limits);
    let a = srv.addr();
    let (status, v) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "reps": 1_000_000}),
    );
    assert_eq!(status, 422);
    assert!(v["error"].as_str().unwrap().contains("200000"), "{v}");
    let grid: Vec<usize> = (40..200).collect();
    let (status, _) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "n_grid": grid}),
    );
    assert_eq!(status, 422);
    let (status, _) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "n": 1_000_000}),
    );
    assert_eq!(status, 422);
    let (status, v) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "reps": 0}),
    );
    assert_eq!(status, 422);
    assert_eq!(v["setting"], "reps");

    // A body over 1 MiB.
    let big = format!("{{\"scenario\": \"{}\"}}", "x".repeat((1 << 20) + 10));
    let (status, v) = req(a, "POST", "/api/validate", &big);
    assert_eq!(status, 413, "{v}");

    // Two long jobs fill the table; a third is refused with a reason; cancelling frees a slot.
    let long = json!({"scenario": "peer-comparison", "reps": 200000, "n": 5000, "async": true});
    let (s1, j1) = call(a, "POST", "/api/power", &long);
    let (s2, j2) = call(a, "POST", "/api/power", &long);
    assert_eq!((s1, s2), (202, 202));
    let (s3, v3) = call(a, "POST", "/api/power", &long);
    assert_eq!(s3, 429, "{v3}");
    assert!(v3["error"].as_str().unwrap().contains("at once"));
    for j in [&j1, &j2] {
        let id = j["id"].as_u64().unwrap();
        call(a, "DELETE", &format!("/api/jobs/{id}"), &Value::Null);
        assert_eq!(wait_job(a, id)["status"], "cancelled");
    }
    let (s4, v4) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "reps": 50}),
    );
    assert_eq!(s4, 200, "{v4}");
    srv.stop();
}

#[test]
fn malformed_requests_get_4xx_with_a_reason() {
    let srv = start(Limits::default());
    let a = srv.addr();
    let (status, v) = req(a, "POST", "/api/power", "{\"scenario\": ");
    assert_eq!(status, 400, "{v}");
    assert!(v.contains("malformed request body"), "{v}");
    let (status, v) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "repz": 10}),
    );
    assert_eq!(status, 400);
    assert!(v["error"].as_str().unwrap().contains("repz"), "{v}");
    let (status, _) = call(a, "POST", "/api/power", &json!({"reps": 10}));
    assert_eq!(status, 400);
    let (status, _) = req(a, "POST", "/api/validate", "");
    assert_eq!(status, 400);
    let (status, v) = call(a, "POST", "/api/power", &json!({"scenario": 5}));
    assert_eq!(status, 422, "{v}");
    let (status, _) = call(
        a,
        "POST",
        "/api/power",
        &json!({"scenario": "null", "n": 10, "n_grid": [20]}),
    );
    assert_eq!(status, 422);
    let (status, _) = req(a, "GET", "/nope", "");
    assert_eq!(status, 404);
    let (status, _) = req(a, "GET", "/api/power", "");
    assert_eq!(status, 405);
    let (status, _) = req(a, "GET", "/api/jobs/999", "");
    assert_eq!(status, 404);
    let (status, _) = req(a, "GET", "/api/jobs/abc", "");
    assert_eq!(status, 404);
    // Another site's name for this address (DNS rebinding) is refused.
    let (status, _) = raw(
        a,
        b"GET /api/scenarios HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403);
    // Garbage instead of HTTP does not bring the server down.
    if let Ok(mut s) = TcpStream::connect(a) {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(b"\x00\x01garbage\r\n\r\n");
        let _ = s.read_to_end(&mut Vec::new());
    }
    let (status, _) = req(a, "GET", "/api/scenarios", "");
    assert_eq!(status, 200);
    srv.stop();
}
