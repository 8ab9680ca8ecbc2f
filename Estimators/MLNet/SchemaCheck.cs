using Microsoft.ML.Data;

namespace MlNetRnn.MLNet;

/// <summary>
/// The input columns a trainer accepts, checked alike in GetOutputSchema and in Fit; a refusal names the column, the
/// expected type and the actual type, as ML.NET's own trainers do.
/// </summary>
internal static class SchemaCheck
{
    /// <summary>Key counts read as token ids: an id is an int, and the model adds the padding id 0.</summary>
    public const ulong MaximumTokenKeys = int.MaxValue - 1;

    private const string ParameterName = "inputSchema";
    private const string KeyTypes = "Byte, UInt16, UInt32 or UInt64 keys";

    /// <summary>Checks the feature column; true when it holds keys (token ids), false for Single values.</summary>
    public static bool Features(ColumnShape? found, string name, SequenceTask task)
    {
        if (found is not { } column)
            throw new ArgumentOutOfRangeException(ParameterName, $"Could not find feature column '{name}'.");
        var keys = column.IsVector && column.IsKey;
        var values = column.IsVector && !column.IsKey && column.ItemType == NumberDataViewType.Single;
        if (keys && task == SequenceTask.Regression)
            throw Mismatch("feature", name, "a vector of Single (regression reads dense sequences)", column.ToString());
        if (!keys && !values)
        {
            throw Mismatch("feature", name,
                $"a vector of keys ({KeyTypes}: TokenizeIntoWords + MapValueToKey, TokenizeIntoCharactersAsKeys) or a vector of Single",
                column.ToString());
        }
        if (keys && column.KeyCount > MaximumTokenKeys)
            throw Mismatch("feature", name, $"a vector of keys with at most {MaximumTokenKeys} values", $"{column} with {column.KeyCount} values");
        return keys;
    }

    /// <summary>Checks the feature column against a trained model's input: keys for a token model, Single values for a
    /// dense one. True for keys.</summary>
    public static bool FeaturesOf(SequenceModel model, ColumnShape? found, string name)
    {
        var tokens = model.Schema.Input != SequenceInputKindOfData.Dense;
        if (Features(found, name, model.Task) != tokens)
        {
            throw Mismatch("feature", name,
                tokens ? "a vector of keys (the model reads token ids)" : $"a vector of Single (the model reads {model.Schema.FeatureWidth} values per step)",
                found!.Value.ToString());
        }
        return tokens;
    }

    public static void Label(ColumnShape? found, string name, SequenceTask task)
    {
        if (found is not { } column)
            throw new ArgumentOutOfRangeException(ParameterName, $"Could not find label column '{name}'.");
        var (accepted, expected) = task switch
        {
            SequenceTask.BinaryClassification => (!column.IsVector && !column.IsKey && column.ItemType == BooleanDataViewType.Instance, "Boolean"),
            SequenceTask.MulticlassClassification => (!column.IsVector && column.IsKey, $"a key ({KeyTypes}; use MapValueToKey)"),
            _ => (!column.IsKey && column.ItemType == NumberDataViewType.Single && column.Kind != Microsoft.ML.SchemaShape.Column.VectorKind.VariableVector,
                "Single or a known-size vector of Single"),
        };
        if (!accepted)
            throw Mismatch("label", name, expected, column.ToString());
        if (task == SequenceTask.MulticlassClassification && column.KeyCount > ColumnNames.MaximumOutputs)
            throw Mismatch("label", name, $"a key with at most {ColumnNames.MaximumOutputs} values (classes)", $"{column} with {column.KeyCount} values");
    }

    private static ArgumentOutOfRangeException Mismatch(string role, string name, string expected, string actual) =>
        new(ParameterName, $"Schema mismatch for {role} column '{name}': expected {expected}, got {actual}.");
}
