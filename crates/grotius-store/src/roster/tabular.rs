//! Tables in and out of the roster: CSV and XLSX as rows of text cells.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::{Result, StoreError};

/// A spreadsheet format for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn parse(s: &str) -> Result<TableFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(TableFormat::Csv),
            "xlsx" => Ok(TableFormat::Xlsx),
            other => Err(StoreError::invalid(
                "format",
                format!("'{other}' is not a supported format; use csv or xlsx"),
            )),
        }
    }

    /// The format of a file by its name, or by its content (XLSX files are ZIP archives).
    pub fn detect(file_name: Option<&str>, bytes: &[u8]) -> TableFormat {
        let by_name = file_name.map(|n| n.to_ascii_lowercase());
        match by_name.as_deref() {
            Some(n) if n.ends_with(".xlsx") => TableFormat::Xlsx,
            Some(n) if n.ends_with(".csv") => TableFormat::Csv,
            _ if bytes.starts_with(b"PK\x03\x04") => TableFormat::Xlsx,
            _ => TableFormat::Csv,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv => "text/csv; charset=utf-8",
            TableFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }
}

/// Reads the first sheet (XLSX) or the file (CSV) as rows of trimmed text cells. Dates in XLSX
/// cells become `YYYY-MM-DD`.
pub fn read_table(bytes: &[u8], format: TableFormat) -> Result<Vec<Vec<String>>> {
    match format {
        TableFormat::Csv => {
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            // Excel in Dutch locales writes ';'-separated CSV; ';' also separates the values
            // inside a cell here, so only ',' (the standard) is accepted as the field separator.
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text);
            let mut rows = Vec::new();
            for (i, rec) in r.records().enumerate() {
                let rec = rec.map_err(|e| {
                    StoreError::invalid(
                        "file",
                        format!(
                            "row {}: not readable as CSV (UTF-8, comma-separated): {e}",
                            i + 1
                        ),
                    )
                })?;
                rows.push(rec.iter().map(|c| c.trim().to_string()).collect());
            }
            Ok(rows)
        }
        TableFormat::Xlsx => {
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
                StoreError::invalid("file", format!("not readable as an XLSX workbook: {e}"))
            })?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| StoreError::invalid("file", "the workbook has no sheet"))?
                .map_err(|e| {
                    StoreError::invalid("file", format!("the first sheet is not readable: {e}"))
                })?;
            // Rows as they are numbered in the sheet, from row 1, so that reports match.
            let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
            let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
            let mut rows: Vec<Vec<String>> = vec![Vec::new(); start_row];
            for row in range.rows() {
                let mut cells = vec![String::new(); start_col];
                cells.extend(row.iter().map(cell_text));
                rows.push(cells);
            }
            Ok(rows)
        }
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::DateTime(dt) if dt.is_datetime() => {
            // Excel serial day 25569 is 1970-01-01.
            let days = dt.as_f64().floor() as i64 - 25_569;
            grotius_domain::roster::civil_from_days(days)
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string().trim().to_string(),
    }
}

/// Writes rows (the first is the header) as CSV or as an XLSX workbook of one sheet.
pub fn write_table(rows: &[Vec<String>], format: TableFormat, sheet: &str) -> Result<Vec<u8>> {
    match format {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for r in rows {
                w.write_record(r)
                    .map_err(|e| StoreError::Integrity(format!("CSV export: {e}")))?;
            }
            w.into_inner()
                .map_err(|e| StoreError::Integrity(format!("CSV export: {e}")))
        }
        TableFormat::Xlsx => {
            let xerr =
                |e: rust_xlsxwriter::XlsxError| StoreError::Integrity(format!("XLSX export: {e}"));
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet).map_err(xerr)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    if r == 0 {
                        ws.write_string_with_format(r, c, cell, &bold)
                            .map_err(xerr)?;
                    } else {
                        ws.write_string(r, c, cell).map_err(xerr)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            wb.save_to_buffer().map_err(xerr)
        }
    }
}

/// Splits a multi-valued cell on `;`.
pub fn split_cell(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}
