using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using MlNetRnn.Network;

namespace MlNetRnn.Persistence;

/// <summary>
/// Reads the entries of a model file or checkpoint and verifies each one before it is used: one entry per name; the
/// size its header declares within the caller's cap and what its compressed bytes can hold, checked before a buffer
/// is allocated; exactly that many bytes; the zip CRC-32; and the SHA-256 of the checksum manifest when the file has
/// one (files written before the manifest have none). Every failure, and every error of System.IO.Compression, is a
/// <see cref="ModelFileException"/> naming the file and the entry.
/// </summary>
internal sealed class ModelArchiveReader : IDisposable
{
    // Deflate expands a compressed byte into at most 1032 bytes (a run of one value), so a header that claims more
    // than that over the entry's compressed bytes is damaged; refusing it bounds what a small file can make us allocate.
    private const long MaxDeflateRatio = 1032;

    private readonly Stream? _ownedStream;
    private readonly ZipArchive _zip;
    private readonly long _archiveLength;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChecksumEntry>? _manifest;

    private ModelArchiveReader(Stream stream, string path, bool ownsStream)
    {
        Path = path;
        _ownedStream = ownsStream ? stream : null;
        _archiveLength = stream.CanSeek ? stream.Length : long.MaxValue;
        try
        {
            _zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in _zip.Entries)
            {
                if (!_entries.TryAdd(entry.FullName, entry))
                    throw Error(entry.FullName, "appears twice in the archive; an MlNetRnn file holds each entry once.");
            }
        }
        catch (Exception e) when (IsArchiveError(e))
        {
            throw new ModelFileException(path, null, $"not an MlNetRnn model or checkpoint: not a readable zip archive ({e.Message}).", e);
        }
        if (_entries.ContainsKey(ChecksumManifest.EntryName))
            _manifest = ReadManifest();
    }

    /// <summary>The file's path (or the name given to a stream), as errors name it.</summary>
    public string Path { get; }

    /// <summary>Whether the file has a checksum manifest (files written before it existed do not).</summary>
    public bool HasManifest => _manifest is not null;

    public static ModelArchiveReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No model file at '{path}'.", path);
        var file = File.OpenRead(path);
        try
        {
            return new ModelArchiveReader(file, path, ownsStream: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <param name="origin">How errors name the stream.</param>
    public static ModelArchiveReader Open(Stream stream, string origin)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(origin);
        return new ModelArchiveReader(stream, origin, ownsStream: false);
    }

    public void Dispose()
    {
        _zip?.Dispose();
        _ownedStream?.Dispose();
    }

    public ModelFileException Error(string? entry, string problem, Exception? inner = null) => new(Path, entry, problem, inner);

    /// <summary>Reads, verifies and parses a JSON entry of at most <paramref name="maxBytes"/> bytes.</summary>
    public T ReadJson<T>(string name, int maxBytes) where T : class
    {
        var entry = Require(name);
        if (entry.Length > maxBytes)
            throw Error(name, $"declares {entry.Length} bytes; a document of this kind holds at most {maxBytes}.");
        CheckPlausible(entry);
        var content = new byte[entry.Length];
        ReadVerified(entry, content);
        try
        {
            return JsonSerializer.Deserialize(content, ModelArchive.StrictTypeInfo<T>())
                ?? throw Error(name, "holds null; expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw Error(name, $"is not valid: {e.Message}", e);
        }
    }

    /// <summary>Checks that a float entry exists and its header declares <paramref name="count"/> floats; call it
    /// before allocating the buffer it will be read into.</summary>
    public void ExpectFloats(string name, long count)
    {
        var entry = Require(name);
        if (entry.Length != count * sizeof(float))
            throw Error(name, $"declares {entry.Length} bytes; expected {count} floats ({count * sizeof(float)} bytes).");
        CheckPlausible(entry);
    }

    /// <summary>Reads a float entry of exactly <c>destination.Length</c> floats into <paramref name="destination"/>.</summary>
    public void ReadFloats(string name, Span<float> destination)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Model files store little-endian floats.");
        ExpectFloats(name, destination.Length);
        ReadVerified(_entries[name], MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Refuses NaN and infinities in <paramref name="values"/> (laid out as <paramref name="tensors"/>),
    /// naming the tensor and the element.</summary>
    public void RequireFinite(string name, ReadOnlySpan<float> values, IReadOnlyList<ParameterTensor> tensors)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i]))
                continue;
            var tensor = tensors.Last(t => t.Offset <= i);
            throw Error(name, $"tensor '{tensor.Name}' {tensor.ShapeText} holds {values[i]} at element {i - tensor.Offset}; every value must be finite.");
        }
    }

    private ZipArchiveEntry Require(string name) =>
        _entries.TryGetValue(name, out var entry) ? entry
            : throw Error(name, $"is missing; the archive holds {Describe(_entries.Keys)}.");

    private void CheckPlausible(ZipArchiveEntry entry)
    {
        if (entry.IsEncrypted)
            throw Error(entry.FullName, "is encrypted; MlNetRnn never encrypts entries.");
        if (entry.CompressedLength < 0 || entry.CompressedLength > _archiveLength)
            throw Error(entry.FullName, $"declares {entry.CompressedLength} compressed bytes in an archive of {_archiveLength}.");
        if (entry.Length < 0 || entry.Length > entry.CompressedLength * MaxDeflateRatio + 1024)
            throw Error(entry.FullName, $"declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can hold.");
        if (_manifest is not null && _manifest[entry.FullName].Length != entry.Length)
            throw Error(entry.FullName, $"declares {entry.Length} bytes; {ChecksumManifest.EntryName} says {_manifest[entry.FullName].Length}: the entry was changed after the file was written.");
    }

    private void ReadVerified(ZipArchiveEntry entry, Span<byte> destination)
    {
        var name = entry.FullName;
        try
        {
            using var stream = entry.Open();
            var read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
            if (read < destination.Length)
                throw Error(name, $"holds {read} bytes; its header declares {destination.Length} (truncated).");
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0)
                throw Error(name, $"holds more than the {destination.Length} bytes its header declares.");
        }
        catch (Exception e) when (IsArchiveError(e))
        {
            throw Error(name, $"cannot be read: {e.Message}", e);
        }
        var crc = Crc32.Compute(destination);
        if (crc != entry.Crc32)
            throw Error(name, $"has CRC-32 {crc:x8}; its header says {entry.Crc32:x8}: the entry is damaged.");
        if (_manifest is not null && name != ChecksumManifest.EntryName)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(destination));
            if (sha != _manifest[name].Sha256)
                throw Error(name, $"has SHA-256 {sha}; {ChecksumManifest.EntryName} says {_manifest[name].Sha256}: the entry was changed after the file was written.");
        }
    }

    private Dictionary<string, ChecksumEntry> ReadManifest()
    {
        const string name = ChecksumManifest.EntryName;
        var manifest = ReadJson<ChecksumManifest>(name, SequenceModelLimits.MaxStateDocumentBytes);
        if (manifest.Format != ChecksumManifest.FormatName || manifest.Algorithm != ChecksumManifest.AlgorithmName)
            throw Error(name, $"is a '{manifest.Format}' manifest of {manifest.Algorithm} sums; expected '{ChecksumManifest.FormatName}' of {ChecksumManifest.AlgorithmName} sums.");
        var byName = new Dictionary<string, ChecksumEntry>(StringComparer.Ordinal);
        foreach (var listed in manifest.Entries ?? throw Error(name, "has no Entries; expected the list of the archive's entries."))
        {
            if (listed is null || listed.Name is null || listed.Sha256 is not { Length: 64 } || !listed.Sha256.All(char.IsAsciiHexDigitLower) || listed.Length < 0)
                throw Error(name, $"lists {(listed is null ? "null" : ModelArchive.Serialize(listed))}; expected an entry name, its length and 64 lower-case hex digits.");
            if (!byName.TryAdd(listed.Name, listed))
                throw Error(name, $"lists '{listed.Name}' twice.");
            if (!_entries.ContainsKey(listed.Name))
                throw Error(listed.Name, $"is missing; {name} lists it (the archive holds {Describe(_entries.Keys)}).");
        }
        var unlisted = _entries.Keys.FirstOrDefault(n => n != name && !byName.ContainsKey(n));
        if (unlisted is not null)
            throw Error(unlisted, $"is not listed in {name}; the file was changed after it was written.");
        return byName;
    }

    private static string Describe(IEnumerable<string> names)
    {
        var list = names.Take(10).Select(n => $"'{(n.Length > 64 ? n[..64] + "..." : n)}'").ToList();
        return list.Count == 0 ? "no entries" : string.Join(", ", list);
    }

    // What System.IO.Compression throws for a damaged archive (an unreadable header, an unsupported or relabelled
    // compression method, a truncated stream); our own ModelFileException passes through.
    private static bool IsArchiveError(Exception e) =>
        e is not ModelFileException and (InvalidDataException or IOException or NotSupportedException or ArgumentException);
}
