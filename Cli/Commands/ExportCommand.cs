using System.CommandLine;

namespace MlNetRnn.Cli.Commands;

/// <summary>`mlnetrnn export --model M.mlnr [--output M.onnx] [--token-ids] [--opset N] [--state-inputs]`: writes the
/// model as ONNX and says what the graph takes and returns.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file (.mlnr) to export.", Required = true };
        var output = new Option<string?>("--output") { Description = "The ONNX file to write (default: the model's path with .onnx)." };
        var tokenIds = new Option<bool>("--token-ids")
        {
            Description = "Text models: a graph that takes token ids (input_ids, sequence_lens) tokenized by the caller, instead of the raw text (the default; needs opset 20).",
        };
        var opset = CommonOptions.InRange(new Option<int?>("--opset")
        {
            Description = $"The ONNX opset, {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset} (default: the lowest that holds the graph: 20 for raw text, else 14).",
        }, OnnxExportOptions.MinimumOpset, OnnxExportOptions.MaximumOpset);
        var stateInputs = new Option<bool>("--state-inputs")
        {
            Description = "Add each layer's recurrent state as inputs and outputs, to feed a sequence in pieces (language models always have them).",
        };
        var description = new Option<string?>("--description") { Description = "Text stored as the model's doc_string." };
        var command = new Command("export", "Export a model file (.mlnr) to ONNX, with raw text or token ids in.")
        {
            model, output, tokenIds, opset, stateInputs, description,
        };
        command.SetAction(r =>
        {
            var modelPath = r.GetValue(model)!;
            if (!ModelFiles.IsModelFile(modelPath))
                throw new ArgumentException($"'{modelPath}' is not an MlNetRnn model file (.mlnr); export reads the model file, and an .onnx is already exported.");
            var target = r.GetValue(output) ?? Path.ChangeExtension(modelPath, ".onnx");
            using var trained = SequenceModel.Load(modelPath);
            if (trained.Schema.Featurizer?.Options.Tokenizer == TokenizerKind.Characters && !r.GetValue(tokenIds))
                throw new ArgumentException($"'{modelPath}' reads characters, which ONNX's string operators cannot split a text into: export it with --token-ids (the caller then passes the character ids).");
            var report = trained.ExportToOnnx(target, new OnnxExportOptions
            {
                Opset = r.GetValue(opset),
                TextInput = r.GetValue(tokenIds) ? OnnxTextInput.TokenIds : OnnxTextInput.Text,
                StateInputs = r.GetValue(stateInputs),
                Description = r.GetValue(description),
            });
            context.Out.WriteLine($"wrote {target} ({ModelFiles.Size(target)}): opset {report.Opset}");
            context.Out.WriteLine($"inputs: {string.Join(", ", report.Inputs)}");
            context.Out.WriteLine($"outputs: {string.Join(", ", report.Outputs)}");
            foreach (var warning in report.Warnings)
                context.Error.WriteLine($"mlnetrnn: warning: {Program.OneLine(warning)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
