//! The multipart progress form, shared by the API and the page.

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::service::EVIDENCE_LIMIT_BYTES;
use crate::service::workflow::ProgressInput;

/// Reads the multipart fields of a progress form (API or page), keeping at most the evidence
/// limit of a file.
pub(crate) async fn read_progress_form(mut multipart: Multipart) -> Result<ProgressInput, AppError> {
    let too_large = || format!("the file is larger than {} MB", EVIDENCE_LIMIT_BYTES / (1024 * 1024));
    let mut input = ProgressInput::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::Invalid(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or("evidence").to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge(too_large())
                } else {
                    AppError::Invalid(e.body_text())
                }
            })?;
            if !bytes.is_empty() {
                input.file = Some((filename, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(|e| AppError::Invalid(e.body_text()))?;
        if text.contains('\0') {
            return Err(AppError::Invalid(format!("the field {name} contains a NUL character")));
        }
        match name.as_str() {
            "version" => input.version = text.trim().parse().ok(),
            "date" => input.date = Some(text).filter(|t| !t.trim().is_empty()),
            "text" => input.text = text,
            "title" => input.title = Some(text).filter(|t| !t.trim().is_empty()),
            "kind" => input.kind = Some(text).filter(|t| !t.trim().is_empty()),
            _ => {}
        }
    }
    Ok(input)
}
