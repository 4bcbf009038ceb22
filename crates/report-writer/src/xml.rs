//! A small scanner over WordprocessingML that finds paragraphs and their text by byte range,
//! so that a template can be edited in place without re-serialising (and so altering) the rest.

use std::ops::Range;

use quick_xml::Reader;
use quick_xml::events::Event;

/// One outermost `<w:p>` of a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParagraphSpan {
    /// From `<w:p` to the end of `</w:p>`.
    pub range: Range<usize>,
    /// The paragraph's `<w:pPr>…</w:pPr>`, if any.
    pub properties: Option<Range<usize>>,
    /// The `<w:rPr>…</w:rPr>` of the first run that holds text.
    pub first_run_properties: Option<Range<usize>>,
    /// The text of all `<w:t>` elements, unescaped: a placeholder that Word split over several
    /// runs reads whole here.
    pub text: String,
}

/// The outermost paragraphs of `xml`, in document order.
pub(crate) fn paragraphs(xml: &str) -> Result<Vec<ParagraphSpan>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<ParagraphSpan> = None;
    let mut depth = 0usize; // nesting of w:p (text boxes hold paragraphs inside paragraphs)
    let mut in_text = false;
    let mut raw_text = String::new();
    let mut run_props_start: Option<usize> = None;
    let mut run_props: Option<Range<usize>> = None;
    let mut ppr_start: Option<usize> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event()?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "w:p" => {
                    depth += 1;
                    if depth == 1 {
                        current = Some(ParagraphSpan {
                            range: before..before,
                            properties: None,
                            first_run_properties: None,
                            text: String::new(),
                        });
                    }
                }
                "w:pPr" if depth == 1 => ppr_start = Some(before),
                "w:rPr" if depth == 1 && ppr_start.is_none() => run_props_start = Some(before),
                "w:r" if depth == 1 => run_props = None,
                "w:t" if depth >= 1 => in_text = true,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "w:p" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0
                        && let Some(mut p) = current.take()
                    {
                        p.range.end = after;
                        out.push(p);
                    }
                }
                "w:pPr" if depth == 1 => {
                    if let (Some(start), Some(p)) = (ppr_start.take(), current.as_mut()) {
                        p.properties = Some(start..after);
                    }
                }
                "w:rPr" if depth == 1 => {
                    if let Some(start) = run_props_start.take() {
                        run_props = Some(start..after);
                    }
                }
                "w:t" => {
                    in_text = false;
                    if let Some(p) = current.as_mut() {
                        let text = quick_xml::escape::unescape(&raw_text)
                            .map_or_else(|_| raw_text.clone(), |t| t.into_owned());
                        if !text.is_empty() && p.first_run_properties.is_none() {
                            p.first_run_properties = run_props.clone();
                        }
                        p.text.push_str(&text);
                    }
                    raw_text.clear();
                }
                _ => {}
            },
            Event::Text(_) | Event::GeneralRef(_) if in_text => {
                raw_text.push_str(xml.get(before..after).unwrap_or_default());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_split_text_and_ranges() {
        let xml = r#"<w:body><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>{{正</w:t></w:r><w:proofErr/><w:r><w:t>文}} &amp; 1</w:t></w:r></w:p><w:p/><w:p><w:r><w:t xml:space="preserve">x</w:t></w:r></w:p></w:body>"#;
        let ps = paragraphs(xml).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].text, "{{正文}} & 1");
        assert!(xml[ps[0].range.clone()].starts_with("<w:p>") && xml[ps[0].range.clone()].ends_with("</w:p>"));
        assert_eq!(&xml[ps[0].properties.clone().unwrap()], r#"<w:pPr><w:jc w:val="center"/></w:pPr>"#);
        assert_eq!(&xml[ps[0].first_run_properties.clone().unwrap()], "<w:rPr><w:b/></w:rPr>");
        assert_eq!(ps[1].text, "x");
        assert_eq!(ps[1].first_run_properties, None);
    }
}
