//! The multipart progress form, shared by the API and the page.

use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::AppError;
use crate::service::EVIDENCE_LIMIT_BYTES;
use crate::service::workflow::ProgressInput;

/// Reads the multipart fields of a progress form (API or page), keeping at most the evidence
/// limit of a file.
pub(crate) async fn read_progress_form(multipart: Multipart) -> Result<ProgressInput, AppError> {
    match read_progress_form_kept(multipart).await {
        (input, None) => Ok(input),
        (_, Some(e)) => Err(e),
    }
}

/// Reads what it can of a progress form: the fields read before a refused file (too large, an
/// interrupted upload) stay, so that a page can show them back instead of losing the text.
pub(super) async fn read_progress_form_kept(mut multipart: Multipart) -> (ProgressInput, Option<AppError>) {
    let too_large = || format!("the file is larger than {} MB", EVIDENCE_LIMIT_BYTES / (1024 * 1024));
    let mut input = ProgressInput::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return (input, None),
            Err(e) => return (input, Some(AppError::Invalid(e.body_text()))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let filename = field.file_name().unwrap_or("evidence").to_owned();
            match field.bytes().await {
                Ok(bytes) if !bytes.is_empty() => input.file = Some((filename, bytes.to_vec())),
                Ok(_) => {}
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return (input, Some(AppError::TooLarge(too_large())));
                }
                Err(e) => return (input, Some(AppError::Invalid(e.body_text()))),
            }
            continue;
        }
        let text = match field.text().await {
            Ok(text) => text,
            Err(e) => return (input, Some(AppError::Invalid(e.body_text()))),
        };
        if text.contains('\0') {
            return (input, Some(AppError::Invalid(format!("the field {name} contains a NUL character"))));
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
}
