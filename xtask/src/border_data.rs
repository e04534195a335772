//! Builds data/border-cities from the real tables in ../shared/data plus the hand-compiled
//! tables below (marked "compiled, verify") and the synthetic yearbook panel. X25-X29 are not
//! precomputed: the plugins under plugins/ compute them from the tables written to raw/.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};

use crate::geo::gcj02_to_wgs84;
use crate::synthetic;

/// The units the paper excluded for missing data.
const EXCLUDED: [&str; 4] = ["232700", "654200", "542500", "540500"];

/// Codes of units before their 2014-2016 changes of status, with the year the new code began.
/// Compiled by hand (../shared/data/PROVENANCE.md, "old statistical codes"); verify.
const OLD_CODES: [(&str, &str, i32); 4] =
    [("650500", "652200", 2016), ("540200", "542300", 2014), ("540500", "542200", 2016), ("540400", "542600", 2015)];

/// Provincial capitals (DataV prefecture codes), for X28.
const CAPITALS: [(&str, &str); 9] = [
    ("Heilongjiang", "230100"),
    ("Jilin", "220100"),
    ("Liaoning", "210100"),
    ("Inner Mongolia", "150100"),
    ("Gansu", "620100"),
    ("Xinjiang", "650100"),
    ("Tibet", "540100"),
    ("Yunnan", "530100"),
    ("Guangxi", "450100"),
];

