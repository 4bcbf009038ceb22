//! Property test: random cell contents in a well-formed ledger layout never make the reader
//! panic or refuse the file, and never lose a row silently — every data row is either read
//! (its measure is in the ledger) or named in a warning.

use proptest::prelude::*;
use rectify_workbook::{ImportOptions, read_ledger_xlsx};
use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, Clone)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
}

fn cell() -> impl Strategy<Value = Cell> {
    let words = prop::sample::select(vec![
        "是",
        "否",
        "√",
        "×",
        "✓",
        "✗",
        "已完成",
        "未完成",
        "正在推进",
        "持续整改",
        "阶段性完成",
        "长期坚持",
        "100%",
        "80%",
        "2024.3.5",
        "2024-3-5",
        "2024/3/5",
        "2024年3月5日",
        "2024年3月",
        "2024年3月底",
        "3月底前",
        "长期",
        "立行立改",
        "2024年2月30日",
        "13月",
        "明年",
        "序号",
        "问题",
        "整改措施",
        "一、政治建设方面",
        "注：本表每月更新",
        "合计",
        "办公室、人事科",
        "张某",
        "",
    ]);
    prop_oneof![
        2 => Just(Cell::Blank),
        4 => words.prop_map(|w| Cell::Text(w.to_string())),
        2 => "\\PC{0,24}".prop_map(Cell::Text),
        1 => any::<f64>().prop_map(Cell::Number),
        1 => (0.0f64..3_000_000.0).prop_map(Cell::Number),
    ]
}

/// One data row: 序号, whether the problem cell is filled, and the other six cells.
fn data_row() -> impl Strategy<Value = (Cell, bool, Vec<Cell>)> {
    (cell(), any::<bool>(), prop::collection::vec(cell(), 5))
}

const HEADER: [&str; 8] = ["序号", "问题", "整改措施", "责任领导", "责任部门", "完成时限", "是否完成", "整改进展"];

fn put(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, cell: &Cell) {
    match cell {
        Cell::Blank => {}
        Cell::Text(t) => {
            ws.write_string(r, c, t).expect("written");
        }
        Cell::Number(n) if n.is_finite() => {
            ws.write_number(r, c, *n).expect("written");
        }
        Cell::Number(_) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_cells_never_panic_and_never_lose_a_row(rows in prop::collection::vec(data_row(), 1..14), title in any::<bool>(), merge in any::<bool>()) {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let top = u32::from(title);
        if title {
            ws.merge_range(0, 0, 0, 7, "某单位巡察整改台账", &Format::new()).expect("title");
        }
        for (c, h) in HEADER.iter().enumerate() {
            ws.write_string(top, c as u16, *h).expect("header");
        }
        let first = top + 1;
        for (i, (seq, has_problem, rest)) in rows.iter().enumerate() {
            let r = first + i as u32;
            put(ws, r, 0, seq);
            if *has_problem {
                ws.write_string(r, 1, format!("问题{i}")).expect("problem");
            }
            ws.write_string(r, 2, format!("措施{i}号")).expect("measure");
            for (k, c) in rest.iter().enumerate() {
                put(ws, r, 3 + k as u16, c);
            }
        }
        // The first problem's cells merged down over the next row, as units merge them.
        if merge && rows.len() >= 2 && rows[0].1 && !rows[1].1 {
            ws.merge_range(first, 1, first + 1, 1, "问题0", &Format::new()).expect("merged");
        }
        let bytes = wb.save_to_buffer().expect("saved");
        for opts in [ImportOptions::default(), ImportOptions { skip_bad_rows: true }] {
            let imported = read_ledger_xlsx(&bytes, &opts).expect("a unit's ledger is never refused");
            let measures: Vec<String> =
                imported.ledger.problems().flat_map(|p| p.measures.iter().map(|m| m.text.to_string())).collect();
            for i in 0..rows.len() {
                let excel_row = first + i as u32 + 1;
                let read = measures.iter().any(|m| *m == format!("措施{i}号"));
                let warned = imported.warnings.iter().any(|w| w.row == excel_row);
                prop_assert!(read || warned, "row {} neither read nor warned: {:?}", excel_row, imported.warnings);
            }
        }
    }
}
