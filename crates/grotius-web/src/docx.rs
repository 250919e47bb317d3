//! A small DOCX writer for the comparison of peace agreements: a DOCX is a zip of a few XML
//! files (content types, the package relationship and the document), written here by hand.

use std::io::Write;

use grotius_domain::agreement::{self, Agreement, TOPICS};
use zip::write::SimpleFileOptions;

use crate::i18n::{Lang, t};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

pub const CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Escapes text for XML and drops the control characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs of text; line breaks become `<w:br/>`.
fn runs(text: &str, bold: bool, size_half_points: u32) -> String {
    let props = format!(
        "<w:rPr>{}<w:sz w:val=\"{size_half_points}\"/></w:rPr>",
        if bold { "<w:b/>" } else { "" }
    );
    let mut out = String::new();
    for (i, line) in text.replace("\r\n", "\n").split('\n').enumerate() {
        if i > 0 {
            out.push_str(&format!("<w:r>{props}<w:br/></w:r>"));
        }
        out.push_str(&format!(
            "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(line)
        ));
    }
    out
}

fn para(text: &str, bold: bool, size: u32) -> String {
    format!("<w:p>{}</w:p>", runs(text, bold, size))
}

fn cell(text: &str, bold: bool, shade: bool) -> String {
    let shading = if shade {
        "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"E8EEF6\"/>"
    } else {
        ""
    };
    format!(
        "<w:tc><w:tcPr>{shading}</w:tcPr><w:p>{}</w:p></w:tc>",
        runs(text, bold, 18)
    )
}

/// The facts of the header rows: name, date, country, stage, type.
fn fact(l: Lang, i: usize, a: &Agreement) -> String {
    let d = &a.data;
    match i {
        0 => format!("{} (AgtId {})", d.name, d.pax_id),
        1 => d.date.clone(),
        2 => d.country_text.clone(),
        3 => crate::ui::term_label(l, agreement::STAGES, &d.stage),
        _ => crate::ui::term_label(l, agreement::AGREEMENT_TYPES, &d.agreement_type),
    }
}

/// The comparison as a DOCX: title, citation, one column per agreement, one row per provision
/// coded in at least one of them, grouped by topic.
pub fn comparison(l: Lang, agreements: &[Agreement]) -> Result<Vec<u8>, zip::result::ZipError> {
    let data: Vec<&agreement::AgreementData> = agreements.iter().map(|a| &a.data).collect();
    let rows = agreement::comparison_rows(&data);
    let mut body = String::new();
    body.push_str(&para(t(l, "agr.compare.title"), true, 32));
    body.push_str(&para(
        &format!("{} {}", t(l, "agr.source"), agreement::CITATION),
        false,
        18,
    ));
    body.push_str(&para(t(l, "agr.values.help"), false, 18));
    let borders = "<w:tblBorders><w:top w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:left w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:bottom w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:right w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:insideH w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:color=\"808080\"/></w:tblBorders>";
    // Landscape A4 less margins: 14838 twips; the first column is wider.
    let first = 3600usize;
    let other = (14_838 - first) / agreements.len().max(1);
    let grid: String = std::iter::once(first)
        .chain(std::iter::repeat_n(other, agreements.len()))
        .map(|w| format!("<w:gridCol w:w=\"{w}\"/>"))
        .collect();
    body.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/>{borders}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    ));
    // Header rows: names, then facts.
    for (i, label) in [
        t(l, "agr.col.name"),
        t(l, "agr.col.date"),
        t(l, "agr.col.country"),
        t(l, "agr.col.stage"),
        t(l, "agr.col.type"),
    ]
    .into_iter()
    .enumerate()
    {
        body.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        body.push_str(&cell(label, true, true));
        for a in agreements {
            body.push_str(&cell(&fact(l, i, a), true, true));
        }
        body.push_str("</w:tr>");
    }
    let mut topic = "";
    for (p, values) in &rows {
        if p.topic != topic {
            topic = p.topic;
            body.push_str(&format!(
                "<w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"{}\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/></w:tcPr><w:p>{}</w:p></w:tc></w:tr>",
                agreements.len() + 1,
                runs(&crate::ui::term_label(l, TOPICS, topic), true, 20)
            ));
        }
        body.push_str("<w:tr>");
        body.push_str(&cell(&format!("{} ({})", p.label, p.code), false, false));
        for v in values {
            body.push_str(&cell(
                &if *v > 0 { v.to_string() } else { "—".into() },
                *v > 0,
                false,
            ));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    if rows.is_empty() {
        body.push_str(&para(t(l, "agr.compare.none"), false, 20));
    }
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/><w:pgMar w:top=\"1000\" w:right=\"1000\" w:bottom=\"1000\" w:left=\"1000\" w:header=\"500\" w:footer=\"500\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/document.xml", doc.as_str()),
        ] {
            zip.start_file(name, opts)?;
            zip.write_all(content.as_bytes())?;
        }
        zip.finish()?;
    }
    Ok(buf.into_inner())
}