/// The main border crossing of each unit and the foreign city across it (WGS84, approximate to
/// about 0.05 degree). Compiled by hand from general geographic knowledge: verify.
/// (unit, crossing, foreign city, iso3, lon, lat, note)
const CROSSINGS: &[(&str, &str, &str, &str, f64, f64, &str)] = &[
    ("232700", "Mohe (Luoguhe)", "Dzhalinda", "RUS", 123.90, 53.48, ""),
    ("231100", "Heihe", "Blagoveshchensk", "RUS", 127.53, 50.27, ""),
    ("230700", "Jiayin", "Pashkovo", "RUS", 130.95, 48.98, ""),
    ("230400", "Luobei", "Amurzet", "RUS", 131.10, 47.70, ""),
    ("230800", "Tongjiang", "Nizhneleninskoye", "RUS", 132.63, 47.93, ""),
    ("230500", "Raohe", "Pokrovka", "RUS", 134.20, 46.90, ""),
    ("230300", "Mishan", "Turiy Rog", "RUS", 131.98, 45.22, ""),
    ("231000", "Suifenhe", "Pogranichny", "RUS", 131.38, 44.40, ""),
    ("222400", "Hunchun", "Kraskino", "RUS", 130.78, 42.71, "Tumen-Namyang (PRK) is the other main crossing"),
    ("220600", "Changbai", "Hyesan", "PRK", 128.18, 41.40, ""),
    ("220500", "Ji'an", "Manpo", "PRK", 126.29, 41.15, ""),
    ("210600", "Dandong", "Sinuiju", "PRK", 124.40, 40.10, ""),
    ("150700", "Manzhouli", "Zabaykalsk", "RUS", 117.32, 49.65, ""),
    ("152200", "Arxan", "Sumber", "MNG", 118.60, 47.70, ""),
    ("152500", "Erenhot", "Zamyn-Uud", "MNG", 111.90, 43.72, ""),
    ("150900", "(none; nearest: Erenhot)", "Zamyn-Uud", "MNG", 111.90, 43.72, "no port of its own"),
    ("150200", "Mandula", "Khanbogd", "MNG", 107.20, 43.20, ""),
    ("150800", "Ganqimaodu", "Gashuun Sukhait", "MNG", 105.98, 42.86, ""),
    ("152900", "Ceke", "Shivee Khuren", "MNG", 101.20, 42.40, ""),
    ("620900", "Mazongshan", "Nariin Sukhait", "MNG", 97.60, 42.60, "seasonal crossing"),
    ("650500", "Laoyemiao", "Bulgan (Gobi-Altai)", "MNG", 94.50, 44.10, ""),
    ("652300", "Takeshiken", "Bulgan (Khovd)", "MNG", 91.55, 46.10, ""),
    ("654300", "Jeminay", "Maykapchagay", "KAZ", 85.60, 47.45, ""),
    ("654200", "Baketu", "Bakhty", "KAZ", 82.77, 46.68, ""),
    ("652700", "Alashankou", "Dostyk", "KAZ", 82.48, 45.25, ""),
    ("654000", "Khorgos", "Khorgos (KAZ)", "KAZ", 80.38, 44.21, ""),
    ("652900", "(none; nearest: Bedel pass)", "Karakol", "KGZ", 78.39, 42.49, "no open port"),
    ("653000", "Irkeshtam", "Osh", "KGZ", 72.80, 40.53, "Torugart-Naryn is the other crossing"),
    ("653100", "Khunjerab", "Sost", "PAK", 74.82, 36.68, ""),
    ("653200", "(none; nearest: Khunjerab)", "Sost", "PAK", 74.82, 36.68, "no open crossing"),
    ("542500", "Purang", "Hilsa", "NPL", 81.82, 29.97, ""),
    ("540200", "Zhangmu", "Kodari", "NPL", 85.96, 27.97, "Gyirong-Rasuwagadhi since 2017"),
    ("540500", "(none)", "Thimphu", "BTN", 89.64, 27.47, "no open crossing"),
    ("540400", "(none)", "Putao", "MMR", 97.40, 27.33, "no open crossing"),
    ("533300", "Pianma", "Myitkyina", "MMR", 97.40, 25.38, ""),
    ("530500", "Houqiao", "Myitkyina", "MMR", 97.40, 25.38, ""),
    ("533100", "Ruili", "Muse", "MMR", 97.90, 23.99, ""),
    ("530900", "Qingshuihe", "Chinshwehaw", "MMR", 98.80, 23.70, ""),
    ("530800", "Menglian", "Pangsang", "MMR", 99.20, 22.15, ""),
    ("532800", "Mohan", "Boten", "LAO", 101.68, 21.19, ""),
    ("532500", "Hekou", "Lao Cai", "VNM", 103.97, 22.49, ""),
    ("532600", "Tianbao", "Ha Giang", "VNM", 104.98, 22.83, ""),
    ("451000", "Longbang", "Cao Bang", "VNM", 106.26, 22.67, ""),
    ("451400", "Youyiguan (Pingxiang)", "Lang Son", "VNM", 106.76, 21.85, ""),
    ("450600", "Dongxing", "Mong Cai", "VNM", 107.97, 21.53, ""),
];

