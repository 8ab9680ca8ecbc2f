using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace MlNetRnn.Persistence;

/// <summary>Writes the entries of a model file or checkpoint, then (<see cref="Complete"/>) their checksum manifest.</summary>
internal sealed class ModelArchiveWriter : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly List<ChecksumEntry> _written = [];

    public ModelArchiveWriter(Stream stream) => _zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);

    public void WriteJson<T>(string name, T value) =>
        Write(name, JsonSerializer.SerializeToUtf8Bytes(value, ModelArchive.TypeInfo<T>()), CompressionLevel.Optimal);

    public void WriteFloats(string name, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Model files store little-endian floats.");
        Write(name, MemoryMarshal.AsBytes(values), CompressionLevel.Fastest);
    }

    /// <summary>Writes the manifest of the entries written so far; the archive is complete after it.</summary>
    public void Complete()
    {
        var manifest = new ChecksumManifest { Entries = [.. _written] };
        using var stream = _zip.CreateEntry(ChecksumManifest.EntryName, CompressionLevel.Optimal).Open();
        JsonSerializer.Serialize(stream, manifest, ModelArchive.TypeInfo<ChecksumManifest>());
    }

    public void Dispose() => _zip.Dispose();

    private void Write(string name, ReadOnlySpan<byte> content, CompressionLevel level)
    {
        using (var stream = _zip.CreateEntry(name, level).Open())
            stream.Write(content);
        _written.Add(new ChecksumEntry(name, content.Length, Convert.ToHexStringLower(SHA256.HashData(content))));
    }
}
