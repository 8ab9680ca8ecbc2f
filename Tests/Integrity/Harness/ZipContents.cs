using System.IO.Compression;
using System.Security.Cryptography;
using MlNetRnn.Persistence;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// The entries of a model file or checkpoint as name, content and compression, to change a content and write the
/// archive again with fresh zip CRCs (as a writer would), with the checksum manifest left as it was, recomputed, or
/// removed (a file as written before the manifest existed). Entries are written with a fixed timestamp, so the same
/// contents always give the same bytes.
/// </summary>
internal sealed class ZipContents
{
    private static readonly DateTimeOffset FixedTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public sealed record Part(string Name, byte[] Content, CompressionLevel Level);

    public ZipContents(IEnumerable<Part> items) => Items = [.. items];

    public List<Part> Items { get; }

    public static ZipContents Read(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return new ZipContents(archive.Entries.Select(e =>
        {
            using var stream = e.Open();
            var content = new MemoryStream();
            stream.CopyTo(content);
            // What the writers use: floats fastest, JSON optimal.
            return new Part(e.FullName, content.ToArray(), e.FullName.EndsWith(".bin", StringComparison.Ordinal) ? CompressionLevel.Fastest : CompressionLevel.Optimal);
        }));
    }

    public bool Has(string name) => Items.Any(i => i.Name == name);

    public byte[] this[string name]
    {
        get => Items.Single(i => i.Name == name).Content;
        set
        {
            var index = Items.FindIndex(i => i.Name == name);
            Items[index] = Items[index] with { Content = value };
        }
    }

    public ZipContents Clone() => new(Items.Select(i => i with { Content = (byte[])i.Content.Clone() }));

    public ZipContents WithoutManifest() => new(Items.Where(i => i.Name != ChecksumManifest.EntryName));

    /// <summary>The same entries with a manifest of their current contents (last, as the writer puts it).</summary>
    public ZipContents WithFreshManifest()
    {
        var entries = Items.Where(i => i.Name != ChecksumManifest.EntryName).ToList();
        var manifest = new ChecksumManifest
        {
            Entries = entries.Select(i => new ChecksumEntry(i.Name, i.Content.Length, Convert.ToHexStringLower(SHA256.HashData(i.Content)))).ToList(),
        };
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, ModelArchive.TypeInfo<ChecksumManifest>());
        return new ZipContents([.. entries, new Part(ChecksumManifest.EntryName, json, CompressionLevel.Optimal)]);
    }

    public byte[] ToZip()
    {
        var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var item in Items)
            {
                var entry = archive.CreateEntry(item.Name, item.Level);
                entry.LastWriteTime = FixedTime;
                using var stream = entry.Open();
                stream.Write(item.Content);
            }
        }
        return output.ToArray();
    }
}