/// The five policy conditions of the paper's X25 and the year each unit gained each, compiled by
/// hand from general knowledge of State Council and ministry designations: verify.
/// Conditions: class1-port, pilot-zone (key development and opening-up pilot zone),
/// open-border-city (the state's open border cities of 1992, read here as "national border port"),
/// border-econ-zone (border economic co-operation zone), cross-border-zone.
const DESIGNATIONS: &[(&str, &str, i32)] = &[
    ("231100", "class1-port", 1992),
    ("231100", "open-border-city", 1992),
    ("231100", "border-econ-zone", 1992),
    ("230700", "class1-port", 1989),
    ("230400", "class1-port", 1992),
    ("230800", "class1-port", 1986),
    ("230500", "class1-port", 1993),
    ("230300", "class1-port", 1989),
    ("231000", "class1-port", 1987),
    ("231000", "open-border-city", 1992),
    ("231000", "border-econ-zone", 1992),
    ("231000", "pilot-zone", 2016),
    ("222400", "class1-port", 1993),
    ("222400", "open-border-city", 1992),
    ("222400", "border-econ-zone", 1992),
    ("222400", "cross-border-zone", 2012),
    ("220600", "class1-port", 1993),
    ("220500", "class1-port", 1993),
    ("210600", "class1-port", 1981),
    ("210600", "border-econ-zone", 1992),
    ("150700", "class1-port", 1989),
    ("150700", "open-border-city", 1992),
    ("150700", "border-econ-zone", 1992),
    ("150700", "pilot-zone", 2012),
    ("152200", "class1-port", 2004),
    ("152500", "class1-port", 1986),
    ("152500", "open-border-city", 1992),
    ("152500", "border-econ-zone", 1992),
    ("152500", "pilot-zone", 2014),
    ("150200", "class1-port", 2009),
    ("150800", "class1-port", 1992),
    ("152900", "class1-port", 2005),
    ("620900", "class1-port", 2016),
    ("650500", "class1-port", 1992),
    ("652300", "class1-port", 1992),
    ("654300", "class1-port", 1992),
    ("654300", "border-econ-zone", 2011),
    ("654200", "class1-port", 1992),
    ("654200", "open-border-city", 1992),
    ("654200", "border-econ-zone", 1992),
    ("652700", "class1-port", 1990),
    ("652700", "open-border-city", 1992),
    ("652700", "border-econ-zone", 1992),
    ("654000", "class1-port", 1983),
    ("654000", "open-border-city", 1992),
    ("654000", "border-econ-zone", 1992),
    ("654000", "cross-border-zone", 2012),
    ("653000", "class1-port", 1983),
    ("653100", "class1-port", 1982),
    ("542500", "class1-port", 1992),
    ("540200", "class1-port", 1983),
    ("533100", "class1-port", 1991),
    ("533100", "open-border-city", 1992),
    ("533100", "border-econ-zone", 1992),
    ("533100", "pilot-zone", 2012),
    ("530900", "class1-port", 1991),
    ("530900", "border-econ-zone", 2013),
    ("532800", "class1-port", 1993),
    ("532800", "pilot-zone", 2015),
    ("532800", "cross-border-zone", 2016),
    ("532500", "class1-port", 1993),
    ("532500", "open-border-city", 1992),
    ("532500", "border-econ-zone", 1992),
    ("532600", "class1-port", 1993),
    ("451000", "class1-port", 2014),
    ("451000", "pilot-zone", 2015),
    ("451400", "class1-port", 1992),
    ("451400", "open-border-city", 1992),
    ("451400", "border-econ-zone", 1992),
    ("451400", "pilot-zone", 2016),
    ("450600", "class1-port", 1994),
    ("450600", "open-border-city", 1992),
    ("450600", "border-econ-zone", 1992),
];

pub const PERIODS: [i32; 3] = [2010, 2015, 2020];

/// The five conditions of X25, as columns of raw/policy_support_compiled.csv.
const POLICY_CONDITIONS: [&str; 5] =
    ["class1-port", "pilot-zone", "open-border-city", "border-econ-zone", "cross-border-zone"];

/// One row of the shared 45-unit gazetteer, as used here.
pub struct Gazetteer {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    pub province: String,
    pub seat: (f64, f64),
    pub centroid: (f64, f64),
    pub neighbours: Vec<String>,
}

fn read_csv(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
    let mut r = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers = r.headers()?.clone();
    let rows = r.records().collect::<Result<Vec<_>, _>>()?;
    Ok((headers, rows))
}

fn field<'a>(headers: &csv::StringRecord, row: &'a csv::StringRecord, name: &str) -> Result<&'a str> {
    let i = headers.iter().position(|h| h == name).ok_or_else(|| anyhow!("no column {name}"))?;
    Ok(row.get(i).unwrap_or(""))
}

fn num(headers: &csv::StringRecord, row: &csv::StringRecord, name: &str) -> Result<f64> {
    field(headers, row, name)?.parse().with_context(|| format!("column {name}"))
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(())
}

