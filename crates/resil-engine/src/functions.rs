//! The two functions resil adds to a DataFusion session: the aggregate `resil_pass` (one fit
//! pass: record batches folded into column statistics) and the scalar `resil_score` (the apply
//! pass). Their first argument is the job, a JSON literal, so that they carry no state of their
//! own and a Ballista executor can run them from the serialised plan.

use std::any::Any;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use resil_core::chunked::{Merge, PassState};
use resil_core::{Matrix, Polarity};
use resil_pipeline::{ChunkedStages, FittedStages, ScoreStages};
use serde::{Deserialize, Serialize};

/// A pass state's values as they cross the engine in JSON: each value's bits, so that the
/// infinities a state can hold (a minimum over no rows; the slots a pass leaves at their
/// identity, as VIKOR's, which keep a statistic of the rows in column 0's) arrive as they left.
/// JSON numbers cannot carry them: serde_json writes them as null.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bits(pub Vec<f64>);

impl Serialize for Bits {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|v| v.to_bits()))
    }
}

impl<'de> Deserialize<'de> for Bits {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Ok(Bits(Vec::<u64>::deserialize(deserializer)?.into_iter().map(f64::from_bits).collect()))
    }
}

/// What a function call folds or applies: the stages and the merged states of the passes done.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    pub names: Vec<String>,
    pub polarities: Vec<Polarity>,
    pub stages: ScoreStages,
    /// Per stage, the values of each pass's merged state: every pass of the stages before
    /// `stage`, and the passes of `stage` done so far.
    pub states: Vec<Vec<Bits>>,
    /// The pass to fold; `stage` = the number of stages for the apply pass.
    pub stage: usize,
    pub pass: usize,
    /// The apply pass's output fields: `score`, then the scorer's extras.
    pub outputs: Vec<String>,
    /// How a refusal names a row from its id: ``{label} `{id}` `` (the id column's name), or,
    /// without a label, the id as it is (`run --engine`'s ids are places: ``unit `A`, period 2010``).
    pub id_label: Option<String>,
}

impl Job {
    pub fn to_literal(&self) -> String {
        serde_json::to_string(self).expect("a job serialises")
    }

    /// The name of the row whose id is `id`, in a refusal.
    pub(crate) fn row_name(&self, id: &str) -> String {
        match &self.id_label {
            Some(label) => format!("{label} `{id}`"),
            None => id.to_string(),
        }
    }
}

fn failed(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(e.to_string())
}

/// A job made ready: the stages built, those before the job's stage fitted, the passes of its
/// stage done so far, and the slots of the pass to fold.
pub(crate) struct Prepared {
    pub stages: ChunkedStages,
    pub fitted: FittedStages,
    pub done: Vec<PassState>,
    pub slots: Vec<Merge>,
    pub stage: usize,
    pub pass: usize,
}

impl Prepared {
    pub fn new(job: &Job) -> Result<Self> {
        let system = resil_pipeline::criteria(&job.names, &job.polarities);
        let stages = ChunkedStages::new(&system, &job.stages)
            .map_err(failed)?
            .ok_or_else(|| failed("these methods have no fit over chunks; the engine cannot run them"))?;
        let mut complete: Vec<Vec<PassState>> = Vec::new();
        let mut fitted = stages.fitted(&complete, None).map_err(failed)?;
        let mut done = Vec::new();
        for (stage, values) in job.states.iter().enumerate() {
            let slots = stages.passes(stage, &fitted);
            let states = values
                .iter()
                .zip(&slots)
                .map(|(v, s)| {
                    PassState::from_parts(s, v.0.clone()).ok_or_else(|| failed("a pass state of the wrong size"))
                })
                .collect::<Result<Vec<_>>>()?;
            if stage < job.stage {
                if states.len() != slots.len() {
                    return Err(failed(format!("stage {stage}: {} of {} passes sent", states.len(), slots.len())));
                }
                complete.push(states);
                fitted = stages.fitted(&complete, None).map_err(failed)?;
            } else {
                done = states;
            }
        }
        let slots = if job.stage < stages.stage_count() {
            stages.passes(job.stage, &fitted).get(job.pass).cloned().ok_or_else(|| failed("no such pass"))?
        } else {
            Vec::new()
        };
        Ok(Prepared { stages, fitted, done, slots, stage: job.stage, pass: job.pass })
    }
}

