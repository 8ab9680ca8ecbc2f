using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlNetRnn.Cli.Data;

namespace MlNetRnn.Cli.Commands;

/// <summary>
/// `mlnetrnn evaluate --model M.mlnr|M.onnx --data FILE [--json]`: the task's metrics on a labelled file (accuracy,
/// precision, recall, F1, AUC and the confusion matrix; RMSE and MAE; perplexity), from the native kernel for a .mlnr
/// or from ONNX Runtime for an exported .onnx.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A model file (.mlnr, native kernel) or its ONNX export (.onnx, ONNX Runtime).", Required = true };
        var data = new Option<string>("--data") { Description = "Labelled rows in the layout the model was trained on: CSV, TSV, JSON lines or text.", Required = true };
        var format = CommonOptions.Format();
        var columns = new ColumnOptions();
        var perStep = new Option<bool>("--per-step") { Description = "Regression: the targets are values per step (as the model was trained)." };
        var threads = CommonOptions.Threads($"Kernel or ONNX Runtime threads, 0 to {CommonOptions.MaxThreads} (default 0: all cores).", 0, min: 0);
        var json = new Option<bool>("--json") { Description = "Print the metrics as one JSON object instead of text." };
        var command = new Command("evaluate", "Evaluate a model (.mlnr or .onnx) on a labelled file: accuracy, precision, recall, F1, AUC and the confusion matrix; RMSE and MAE; or perplexity.")
        {
            model, data, format, perStep, threads, json,
        };
        foreach (var option in columns.All(withTarget: true))
            command.Add(option);
        command.SetAction(r =>
        {
            var modelPath = r.GetValue(model)!;
            var dataPath = CommonOptions.ExistingFile(r.GetValue(data)!, "data file");
            var tableFormat = TableFormats.Of(dataPath, r.GetValue(format));
            SequenceModelSchema schema;
            EvaluationMetrics metrics;
            LabelledData labelled;
            var values = r.GetValue(perStep);
            if (ModelFiles.IsModelFile(modelPath))
            {
                using var native = ModelFiles.LoadNative(modelPath, r.GetValue(threads));
                schema = native.Schema;
                labelled = Read(schema);
                metrics = native.Evaluate(labelled.Data);
            }
            else
            {
                using var predictor = ModelFiles.LoadOnnx(modelPath, context, threads: r.GetValue(threads));
                schema = predictor.Schema;
                labelled = Read(schema);
                metrics = predictor.Evaluate(labelled.Data);
            }
            if (r.GetValue(json))
                context.Out.WriteLine(ToJson(metrics, schema, labelled.Data.Count));
            else
                Print(context.Out, modelPath, dataPath, labelled, schema, metrics);
            return ExitCodes.Success;

            LabelledData Read(SequenceModelSchema s)
            {
                if (values && !s.ValuesPerStep)
                    throw new ArgumentException("--per-step: the model predicts values per sequence.");
                var read = LabelledDataReader.Read(dataPath, tableFormat, s.Task, columns.Read(r, withTarget: true), s, s.ValuesPerStep);
                return s.Task == SequenceTask.LanguageModel && s.Featurizer?.Options.Tokenizer == TokenizerKind.Characters
                    ? LabelledDataReader.AsCharacterCorpus(read) : read;
            }
        });
        return command;
    }

    private static void Print(TextWriter output, string modelPath, string dataPath, LabelledData labelled, SequenceModelSchema schema, EvaluationMetrics m)
    {
        static string F(double value, string format = "F4") => value.ToString(format, CultureInfo.InvariantCulture);
        output.WriteLine($"model: {modelPath} ({Describe(schema.Task)}); data: {dataPath}, {labelled.Data.Count:N0} rows ({labelled.DescribeColumns()})");
        var count = schema.Task switch
        {
            SequenceTask.Tagging => $"{m.Count:N0} steps",
            SequenceTask.LanguageModel => $"{m.Count:N0} predicted tokens",
            _ => $"{m.Count:N0} sequences",
        };
        output.WriteLine($"evaluated: {count}");
        output.WriteLine($"loss: {F(m.Loss)}");
        if (m.Accuracy is { } accuracy)
            output.WriteLine($"accuracy: {F(accuracy)}");
        if (schema.Task == SequenceTask.BinaryClassification)
        {
            output.WriteLine($"precision: {F(m.Precision ?? 0)} (positive class: {schema.Labels[1]})");
            output.WriteLine($"recall: {F(m.Recall ?? 0)}");
            output.WriteLine($"F1: {F(m.F1 ?? 0)}");
            output.WriteLine($"AUC: {(m.Auc is { } auc ? F(auc) : "n/a (the data has one class only)")}");
        }
        if (m.MacroF1 is { } macro)
            output.WriteLine($"macro-F1: {F(macro)}");
        if (m.Rmse is { } rmse)
            output.WriteLine($"RMSE: {F(rmse)}");
        if (m.Mae is { } mae)
            output.WriteLine($"MAE: {F(mae)}");
        if (m.Perplexity is { } perplexity)
            output.WriteLine($"perplexity: {F(perplexity, "F3")}");
        if (m.ConfusionMatrix is { } matrix && schema.Labels.Count == matrix.Length && matrix.Length <= 30)
        {
            output.WriteLine("confusion matrix (rows: actual, columns: predicted):");
            var labels = schema.Labels;
            var width = Math.Max(labels.Max(l => l.Length), matrix.SelectMany(row => row).Max().ToString(CultureInfo.InvariantCulture).Length) + 2;
            output.WriteLine(new string(' ', width) + string.Concat(labels.Select(l => l.PadLeft(width))));
            for (var a = 0; a < matrix.Length; a++)
                output.WriteLine(labels[a].PadLeft(width) + string.Concat(matrix[a].Select(c => c.ToString(CultureInfo.InvariantCulture).PadLeft(width))));
        }
    }

    /// <summary>The metrics as one JSON object (written directly: no reflection, so the command runs compiled ahead of time).</summary>
    private static string ToJson(EvaluationMetrics m, SequenceModelSchema schema, int rows)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("task", Describe(schema.Task));
            json.WriteNumber("rows", rows);
            json.WriteNumber("count", m.Count);
            Number("loss", m.Loss);
            Number("accuracy", m.Accuracy);
            Number("precision", m.Precision);
            Number("recall", m.Recall);
            Number("f1", m.F1);
            Number("auc", m.Auc);
            Number("macro_f1", m.MacroF1);
            Number("rmse", m.Rmse);
            Number("mae", m.Mae);
            Number("perplexity", m.Perplexity);
            if (m.ConfusionMatrix is { } matrix)
            {
                json.WriteStartObject("confusion_matrix");
                json.WriteStartArray("labels");
                foreach (var label in schema.Labels)
                    json.WriteStringValue(label);
                json.WriteEndArray();
                json.WriteStartArray("counts");
                foreach (var row in matrix)
                {
                    json.WriteStartArray();
                    foreach (var c in row)
                        json.WriteNumberValue(c);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();

            void Number(string name, double? value)
            {
                if (value is { } v && double.IsFinite(v))
                    json.WriteNumber(name, v);
            }
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Describe(SequenceTask task) => task switch
    {
        SequenceTask.BinaryClassification => "binary classification",
        SequenceTask.MulticlassClassification => "multiclass classification",
        SequenceTask.Regression => "regression",
        SequenceTask.Tagging => "tagging",
        _ => "language model",
    };
}
