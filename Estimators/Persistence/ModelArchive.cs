using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlNetRnn.Persistence;

/// <summary>
/// The zip container of models and checkpoints: JSON entries and float32 little-endian arrays. Reading checks sizes
/// and names what is missing or malformed.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The options of every JSON document (see <see cref="ModelJsonContext"/>).</summary>
    public static JsonSerializerOptions Json => ModelJsonContext.Default.Options;

    /// <summary>The generated contract of <typeparamref name="T"/>; T must be listed on <see cref="ModelJsonContext"/>.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>());

    public static void WriteJson<T>(ZipArchive zip, string name, T value)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        JsonSerializer.Serialize(stream, value, TypeInfo<T>());
    }

    public static void WriteFloats(ZipArchive zip, string name, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Model files store little-endian floats.");
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    public static T ReadJson<T>(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' has no '{name}' entry; it is not a complete MlNetRnn file.");
        using var stream = entry.Open();
        try
        {
            return JsonSerializer.Deserialize(stream, TypeInfo<T>()) ?? throw new InvalidDataException($"'{path}': '{name}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': '{name}' is not valid: {e.Message}", e);
        }
    }

    public static float[] ReadFloats(ZipArchive zip, string name, int expectedCount, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"'{path}' has no '{name}' entry.");
        if (entry.Length != (long)expectedCount * sizeof(float))
            throw new InvalidDataException($"'{path}': '{name}' holds {entry.Length} bytes; expected {expectedCount} floats ({(long)expectedCount * sizeof(float)} bytes).");
        var values = new float[expectedCount];
        using var stream = entry.Open();
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static ZipArchive OpenRead(string path, out FileStream file)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No model file at '{path}'.", path);
        file = File.OpenRead(path);
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new InvalidDataException($"'{path}' is not an MlNetRnn model or checkpoint (not a zip archive): {e.Message}", e);
        }
    }
}
