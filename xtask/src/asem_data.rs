//! Builds data/coinr-asem from COINr's ASEM example (../shared/data/coinr_asem, MIT, from
//! bluefoxr/COINr): the 51 units with their groups and denominators as columns of the unit
//! list, and the raw indicator table, as configs/coinr-asem.toml reads them. COINr's reference
//! results stay in data/reference-cases/coinr_asem.

use std::path::Path;

use anyhow::{Context, Result};

pub fn generate(shared: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let dir = shared.join("coinr_asem");
    let read = |file: &str| -> Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
        let path = dir.join(file);
        let mut r = csv::Reader::from_path(&path).with_context(|| path.display().to_string())?;
        let headers = r.headers()?.clone();
        Ok((headers, r.records().collect::<Result<Vec<_>, _>>()?))
    };
    // COINr writes years as 2018.0.
    let year = |text: &str| -> Result<String> { Ok((text.parse::<f64>()? as i32).to_string()) };

    let (h, rows) = read("asem_coin_input_denominators.csv")?;
    let mut w = csv::Writer::from_path(out.join("units.csv"))?;
    let mut header = vec!["id", "name", "province"];
    let extra: Vec<&str> = h.iter().filter(|c| c.starts_with("Group_") || c.starts_with("Den_")).collect();
    header.extend(&extra);
    w.write_record(&header)?;
    let at = |row: &csv::StringRecord, name: &str| {
        row.get(h.iter().position(|c| c == name).expect("column")).unwrap_or("").to_string()
    };
    for row in &rows {
        let mut record = vec![at(row, "UnitCode"), at(row, "UnitName"), at(row, "Group_EurAsia")];
        record.extend(extra.iter().map(|c| at(row, c)));
        w.write_record(&record)?;
    }
    w.flush()?;

    let (h, rows) = read("asem_coin_input_inddata.csv")?;
    let indicators: Vec<usize> = (0..h.len())
        .filter(|&i| !["UnitCode", "UnitName", "Year"].contains(&&h[i]) && !h[i].starts_with("Group_"))
        .collect();
    let mut w = csv::Writer::from_path(out.join("asem_raw.csv"))?;
    let mut header = vec!["unit".to_string(), "year".to_string()];
    header.extend(indicators.iter().map(|&i| h[i].to_string()));
    w.write_record(&header)?;
    for row in &rows {
        let mut record = vec![row[0].to_string(), year(&row[2])?];
        record.extend(indicators.iter().map(|&i| row[i].trim().replace("NA", "")));
        w.write_record(&record)?;
    }
    w.flush()?;
    std::fs::write(out.join("LICENSE.COINr.md"), std::fs::read(dir.join("LICENSE.COINr.md"))?)?;
    println!("wrote {} ({} units, {} indicators)", out.display(), rows.len(), indicators.len());
    Ok(())
}
