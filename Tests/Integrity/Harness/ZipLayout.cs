using System.Buffers.Binary;
using System.Text;

namespace MlNetRnn.Tests.Integrity;

/// <summary>
/// Where the records of a zip file lie in its bytes (local headers, central directory, end record), so a test can
/// change one header field in place: a CRC, a size, a compression method, a name. Small, non-Zip64 archives only
/// (what the tests write).
/// </summary>
internal sealed class ZipLayout
{
    public const uint LocalSignature = 0x04034b50;
    public const uint CentralSignature = 0x02014b50;
    public const uint EndSignature = 0x06054b50;

    // Field offsets within a local header and a central directory record (APPNOTE 4.3.7 and 4.3.12).
    public const int LocalMethod = 8, LocalCrc = 14, LocalCompressedSize = 18, LocalSize = 22, LocalNameLength = 26, LocalExtraLength = 28, LocalName = 30;
    public const int CentralMethod = 10, CentralCrc = 16, CentralCompressedSize = 20, CentralSize = 24, CentralNameLength = 28, CentralLocalOffset = 42, CentralName = 46;

    /// <param name="Local">Offset of the entry's local header.</param>
    /// <param name="Central">Offset of its central directory record.</param>
    /// <param name="Data">Offset of its (compressed) data.</param>
    public sealed record Entry(string Name, int Local, int Central, int Data, int CompressedSize);

    private ZipLayout(List<Entry> entries, int end) => (Entries, End) = (entries, end);

    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Offset of the end-of-central-directory record.</summary>
    public int End { get; }

    public static ZipLayout Parse(byte[] zip)
    {
        var end = zip.Length - 22;
        while (end >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != EndSignature)
            end--;
        if (end < 0)
            throw new InvalidOperationException("No end-of-central-directory record.");
        var count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        var entries = new List<Entry>();
        for (var i = 0; i < count; i++)
        {
            var nameLength = U16(zip, offset + CentralNameLength);
            var extraLength = U16(zip, offset + 30);
            var commentLength = U16(zip, offset + 32);
            var name = Encoding.UTF8.GetString(zip, offset + CentralName, nameLength);
            var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(offset + CentralLocalOffset));
            var data = local + LocalName + U16(zip, local + LocalNameLength) + U16(zip, local + LocalExtraLength);
            var compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(offset + CentralCompressedSize));
            entries.Add(new Entry(name, local, offset, data, compressed));
            offset += CentralName + nameLength + extraLength + commentLength;
        }
        return new ZipLayout(entries, end);
    }

    public Entry this[string name] => Entries.Single(e => e.Name == name);

    public static ushort U16(byte[] zip, int at) => BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at));

    public static uint U32(byte[] zip, int at) => BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at));

    public static void SetU16(byte[] zip, int at, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(at), value);

    public static void SetU32(byte[] zip, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(at), value);
}
