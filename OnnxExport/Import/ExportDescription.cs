using System.Globalization;
using System.Text.Json;
using MlNetRnn.Network;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.Persistence;

namespace MlNetRnn.OnnxExport.Import;

/// <summary>
/// What an MlNetRnn export says about itself in its metadata (<see cref="OnnxModelContract"/>), read as strictly as a
/// model file's model.json: each value parsed with the strict contract (a null where the type has none is an error),
/// then the checks model.json gets (<see cref="ModelDocument.ValidateSpec"/>, <see cref="ModelDocument.ValidateOptions"/>,
/// <see cref="SchemaDocument.Validate"/> with the vocabulary and key names kept under their own keys), and the keys
/// that repeat part of the schema (task, input, feature width, labels, tokenizer) against it. The graph is checked
/// against the result by <see cref="ExportedGraphVerifier"/>.
/// </summary>
internal sealed record ExportDescription(
    int FormatVersion,
    SequenceNetworkSpec Spec,
    SequenceModelSchema Schema,
    SequenceModelOptions Options,
    IReadOnlyList<string> Outputs,
    bool HasChecksum)
{
    public static ExportDescription Read(IReadOnlyDictionary<string, string> metadata, string origin, string producer, bool hasChecksum)
    {
        ModelFileException Bad(string key, string problem, Exception? inner = null) => new(origin, key, problem, inner);

        if (!metadata.TryGetValue(OnnxModelContract.FormatKey, out var format))
            throw new ModelFileException(origin, null, $"was not exported by MlNetRnn (producer '{OnnxModelFile.Short(producer)}'): it has no '{OnnxModelContract.FormatKey}' metadata, so its vocabulary, labels and network cannot be recovered.");
        if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1 || version > OnnxModelContract.FormatVersion)
            throw Bad(OnnxModelContract.FormatKey, $"is '{OnnxModelFile.Short(format)}'; this MlNetRnn reads metadata formats 1 to {OnnxModelContract.FormatVersion}." +
                (version > OnnxModelContract.FormatVersion ? " Update MlNetRnn." : ""));

        var spec = Read<SequenceNetworkSpec>(metadata, OnnxModelContract.SpecKey, origin);
        ModelDocument.ValidateSpec(spec, (problem, inner) => Bad(OnnxModelContract.SpecKey, problem, inner));
        var options = Read<SequenceModelOptions>(metadata, OnnxModelContract.OptionsKey, origin);
        ModelDocument.ValidateOptions(options, spec, (problem, inner) => Bad(OnnxModelContract.OptionsKey, problem, inner));

        var document = Read<SchemaDocument>(metadata, OnnxModelContract.SchemaKey, origin);
        if (document.Vocabulary is not null || document.KeyNames is not null)
            throw Bad(OnnxModelContract.SchemaKey, $"holds the {(document.Vocabulary is not null ? "vocabulary" : "key names")} itself; an export keeps them under '{OnnxModelContract.VocabularyKey}' and '{OnnxModelContract.KeyNamesKey}'.");
        var vocabulary = Optional<List<string>>(metadata, OnnxModelContract.VocabularyKey, origin);
        if ((vocabulary is null) != (document.Featurizer is null))
            throw Bad(vocabulary is null ? OnnxModelContract.SchemaKey : OnnxModelContract.VocabularyKey,
                vocabulary is null ? $"describes a text featurizer, and the file has no '{OnnxModelContract.VocabularyKey}'; a text model's export has both."
                    : $"is a vocabulary, and '{OnnxModelContract.SchemaKey}' describes no text featurizer; only a text model's export has one.");
        var keyNames = Optional<List<string>>(metadata, OnnxModelContract.KeyNamesKey, origin);
        var full = document with { Vocabulary = vocabulary, KeyNames = keyNames };
        full.Validate(spec, (field, problem, inner) => Bad(field switch
        {
            nameof(SchemaDocument.Vocabulary) => OnnxModelContract.VocabularyKey,
            nameof(SchemaDocument.KeyNames) => OnnxModelContract.KeyNamesKey,
            _ => OnnxModelContract.SchemaKey,
        }, problem, inner));
        var schema = full.ToSchema((problem, inner) => Bad(OnnxModelContract.VocabularyKey, problem, inner));

        // The keys that repeat part of the schema for other readers (they are what a consumer without MlNetRnn reads).
        Agree(metadata, OnnxModelContract.TaskKey, full.Task.ToString(), origin);
        Agree(metadata, OnnxModelContract.InputKindKey, full.Input.ToString(), origin);
        Agree(metadata, OnnxModelContract.FeatureWidthKey, full.FeatureWidth.ToString(CultureInfo.InvariantCulture), origin);
        var labels = Read<List<string>>(metadata, OnnxModelContract.LabelsKey, origin);
        if (!labels.SequenceEqual(full.Labels, StringComparer.Ordinal))
            throw Bad(OnnxModelContract.LabelsKey, $"lists {labels.Count} labels ({Preview(labels)}); '{OnnxModelContract.SchemaKey}' lists {full.Labels.Count} ({Preview(full.Labels)}). They must agree.");
        var tokenizer = Optional<TextFeaturizerOptions>(metadata, OnnxModelContract.TokenizerKey, origin);
        if ((tokenizer is null ? null : ModelArchive.Serialize(tokenizer)) != (full.Featurizer is null ? null : ModelArchive.Serialize(full.Featurizer)))
            throw Bad(OnnxModelContract.TokenizerKey, tokenizer is null
                ? $"is missing; '{OnnxModelContract.SchemaKey}' describes a text featurizer, which an export also writes here."
                : $"differs from the featurizer '{OnnxModelContract.SchemaKey}' describes{(full.Featurizer is null ? " (none)" : "")}. They must agree.");
        var outputs = Read<List<string>>(metadata, OnnxModelContract.OutputsKey, origin);
        if (outputs.Any(o => o is null))
            throw Bad(OnnxModelContract.OutputsKey, "lists a null output name.");
        return new ExportDescription(version, spec, schema, options, outputs, hasChecksum);
    }

    private static void Agree(IReadOnlyDictionary<string, string> metadata, string key, string expected, string origin)
    {
        if (!metadata.TryGetValue(key, out var value))
            throw new ModelFileException(origin, key, $"is missing; an export writes it ('{expected}' here, from '{OnnxModelContract.SchemaKey}').");
        if (value != expected)
            throw new ModelFileException(origin, key, $"is '{OnnxModelFile.Short(value)}'; '{OnnxModelContract.SchemaKey}' says '{expected}'. They must agree.");
    }

    private static T? Optional<T>(IReadOnlyDictionary<string, string> metadata, string key, string origin) where T : class =>
        metadata.ContainsKey(key) ? Read<T>(metadata, key, origin) : null;

    /// <summary>Parses a metadata value with the strict contract model files are read with.</summary>
    private static T Read<T>(IReadOnlyDictionary<string, string> metadata, string key, string origin) where T : class
    {
        if (!metadata.TryGetValue(key, out var text))
            throw new ModelFileException(origin, key, "is missing; every MlNetRnn export carries it.");
        try
        {
            return JsonSerializer.Deserialize(text, ModelArchive.StrictTypeInfo<T>())
                ?? throw new ModelFileException(origin, key, $"holds null; expected a JSON {(typeof(T) == typeof(List<string>) ? "array of strings" : "object")}.");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(origin, key, $"is not valid: {e.Message}", e);
        }
    }

    private static string Preview(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(5).Select(i => i is null ? "null" : $"'{OnnxModelFile.Short(i)}'")) + (items.Count > 5 ? ", ..." : "");
}
