using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlNetRnn.Persistence;

/// <summary>
/// The zip container of models and checkpoints: JSON entries and float32 little-endian arrays, then a checksum
/// manifest (<see cref="ChecksumManifest"/>). <see cref="ModelArchiveWriter"/> writes one,
/// <see cref="ModelArchiveReader"/> reads one and verifies every entry before it is used.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The options of every JSON document (see <see cref="ModelJsonContext"/>).</summary>
    public static JsonSerializerOptions Json => ModelJsonContext.Default.Options;

    /// <summary>Reading is stricter than writing: a null where the type has no null, or a missing constructor
    /// argument, is an error rather than a null that fails later.</summary>
    private static readonly JsonSerializerOptions StrictJson = new(ModelJsonContext.Default.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The generated contract of <typeparamref name="T"/>; T must be listed on <see cref="ModelJsonContext"/>.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    /// <summary>The contract used to read files: nulls and missing arguments where the type allows none are errors.</summary>
    public static JsonTypeInfo<T> StrictTypeInfo<T>() => (JsonTypeInfo<T>)StrictJson.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>());
}
