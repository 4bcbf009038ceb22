//! The workbook as plain grids of cells, and single cells as text, dates and counts.

use calamine::{Data, Reader, Xlsx};
use rectify_domain::PartialDate;

use super::import::ImportError;
use crate::dates::{self, DateError, Deadline, YearContext};
use crate::labels;

/// One worksheet as a plain grid, with merged regions already carried down where that is safe.
pub(crate) struct Grid {
    pub(crate) name: String,
    pub(crate) cells: Vec<Vec<Data>>,
}

pub(super) static EMPTY: Data = Data::Empty;

impl Grid {
    pub(super) fn get(&self, row: usize, col: usize) -> &Data {
        self.cells.get(row).and_then(|r| r.get(col)).unwrap_or(&EMPTY)
    }

    pub(crate) fn text(&self, row: usize, col: usize) -> Option<String> {
        cell_text(self.get(row, col))
    }

    pub(crate) fn row_is_empty(&self, row: usize) -> bool {
        self.cells.get(row).is_none_or(|r| r.iter().all(|d| cell_text(d).is_none()))
    }

    pub(crate) fn width(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// A cell as text: trimmed, `None` when blank; whole numbers without ".0"; dates as YYYY-MM-DD.
pub(crate) fn cell_text(d: &Data) -> Option<String> {
    let s = match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => (if *b { labels::YES } else { labels::NO }).to_string(),
        Data::DateTime(dt) => dates::serial_to_date(dt.as_f64())?.to_string(),
        Data::Error(_) | Data::Empty => return None,
    };
    (!s.is_empty()).then_some(s)
}

pub(super) fn cell_date(d: &Data, ctx: YearContext) -> Result<Option<PartialDate>, DateError> {
    match d {
        Data::DateTime(dt) => {
            dates::serial_to_date(dt.as_f64()).map(|d| Some(PartialDate::Day(d))).ok_or(DateError::Unreadable)
        }
        Data::Float(f) => dates::parse_number(*f, ctx).map(Some),
        Data::Int(i) => dates::parse_number(*i as f64, ctx).map(Some),
        Data::DateTimeIso(s) => dates::parse_text(s.get(..10).unwrap_or(s), ctx).map(Some),
        other => match cell_text(other) {
            Some(t) => dates::parse_text(&t, ctx).map(Some),
            None => Ok(None),
        },
    }
}

pub(super) fn cell_deadline(d: &Data, ctx: YearContext) -> Result<Option<Deadline>, DateError> {
    match d {
        Data::String(s) if !s.trim().is_empty() => dates::parse_deadline_text(s, ctx).map(Some),
        other => cell_date(other, ctx).map(|o| o.map(Deadline::Date)),
    }
}

pub(super) fn cell_u32(d: &Data) -> Option<u32> {
    match d {
        Data::Float(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f) => Some(*f as u32),
        Data::Int(i) => u32::try_from(*i).ok(),
        other => cell_text(other)?.trim_end_matches(['人', '次', '个', '项', '条']).parse().ok(),
    }
}

/// Ledgers are small; these bounds keep a damaged or hostile file from exhausting memory
/// (a single cell at XFD1048576 would otherwise make a 17-billion-cell grid).
pub(super) const MAX_ROWS: u32 = 100_000;
pub(super) const MAX_COLUMNS: u32 = 256;
pub(super) const MAX_CELLS: usize = 2_000_000;

pub(crate) fn load(bytes: &[u8]) -> Result<Vec<(Grid, Vec<calamine::Dimensions>)>, ImportError> {
    // calamine can panic on malformed cell references (an arithmetic overflow found by fuzzing);
    // a damaged file must come back as an error, never bring the process down.
    std::panic::catch_unwind(|| load_sheets(bytes)).unwrap_or_else(|_| {
        Err(ImportError::NotAWorkbook("the workbook is damaged (unreadable cell references)".to_string()))
    })
}

pub(super) fn load_sheets(bytes: &[u8]) -> Result<Vec<(Grid, Vec<calamine::Dimensions>)>, ImportError> {
    let damaged = |e: calamine::XlsxError| ImportError::NotAWorkbook(e.to_string());
    let mut xlsx: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    let mut out = Vec::new();
    let mut cells_seen = 0usize;
    for name in xlsx.sheet_names() {
        let merges = xlsx.merge_cells_by_sheet_name(&name).unwrap_or_default();
        // Stream the cells into a sparse list first: calamine's dense ranges would allocate for
        // the sheet's whole declared extent.
        let mut sparse: Vec<(u32, u32, Data)> = Vec::new();
        let mut reader = xlsx.worksheet_cells_reader(&name).map_err(damaged)?;
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            let (r, c) = cell.get_position();
            if r >= MAX_ROWS || c >= MAX_COLUMNS {
                return Err(ImportError::NotAWorkbook(format!(
                    "sheet {name} reaches row {} column {}, beyond what a ledger can have ({MAX_ROWS} rows, {MAX_COLUMNS} columns)",
                    r + 1,
                    c + 1
                )));
            }
            let value = Data::from(cell.get_value().clone());
            if value != Data::Empty {
                sparse.push((r, c, value));
                cells_seen += 1;
                if cells_seen > MAX_CELLS {
                    return Err(ImportError::NotAWorkbook(format!(
                        "more than {MAX_CELLS} cells: too large for a ledger"
                    )));
                }
            }
        }
        drop(reader);
        let rows = sparse.iter().map(|(r, _, _)| *r as usize + 1).max().unwrap_or(0);
        let cols = sparse.iter().map(|(_, c, _)| *c as usize + 1).max().unwrap_or(0);
        if rows.saturating_mul(cols) > MAX_CELLS {
            return Err(ImportError::NotAWorkbook(format!(
                "sheet {name} spans {rows}×{cols} cells: too large for a ledger"
            )));
        }
        let mut cells = vec![vec![Data::Empty; cols]; rows];
        for (r, c, v) in sparse {
            cells[r as usize][c as usize] = v;
        }
        out.push((Grid { name, cells }, merges));
    }
    Ok(out)
}
