//! The document library: every format uploaded and its text found (detail and search), the
//! size limit (413, nothing stored), corrupt and unsupported files (422, nothing stored),
//! versions kept and downloadable with their SHA-256, leakage to a reader outside the
//! compartment through every channel, stemming per language end to end, audit and encryption
//! at rest.

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::harness::{App, Instance, count};

/// A multipart/form-data body: text fields and one file (hand-written: the test client has no
/// multipart feature).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----grotius-test-boundary-7d3f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POSTs a multipart body with a bearer token; status and JSON.
pub async fn post_multipart(
    app: &App,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (u16, Value) {
    let (ct, body) = multipart(fields, file);
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn upload(
    app: &App,
    token: &str,
    title: &str,
    extra: &[(&str, &str)],
    name: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let mut fields = vec![("title", title), ("classification", "internal")];
    fields.extend_from_slice(extra);
    post_multipart(
        app,
        "/api/v1/documents",
        token,
        &fields,
        Some((name, bytes)),
    )
    .await
}

async fn search(app: &App, token: &str, q: &str) -> Value {
    let (s, v) = app
        .api(
            Method::GET,
            &format!("/api/v1/search?q={}", urlencode(q)),
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn document_hits(v: &Value) -> Vec<Value> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "document")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_format_is_uploaded_and_its_text_found() {
    let app = App::spawn().await;
    let token = app.token("desk-officer").await;
    let docx = grotius_store::docx_from_text(
        "Briefing on the ceasefire\nThe quokkawords of the DOCX paragraph & more.",
    );
    let pdf = grotius_store::pdf_from_text(
        "Process briefing",
        "The wallabyterm appears in the PDF about water sharing.",
    );
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "note.txt",
            b"Plain notes with the dingoword inside.".to_vec(),
            "dingoword",
            "text",
        ),
        (
            "note.md",
            b"# Heading\n\nSome **bold** numbatword and a [link](http://example.org).".to_vec(),
            "numbatword",
            "markdown",
        ),
        (
            "page.html",
            b"<!DOCTYPE html><html><head><style>.x{}</style><script>var bilbyhidden=1;</script></head><body><p>The bilbyword &amp; friends.</p></body></html>".to_vec(),
            "bilbyword",
            "html",
        ),
        // The extension lies; the content decides.
        ("brief.bin", docx, "quokkawords", "docx"),
        ("briefing.txt", pdf, "wallabyterm", "pdf"),
    ];
    for (name, bytes, word, format) in &cases {
        let (s, d) = upload(&app, &token, name, &[("language", "en")], name, bytes).await;
        assert_eq!(s, 201, "{name}: {d}");
        assert_eq!(d["format"], *format, "{name}");
        assert_eq!(d["size"], bytes.len() as i64, "{name}");
        let id = d["id"].as_str().unwrap();
        let (s, detail) = app
            .api(
                Method::GET,
                &format!("/api/v1/documents/{id}"),
                &token,
                None,
            )
            .await;
        assert_eq!(s, 200);
        let text = detail["text"].as_str().unwrap();
        assert!(text.contains(word), "{name}: {text}");
        let hits = document_hits(&search(&app, &token, word).await);
        assert_eq!(hits.len(), 1, "{name}: search for {word}");
        assert_eq!(hits[0]["id"], id);
        assert_eq!(hits[0]["url"], format!("/documents/{id}"));
        // The snippet comes from the decrypted text, with the word highlighted.
        let snippet = hits[0]["snippet"].as_str().unwrap();
        let hl = &hits[0]["highlights"][0];
        let (a, b) = (
            hl[0].as_u64().unwrap() as usize,
            hl[1].as_u64().unwrap() as usize,
        );
        assert_eq!(&snippet[a..b], *word, "{name}: {snippet}");
    }
    // Scripts and styles of the HTML are not text.
    assert!(
        document_hits(&search(&app, &token, "bilbyhidden").await).is_empty(),
        "script content indexed"
    );
    // The UI shows the list and the text too.
    let b = app.browser("desk-officer").await;
    let (s, html) = b.get("/documents").await;
    assert_eq!(s, 200);
    assert!(html.contains("page.html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_size_limit_is_413_and_nothing_is_stored() {
    let config = grotius_web::WebConfig {
        login_attempts_per_minute: 100_000,
        document_limit: 1024 * 1024,
        ..Default::default()
    };
    let app = App::spawn_with(Instance::seeded().await, config).await;
    let token = app.token("coordinator").await;
    let big = vec![b'a'; 1024 * 1024 + 10];
    let (s, v) = upload(&app, &token, "Too big", &[], "big.txt", &big).await;
    assert_eq!(s, 413, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("1 MiB"), "{msg}");
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "documents").await, 0);
    assert_eq!(count(&raw, "document_versions").await, 0);
    // Just under the limit passes.
    let ok = vec![b'a'; 1024 * 1024 - 1];
    let (s, v) = upload(&app, &token, "Fits", &[], "fits.txt", &ok).await;
    assert_eq!(s, 201, "{v}");
    // The UI says the same, naming the limit.
    let b = app.browser("coordinator").await;
    let (ct, body) = multipart(
        &[("title", "Too big"), ("classification", "internal")],
        Some(("big.txt", &big)),
    );
    let r = b
        .client
        .post(app.url(&format!("/documents?_csrf={}", b.csrf)))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.text().await.unwrap().contains("1 MiB"));
    assert_eq!(count(&raw, "documents").await, 1);
    // The upload form works without JavaScript: its token travels in the action's query
    // string (and the hidden field); without it the post is refused.
    let (_, form) = b.get("/documents/new").await;
    assert!(form.contains(&format!("action=\"/documents?_csrf={}\"", b.csrf)));
    let small = b"A small note from the browser.";
    for (csrf, expect) in [("", 403), (b.csrf.as_str(), 303)] {
        let (ct, body) = multipart(
            &[("title", "Browser note"), ("classification", "internal")],
            Some(("note.txt", small)),
        );
        let r = b
            .client
            .post(app.url(&format!("/documents?_csrf={csrf}")))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expect);
    }
    assert_eq!(count(&raw, "documents").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_or_unsupported_files_are_422_and_nothing_is_stored() {
    let app = App::spawn().await;
    let token = app.token("analyst").await;
    let cases: [(&str, &[u8], &str); 4] = [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "PDF"),
        ("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "unsupported"),
        ("latin1.txt", b"Caf\xe9 au lait", "UTF-8"),
        ("fake.docx", b"PK\x03\x04not really a zip", "DOCX"),
    ];
    for (name, bytes, says) in cases {
        let (s, v) = upload(&app, &token, name, &[], name, bytes).await;
        assert_eq!(s, 422, "{name}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{name}: {msg}");
        assert!(msg.starts_with("file is invalid"), "{name}: {msg}");
    }
    // Bad metadata names the field.
    let (s, v) = upload(&app, &token, "x", &[("themes", "football")], "a.txt", b"ok").await;
    assert_eq!(s, 422);
    assert!(v["error"]["message"].as_str().unwrap().contains("theme"));
    let (s, v) = upload(&app, &token, "x", &[("countries", "XX")], "a.txt", b"ok").await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = post_multipart(
        &app,
        "/api/v1/documents",
        &token,
        &[("title", "no file"), ("classification", "internal")],
        None,
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let raw = app.instance.raw().await;
    assert_eq!(count(&raw, "documents").await, 0);
    assert_eq!(count(&raw, "document_versions").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_kept_downloadable_with_their_hash_and_audited() {
    let app = App::spawn().await;
    let token = app.token("coordinator").await;
    let v1 = b"First version: the parties met in Juba.".to_vec();
    let v2 = grotius_store::docx_from_text("Second version: the parties met again in Addis.");
    let (s, d) = upload(&app, &token, "Meeting note", &[], "note.txt", &v1).await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let (s, d2) = post_multipart(
        &app,
        &format!("/api/v1/documents/{id}/versions"),
        &token,
        &[("expected_version", "1")],
        Some(("note.docx", &v2)),
    )
    .await;
    assert_eq!(s, 201, "{d2}");
    assert_eq!(d2["latest_version"], 2);
    assert_eq!(d2["format"], "docx");
    // A stale expected version is a conflict, and adds nothing.
    let (s, _) = post_multipart(
        &app,
        &format!("/api/v1/documents/{id}/versions"),
        &token,
        &[("expected_version", "1")],
        Some(("note3.txt", b"third")),
    )
    .await;
    assert_eq!(s, 409);
    let (_, detail) = app
        .api(
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            &token,
            None,
        )
        .await;
    let versions = detail["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(detail["text"].as_str().unwrap().contains("Addis"));
    for (n, bytes) in [(1, &v1), (2, &v2)] {
        let ver = versions.iter().find(|v| v["version"] == n).unwrap();
        let sha = hex::encode(Sha256::digest(bytes));
        assert_eq!(ver["sha256"], sha);
        assert_eq!(ver["size"], bytes.len() as i64);
        assert_eq!(ver["created_by"], "coordinator");
        let r = app
            .client
            .get(app.url(ver["file_url"].as_str().unwrap()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let got = r.bytes().await.unwrap();
        assert_eq!(hex::encode(Sha256::digest(&got)), sha, "version {n}");
    }
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/documents/{id}/versions/3/file"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 404);
    // The old text is no longer what search finds; the new one is.
    assert!(document_hits(&search(&app, &token, "Juba").await).is_empty());
    assert_eq!(document_hits(&search(&app, &token, "Addis").await).len(), 1);
    // Metadata edits (PATCH) are audited; the browser downloads too.
    let (s, m) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/documents/{id}"),
            &token,
            Some(json!({"title": "Meeting note (revised)", "themes": ["water"]})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["themes"], json!(["water"]));
    let b = app.browser("coordinator").await;
    let (s, _) = b.get(&format!("/documents/{id}/versions/1/file")).await;
    assert_eq!(s, 200);
    let actions = app.audit_actions(&id).await;
    for a in [
        "document.create",
        "document.version",
        "document.download",
        "document.update",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|a| *a == "document.download").count(),
        3
    );
    // Deleting takes every version; the search forgets it; the deletion is audited.
    let (s, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/documents/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let raw = app.instance.raw().await;
    let left: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM document_versions WHERE document_id = $1")
            .bind(&id)
            .fetch_one(&raw)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(left, 0);
    assert!(document_hits(&search(&app, &token, "Addis").await).is_empty());
    assert!(
        app.audit_actions(&id)
            .await
            .iter()
            .any(|a| a == "document.delete")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_outside_the_compartment_learns_nothing() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    // The horn-of-africa process of the demo.
    let (_, list) = app
        .api(Method::GET, "/api/v1/processes?limit=500", &coord, None)
        .await;
    let hoa = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["compartment"] == "horn-of-africa")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Labels follow the linked process: lower is refused.
    let (s, v) = upload(
        &app,
        &coord,
        "Too low",
        &[("processes", &hoa)],
        "a.txt",
        b"text",
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, d) = post_multipart(
        &app,
        "/api/v1/documents",
        &coord,
        &[
            ("title", "Hidden talks note"),
            ("classification", "confidential"),
            ("compartment", "horn-of-africa"),
            ("processes", &hoa),
            ("countries", "SD"),
            ("themes", "water"),
        ],
        Some((
            "hidden.txt",
            b"The zebrafinch channel between the delegations stays secret.",
        )),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    // A member (desk officer, horn-of-africa) finds it with a snippet.
    let desk = app.token("desk-officer").await;
    let r = search(&app, &desk, "zebrafinch").await;
    assert_eq!(r["total"], 1);
    assert!(
        r["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("zebrafinch")
    );
    // The analyst (confidential clearance, not a member) learns nothing.
    let analyst = app.token("analyst").await;
    for path in [
        format!("/api/v1/documents/{id}"),
        format!("/api/v1/documents/{id}/versions/1/file"),
    ] {
        let (s, _) = app.api(Method::GET, &path, &analyst, None).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = app
        .api(
            Method::PATCH,
            &format!("/api/v1/documents/{id}"),
            &analyst,
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = post_multipart(
        &app,
        &format!("/api/v1/documents/{id}/versions"),
        &analyst,
        &[],
        Some(("x.txt", b"x")),
    )
    .await;
    assert_eq!(s, 404);
    let (_, all) = app
        .api(Method::GET, "/api/v1/documents", &coord, None)
        .await;
    let (_, mine) = app
        .api(Method::GET, "/api/v1/documents", &analyst, None)
        .await;
    assert_eq!(
        mine["total"].as_i64().unwrap(),
        all["total"].as_i64().unwrap() - 1
    );
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id.as_str())
    );
    let r = search(&app, &analyst, "zebrafinch").await;
    assert_eq!(r["total"], 0);
    assert!(r["hits"].as_array().unwrap().is_empty());
    assert!(r["facets"]["kind"].get("document").is_none(), "{r}");
    let r = search(&app, &analyst, "kind:document").await;
    assert!(
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"] != id.as_str())
    );
    assert!(r["facets"]["kind"].get("document").is_none(), "{r}");
    // The filter by a process the analyst may not see is not found; UI pages too.
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/documents?process={hoa}"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let b = app.browser("analyst").await;
    for path in [
        format!("/documents/{id}"),
        format!("/documents/{id}/edit"),
        format!("/documents/{id}/versions/1/file"),
    ] {
        assert_eq!(b.get(&path).await.0, 404, "{path}");
    }
    let (_, html) = b.get("/documents").await;
    assert!(!html.contains("Hidden talks note"));
    // Partners have no documents at all.
    let partner = app.token("partner").await;
    let (s, _) = app
        .api(Method::GET, "/api/v1/documents", &partner, None)
        .await;
    assert_eq!(s, 404);
    // The denied attempts on the named record are audited.
    let raw = app.instance.raw().await;
    let denied: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE resource_id = $1 AND outcome = 'denied'",
    )
    .bind(&id)
    .fetch_one(&raw)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert!(denied >= 2, "{denied}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stemming_applies_to_uploaded_documents_in_each_language() {
    let app = App::spawn().await;
    let token = app.token("coordinator").await;
    let pdf_fr = grotius_store::pdf_from_text(
        "Communiqué",
        "Les négociations entre les délégations ont repris à Genève sous l'égide des Nations unies.",
    );
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "nota.txt",
            "De onderhandelingen tussen de delegaties over de verdeling van het water zijn hervat."
                .as_bytes()
                .to_vec(),
            "nl",
            // singular finds the plural
            "onderhandeling",
        ),
        ("communique.pdf", pdf_fr, "fr", "négociation"),
        (
            "statement.md",
            "استؤنفت المفاوضات بين الحكومة والجماعات المسلحة حول تقاسم المياه"
                .as_bytes()
                .to_vec(),
            "ar",
            "المفاوضة",
        ),
        (
            "briefing.html",
            b"<html><body><p>The mediators were negotiating a ceasefire.</p></body></html>"
                .to_vec(),
            "en",
            "negotiated",
        ),
    ];
    for (name, bytes, lang, query) in &cases {
        // No language given: it is detected.
        let (s, d) = upload(&app, &token, name, &[], name, bytes).await;
        assert_eq!(s, 201, "{name}: {d}");
        assert_eq!(d["language"], *lang, "{name}");
        let hits = document_hits(&search(&app, &token, query).await);
        assert!(
            hits.iter().any(|h| h["id"] == d["id"]),
            "{name}: {query} finds nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_text_are_encrypted_at_rest() {
    let app = App::spawn().await;
    let token = app.token("adviser").await;
    let (s, d) = upload(
        &app,
        &token,
        "Encrypted note",
        &[],
        "n.txt",
        b"The platypusword must never be stored in clear.",
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let raw = app.instance.raw().await;
    let row = sqlx::query("SELECT content, body FROM document_versions WHERE document_id = $1")
        .bind(d["id"].as_str().unwrap())
        .fetch_one(&raw)
        .await
        .unwrap();
    for col in ["content", "body"] {
        let v: String = row.try_get(col).unwrap();
        assert!(v.starts_with("enc:v1:"), "{col}");
        assert!(!v.contains("platypus"), "{col}");
    }
    // The index's stored fields do not hold the text either: a hit of another query shows the
    // snippet only through the store (after the re-check).
    let hits = document_hits(&search(&app, &token, "platypusword").await);
    assert_eq!(hits.len(), 1);
}

/// "More like this" of a document reads its (encrypted, unstored) text: two documents whose
/// titles share nothing are found alike by their bodies, an unrelated one is not, and a body
/// twin in a compartment the reader lacks is never among the similar records — while a member
/// sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_like_this_reads_the_text_and_never_a_hidden_document() {
    let app = App::spawn().await;
    let coord = app.token("coordinator").await;
    let body = "The quillwort irrigation canal upstream of the marshland feeds the \
                quillwort terraces; the downstream farmers and the upstream herders share the \
                canal under a rota the marshland council keeps.";
    let mut ids = Vec::new();
    for (title, text) in [
        ("Note A", body),
        (
            "Memo B",
            "Herders and farmers: the quillwort canal rota, the marshland council and the \
             upstream terraces of quillwort, irrigation by turns.",
        ),
        (
            "Unrelated C",
            "Budget lines for the printing of ballot papers in the capital.",
        ),
    ] {
        let (s, d) = upload(&app, &coord, title, &[], "n.txt", text.as_bytes()).await;
        assert_eq!(s, 201, "{d}");
        ids.push(d["id"].as_str().unwrap().to_string());
    }
    let (s, d) = post_multipart(
        &app,
        "/api/v1/documents",
        &coord,
        &[
            ("title", "Closed twin"),
            ("classification", "confidential"),
            ("compartment", "horn-of-africa"),
        ],
        Some(("twin.txt", body.as_bytes())),
    )
    .await;
    assert_eq!(s, 201, "{d}");
    let hidden = d["id"].as_str().unwrap().to_string();
    let similar = |token: String| {
        let app = &app;
        let id = ids[0].clone();
        async move {
            let (s, v) = app
                .api(
                    Method::GET,
                    &format!("/api/v1/search/document/{id}/similar"),
                    &token,
                    None,
                )
                .await;
            assert_eq!(s, 200, "{v}");
            v.as_array()
                .or_else(|| v["hits"].as_array())
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|h| h["id"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
        }
    };
    let analyst = app.token("analyst").await;
    let seen = similar(analyst.clone()).await;
    assert!(seen.contains(&ids[1]), "{seen:?}");
    assert!(!seen.contains(&ids[2]), "{seen:?}");
    assert!(!seen.contains(&hidden), "{seen:?}");
    // The hidden twin's own "similar" is not found for the analyst.
    let (s, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/search/document/{hidden}/similar"),
            &analyst,
            None,
        )
        .await;
    assert_eq!(s, 404);
    // A member of horn-of-africa sees the twin first (same text).
    let desk = app.token("desk-officer").await;
    let seen = similar(desk).await;
    assert_eq!(seen.first(), Some(&hidden), "{seen:?}");
}
