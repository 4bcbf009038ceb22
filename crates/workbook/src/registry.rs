//! The registries of 双随机 spot checks from Excel: supervised objects (监管对象, e.g. a
//! civil-defence works list: 工程名称, 坐落位置, 使用单位, 建筑面积, 使用状态, 工程类别) and
//! inspectors (执法检查人员名录: 姓名, 所在科室, 执法证号, 在岗状态).
//!
//! Headers are matched by meaning as for ledgers (whitespace, punctuation and notes in
//! parentheses do not matter; synonyms, then the words a header contains). The first sheet with a
//! name column is read. Every row is checked by the domain's rules; a workbook with any bad row is
//! refused whole, each bad row named with its Excel row number and the reason in Chinese.

use rectify_domain::spot_check::{InspectorFields, InspectorInput, ObjectFields, ObjectInput};

use crate::columns::normalise;
use crate::read::grid::{Grid, load};
use crate::read::{ImportError, RowError};

/// Most rows a registry workbook may hold.
pub const MAX_REGISTRY_ROWS: usize = 20_000;

/// Why a registry workbook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("not an Excel workbook (.xlsx): {0}")]
    NotAWorkbook(String),
    /// No sheet has a header row with the name column; the Chinese names the column looked for.
    #[error("no sheet has a {0} column")]
    NoHeader(&'static str),
    #[error("the table has no data rows")]
    Empty,
    #[error("more than {MAX_REGISTRY_ROWS} rows")]
    TooLarge,
    /// Bad rows (1-based Excel row numbers); nothing is imported.
    #[error("{} bad row(s), nothing imported", .0.len())]
    BadRows(Vec<RowError>),
}

impl RegistryError {
    /// The reason in Chinese, one line per bad row (the first 20).
    pub fn message_zh(&self) -> String {
        match self {
            RegistryError::NotAWorkbook(_) => "文件不是有效的Excel工作簿（.xlsx）".to_owned(),
            RegistryError::NoHeader(column) => format!("未找到表头：表格须有“{column}”列"),
            RegistryError::Empty => "表格中没有数据行".to_owned(),
            RegistryError::TooLarge => format!("表格超过{MAX_REGISTRY_ROWS}行，请分批导入"),
            RegistryError::BadRows(rows) => {
                let mut lines: Vec<String> =
                    rows.iter().take(20).map(|r| format!("第{}行：{}", r.row, r.message)).collect();
                if rows.len() > 20 {
                    lines.push(format!("……共{}行有误", rows.len()));
                }
                format!("有{}行数据有误，未导入任何数据。{}", rows.len(), lines.join("；"))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Address,
    Owner,
    Area,
    Status,
    Category,
    Department,
    Certificate,
    Active,
}

const OBJECT_SYNONYMS: &[(Field, &[&str])] = &[
    (Field::Name, &["名称", "工程名称", "对象名称", "监管对象", "监管对象名称", "项目名称", "人防工程名称", "工程"]),
    (Field::Address, &["地址", "坐落位置", "工程地址", "位置", "详细地址", "所在位置", "坐落地址", "工程位置"]),
    (
        Field::Owner,
        &[
            "产权单位",
            "使用单位",
            "管理单位",
            "建设单位",
            "权属单位",
            "产权使用单位",
            "维护管理单位",
            "责任单位",
            "业主单位",
        ],
    ),
    (Field::Area, &["面积", "建筑面积", "防护面积", "人防面积", "面积平方米", "建筑面积平方米", "总面积"]),
    (Field::Status, &["状态", "使用状态", "工程状态", "使用情况", "现状"]),
    (Field::Category, &["类别", "类型", "工程类别", "工程类型", "分类", "对象类别"]),
];

const INSPECTOR_SYNONYMS: &[(Field, &[&str])] = &[
    (Field::Name, &["姓名", "检查人员", "执法人员", "人员姓名", "名字", "检查人员姓名", "执法人员姓名"]),
    (
        Field::Department,
        &["单位", "部门", "科室", "所在单位", "所在部门", "所在科室", "工作单位", "单位科室", "单位部门", "处室"],
    ),
    (Field::Certificate, &["执法证号", "证件号", "执法证编号", "证号", "行政执法证号", "执法证件号", "证件编号"]),
    (Field::Active, &["在岗", "是否在岗", "在岗状态", "状态", "人员状态"]),
];

/// Words a header may contain, when no synonym matches, in the order they are tried.
const OBJECT_WORDS: &[(&str, Field)] = &[
    ("面积", Field::Area),
    ("地址", Field::Address),
    ("位置", Field::Address),
    ("单位", Field::Owner),
    ("状态", Field::Status),
    ("类", Field::Category),
    ("名称", Field::Name),
];
const INSPECTOR_WORDS: &[(&str, Field)] = &[
    ("证", Field::Certificate),
    ("在岗", Field::Active),
    ("单位", Field::Department),
    ("科室", Field::Department),
    ("部门", Field::Department),
    ("姓名", Field::Name),
];

/// The header with notes in parentheses removed, letters and digits only.
fn header_key(text: &str) -> String {
    let mut main = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => main.push(c),
            _ => {}
        }
    }
    normalise(&main)
}

fn classify(header: &str, synonyms: &[(Field, &[&str])], words: &[(&str, Field)]) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() || key == "序号" {
        return None;
    }
    synonyms
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(f, _)| *f)
        .or_else(|| words.iter().find(|(w, _)| key.contains(w)).map(|(_, f)| *f))
}

/// A sheet's header row and the column of each field (the first column naming a field wins).
struct Layout<'g> {
    grid: &'g Grid,
    header_row: usize,
    columns: Vec<(Field, usize)>,
}

