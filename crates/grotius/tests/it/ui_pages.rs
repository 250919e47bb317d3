//! Every page of the UI as every role sees it: the navigation leads only to pages that exist, and
//! every form renders fields a browser can use (no `<select>` nested in another or left without
//! options, every `<label for>` names a field that is there, no field asking for an internal id).
//!
//! The pages are found by walking the links of each demo account from its navigation, so a new
//! form is checked as soon as a page links to it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use grotius_domain::Role;

use crate::harness::{App, Browser, Instance};

/// Pages fetched per role at most, and pages per path shape (`/fund/applications/{id}/edit`).
const PAGES_PER_ROLE: usize = 400;
const PAGES_PER_SHAPE: usize = 2;

async fn demo_app() -> App {
    let config = grotius_web::WebConfig {
        login_attempts_per_minute: 100_000,
        ..Default::default()
    };
    App::spawn_with(Instance::demo().await, config).await
}

/// One start or end tag of a page, with its attributes (values unescaped enough for ids).
#[derive(Debug)]
struct Tag {
    name: String,
    end: bool,
    attrs: BTreeMap<String, String>,
}

/// The tags of an HTML page in order (maud escapes `<` in text and attribute values, so every
/// `<` outside a comment starts a tag).
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.split_once("-->").map(|(_, r)| r).unwrap_or("");
            continue;
        }
        let Some(close) = rest.find('>') else { break };
        let inner = &rest[..close];
        rest = &rest[close + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let (end, inner) = match inner.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, inner),
        };
        let inner = inner.trim_end_matches('/');
        let name_len = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = inner[..name_len].to_ascii_lowercase();
        let mut attrs = BTreeMap::new();
        let mut a = inner[name_len..].trim_start();
        while !a.is_empty() {
            let key_len = a
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(a.len());
            let key = a[..key_len].to_ascii_lowercase();
            a = a[key_len..].trim_start();
            let value = if let Some(v) = a.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(q) = v.strip_prefix('"') {
                    let end = q.find('"').unwrap_or(q.len());
                    a = q.get(end + 1..).unwrap_or("");
                    q[..end].to_string()
                } else {
                    let end = v.find(|c: char| c.is_whitespace()).unwrap_or(v.len());
                    a = &v[end..];
                    v[..end].to_string()
                }
            } else {
                String::new()
            };
            attrs.insert(key, value.replace("&amp;", "&"));
            a = a.trim_start();
        }
        out.push(Tag { name, end, attrs });
    }
    out
}

/// What is wrong with the form fields of a page, one line per defect.
fn form_defects(html: &str) -> Vec<String> {
    let mut defects = Vec::new();
    let mut ids: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut options_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut label_targets = Vec::new();
    // The open <select> (its id or name) and the options seen in it so far.
    let mut open: Option<(String, usize)> = None;
    let mut in_datalist = false;
    for tag in tags(html) {
        match (tag.name.as_str(), tag.end) {
            ("select", false) => {
                let name = tag
                    .attrs
                    .get("id")
                    .or(tag.attrs.get("name"))
                    .cloned()
                    .unwrap_or_else(|| "(unnamed)".into());
                if let Some((outer, _)) = &open {
                    defects.push(format!(
                        "<select {name}> is nested in <select {outer}> (a browser closes the outer one: it renders empty)"
                    ));
                }
                if let Some(id) = tag.attrs.get("id") {
                    ids.insert(id.clone(), "select");
                }
                open = Some((name, 0));
            }
            ("select", true) => match open.take() {
                Some((name, 0)) => defects.push(format!("<select {name}> has no <option>")),
                Some((name, n)) => {
                    options_of.insert(name, n);
                }
                None => defects.push("a </select> closes no <select>".into()),
            },
            ("datalist", end) => in_datalist = !end,
            ("option", false) => match &mut open {
                Some((_, n)) => *n += 1,
                None if in_datalist => {}
                None => defects.push(format!(
                    "<option value={:?}> outside any <select>",
                    tag.attrs.get("value").cloned().unwrap_or_default()
                )),
            },
            ("label", false) => {
                if let Some(target) = tag.attrs.get("for") {
                    label_targets.push(target.clone());
                }
            }
            (name @ ("input" | "textarea" | "button" | "output" | "meter" | "progress"), false) => {
                // A reference to another record is picked by name, never typed as an internal id.
                let typed = name == "textarea"
                    || (name == "input"
                        && matches!(
                            tag.attrs.get("type").map(String::as_str),
                            None | Some("text" | "search")
                        ));
                if let Some(field) = tag
                    .attrs
                    .get("name")
                    .filter(|n| typed && (n.ends_with("_id") || n.ends_with("_ids")))
                {
                    defects.push(format!(
                        "<{name} name={field:?}> asks the user to type an internal id"
                    ));
                }
                if let Some(id) = tag.attrs.get("id") {
                    ids.insert(id.clone(), if name == "input" { "input" } else { "field" });
                }
            }
            (_, false) => {
                if let Some(id) = tag.attrs.get("id") {
                    ids.entry(id.clone()).or_insert("other");
                }
            }
            _ => {}
        }
    }
    if let Some((name, _)) = open {
        defects.push(format!("<select {name}> is never closed"));
    }
    for target in label_targets {
        match ids.get(&target) {
            None => defects.push(format!("<label for={target:?}> names no field")),
            Some(&"other") => defects.push(format!(
                "<label for={target:?}> names an element that is not a field"
            )),
            Some(&"select") if options_of.get(&target).copied().unwrap_or(0) == 0 => defects.push(
                format!("<label for={target:?}>: its <select> has no options"),
            ),
            Some(_) => {}
        }
    }
    defects
}

