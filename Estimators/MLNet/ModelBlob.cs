using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetRnn.MLNet;

/// <summary>
/// A trained <see cref="SequenceModel"/> as one text value, so that ML.NET's own value-mapping transformer carries it
/// inside the model zip, and the scoring mappings get it back. A loaded model is parsed once per distinct text value
/// (the mapping hands the same string to every row), so the per-row cost does not grow with the model, and two
/// models in one process never share state.
/// </summary>
internal static class ModelBlob
{
    public const string Prefix = "mlnetrnn-model:1:";

    private static readonly ConditionalWeakTable<string, SequenceModel> Parsed = new();

    public static string Encode(SequenceModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return Prefix + Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    public static SequenceModel Decode(ReadOnlyMemory<char> blob)
    {
        // The value-mapping output is a slice of the string stored in its table: cache on that string.
        if (MemoryMarshal.TryGetString(blob, out var text, out var start, out var length) && start == 0 && length == text.Length)
            return Parsed.GetValue(text, Parse);
        return Parse(blob.ToString());
    }

    private static SequenceModel Parse(string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            throw new InvalidDataException($"The ML.NET model holds no MlNetRnn network (expected a value starting with '{Prefix}').");
        var bytes = Convert.FromBase64String(text.Substring(Prefix.Length));
        using var stream = new MemoryStream(bytes, writable: false);
        return SequenceModel.Load(stream, "the MlNetRnn network inside the ML.NET model");
    }
}