impl Layout<'_> {
    fn cell(&self, row: usize, field: Field) -> Option<String> {
        self.columns.iter().find(|(f, _)| *f == field).and_then(|(_, col)| self.grid.text(row, *col))
    }
}

fn find_layout<'g>(grids: &'g [Grid], synonyms: &[(Field, &[&str])], words: &[(&str, Field)]) -> Option<Layout<'g>> {
    for grid in grids {
        for row in 0..grid.cells.len().min(10) {
            let mut columns: Vec<(Field, usize)> = Vec::new();
            for col in 0..grid.width() {
                if let Some(field) = grid.text(row, col).and_then(|h| classify(&h, synonyms, words))
                    && !columns.iter().any(|(f, _)| *f == field)
                {
                    columns.push((field, col));
                }
            }
            if columns.iter().any(|(f, _)| *f == Field::Name) && columns.len() >= 2 {
                return Some(Layout { grid, header_row: row, columns });
            }
        }
    }
    None
}

fn grids(bytes: &[u8]) -> Result<Vec<Grid>, RegistryError> {
    load(bytes).map(|sheets| sheets.into_iter().map(|(grid, _)| grid).collect()).map_err(|e| match e {
        ImportError::NotAWorkbook(m) => RegistryError::NotAWorkbook(m),
        other => RegistryError::NotAWorkbook(other.to_string()),
    })
}

/// Reads each data row under the header with `read`, all rows or none.
fn read_rows<T>(
    layout: &Layout<'_>,
    mut read: impl FnMut(&Layout<'_>, usize) -> Result<T, Vec<String>>,
) -> Result<Vec<T>, RegistryError> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for row in layout.header_row + 1..layout.grid.cells.len() {
        if layout.grid.row_is_empty(row) {
            continue;
        }
        if out.len() + bad.len() >= MAX_REGISTRY_ROWS {
            return Err(RegistryError::TooLarge);
        }
        match read(layout, row) {
            Ok(value) => out.push(value),
            Err(messages) => bad.push(RowError {
                sheet: layout.grid.name.clone(),
                row: u32::try_from(row + 1).unwrap_or(u32::MAX),
                column: None,
                message: messages.join("；"),
            }),
        }
    }
    if !bad.is_empty() {
        return Err(RegistryError::BadRows(bad));
    }
    if out.is_empty() {
        return Err(RegistryError::Empty);
    }
    Ok(out)
}

/// Reads a registry of supervised objects.
pub fn read_objects_xlsx(bytes: &[u8]) -> Result<Vec<ObjectFields>, RegistryError> {
    let grids = grids(bytes)?;
    let layout = find_layout(&grids, OBJECT_SYNONYMS, OBJECT_WORDS).ok_or(RegistryError::NoHeader("名称"))?;
    read_rows(&layout, |l, row| {
        ObjectInput {
            name: l.cell(row, Field::Name).unwrap_or_default(),
            address: l.cell(row, Field::Address),
            owner: l.cell(row, Field::Owner),
            area: l.cell(row, Field::Area),
            status: l.cell(row, Field::Status),
            category: l.cell(row, Field::Category),
        }
        .check()
        .map_err(|errors| errors.into_iter().map(|e| e.0).collect())
    })
}

/// Whether a cell of the 在岗 column says the inspector is active.
fn active(text: Option<String>) -> Result<bool, String> {
    let Some(t) = text else { return Ok(true) };
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if ["在岗", "是", "有效", "正常", "在职", "启用", "Y", "y", "1", "√"].contains(&t.as_str()) {
        Ok(true)
    } else if ["离岗", "否", "无效", "停用", "调离", "退休", "离职", "N", "n", "0", "×"].contains(&t.as_str())
    {
        Ok(false)
    } else {
        Err(format!("在岗状态“{t}”无法识别（可填：在岗、离岗）"))
    }
}

/// Reads a registry of inspectors.
pub fn read_inspectors_xlsx(bytes: &[u8]) -> Result<Vec<InspectorFields>, RegistryError> {
    let grids = grids(bytes)?;
    let layout = find_layout(&grids, INSPECTOR_SYNONYMS, INSPECTOR_WORDS).ok_or(RegistryError::NoHeader("姓名"))?;
    read_rows(&layout, |l, row| {
        let mut errors = Vec::new();
        let active = active(l.cell(row, Field::Active)).map_err(|e| errors.push(e)).ok();
        let fields = InspectorInput {
            name: l.cell(row, Field::Name).unwrap_or_default(),
            department: l.cell(row, Field::Department),
            certificate: l.cell(row, Field::Certificate),
            active,
        }
        .check()
        .map_err(|e| errors.extend(e.into_iter().map(|e| e.0)))
        .ok();
        match fields {
            Some(f) if errors.is_empty() => Ok(f),
            _ => Err(errors),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_by_meaning() {
        let c = |h| classify(h, OBJECT_SYNONYMS, OBJECT_WORDS);
        assert_eq!(c("工程名称"), Some(Field::Name));
        assert_eq!(c("建筑面积（㎡）"), Some(Field::Area));
        assert_eq!(c("产权/使用单位"), Some(Field::Owner));
        assert_eq!(c("坐落 位置"), Some(Field::Address));
        assert_eq!(c("工程类别"), Some(Field::Category));
        assert_eq!(c("序号"), None);
        let i = |h| classify(h, INSPECTOR_SYNONYMS, INSPECTOR_WORDS);
        assert_eq!(i("执法证号"), Some(Field::Certificate));
        assert_eq!(i("所在科室"), Some(Field::Department));
        assert_eq!(i("是否在岗"), Some(Field::Active));
        assert_eq!(active(Some("调离".into())), Ok(false));
        assert!(active(Some("不详".into())).is_err());
    }
}
