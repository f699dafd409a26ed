//! The stores file retailers register their stores with: CSV with the header
//! `store_id,retailer,name,postcode,force,lat,lon` (force is a data.police.uk slug).
//! `orca simulate` writes one beside `incidents.jsonl`, and `orca ingest` registers a `stores.csv`
//! it finds beside its input before sending incidents.

use anyhow::{Context, Result, bail};
use orca_model::Store;
use std::path::Path;

pub const COLUMNS: [&str; 7] = ["store_id", "retailer", "name", "postcode", "force", "lat", "lon"];

pub fn read(path: &Path) -> Result<Vec<Store>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("opening `{}`", path.display()))?;
    let headers = reader.headers()?.clone();
    if headers.iter().collect::<Vec<_>>() != COLUMNS {
        bail!(
            "`{}`: expected the header `{}`, found `{}`",
            path.display(),
            COLUMNS.join(","),
            headers.iter().collect::<Vec<_>>().join(",")
        );
    }
    let mut stores = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.with_context(|| format!("`{}` line {line}", path.display()))?;
        let number = |i: usize, name: &str| -> Result<f64> {
            record[i]
                .trim()
                .parse()
                .with_context(|| format!("`{}` line {line}: `{name}` is not a number", path.display()))
        };
        stores.push(Store {
            id: record[0].trim().into(),
            retailer: record[1].trim().into(),
            name: record[2].trim().to_owned(),
            postcode: record[3].trim().to_owned(),
            force: record[4].trim().into(),
            lat: number(5, "lat")?,
            lon: number(6, "lon")?,
        });
    }
    Ok(stores)
}
