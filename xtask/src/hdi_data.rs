//! Builds data/hdi from the UNDP Human Development Report 2023/24 composite-indices time series
//! (../shared/data/neighbours/hdi/original, CC BY 3.0 IGO): the countries with every HDI
//! component and the published HDI in 2010, 2015, 2020 and 2022, their components as resil reads
//! them, and the published values a test holds configs/hdi.toml to; and the Gender Inequality
//! Index's components and published values, which hold resil's harmonic and power means to a
//! published index (tests/hdi.rs).

use std::path::Path;

use anyhow::{Context, Result};

/// The study years of configs/hdi.toml.
pub const YEARS: [i32; 4] = [2010, 2015, 2020, 2022];

/// The components, as (HDR column prefix, header in hdi_components.csv).
const COMPONENTS: [(&str, &str); 4] = [("le", "LE"), ("eys", "EYS"), ("mys", "MYS"), ("gnipc", "GNIPC")];

/// The GII's components and the published GII, as (HDR column prefix, header in gii.csv).
const GII_COLUMNS: [(&str, &str); 9] = [
    ("mmr", "MMR"),
    ("abr", "ABR"),
    ("se_f", "SE_F"),
    ("se_m", "SE_M"),
    ("pr_f", "PR_F"),
    ("pr_m", "PR_M"),
    ("lfpr_f", "LFPR_F"),
    ("lfpr_m", "LFPR_M"),
    ("gii", "GII"),
];

pub fn generate(shared: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let source = shared.join("neighbours/hdi/original/HDR23-24_Composite_indices_complete_time_series.csv");
    let text = std::fs::read_to_string(&source).with_context(|| source.display().to_string())?;
    // The file starts with a byte-order mark.
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).with_context(|| format!("no column {name}"));
    let (iso, country, region) = (col("iso3")?, col("country")?, col("region")?);
    let mut units = Vec::new();
    let mut components = Vec::new();
    let mut published = Vec::new();
    let mut gii = Vec::new();
    for record in reader.records() {
        let r = record?;
        let code = &r[iso];
        // Aggregates (regions, HDI groups, the world) have codes starting with ZZ.
        if code.starts_with("ZZ") {
            continue;
        }
        let cell = |name: String| -> Result<Option<f64>> {
            let v = r[col(&name)?].trim();
            Ok(if v.is_empty() { None } else { Some(v.parse::<f64>().with_context(|| format!("{code} {name}: {v}"))?) })
        };
        // Every country-year of the study years with all GII components and the published GII.
        for year in YEARS {
            let values: Vec<Option<f64>> =
                GII_COLUMNS.iter().map(|(prefix, _)| cell(format!("{prefix}_{year}"))).collect::<Result<_>>()?;
            if values.iter().all(Option::is_some) {
                let mut row = vec![code.to_string(), year.to_string()];
                row.extend(values.iter().map(|v| v.expect("complete").to_string()));
                gii.push(row);
            }
        }
        let mut rows = Vec::new();
        let mut complete = true;
        for year in YEARS {
            let values: Vec<Option<f64>> =
                COMPONENTS.iter().map(|(prefix, _)| cell(format!("{prefix}_{year}"))).collect::<Result<_>>()?;
            let hdi = cell(format!("hdi_{year}"))?;
            if values.iter().any(Option::is_none) || hdi.is_none() {
                complete = false;
                break;
            }
            let mut row = vec![code.to_string(), year.to_string()];
            row.extend(values.iter().map(|v| v.expect("complete").to_string()));
            rows.push((row, vec![code.to_string(), year.to_string(), hdi.expect("complete").to_string()]));
        }
        if !complete {
            continue;
        }
        // UNDP's developing regions; the others (mostly OECD countries) have none in the file.
        let region_code = if r[region].is_empty() { "Other" } else { &r[region] };
        units.push(vec![code.to_string(), r[country].to_string(), region_code.to_string()]);
        for (c, p) in rows {
            components.push(c);
            published.push(p);
        }
    }
    let write = |file: &str, header: &[&str], rows: &[Vec<String>]| -> Result<()> {
        let mut w = csv::Writer::from_path(out.join(file))?;
        w.write_record(header)?;
        for row in rows {
            w.write_record(row)?;
        }
        w.flush()?;
        Ok(())
    };
    write("units.csv", &["id", "name", "province"], &units)?;
    let mut header = vec!["unit", "year"];
    header.extend(COMPONENTS.iter().map(|(_, h)| *h));
    write("hdi_components.csv", &header, &components)?;
    write("hdi_published.csv", &["unit", "year", "hdi"], &published)?;
    let mut header = vec!["unit", "year"];
    header.extend(GII_COLUMNS.iter().map(|(_, h)| *h));
    write("gii.csv", &header, &gii)?;
    println!("wrote {} ({} countries, {} country-years)", out.display(), units.len(), components.len());
    Ok(())
}