/// Same-origin links of a page worth following (pages, not downloads or the language switch).
fn page_links(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "a" && !t.end)
        .filter_map(|t| t.attrs.get("href").cloned())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .filter(|h| {
            let path = h.split('?').next().unwrap_or("");
            !h.is_empty()
                && !path.starts_with("/lang/")
                && !path.starts_with("/static/")
                && !path.starts_with("/api/")
                && ![
                    ".csv",
                    ".json",
                    ".xml",
                    ".zip",
                    ".svg",
                    ".docx",
                    ".tar",
                    "/download",
                ]
                .iter()
                .any(|ext| path.ends_with(ext))
        })
        .collect()
}

/// The shape of a URL: segments that look like ids become `{}` and the query is dropped, so
/// that one list of a hundred processes is a handful of pages to check, not a hundred.
fn shape(url: &str) -> String {
    let path = url.split('?').next().unwrap_or("");
    path.split('/')
        .map(|seg| {
            let digits = seg.chars().filter(|c| c.is_ascii_digit()).count();
            if digits > 0 && (seg.len() >= 8 || digits == seg.len()) {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The links of the main navigation of a page.
fn nav_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav id=\"main-nav\"") else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    page_links(nav)
}

/// Walks the pages a role reaches from its navigation; returns (url, body) of every HTML page.
async fn walk(b: &Browser) -> Vec<(String, String)> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut per_shape: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::from(["/".to_string()]);
    let mut pages = Vec::new();
    while let Some(url) = queue.pop_front() {
        if pages.len() >= PAGES_PER_ROLE {
            break;
        }
        if !seen.insert(url.clone()) {
            continue;
        }
        let n = per_shape.entry(shape(&url)).or_default();
        if *n >= PAGES_PER_SHAPE {
            continue;
        }
        *n += 1;
        let r = b
            .client
            .get(format!("{}{url}", b.base))
            .send()
            .await
            .unwrap();
        let is_html = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if r.status().as_u16() != 200 || !is_html {
            continue;
        }
        let body = r.text().await.unwrap();
        queue.extend(page_links(&body));
        pages.push((url, body));
    }
    pages
}

/// The bug this guards against: the fund application form wrapped the classification `<select>`
/// in another one, so the browser showed an empty list and every save failed.
#[test]
fn the_form_checker_sees_a_nested_or_empty_select() {
    let nested = r#"<label for="classification">C</label><select id="classification" name="classification"><select id="classification" name="classification"><option value="public">P</option></select></select>"#;
    let d = form_defects(nested);
    assert!(d.iter().any(|x| x.contains("nested")), "{d:?}");
    let empty = r#"<label for="k">K</label><select id="k" name="k"></select>"#;
    let d = form_defects(empty);
    assert!(d.iter().any(|x| x.contains("no <option>")), "{d:?}");
    assert!(d.iter().any(|x| x.contains("has no options")), "{d:?}");
    let orphan = r#"<label for="missing">M</label><option value="x">x</option>"#;
    let d = form_defects(orphan);
    assert!(d.iter().any(|x| x.contains("names no field")), "{d:?}");
    assert!(
        d.iter().any(|x| x.contains("outside any <select>")),
        "{d:?}"
    );
    let good = r#"<label for="c">C</label><select id="c" name="c"><option value="a" selected>A</option></select><label for="t">T</label><input id="t" name="t">"#;
    assert_eq!(form_defects(good), Vec::<String>::new());
}

#[tokio::test]
async fn every_form_of_every_role_has_usable_fields() {
    let app = demo_app().await;
    let mut defects = Vec::new();
    let mut forms_checked = 0;
    let mut checked_fund_form = false;
    for role in Role::ALL {
        let b = app.browser(role.as_str()).await;
        for (url, body) in walk(&b).await {
            if !body.contains("<form") {
                continue;
            }
            forms_checked += 1;
            checked_fund_form |= url == "/fund/applications/new";
            for d in form_defects(&body) {
                defects.push(format!("{} {url}: {d}", role.as_str()));
            }
        }
    }
    assert!(
        forms_checked >= 40,
        "the walk found only {forms_checked} pages with forms: it no longer reaches the UI"
    );
    assert!(
        checked_fund_form,
        "the walk never reached /fund/applications/new"
    );
    assert!(defects.is_empty(), "form defects:\n{}", defects.join("\n"));
}

/// What a page that only announces a module says (English and Dutch).
const PLACEHOLDER_WORDS: &[&str] = &[
    "being built",
    "in aanbouw",
    "Planned capabilities",
    "Geplande functies",
];

#[tokio::test]
async fn every_navigation_link_of_every_role_leads_to_a_working_page() {
    let app = demo_app().await;
    let mut problems = Vec::new();
    for role in Role::ALL {
        let b = app.browser(role.as_str()).await;
        let (status, home) = b.get("/").await;
        assert_eq!(status, 200, "{} overview", role.as_str());
        let links = nav_links(&home);
        assert!(
            links.len() >= 3,
            "{}: the navigation has only {links:?}",
            role.as_str()
        );
        // The overview's module cards are navigation too.
        let mut all: BTreeSet<String> = links.into_iter().collect();
        all.extend(page_links(&home).into_iter().filter(|l| !l.contains('?')));
        for lang in ["nl", "en"] {
            let (status, _) = b.get(&format!("/lang/{lang}?next=/")).await;
            assert_eq!(status, 303, "switching to {lang}");
            for link in &all {
                let (status, body) = b.get(link).await;
                if status != 200 {
                    problems.push(format!("{} {link} ({lang}): {status}", role.as_str()));
                } else if PLACEHOLDER_WORDS.iter().any(|p| body.contains(p)) {
                    problems.push(format!(
                        "{} {link} ({lang}): a placeholder page",
                        role.as_str()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