/// The job literal of a call's first argument.
fn job_of(value: &ScalarValue) -> Result<Job> {
    match value {
        ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
            serde_json::from_str(s).map_err(failed)
        }
        other => Err(failed(format!("the first argument must be the job literal, not {other:?}"))),
    }
}

/// Numeric columns as a matrix (nulls become NaN, which the methods treat as missing).
pub(crate) fn matrix_of(columns: &[ArrayRef], names: &[String]) -> Result<Matrix> {
    let columns = columns
        .iter()
        .zip(names)
        .map(|(a, name)| {
            let a = cast(a, &DataType::Float64)
                .map_err(|e| failed(format!("column `{name}`: {e} (the criteria must be numbers)")))?;
            let a = a.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            Ok(if a.null_count() == 0 {
                a.values().to_vec()
            } else {
                (0..a.len()).map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) }).collect()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Matrix::from_columns(columns))
}

/// Ids as text (any type cast to Utf8).
pub(crate) fn ids_of(array: &ArrayRef) -> Result<Vec<String>> {
    let a = cast(array, &DataType::Utf8).map_err(failed)?;
    let a = a.as_string::<i32>();
    Ok((0..a.len()).map(|i| if a.is_null(i) { String::new() } else { a.value(i).to_string() }).collect())
}

/// `resil_pass(job, id, x1, .., xm)`: the merged state of one fit pass, as JSON numbers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PassUdaf {
    signature: Signature,
}

