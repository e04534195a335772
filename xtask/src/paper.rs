//! The paper's own tables as data: Table 2 (the indicator system, copied from
//! ../shared/design/paper-table2.csv) and the figures its text publishes (compiled here from
//! section 4.1 of Sui, Peng & Wu 2022, each with the sentence it comes from), so that a run can
//! show them beside its own values.

use std::path::Path;

use anyhow::{Context, Result};

/// Each published figure: (id, statistic, period, base period, region, units, grade, value,
/// measure, sentence). The statistics are those `[published]` understands (README.md).
type Figure = (
    &'static str,
    &'static str,
    i32,
    Option<i32>,
    &'static str,
    &'static str,
    Option<u32>,
    f64,
    &'static str,
    &'static str,
);

const MEANS: &str =
    "The average BCR of border cities was 0.3174, 0.3323, and 0.3397 in 2010, 2015, and 2020, respectively";
const GROWTH: &str = "the average resilience of China's border cities in 2015 was 4.694% higher than that in 2010, and in 2020, it was 2.227% higher than that in 2015";
const EXTREMES: &str = "Xinjiang Changji Prefecture had the highest BCR of 0.5048 in 2015, whereas Kashgar, Xinjiang, had the lowest BCR of 0.2449 in 2010";
const REGIONS_2010: &str = "the average resilience level of border cities in 2010 decreased in the following order: North China (0.3222), Northeast China (0.3128), Southwest China (0.3053), Northwest China (0.3043), and Tibetan China (0.2604)";
const GRADES_2010_2015: &str = "transitioning from only one highest-resilience city and two higher-resilience cities in 2010 to three highest-resilience cities and six higher-resilience cities";
const GRADES_2020: &str =
    "In 2020, there were five border cities with the highest resilience and nine border cities with higher resilience.";
const NORTH_2020: &str =
    "The northern region had the largest average BCR of 0.3514, showing an increase of 0.011 from that in 2015";
const TIBET_SW: &str = "the fastest rate of resilience improvement in Tibet, followed by the southwest region, with BCR values showing an increase by 11.4 and 5.52%, respectively, from 2015";
const NORTHEAST_FOUR: &str = "In the northeast, the cities of Jixi, Mudanjiang, Yanbian Korean Autonomous Prefecture, and Dandong had an average resilience index value of 0.3868.";
const BAOTOU: &str =
    "Baotou exhibiting the highest intra-regional resilience level of 0.447, which was decreased from that in 2015";
const XINJIANG_2020: &str = "the highest resilience level in Yili at 0.4345 and the lowest resilience level in Kizilsu Kirgiz Autonomous Prefecture at 0.299";

const FIGURES: [Figure; 26] = [
    ("mean-2010", "mean", 2010, None, "All", "", None, 0.3174, "BCR", MEANS),
    ("mean-2015", "mean", 2015, None, "All", "", None, 0.3323, "BCR", MEANS),
    ("mean-2020", "mean", 2020, None, "All", "", None, 0.3397, "BCR", MEANS),
    ("growth-2010-2015", "growth-percent", 2015, Some(2010), "All", "", None, 4.694, "%", GROWTH),
    ("growth-2015-2020", "growth-percent", 2020, Some(2015), "All", "", None, 2.227, "%", GROWTH),
    ("highest", "max-score", 2015, None, "", "652300", None, 0.5048, "BCR", EXTREMES),
    ("lowest", "min-score", 2010, None, "", "653100", None, 0.2449, "BCR", EXTREMES),
    ("north-2010", "mean", 2010, None, "North", "", None, 0.3222, "BCR", REGIONS_2010),
    ("northeast-2010", "mean", 2010, None, "Northeast", "", None, 0.3128, "BCR", REGIONS_2010),
    ("southwest-2010", "mean", 2010, None, "Southwest", "", None, 0.3053, "BCR", REGIONS_2010),
    ("northwest-2010", "mean", 2010, None, "Northwest", "", None, 0.3043, "BCR", REGIONS_2010),
    ("tibet-2010", "mean", 2010, None, "Tibet", "", None, 0.2604, "BCR", REGIONS_2010),
    ("highest-grade-2010", "grade-count", 2010, None, "", "", Some(5), 1.0, "units", GRADES_2010_2015),
    ("higher-grade-2010", "grade-count", 2010, None, "", "", Some(4), 2.0, "units", GRADES_2010_2015),
    ("highest-grade-2015", "grade-count", 2015, None, "", "", Some(5), 3.0, "units", GRADES_2010_2015),
    ("higher-grade-2015", "grade-count", 2015, None, "", "", Some(4), 6.0, "units", GRADES_2010_2015),
    ("highest-grade-2020", "grade-count", 2020, None, "", "", Some(5), 5.0, "units", GRADES_2020),
    ("higher-grade-2020", "grade-count", 2020, None, "", "", Some(4), 9.0, "units", GRADES_2020),
    ("north-2020", "mean", 2020, None, "North", "", None, 0.3514, "BCR", NORTH_2020),
    ("north-change-2015-2020", "change", 2020, Some(2015), "North", "", None, 0.011, "BCR", NORTH_2020),
    ("tibet-growth-2015-2020", "growth-percent", 2020, Some(2015), "Tibet", "", None, 11.4, "%", TIBET_SW),
    ("southwest-growth-2015-2020", "growth-percent", 2020, Some(2015), "Southwest", "", None, 5.52, "%", TIBET_SW),
    (
        "northeast-four-2020",
        "group-mean",
        2020,
        None,
        "",
        "230300;231000;222400;210600",
        None,
        0.3868,
        "BCR",
        NORTHEAST_FOUR,
    ),
    ("baotou-2020", "unit-score", 2020, None, "", "150200", None, 0.447, "BCR", BAOTOU),
    ("ili-2020", "unit-score", 2020, None, "", "654000", None, 0.4345, "BCR", XINJIANG_2020),
    ("kizilsu-2020", "unit-score", 2020, None, "", "653000", None, 0.299, "BCR", XINJIANG_2020),
];

/// Writes paper-table2.csv (a copy of the shared transcription) and paper-figures.csv into `out`.
pub fn write(shared: &Path, out: &Path) -> Result<()> {
    let table2 = shared.join("../design/paper-table2.csv");
    let text = std::fs::read(&table2).with_context(|| table2.display().to_string())?;
    std::fs::write(out.join("paper-table2.csv"), text)?;

    let mut w = csv::Writer::from_path(out.join("paper-figures.csv"))?;
    w.write_record([
        "id",
        "statistic",
        "period",
        "base_period",
        "region",
        "units",
        "grade",
        "value",
        "measure",
        "sentence",
    ])?;
    for (id, statistic, period, base, region, units, grade, value, measure, sentence) in FIGURES {
        w.write_record([
            id.to_string(),
            statistic.to_string(),
            period.to_string(),
            base.map_or(String::new(), |b| b.to_string()),
            region.to_string(),
            units.to_string(),
            grade.map_or(String::new(), |g| g.to_string()),
            value.to_string(),
            measure.to_string(),
            sentence.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
