using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlNetRnn.MLNet;

/// <summary>
/// The MlNetRnn network inside an ML.NET model, whether the model was just fitted or loaded with
/// <c>mlContext.Model.Load</c> (a loaded model is a chain of ML.NET's own transformers, in which the network travels as
/// the value of a value mapping), and its ONNX export.
/// </summary>
public static class RecurrentModelExtensions
{
    /// <summary>The one MlNetRnn network in <paramref name="model"/>; throws when there is none or more than one.</summary>
    public static SequenceModel GetSequenceModel(this ITransformer model)
    {
        var found = model.GetSequenceModels();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new ArgumentException("The ML.NET model holds no MlNetRnn network (no GRU, LSTM or RNN trainer or sequence encoder).", nameof(model)),
            _ => throw new ArgumentException($"The ML.NET model holds {found.Count} MlNetRnn networks; use GetSequenceModels and pick one.", nameof(model)),
        };
    }

    /// <summary>Every MlNetRnn network in <paramref name="model"/>, in pipeline order.</summary>
    public static IReadOnlyList<SequenceModel> GetSequenceModels(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = new List<SequenceModel>();
        Collect(model, found);
        return found;
    }

    /// <summary>
    /// Exports the MlNetRnn network of an ML.NET model (fitted or loaded) to ONNX. A network trained on key columns whose
    /// keys are words (MapValueToKey after TokenizeIntoWords) takes the raw text: set
    /// <see cref="OnnxExportOptions.Separators"/> to the separators the pipeline's TokenizeIntoWords used (default ' ').
    /// The graph reproduces the trainer's part of the pipeline from the text column TokenizeIntoWords read; text
    /// transforms before it (NormalizeText, for instance) are the deploying application's to apply.
    /// </summary>
    public static OnnxExportReport ExportSequenceModelToOnnx(this ITransformer model, string path, OnnxExportOptions? options = null) =>
        model.GetSequenceModel().ExportToOnnx(path, options);

    private static void Collect(ITransformer transformer, List<SequenceModel> found)
    {
        switch (transformer)
        {
            case SequenceModelTransformer fitted:
                found.Add(fitted.Model);
                break;
            case IEnumerable<ITransformer> chain:
                foreach (var inner in chain)
                    Collect(inner, found);
                break;
            case ValueMappingTransformer mapping when FromMapping(mapping) is { } model:
                found.Add(model);
                break;
        }
    }

    // The scoring chain's value mapping turns the model key into the network's text: ask it for that value.
    private static SequenceModel? FromMapping(ValueMappingTransformer mapping)
    {
        var ml = new MLContext();
        var input = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Key = ModelKeyMapping.Key } });
        IDataView output;
        try
        {
            output = mapping.Transform(input);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;   // a mapping of the user's, over other columns
        }
        if (output.Schema.GetColumnOrNull(ColumnNames.ModelBlob) is not { Type: TextDataViewType } column)
            return null;
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var blob = default(ReadOnlyMemory<char>);
        if (!cursor.MoveNext())
            return null;
        getter(ref blob);
        return blob.Span.StartsWith(ModelBlob.Prefix) ? ModelBlob.Decode(blob.ToString().AsMemory()) : null;
    }

    private sealed class KeyRow
    {
        [ColumnName(ColumnNames.ModelKey)]
        public string Key { get; set; } = "";
    }
}