/// The synthetic yearbook panel as a workbook, one sheet per year as yearbooks print it: a title
/// merged over the first row (which says the data is synthetic), the header on row 2 (unit, then
/// the indicator ids), values as numbers, missing values as empty cells. A fixed creation date
/// keeps the file the same bytes on every run.
fn write_workbook(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2022, 11, 1).map_err(|e| anyhow::anyhow!("{e}"))?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("resil xtask gen-data"));
    let bold = Format::new().set_bold();
    let mut years: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    years.dedup();
    for year in years {
        let ws = book.add_worksheet().set_name(year).map_err(|e| anyhow::anyhow!("{e}"))?;
        let title =
            format!("Border cities, {year}: SYNTHETIC yearbook panel generated by resil (not real data; verify)");
        let last = (header.len() - 2) as u16;
        ws.merge_range(0, 0, 0, last, &title, &bold).map_err(|e| anyhow::anyhow!("{e}"))?;
        let columns: Vec<usize> = (0..header.len()).filter(|&c| c != 1).collect();
        for (k, &c) in columns.iter().enumerate() {
            ws.write_string_with_format(1, k as u16, &header[c], &bold).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        for (i, r) in rows.iter().filter(|r| r[1] == year).enumerate() {
            let row = 2 + i as u32;
            ws.write_string(row, 0, &r[0]).map_err(|e| anyhow::anyhow!("{e}"))?;
            for (k, &c) in columns.iter().enumerate().skip(1) {
                if let Ok(v) = r[c].parse::<f64>() {
                    ws.write_number(row, k as u16, v).map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
        }
    }
    book.save(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(())
}

fn round(v: f64, decimals: i32) -> String {
    let f = 10f64.powi(decimals);
    format!("{}", (v * f).round() / f)
}

pub fn generate(shared: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out.join("raw"))?;
    let (h, rows) = read_csv(&shared.join("units/border_units_45.csv"))?;
    let mut units = Vec::new();
    for row in &rows {
        let (clon, clat) = gcj02_to_wgs84(num(&h, row, "centroid_lon_gcj02")?, num(&h, row, "centroid_lat_gcj02")?);
        // Check the conversion against the gazetteer's own WGS84 seat.
        let (slon, slat) = gcj02_to_wgs84(num(&h, row, "seat_lon_gcj02")?, num(&h, row, "seat_lat_gcj02")?);
        let (glon, glat) = (num(&h, row, "seat_lon_wgs84")?, num(&h, row, "seat_lat_wgs84")?);
        anyhow::ensure!(
            (slon - glon).abs() < 2e-6 && (slat - glat).abs() < 2e-6,
            "GCJ-02 inverse disagrees for {}",
            field(&h, row, "adcode")?
        );
        units.push(Gazetteer {
            code: field(&h, row, "adcode")?.into(),
            name_en: field(&h, row, "name_en")?.into(),
            name_zh: field(&h, row, "name_zh")?.into(),
            province: field(&h, row, "province_en")?.into(),
            seat: (glon, glat),
            centroid: (clon, clat),
            neighbours: field(&h, row, "neighbours_iso3")?.split(';').map(String::from).collect(),
        });
    }

    // Aliases: former names from the crosswalk, the current Chinese name, and the old codes.
    let (hh, history) = read_csv(&shared.join("units/border_units_45_name_history.csv"))?;
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &history {
        aliases.entry(field(&hh, row, "adcode_2020s")?.into()).or_default().push(field(&hh, row, "name_zh")?.into());
    }
    for (new, old, _) in OLD_CODES {
        aliases.entry(new.into()).or_default().push(old.into());
    }
    let unit_rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            let mut a = aliases.get(&u.code).cloned().unwrap_or_default();
            a.dedup();
            vec![
                u.code.clone(),
                u.name_en.clone(),
                u.province.clone(),
                round(u.seat.0, 6),
                round(u.seat.1, 6),
                round(u.centroid.0, 6),
                round(u.centroid.1, 6),
                u.neighbours.join(";"),
                a.join(";"),
                if EXCLUDED.contains(&u.code.as_str()) {
                    "excluded by Sui, Peng & Wu (2022) for missing data".into()
                } else {
                    String::new()
                },
                u.name_zh.clone(),
            ]
        })
        .collect();
    write_csv(
        &out.join("units.csv"),
        &[
            "id",
            "name",
            "province",
            "seat_lon",
            "seat_lat",
            "centroid_lon",
            "centroid_lat",
            "neighbours",
            "aliases",
            "excluded",
            "name_zh",
        ],
        &unit_rows,
    )?;

    // Census urban population, 2010 and 2020 (2015 left missing on purpose).
    let (hc, census) = read_csv(&shared.join("stats/census_leiii/census_city_2010_2020_nogeom.csv"))?;
    let mut census_rows = Vec::new();
    let mut raw_census = Vec::new();
    let mut population = Vec::new();
    for u in &units {
        let row = census
            .iter()
            .find(|r| r.get(1) == Some(u.code.as_str()))
            .ok_or_else(|| anyhow!("{} not in census", u.code))?;
        raw_census.push(row.iter().map(String::from).collect::<Vec<_>>());
        population.push(synthetic::population_by_period(num(&hc, row, "popu_2010")?, num(&hc, row, "popu_2020")?));
        for year in [2010, 2020] {
            let v = field(&hc, row, &format!("popu_urban_{year}"))?;
            census_rows.push(vec![u.code.clone(), year.to_string(), v.to_string()]);
        }
    }
    write_csv(&out.join("census_urban_population.csv"), &["unit", "year", "urban_population"], &census_rows)?;
    write_csv(&out.join("raw/census_border_units_2010_2020.csv"), &hc.iter().collect::<Vec<_>>(), &raw_census)?;

    // Neighbours' FSI and HDI (real) and the licences of the copied tables, with attribution;
    // the neighbor-fragility plugin computes X26 and X27 from them.
    let copies = [
        ("neighbours/neighbours_fsi_hdi_2010_2015_2020.csv", "neighbours_fsi_hdi_2010_2015_2020.csv"),
        ("neighbours/china_land_neighbours_14.csv", "china_land_neighbours_14.csv"),
        ("stats/census_leiii/LICENSE.MIT.txt", "LICENSE.census-leiii.MIT.txt"),
        ("units/LICENSE-DATA.FIERsity-crosswalk.txt", "LICENSE.FIERsity-crosswalk.txt"),
    ];
    for (from, to) in copies {
        // Read and write rather than copy, so that the shared folder's read-only mode stays behind.
        std::fs::write(out.join("raw").join(to), std::fs::read(shared.join(from))?)?;
    }
    // Capitals for X28, from the all-China gazetteer (GCJ-02 -> WGS84).
    let (hp, prefectures) = read_csv(&shared.join("units/datav_prefecture_level_centers_gcj02.csv"))?;
    let capital = |province: &str| -> Result<(f64, f64)> {
        let code = CAPITALS.iter().find(|c| c.0 == province).ok_or_else(|| anyhow!("no capital for {province}"))?.1;
        let row =
            prefectures.iter().find(|r| r.get(0) == Some(code)).ok_or_else(|| anyhow!("{code} not in gazetteer"))?;
        Ok(gcj02_to_wgs84(num(&hp, row, "center_lon_gcj02")?, num(&hp, row, "center_lat_gcj02")?))
    };

    let designations = DESIGNATIONS;
    write_csv(
        &out.join("raw/policy_designations_compiled.csv"),
        &["unit", "designation", "since", "status"],
        &designations
            .iter()
            .map(|(u, d, y)| vec![u.to_string(), d.to_string(), y.to_string(), "compiled, verify".into()])
            .collect::<Vec<_>>(),
    )?;
    write_csv(
        &out.join("raw/border_crossings_compiled.csv"),
        &["unit", "crossing", "foreign_city", "iso3", "lon", "lat", "note", "status"],
        &CROSSINGS
            .iter()
            .map(|c| {
                vec![
                    c.0.into(),
                    c.1.into(),
                    c.2.into(),
                    c.3.into(),
                    c.4.to_string(),
                    c.5.to_string(),
                    c.6.into(),
                    "compiled, verify".into(),
                ]
            })
            .collect::<Vec<_>>(),
    )?;

    // Provincial capitals (derived from DataV, WGS84) for geo-distance's X28.
    let mut capital_rows = Vec::new();
    for (province, code) in CAPITALS {
        let (lon, lat) = capital(province)?;
        capital_rows.push(vec![province.to_string(), code.to_string(), round(lon, 6), round(lat, 6)]);
    }
    write_csv(&out.join("raw/provincial_capitals.csv"), &["province", "adcode", "lon", "lat"], &capital_rows)?;

    // Policy designations as one row per unit and period, for policy-support's X25.
    let mut policy_rows = Vec::new();
    for u in &units {
        for year in PERIODS {
            let held =
                |d: &str| designations.iter().any(|(c, name, since)| *c == u.code && *name == d && *since <= year);
            let mut row = vec![u.code.clone(), year.to_string()];
            row.extend(POLICY_CONDITIONS.iter().map(|d| u8::from(held(d)).to_string()));
            row.push(
                "general knowledge of State Council and ministry designations (raw/policy_designations_compiled.csv)"
                    .into(),
            );
            row.push("compiled, verify".into());
            policy_rows.push(row);
        }
    }
    let mut header = vec!["unit", "year"];
    header.extend(POLICY_CONDITIONS);
    header.extend(["source_note", "status"]);
    write_csv(&out.join("raw/policy_support_compiled.csv"), &header, &policy_rows)?;

    // FSI 2006-2020 and HDI 1990-2022 of the 14 land neighbours, so that neighbor-fragility can
    // lag the edition behind the study year.
    let (hl, land) = read_csv(&shared.join("neighbours/china_land_neighbours_14.csv"))?;
    let (hf, fsi_all) = read_csv(&shared.join("neighbours/fsi/fsi_2006_2020_all_countries.csv"))?;
    let (hd, hdi_all) = read_csv(&shared.join("neighbours/hdi/hdi_hdr2023_24_long.csv"))?;
    let mut fsi_rows = Vec::new();
    let mut hdi_rows = Vec::new();
    for n in &land {
        let iso = field(&hl, n, "iso3")?;
        let fsi_name = field(&hl, n, "name_in_fsi")?;
        for r in fsi_all.iter().filter(|r| r.get(0) == Some(fsi_name)) {
            fsi_rows.push(vec![
                iso.to_string(),
                fsi_name.to_string(),
                field(&hf, r, "year")?.into(),
                field(&hf, r, "total")?.into(),
            ]);
        }
        for r in hdi_all.iter().filter(|r| r.get(0) == Some(iso)) {
            hdi_rows.push(vec![iso.to_string(), field(&hd, r, "year")?.into(), field(&hd, r, "hdi")?.into()]);
        }
    }
    write_csv(&out.join("raw/fsi_neighbours_2006_2020.csv"), &["iso3", "country", "year", "fsi_total"], &fsi_rows)?;
    write_csv(&out.join("raw/hdi_neighbours_1990_2022.csv"), &["iso3", "year", "hdi"], &hdi_rows)?;

    // The synthetic yearbook panel, keyed by the code each unit had in that year.
    let code_in = |code: &str, year: i32| -> String {
        OLD_CODES
            .iter()
            .find(|(new, _, since)| *new == code && year < *since)
            .map_or(code.to_string(), |(_, old, _)| old.to_string())
    };
    let (header, rows) = synthetic::yearbook(&units, &population, &code_in);
    write_csv(&out.join("yearbook_synthetic.csv"), &header.iter().map(String::as_str).collect::<Vec<_>>(), &rows)?;
    write_workbook(&out.join("yearbook_synthetic.xlsx"), &header, &rows)?;
    crate::paper::write(shared, out)?;
    println!("wrote {} (units {}, yearbook rows {})", out.display(), units.len(), rows.len());
    Ok(())
}
