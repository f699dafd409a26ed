//! Reading dates as other systems write them: ISO (`1956-04-09`, `1956-04`, `1956`), compact
//! (`19560409`), day first with any of `/`, `-`, `.` (`09/04/1956`, `9-4-1956`, `09.04.1956`), year
//! first with `/` (`1956/04/09`), or a column's own `format` (chrono's `strftime` syntax, such as
//! `%m/%d/%Y` for month-first dates).

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, NaiveDate};
use orca_model::PartialDate;

/// Checks a column's `format` before any row is read.
pub fn check_format(format: &str) -> Result<(), String> {
    if format.trim().is_empty() {
        return Err("a date format cannot be empty".to_owned());
    }
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!("`{format}` is not a date format (use chrono's strftime syntax, such as `%d/%m/%Y`)"));
    }
    let has = |spec: &str| format.contains(spec);
    if !(has("%Y") || has("%y") || has("%F") || has("%D")) {
        return Err(format!("date format `{format}` has no year (`%Y` or `%y`)"));
    }
    Ok(())
}

/// A date in one of the common forms, or in `format` when the column gives one.
pub fn parse(text: &str, format: Option<&str>) -> Result<PartialDate, String> {
    let text = text.trim();
    if let Some(format) = format {
        return NaiveDate::parse_from_str(text, format)
            .map(|date| PartialDate {
                year: date.year() as u16,
                month: Some(date.month() as u8),
                day: Some(date.day() as u8),
            })
            .map_err(|error| format!("`{text}` does not fit the column's format `{format}`: {error}"));
    }
    let iso = text.len() >= 4
        && text.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && text.as_bytes().get(4).is_none_or(|&b| b == b'-');
    if iso {
        return PartialDate::parse(text);
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return PartialDate::parse(&format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]));
    }
    for separator in ['/', '.', '-'] {
        let parts: Vec<&str> = text.split(separator).collect();
        if let [first, second, third] = parts.as_slice()
            && first.len() <= 2
            && third.len() == 4
        {
            // Day first, as the UK writes dates.
            return PartialDate::parse(&format!("{third}-{second:0>2}-{first:0>2}"));
        }
        if separator == '/'
            && let [year, month, day] = parts.as_slice()
            && year.len() == 4
        {
            return PartialDate::parse(&format!("{year}-{month:0>2}-{day:0>2}"));
        }
    }
    PartialDate::parse(text).map_err(|_| {
        format!("`{text}` is not a date (YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YYYY-MM or YYYY; or give the column a `format`)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> String {
        parse(text, None).map(|d| d.to_string()).unwrap_or_else(|e| e)
    }

    #[test]
    fn common_forms_are_read() {
        for (text, date) in [
            ("1956-04-09", "1956-04-09"),
            ("19560409", "1956-04-09"),
            ("09/04/1956", "1956-04-09"),
            ("9/4/1956", "1956-04-09"),
            ("09-04-1956", "1956-04-09"),
            ("09.04.1956", "1956-04-09"),
            ("1956/04/09", "1956-04-09"),
            ("1956-04", "1956-04"),
            (" 1956 ", "1956"),
        ] {
            assert_eq!(read(text), date, "{text}");
        }
    }

    #[test]
    fn impossible_dates_say_why() {
        assert!(read("1945-04-93").contains("not a real date"), "{}", read("1945-04-93"));
        assert!(read("19451332").contains("month 13"), "{}", read("19451332"));
        assert!(read("31/02/1990").contains("not a real date"));
        assert!(read("last tuesday").contains("give the column a `format`"));
    }

    #[test]
    fn a_column_format_reads_month_first_dates() {
        assert_eq!(parse("04/09/1956", Some("%m/%d/%Y")).unwrap().to_string(), "1956-04-09");
        let error = parse("13/09/1956", Some("%m/%d/%Y")).unwrap_err();
        assert!(error.contains("does not fit the column's format `%m/%d/%Y`"), "{error}");
        assert!(check_format("%m/%d/%Y").is_ok());
        assert!(check_format("%d/%m").unwrap_err().contains("no year"));
        assert!(check_format("%Q").unwrap_err().contains("not a date format"));
    }
}