impl Default for PassUdaf {
    fn default() -> Self {
        PassUdaf { signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for PassUdaf {
    fn name(&self) -> &str {
        "resil_pass"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let literal = args
            .exprs
            .first()
            .and_then(|e| {
                let any: &dyn Any = e.as_ref();
                any.downcast_ref::<Literal>()
            })
            .ok_or_else(|| failed("resil_pass: the first argument must be the job literal"))?;
        let job = job_of(literal.value())?;
        let prepared = Prepared::new(&job)?;
        let state = PassState::new(&prepared.slots, prepared.stages.ncols());
        Ok(Box::new(PassAccumulator { job, prepared, state, key: None, partials: Vec::new() }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[partials]", args.name), DataType::Utf8, true))])
    }
}

/// One partition's fold, and the partials of other partitions merged into it. The partials are
/// merged in the order of their keys (the least id each saw) when the value is asked for, so the
/// result does not depend on the order in which the partitions finish.
struct PassAccumulator {
    job: Job,
    prepared: Prepared,
    state: PassState,
    /// The least id folded into `state` (none before the first row).
    key: Option<String>,
    partials: Vec<(String, Bits)>,
}

impl std::fmt::Debug for PassAccumulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassAccumulator").field("key", &self.key).finish_non_exhaustive()
    }
}

impl PassAccumulator {
    fn all_partials(&self) -> Vec<(String, Bits)> {
        let mut all = self.partials.clone();
        if let Some(key) = &self.key {
            all.push((key.clone(), Bits(self.state.values().to_vec())));
        }
        all
    }
}

impl Accumulator for PassAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let width = self.job.names.len() + 2;
        if values.len() != width || values[1].is_empty() {
            return if values.len() == width { Ok(()) } else { Err(failed("resil_pass: wrong arguments")) };
        }
        let ids = ids_of(&values[1])?;
        let chunk = matrix_of(&values[2..], &self.job.names)?;
        let p = &self.prepared;
        let place = |row: usize| self.job.row_name(&ids[row]);
        p.stages.fold(&p.fitted, p.stage, p.pass, &p.done, &chunk, 0, &mut self.state, Some(&place)).map_err(failed)?;
        let least = ids.iter().min().expect("a row").clone();
        if self.key.as_ref().is_none_or(|k| least < *k) {
            self.key = Some(least);
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut partials = self.all_partials();
        partials.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| a.1 .0.iter().map(|v| v.to_bits()).cmp(b.1 .0.iter().map(|v| v.to_bits())))
        });
        let ncols = self.prepared.stages.ncols();
        let mut merged = PassState::new(&self.prepared.slots, ncols);
        for (_, values) in partials {
            let part = PassState::from_parts(&self.prepared.slots, values.0)
                .ok_or_else(|| failed("a partial state of the wrong size"))?;
            merged.merge(&part);
        }
        Ok(ScalarValue::Utf8(Some(serde_json::to_string(&Bits(merged.values().to_vec())).map_err(failed)?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + 8 * self.state.values().len() * (1 + self.partials.len())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Utf8(Some(serde_json::to_string(&self.all_partials()).map_err(failed)?))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let column = states.first().ok_or_else(|| failed("resil_pass: no state"))?;
        let column = cast(column, &DataType::Utf8).map_err(failed)?;
        let column = column.as_string::<i32>();
        for i in 0..column.len() {
            if !column.is_null(i) {
                let more: Vec<(String, Bits)> = serde_json::from_str(column.value(i)).map_err(failed)?;
                self.partials.extend(more);
            }
        }
        Ok(())
    }
}

/// `resil_score(job, id, x1, .., xm)`: each row's score and the scorer's extras, as a struct.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ScoreUdf {
    signature: Signature,
}

impl Default for ScoreUdf {
    fn default() -> Self {
        ScoreUdf { signature: Signature::variadic_any(Volatility::Immutable) }
    }
}

/// The struct of `resil_score`'s outputs.
pub(crate) fn output_fields(outputs: &[String]) -> Fields {
    outputs.iter().map(|n| Field::new(n, DataType::Float64, true)).collect()
}

impl ScalarUDFImpl for ScoreUdf {
    fn name(&self) -> &str {
        "resil_score"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Err(failed("resil_score: the return type comes from the job literal"))
    }

    fn return_field_from_args(&self, args: datafusion::logical_expr::ReturnFieldArgs) -> Result<FieldRef> {
        let job = match args.scalar_arguments.first() {
            Some(Some(value)) => job_of(value)?,
            _ => return Err(failed("resil_score: the first argument must be the job literal")),
        };
        Ok(Arc::new(Field::new(self.name(), DataType::Struct(output_fields(&job.outputs)), false)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let job = match args.args.first() {
            Some(ColumnarValue::Scalar(value)) => job_of(value)?,
            _ => return Err(failed("resil_score: the first argument must be the job literal")),
        };
        let prepared = Prepared::new(&job)?;
        let n = args.number_rows;
        let columns = args.args[1..].iter().map(|c| c.to_array(n)).collect::<Result<Vec<_>>>()?;
        let Some((ids, criteria)) = columns.split_first() else {
            return Err(failed("resil_score: the second argument must be the id column"));
        };
        let ids = ids_of(ids)?;
        let chunk = matrix_of(criteria, &job.names)?;
        let place = |row: usize| job.row_name(&ids[row]);
        let table = prepared.stages.apply(&prepared.fitted, &chunk, 0, Some(&place)).map_err(failed)?.value;
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(Float64Array::from(table.score))];
        for name in &job.outputs[1..] {
            let values = table
                .extras
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| failed(format!("resil_score: the scorer gave no `{name}`")))?;
            arrays.push(Arc::new(Float64Array::from(values)));
        }
        let array = StructArray::try_new(output_fields(&job.outputs), arrays, None).map_err(failed)?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}
